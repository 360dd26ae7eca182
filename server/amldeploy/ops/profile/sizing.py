"""From readings of a service's usage to the figures a profile reports and the size it recommends.

Readings are ``(time, Usage)`` pairs taken about twice a second: some before the load (idle), the rest during it.
CPU between two readings is the CPU time used over the time passed (in cores); memory is each reading's.

* idle: the median before the load; steady: the median over the second half of the load (past the warm-up);
  peak: the highest during the load.
* the recommendation, with ``headroom`` (0.3: 30 % more than measured), rounded up to tenths as v1 sizes were
  written: ``cpu`` covers the steady CPU, ``memoryInGB`` the peak memory (memory cannot be throttled: short of
  it, the service is killed). For AKS, where a limit can exceed its request, ``cpuLimit`` covers the peak CPU and
  ``memoryInGBLimit`` the peak memory with twice the headroom. GB here is 10^9 bytes, as ACI counts it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from amldeploy.ops.usage import Usage

GB = 1_000_000_000
MIN_CPU = 0.1
MIN_MEMORY_GB = 0.1
DEFAULT_HEADROOM = 0.3
AKS_TYPES = ("aks", "aksendpoint")


@dataclass(frozen=True, slots=True)
class Figures:
    idle_cpu: float
    steady_cpu: float
    peak_cpu: float
    idle_memory: int
    steady_memory: int
    peak_memory: int

    def to_json(self) -> dict[str, dict[str, float | int]]:
        return {
            "cpuCores": {"idle": _r(self.idle_cpu), "steady": _r(self.steady_cpu), "peak": _r(self.peak_cpu)},
            "memoryBytes": {"idle": self.idle_memory, "steady": self.steady_memory, "peak": self.peak_memory},
        }


def _r(value: float) -> float:
    return round(value, 3)


def figures(readings: Sequence[tuple[float, Usage]], load_start: float, load_end: float) -> Figures:
    """The idle, steady and peak CPU and memory of ``readings``; ``ValueError`` when there are too few."""
    idle_cpu: list[float] = []
    busy_cpu: list[tuple[float, float]] = []  # (time, cores) of the intervals inside the load
    for (t0, u0), (t1, u1) in pairwise(readings):
        if t1 <= t0:
            continue
        cores = max(0.0, (u1.cpu_seconds - u0.cpu_seconds) / (t1 - t0))
        if t1 <= load_start:
            idle_cpu.append(cores)
        elif t0 >= load_start and t1 <= load_end + 0.5:
            busy_cpu.append((t1, cores))
    idle_memory = [u.memory_bytes for t, u in readings if t <= load_start]
    busy_memory = [(t, u.memory_bytes) for t, u in readings if load_start < t <= load_end + 0.5]
    if not busy_cpu or not busy_memory:
        raise ValueError("too few readings of the service during the load: profile it for longer (--duration)")
    half = load_start + (load_end - load_start) / 2
    steady_cpu = [c for t, c in busy_cpu if t >= half] or [c for _, c in busy_cpu]
    steady_memory = [m for t, m in busy_memory if t >= half] or [m for _, m in busy_memory]
    return Figures(
        idle_cpu=statistics.median(idle_cpu) if idle_cpu else 0.0,
        steady_cpu=statistics.median(steady_cpu),
        peak_cpu=max(c for _, c in busy_cpu),
        idle_memory=int(statistics.median(idle_memory)) if idle_memory else busy_memory[0][1],
        steady_memory=int(statistics.median(steady_memory)),
        peak_memory=max(m for _, m in busy_memory),
    )


def _tenths_up(value: float) -> float:
    return math.ceil(round(value * 10, 6)) / 10


def recommend(measured: Figures, compute_type: str, headroom: float = DEFAULT_HEADROOM) -> dict[str, float]:
    """``containerResourceRequirements`` for what was measured: ``cpu`` and ``memoryInGB``, and for AKS configs
    ``cpuLimit`` and ``memoryInGBLimit`` too."""
    cpu = max(MIN_CPU, _tenths_up(measured.steady_cpu * (1 + headroom)))
    memory = max(MIN_MEMORY_GB, _tenths_up(measured.peak_memory / GB * (1 + headroom)))
    values = {"cpu": cpu, "memoryInGB": memory}
    if compute_type.lower() in AKS_TYPES:
        values["cpuLimit"] = max(cpu, _tenths_up(measured.peak_cpu * (1 + headroom)))
        values["memoryInGBLimit"] = max(memory, _tenths_up(measured.peak_memory / GB * (1 + 2 * headroom)))
    return values

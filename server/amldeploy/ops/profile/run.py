"""Profile a running service: its usage at rest, then under a bounded load of sample requests, and the size it
needs (``sizing.py``). Works on every target that is ``Measurable`` (Docker: the engine's stats; process:
``/proc``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import OpsError
from amldeploy.ops.profile.load import LoadResult, percentile, run_load
from amldeploy.ops.profile.sizing import DEFAULT_HEADROOM, Figures, figures, recommend
from amldeploy.ops.reporter import Reporter
from amldeploy.ops.scoring import key_header, send
from amldeploy.ops.states import State
from amldeploy.ops.targets.base import Measurable, find_service, target_names
from amldeploy.ops.usage import Usage

READ_EVERY_S = 0.5
DEFAULT_CONCURRENCY = 4
DEFAULT_DURATION_S = 15.0
IDLE_S = 2.0


@dataclass(slots=True)
class ProfileRequest:
    name: str
    bodies: list[bytes]
    content_type: str = "application/json"
    concurrency: int = DEFAULT_CONCURRENCY
    duration_s: float = DEFAULT_DURATION_S
    headroom: float = DEFAULT_HEADROOM


@dataclass(slots=True)
class Profile:
    name: str
    target: str
    compute_type: str
    concurrency: int
    duration_s: float
    headroom: float
    load: LoadResult
    measured: Figures
    recommendation: dict[str, float]
    applied: dict[str, Any] | None = field(default=None)

    @property
    def throughput(self) -> float:
        return len(self.load.latencies_ms) / self.load.seconds if self.load.seconds > 0 else 0.0

    def latency(self, fraction: float) -> float | None:
        value = percentile(self.load.latencies_ms, fraction)
        return None if value is None else round(value, 2)

    def to_json(self) -> dict[str, Any]:
        load = self.load
        return {
            "name": self.name,
            "target": self.target,
            "computeType": self.compute_type,
            "concurrency": self.concurrency,
            "durationS": round(load.seconds, 2),
            "requests": load.requests,
            "throughputRps": round(self.throughput, 1),
            "errors": load.errors,
            "statuses": {str(status): n for status, n in sorted(load.statuses.items())},
            "firstErrors": load.first_errors,
            "latencyMs": {"p50": self.latency(0.5), "p90": self.latency(0.9), "p99": self.latency(0.99)},
            **self.measured.to_json(),
            "headroom": self.headroom,
            "recommendation": self.recommendation,
            "applied": self.applied,
        }


def profile_service(
    request: ProfileRequest, root: Path, reporter: Reporter, stop: Callable[[], bool] = lambda: False
) -> Profile:
    """Measure the service ``request.name`` at rest and under load; ``OpsError`` when it cannot be profiled."""
    name = request.name
    target, service = find_service(name, root)
    if not isinstance(target, Measurable):
        measurable = [n for n in target_names() if n != target.name]
        raise OpsError(
            f"the {target.name} target cannot measure what its services use",
            f"profile a copy of it deployed with --target {' or --target '.join(measurable) or 'docker'}",
        )
    if service.state is not State.HEALTHY or service.scoring_uri is None:
        raise OpsError(
            f"'{name}' is {service.state.value}: {service.error or 'it does not answer'}",
            f"profile a Healthy service: see 'amldeploy show {name}', deploy it again if needed",
        )
    uri = service.scoring_uri
    headers = {"Content-Type": request.content_type, **key_header(target, service)}
    front_end = service.details.get("frontEnd") or {}
    timeout_s = (front_end.get("scoringTimeoutMs") or 60000) / 1000 + 10

    reporter.step(f"Trying the sample request{'s' if len(request.bodies) > 1 else ''} on {name}")
    for i, body in enumerate(request.bodies, 1):
        answer = send(name, "POST", uri, body, headers, timeout_s)
        if not answer.ok:
            reporter.done(False)
            text = answer.body[:300].decode("utf-8", "replace")
            raise OpsError(
                f"sample {i} gets HTTP {answer.status} {answer.reason} from {name}: {text}",
                f"fix the sample; try it with 'amldeploy score {name} --file SAMPLE'",
            )
    reporter.done(True, "answered 2xx")

    probe = target.usage_probe(name)
    readings: list[tuple[float, Usage]] = []
    try:
        reporter.step(f"Measuring {name} at rest ({IDLE_S:g} s)")
        idle_end = time.monotonic() + IDLE_S
        while True:
            readings.append((time.monotonic(), probe.read()))
            if time.monotonic() >= idle_end:
                break
            reporter.progress("at rest", min(1.0, 1 - (idle_end - time.monotonic()) / IDLE_S))
            time.sleep(READ_EVERY_S)
        reporter.done(True)

        reporter.step(f"Loading {name}: {request.concurrency} connections for {request.duration_s:g} s")
        start = time.monotonic()

        def tick(elapsed: float, answered: int) -> None:
            readings.append((time.monotonic(), probe.read()))
            reporter.progress(f"{answered} answers in {elapsed:.0f} s", min(1.0, elapsed / request.duration_s))

        load = run_load(
            uri, headers, request.bodies, request.concurrency, request.duration_s, timeout_s, stop, tick, READ_EVERY_S
        )
        end = time.monotonic()
        readings.append((end, probe.read()))
        reporter.done(load.errors == 0, f"{load.requests} requests, {load.errors} errors")
    finally:
        probe.close()
    if load.requests == 0 or load.errors == load.requests:
        raise OpsError(
            f"no request to {name} succeeded under load: {'; '.join(load.first_errors) or 'no answer'}",
            f"see 'amldeploy logs {name}'; try fewer connections (--concurrency)",
        )
    try:
        measured = figures(readings, start, end)
    except ValueError as exc:
        raise OpsError(str(exc), "use a --duration of a few seconds at least") from None
    return Profile(
        name=name,
        target=target.name,
        compute_type=service.compute_type,
        concurrency=request.concurrency,
        duration_s=request.duration_s,
        headroom=request.headroom,
        load=load,
        measured=measured,
        recommendation=recommend(measured, service.compute_type, request.headroom),
    )

"""Scoring runtime benchmark: Azure's azureml-inference-server-http 1.5.1 and ``amldeploy serve``, side by side.

    .venv/bin/python bench/runtime.py [--rounds 4] [--seconds 3] [--cold-runs 6] [--loadgen auto|wrk|python]

On the example model (examples/sklearn: train.py's Ridge, score.py, sample-request.json):

* load: throughput and p50/p99 at 1 and 16 connections, 1 row and 100 rows, for Azure's server, ``amldeploy serve``
  and ``amldeploy serve`` with key auth and a queue limit (1 request at a time, 5 s queue wait). All servers run at
  once, rounds alternate their order, each cell runs a few seconds with keep-alive clients (wrk from Debian via
  bench/setup.sh, else bench/loadgen.py). With 2+ CPUs the servers share CPU 0 and the load generator gets CPU 1.
* cold start: spawn until the first 200 on ``GET /``, median of N runs, minus the floor
  ``python -c "import score; score.init()"`` (same script, same model, same interpreter as the server).

Targets: amldeploy ≥ 3x Azure's throughput at 16 connections (1 row); cold-start overhead ≤ 0.15 s; auth + queue
at most 10 % below amldeploy without them. Missed targets print "TARGET MISSED" lines and exit status 1.
Azure's server comes from the venv of tests/infra/azure_server.py (built on first use).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.runtime_load import Cell, Measure, load_tool, measure  # noqa: E402
from tests.infra import azure_server  # noqa: E402
from tests.infra.amldeploy_server import serve_available, start_amldeploy  # noqa: E402

EXAMPLE = ROOT / "examples" / "sklearn"
SCORE = EXAMPLE / "score.py"
KEY = "bench-primary-key-0123456789"
AUTH_ENV = {
    "AMLDEPLOY_AUTH_ENABLED": "true",
    "AMLDEPLOY_PRIMARY_KEY": KEY,
    "AMLDEPLOY_MAX_CONCURRENT_REQUESTS": "1",
    "AMLDEPLOY_MAX_QUEUE_WAIT_MS": "5000",
}
AZURE, OURS, AUTH = "azure", "amldeploy", "amldeploy+auth+queue"
CELLS = [Cell(1, 1), Cell(1, 16), Cell(100, 1), Cell(100, 16)]
TARGET_SPEEDUP, TARGET_OVERHEAD_S, TARGET_AUTH_LOSS = 3.0, 0.15, 0.10


def prepare_model(workdir: Path) -> Path:
    """Train the example's Ridge model into ``workdir/model`` with examples/sklearn/train.py."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("example_train", EXAMPLE / "train.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(workdir / "model" / "model.joblib")
    return workdir / "model"


def start(kind: str, port: int, model_dir: Path) -> subprocess.Popen[bytes]:
    if kind == AZURE:
        return azure_server.start_azure(SCORE, model_dir, port, {"AZUREML_MODEL_DIR": str(model_dir)})
    env = {"AZUREML_MODEL_DIR": str(model_dir), **(AUTH_ENV if kind == AUTH else {})}
    return start_amldeploy(SCORE, port, env)


def wait_up(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if azure_server.health(port, timeout=1.0) == 200:
            return time.perf_counter() - started
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before answering GET /")
        time.sleep(0.005)
    raise TimeoutError(f"no 200 on GET / within {timeout:.0f} s")


def cold_start(kind: str, model_dir: Path) -> float:
    port = azure_server.free_port()
    started = time.perf_counter()
    proc = start(kind, port, model_dir)
    try:
        wait_up(port, proc)
        return time.perf_counter() - started
    finally:
        azure_server.stop(proc)


def floor(python: Path | str, model_dir: Path) -> float:
    """``import score; score.init()`` in a fresh interpreter, until it prints 'ready'."""
    code = "import score; score.init(); print('ready', flush=True)"
    env = azure_server.server_env({"AZUREML_MODEL_DIR": str(model_dir)})
    started = time.perf_counter()
    proc = subprocess.Popen([str(python), "-c", code], cwd=EXAMPLE, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "ready":
                return time.perf_counter() - started
        raise RuntimeError(f"floor process exited with status {proc.wait()} without printing 'ready'")
    finally:
        proc.kill()
        proc.wait()


def run_cold(kinds: list[str], runs: int, model_dir: Path) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {k: [] for k in [*kinds, "floor:azure-venv", "floor:amldeploy-venv"]}
    steps = {
        AZURE: lambda: cold_start(AZURE, model_dir),
        OURS: lambda: cold_start(OURS, model_dir),
        "floor:azure-venv": lambda: floor(azure_server.PYTHON, model_dir),
        "floor:amldeploy-venv": lambda: floor(sys.executable, model_dir),
    }
    for index in range(runs + 1):  # the first pass warms file caches and is discarded
        order = list(samples)
        order = order[index % len(order) :] + order[: index % len(order)]
        for name in order:
            value = steps[name]()
            if index:
                samples[name].append(value)
    return samples


def run_load(
    kinds: list[str], args: argparse.Namespace, model_dir: Path, workdir: Path
) -> dict[tuple[str, Cell], list[Measure]]:
    tool = load_tool(args.loadgen)
    cpus = sorted(os.sched_getaffinity(0))
    pinned = len(cpus) >= 2
    if pinned:
        os.sched_setaffinity(0, {cpus[0]})  # servers inherit CPU 0 ...
    procs = {kind: (port, start(kind, port, model_dir)) for kind in kinds for port in [azure_server.free_port()]}
    if pinned:
        os.sched_setaffinity(0, {cpus[1]})  # ... this process and the load generator get CPU 1
    results: dict[tuple[str, Cell], list[Measure]] = {}
    try:
        for port, proc in procs.values():
            wait_up(port, proc)
        print(f"load: {tool}, servers {'on CPU ' + str(cpus[0]) if pinned else 'unpinned'}, {args.rounds} rounds")
        headers = {kind: ([f"Authorization: Bearer {KEY}"] if kind == AUTH else []) for kind in kinds}
        for kind, (port, _) in procs.items():
            measure(tool, port, Cell(1, 16), args.warmup, headers[kind], workdir)
        for round_index in range(args.rounds):
            order = kinds[round_index % len(kinds) :] + kinds[: round_index % len(kinds)]
            for cell in CELLS:
                for kind in order:
                    port = procs[kind][0]
                    results.setdefault((kind, cell), []).append(
                        measure(tool, port, cell, args.seconds, headers[kind], workdir)
                    )
            print(f"  round {round_index + 1}/{args.rounds} done (load average {os.getloadavg()[0]:.1f})")
    finally:
        for _, proc in procs.values():
            azure_server.stop(proc)
        os.sched_setaffinity(0, set(cpus))
    return results


def ratio(results: dict[tuple[str, Cell], list[Measure]], top: str, bottom: str, cell: Cell) -> float:
    pairs = zip(results[(top, cell)], results[(bottom, cell)], strict=True)
    return statistics.median(a.rps / b.rps if b.rps else float("inf") for a, b in pairs)


def report_load(kinds: list[str], results: dict[tuple[str, Cell], list[Measure]]) -> list[str]:
    print("\nthroughput rps / p50 ms / p99 ms (medians over rounds; errors = non-2xx + socket errors)")
    print(f"{'server':22}" + "".join(f"{cell.label():>26}" for cell in CELLS))
    for kind in kinds:
        row = ""
        for cell in CELLS:
            runs = results[(kind, cell)]
            errors = sum(m.errors for m in runs)
            rps, p50, p99 = (statistics.median(getattr(m, f) for m in runs) for f in ("rps", "p50_ms", "p99_ms"))
            text = f"{rps:.0f} / {p50:.2f} / {p99:.1f}"
            row += f"{text + (f' E{errors}' if errors else ''):>26}"
        print(f"{kind:22}{row}")
    missed = []
    if AZURE in kinds and OURS in kinds:
        print(f"{'amldeploy / azure':22}" + "".join(f"{ratio(results, OURS, AZURE, c):>25.2f}x" for c in CELLS))
        speedup = ratio(results, OURS, AZURE, Cell(1, 16))
        if speedup < TARGET_SPEEDUP:
            missed.append(
                f"amldeploy is {speedup:.2f}x Azure's throughput at 16 connections, 1 row (target ≥ {TARGET_SPEEDUP}x)"
            )
    if AUTH in kinds and OURS in kinds:
        print(f"{'auth+queue / amldeploy':22}" + "".join(f"{ratio(results, AUTH, OURS, c):>25.2f}x" for c in CELLS))
        for cell in CELLS:
            loss = 1 - ratio(results, AUTH, OURS, cell)
            if loss > TARGET_AUTH_LOSS:
                missed.append(
                    f"auth + queue is {loss:.0%} below amldeploy at {cell.label()} (target ≤ {TARGET_AUTH_LOSS:.0%})"
                )
    for (kind, cell), runs in results.items():
        if any(m.errors for m in runs):
            missed.append(f"{kind} answered errors at {cell.label()}: {sum(m.errors for m in runs)}")
    return missed


def report_cold(samples: dict[str, list[float]]) -> list[str]:
    med = {name: statistics.median(values) for name, values in samples.items()}
    print(
        f"\ncold start: spawn → first 200 on GET /, median of {len(samples[AZURE])} runs (floor: import score; init())"
    )
    for name, value in med.items():
        print(f"  {name:22}{value:7.3f} s   (min {min(samples[name]):.3f}, max {max(samples[name]):.3f})")
    missed = []
    overheads = {}
    for kind, floor_name in ((AZURE, "floor:azure-venv"), (OURS, "floor:amldeploy-venv")):
        if kind in med:
            # Paired per pass (server and floor ran back to back), so that load drifting between passes cancels.
            overheads[kind] = statistics.median(a - b for a, b in zip(samples[kind], samples[floor_name], strict=True))
            print(f"  overhead {kind:13}{overheads[kind]:+7.3f} s   (median of per-pass differences)")
    if OURS in overheads and overheads[OURS] > TARGET_OVERHEAD_S:
        missed.append(f"amldeploy cold-start overhead {overheads[OURS]:.3f} s (target ≤ {TARGET_OVERHEAD_S} s)")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=3, help="seconds per cell and server")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--cold-runs", type=int, default=6)
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 20 or not 1 <= args.seconds <= 30 or not 1 <= args.cold_runs <= 30:
        parser.error("bounded: 1 ≤ --rounds ≤ 20, 1 ≤ --seconds ≤ 30, 1 ≤ --cold-runs ≤ 30")
    azure_server.ensure(log=sys.stderr)
    kinds = [AZURE, OURS, AUTH] if serve_available() else [AZURE]
    missed = [] if OURS in kinds else ["`amldeploy serve` is not available: only Azure's server was measured"]
    print(f"{os.cpu_count()} CPUs, load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as tmp:
        workdir = Path(tmp)
        model_dir = prepare_model(workdir)
        if not args.skip_load:
            missed += report_load(kinds, run_load(kinds, args, model_dir, workdir))
        if not args.skip_cold:
            missed += report_cold(run_cold([k for k in kinds if k != AUTH], args.cold_runs, model_dir))
    print(f"\nload average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for line in missed:
        print(f"TARGET MISSED: {line}")
    if not missed:
        print("all targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

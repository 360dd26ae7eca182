"""Load cells of bench/runtime.py: request bodies, and one bounded measurement with wrk or bench/loadgen.py."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sklearn" / "sample-request.json"
SETUP = ROOT / "bench" / "setup.sh"
LOADGEN = ROOT / "bench" / "loadgen.py"
HOST = "127.0.0.1"
REQUEST_TIMEOUT = "5s"


@dataclass(frozen=True)
class Cell:
    rows: int
    conns: int

    def label(self) -> str:
        return f"{self.rows} row{'s' if self.rows > 1 else ''} c{self.conns}"


@dataclass(frozen=True)
class Measure:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    gen_cpu: float = 0.0  # CPU seconds the load generator used per second of its run (1.0 = one CPU busy)


def load_tool(choice: str) -> str:
    """``wrk`` (installed by bench/setup.sh when possible) or ``python`` (bench/loadgen.py)."""
    if choice == "python":
        return "python"
    if shutil.which("wrk") is None:
        subprocess.run(["sh", str(SETUP)], timeout=600, check=False)
    if shutil.which("wrk"):
        return "wrk"
    if choice == "wrk":
        raise SystemExit("wrk is not available and bench/setup.sh could not install it")
    return "python"


def body_file(rows: int, workdir: Path) -> Path:
    path = workdir / f"body-{rows}.json"
    if not path.exists():
        row = json.loads(SAMPLE.read_text(encoding="utf-8"))["data"][0]
        data = [[round(x * (1 + (i % 7) / 10), 6) for x in row] for i in range(rows)]
        path.write_text(json.dumps({"data": data}), encoding="utf-8")
    return path


def _lua(rows: int, headers: list[str], workdir: Path) -> Path:
    path = workdir / f"post-{rows}-{len(headers)}.lua"
    lines = ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"']
    for header in headers:
        name, value = (part.strip() for part in header.split(":", 1))
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    lines += [
        f"local f = io.open({json.dumps(str(body_file(rows, workdir)))}, 'rb')",
        "wrk.body = f:read('*a')",
        "f:close()",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> Measure:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return Measure(rps, p50, p99, errors)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str], seconds: int) -> tuple[str, float]:
    """Run the generator; return its output and its CPU use per wall second (children reaped by this call)."""
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    load = (_children_cpu() - cpu) / max(time.perf_counter() - started, 1e-9)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout, load


def measure(tool: str, port: int, cell: Cell, seconds: int, headers: list[str], workdir: Path) -> Measure:
    """One bounded run of ``seconds`` (whole seconds: wrk takes no fractions) against POST /score on ``port``.

    ``gen_cpu`` of the result is the generator's own CPU use (wrk's, or bench/loadgen.py's with its interpreter
    start): near 1.0 the generator, not the server, sets the pace.
    """
    if tool == "wrk":
        cmd = ["wrk", "-t1", f"-c{cell.conns}", f"-d{seconds}s", "--latency", "--timeout", REQUEST_TIMEOUT]
        cmd += ["-s", str(_lua(cell.rows, headers, workdir)), f"http://{HOST}:{port}/score"]
        output, load = _run(cmd, seconds)
        return replace(parse_wrk(output), gen_cpu=load)
    cmd = [sys.executable, str(LOADGEN), "--port", str(port), "--conns", str(cell.conns), "--seconds", str(seconds)]
    cmd += ["--body-file", str(body_file(cell.rows, workdir))]
    pinned = os.sched_getaffinity(0)
    if len(pinned) == 1:
        cmd += ["--cpu", str(next(iter(pinned)))]  # the CPU bench/runtime.py keeps apart from the servers
    for header in headers:
        cmd += ["--header", header]
    output, load = _run(cmd, seconds)
    result = json.loads(output)
    return Measure(result["rps"], result["p50_ms"], result["p99_ms"], result["non_2xx"] + result["errors"], load)

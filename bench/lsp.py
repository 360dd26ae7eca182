"""Benchmark of the language server, side by side with a bare pygls server in one run.

    make bench-lsp        # or: .venv/bin/python bench/lsp.py [--starts N] [--edits N]

* initialize: spawn → ``initialize`` response of ``python -m amldeploy lsp`` and of ``python bench/bare_server.py``
  (the same way: a fresh interpreter over stdio), runs alternating; target ≤ 1.1× the bare server;
* edit → ``publishDiagnostics`` latency on ``examples/sklearn/deploymentconfig.aks.yml`` (200 full-text edits,
  alternating valid and invalid text, each waiting for the diagnostics of its version) vs the bare server
  publishing empty diagnostics; target median ≤ 3×;
* completion round trip at the root of the same file; target median ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_client import RawClient

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sklearn" / "deploymentconfig.aks.yml"
OURS = [sys.executable, "-m", "amldeploy", "lsp"]
BARE = [sys.executable, str(ROOT / "bench" / "bare_server.py")]
CAPABILITIES: dict[str, Any] = {"textDocument": {"publishDiagnostics": {"versionSupport": True}}}


async def start(command: list[str]) -> tuple[RawClient, float]:
    client, started = await RawClient.spawn(command)
    await client.request("initialize", {"processId": None, "rootUri": None, "capabilities": CAPABILITIES})
    elapsed = time.perf_counter() - started
    client.notify("initialized", {})
    return client, elapsed


async def edits(command: list[str], count: int) -> list[float]:
    client, _ = await start(command)
    uri = EXAMPLE.as_uri()
    valid = EXAMPLE.read_text(encoding="utf-8")
    invalid = valid.replace("minReplicas: 1", "minReplicas: 0").replace("namespace: ml-services", "namespace: Bad_NS")

    def published(version: int) -> Any:
        return lambda p: p.get("uri") == uri and p.get("version") == version

    first = client.expect("textDocument/publishDiagnostics", published(1))
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": valid}},
    )
    await asyncio.wait_for(first, 30)
    await asyncio.sleep(0.5)  # let the warm-up finish
    times = []
    for version in range(2, count + 2):
        # Every edit is a text the server has never seen, as when typing.
        text = (invalid if version % 2 else valid) + f"# edit {version}\n"
        done = client.expect("textDocument/publishDiagnostics", published(version))
        sent = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )
        arrived, params = await asyncio.wait_for(done, 10)
        times.append((arrived - sent) * 1000)
        if command is OURS and version % 2 and not params["diagnostics"]:
            raise SystemExit("the invalid edit produced no diagnostics: the benchmark would measure nothing")
    await client.close()
    return times


async def completions(count: int) -> list[float]:
    client, _ = await start(OURS)
    uri = EXAMPLE.as_uri()
    text = EXAMPLE.read_text(encoding="utf-8") + "\n"
    line = text.count("\n")
    opened = client.expect("textDocument/publishDiagnostics", lambda p: p.get("uri") == uri)
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
    )
    await asyncio.wait_for(opened, 30)
    await asyncio.sleep(0.5)
    times = []
    for _ in range(count):
        sent = time.perf_counter()
        result = await client.request(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": 0}},
        )
        times.append((time.perf_counter() - sent) * 1000)
        items = result.get("items") if isinstance(result, dict) else result
        if not isinstance(items, list) or not items:
            raise SystemExit("completion returned nothing: the benchmark would measure nothing")
    await client.close()
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=8)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--completions", type=int, default=200)
    args = parser.parse_args()
    failures = []

    ours_start, bare_start = [], []
    for _ in range(args.starts + 1):  # the first pair warms the file cache and is dropped
        for command, into in ((OURS, ours_start), (BARE, bare_start)):
            client, elapsed = await start(command)
            into.append(elapsed * 1000)
            await client.close()
    ours_start, bare_start = ours_start[1:], bare_start[1:]
    ratio = statistics.median(ours_start) / statistics.median(bare_start)
    print(f"initialize (spawn → response), {args.starts} runs each, alternating")
    print(f"  amldeploy lsp   median {statistics.median(ours_start):7.1f} ms")
    print(f"  bare pygls      median {statistics.median(bare_start):7.1f} ms")
    print(f"  ratio {ratio:.2f}x   target <= 1.10x\n")
    if ratio > 1.10:
        failures.append(f"initialize ratio {ratio:.2f}x > 1.10x")

    ours_edit = await edits(OURS, args.edits)
    bare_edit = await edits(BARE, args.edits)
    ratio = statistics.median(ours_edit) / statistics.median(bare_edit)
    print(f"edit → publishDiagnostics, {args.edits} edits of {EXAMPLE.name}")
    print(f"  amldeploy lsp   median {statistics.median(ours_edit):6.2f} ms   p99 {pct(ours_edit, 0.99):6.2f} ms")
    print(f"  bare pygls      median {statistics.median(bare_edit):6.2f} ms   p99 {pct(bare_edit, 0.99):6.2f} ms")
    print(f"  ratio (medians) {ratio:.2f}x   target <= 3x\n")
    if ratio > 3:
        failures.append(f"edit latency ratio {ratio:.2f}x > 3x")

    done = await completions(args.completions)
    print(f"completion round trip at the root of {EXAMPLE.name}, {args.completions} requests")
    print(f"  median {statistics.median(done):.2f} ms   p99 {pct(done, 0.99):.2f} ms   target median <= 5 ms")
    if statistics.median(done) > 5:
        failures.append(f"completion median {statistics.median(done):.2f} ms > 5 ms")
    for failure in failures:
        print(f"TARGET MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))

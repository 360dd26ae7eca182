"""Hostile documents against ``amldeploy validate`` and ``amldeploy lsp``: crashes, hangs, silence, big documents.

    .venv/bin/python bench/hostile.py [--quick] [--seed N] [--mutations N]

1. CLI: N seeded random mutations of ``tests/fixtures/configs`` plus the documents of ``bench/hostile_docs.py``
   through ``python -m amldeploy validate --format json`` in a subprocess with a timeout. A crash is a signal,
   an exit status other than 0/1/2, a traceback on stderr or output that is not a JSON array; a hang is the
   timeout. Mutations run in batches (one process per batch); a batch that fails is re-run file by file.
2. LSP: each hostile document opened in one real ``python -m amldeploy lsp``: are diagnostics published, are
   documentSymbol/hover/completion answered, is the process alive (it is restarted after a death or a block).
3. Big documents: wall time and peak memory of ``validate`` beside ``json.loads``/``yaml.safe_load`` of the
   same file in a fresh interpreter.

It measures whichever ``amldeploy`` the interpreter imports (``PYTHONPATH`` chooses another checkout).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile_docs import Doc, big, hostile, mutations
from lsp_client import RawClient

VALIDATE = [sys.executable, "-m", "amldeploy", "validate", "--format", "json"]
SCORE = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"


@dataclass(slots=True)
class Outcome:
    verdict: str  # "ok", "crash", "hang"
    cause: str = ""
    seconds: float = 0.0
    codes: tuple[str, ...] = ()


def cause_of(returncode: int, stderr: str) -> str:
    if returncode < 0:
        return f"signal {signal.Signals(-returncode).name}"
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else f"exit status {returncode}"
    match = re.match(r"^([\w.]+(?:Error|Exception|Exit)\w*):?\s*(.*)", last)
    if not match:
        return last[:90]
    kind, message = match.groups()
    # One group per kind of failure, not per value: numbers and quoted names vary from file to file.
    message = re.sub(r"\d+", "N", re.sub(r"'[^'\s]*'", "'…'", message))
    return f"{kind}: {message}"[:90]


def run_cli(paths: list[Path], timeout: float) -> Outcome:
    started = time.perf_counter()
    try:
        done = subprocess.run([*VALIDATE, *map(str, paths)], capture_output=True, timeout=timeout, text=True)
    except subprocess.TimeoutExpired:
        return Outcome("hang", f"no answer in {timeout:g} s", timeout)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1, 2) or "Traceback" in done.stderr:
        return Outcome("crash", cause_of(done.returncode, done.stderr), seconds)
    try:
        items = json.loads(done.stdout)
        assert isinstance(items, list)
    except (ValueError, AssertionError):
        return Outcome("crash", "output is not a JSON array", seconds)
    return Outcome("ok", seconds=seconds, codes=tuple(sorted({f"{i['path']}\0{i['code']}" for i in items})))


def js_codes(outcome: Outcome, path: Path) -> tuple[str, ...]:
    """The JS codes reported for one of the files of a run (the CLI names each file as it was given)."""
    found = [c.split("\0") for c in outcome.codes]
    target = path.resolve()
    return tuple(sorted({code for shown, code in found if code[:2] == "JS" and Path(shown).resolve() == target}))


def write(docs: list[Doc], root: Path) -> list[Path]:
    paths = []
    for n, doc in enumerate(docs):
        folder = root / f"d{n}"
        folder.mkdir()
        (folder / "score.py").write_text(SCORE, encoding="utf-8")
        (folder / doc.name).write_bytes(doc.data)
        paths.append(folder / doc.name)
    return paths


def sweep(docs: list[Doc], paths: list[Path], timeout: float, jobs: int, batch: int) -> list[Outcome]:
    outcomes: list[Outcome | None] = [None] * len(docs)
    groups = [list(range(i, min(i + batch, len(docs)))) for i in range(0, len(docs), batch)]

    def one(group: list[int]) -> None:
        if len(group) > 1:
            result = run_cli([paths[i] for i in group], timeout * 2)
            if result.verdict == "ok":
                for i in group:
                    outcomes[i] = Outcome("ok", seconds=result.seconds / len(group), codes=js_codes(result, paths[i]))
                return
        for i in group:
            result = run_cli([paths[i]], timeout)
            result.codes = js_codes(result, paths[i])
            outcomes[i] = result

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, groups))
    return [o for o in outcomes if o is not None]


def report_cli(docs: list[Doc], outcomes: list[Outcome]) -> None:
    by_class: dict[str, list[tuple[Doc, Outcome]]] = defaultdict(list)
    for doc, outcome in zip(docs, outcomes, strict=True):
        by_class[doc.cls].append((doc, outcome))
    print(f"  {'class':<28} {'docs':>5} {'crash':>6} {'hang':>5} {'slowest':>8}  JS codes reported")
    for cls, pairs in by_class.items():
        crash = sum(o.verdict == "crash" for _, o in pairs)
        hang = sum(o.verdict == "hang" for _, o in pairs)
        slowest = max(o.seconds for _, o in pairs)
        codes = " ".join(sorted({c for _, o in pairs for c in o.codes}))
        print(f"  {cls:<28} {len(pairs):>5} {crash:>6} {hang:>5} {slowest:>7.2f}s  {codes}")
    total_crash = sum(o.verdict == "crash" for o in outcomes)
    total_hang = sum(o.verdict == "hang" for o in outcomes)
    print(f"  {'total':<28} {len(outcomes):>5} {total_crash:>6} {total_hang:>5}")
    causes: dict[str, list[str]] = defaultdict(list)
    for doc, outcome in zip(docs, outcomes, strict=True):
        if outcome.verdict != "ok":
            causes[outcome.cause].append(f"{doc.cls}: {doc.label}")
    for cause, which in sorted(causes.items(), key=lambda kv: -len(kv[1])):
        print(f"    {len(which):>4} × {cause}   e.g. {which[0]}" + (f"; {which[-1]}" if len(which) > 1 else ""))


async def lsp_sweep(docs: list[Doc], root: Path, timeout: float) -> tuple[list[str], bool]:
    verdicts: list[str] = []
    failures: list[str] = []
    capabilities = {"textDocument": {"publishDiagnostics": {"versionSupport": True}}}

    async def start() -> RawClient:
        client, _ = await RawClient.spawn([sys.executable, "-m", "amldeploy", "lsp"])
        await asyncio.wait_for(
            client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": capabilities}),
            30,
        )
        client.notify("initialized", {})

        def logged(params: Any) -> bool:
            if params.get("type") == 1:  # an error: a feature failed and the server said why
                failures.append(params.get("message", ""))
            return False  # keep listening

        client.expect("window/logMessage", logged)
        return client

    async def until(client: RawClient, awaitable: Any) -> tuple[bool, Any]:
        """(finished, result): not finished when the timeout passes or the server process ends first."""
        task = asyncio.ensure_future(awaitable)
        ended = asyncio.ensure_future(client.process.wait())
        await asyncio.wait({task, ended}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        ended.cancel()
        if not task.done():
            task.cancel()
            return False, None
        return True, task.result()

    async def ask(client: RawClient, method: str, params: object) -> str:
        finished, answer = await until(client, client.request(method, params))
        if not finished:
            return "unanswered"
        return "failed" if isinstance(answer, dict) and {"code", "message"} <= answer.keys() else "answered"

    client = await start()
    for n, doc in enumerate(docs):
        folder = root / f"l{n}"
        folder.mkdir()
        (folder / "score.py").write_text(SCORE, encoding="utf-8")
        uri = (folder / doc.name).as_uri()
        # What cannot be UTF-8 reaches the server as lone surrogates (JSON "\udcxx"): hostile too.
        text = doc.data.decode("utf-8", "surrogateescape")
        language = "json" if doc.name.endswith(".json") else "yaml"
        published = client.expect("textDocument/publishDiagnostics", lambda p, uri=uri: p.get("uri") == uri)
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}
        )
        verdict = "diagnostics published" if (await until(client, published))[0] else "no diagnostics"
        middle = {"line": text.count("\n", 0, len(text) // 2), "character": 0}
        answers = []
        for method in ("textDocument/documentSymbol", "textDocument/hover", "textDocument/completion"):
            if client.process.returncode is not None:
                break
            params: dict[str, object] = {"textDocument": {"uri": uri}}
            if method != "textDocument/documentSymbol":
                params["position"] = middle
            answers.append(await ask(client, method, params))
            if answers[-1] == "unanswered":
                break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(client.process.wait(), 0.05)
        if client.process.returncode is not None:
            code = client.process.returncode
            verdict = f"server died ({signal.Signals(-code).name if code < 0 else code})"
        elif "unanswered" in answers:
            verdict = f"server blocked ({verdict})"
        elif "failed" in answers:
            verdict += ", a request failed"
        if failures:
            verdict += ", a failure logged"
            failures.clear()
        verdicts.append(verdict)
        if verdict.startswith("server"):
            with contextlib.suppress(ProcessLookupError):
                client.process.kill()
            await client.process.wait()
            client.reader.cancel()
            client = await start()
        else:
            client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    alive = client.process.returncode is None
    await client.close()
    return verdicts, alive


def report_lsp(docs: list[Doc], verdicts: list[str], alive: bool) -> int:
    per_class: dict[str, Counter[str]] = defaultdict(Counter)
    for doc, verdict in zip(docs, verdicts, strict=True):
        per_class[doc.cls][verdict] += 1
    for cls, counts in per_class.items():
        print(f"  {cls:<28} " + ", ".join(f"{n} {v}" for v, n in counts.most_common()))
    print(f"  {'total':<28} " + ", ".join(f"{n} {v}" for v, n in Counter(verdicts).most_common()))
    print(f"  the last server process was alive at the end: {alive}")
    return sum(v != "diagnostics published" for v in verdicts) + (not alive)


BASELINE = (
    "import json, sys, yaml\n"
    "text = open(sys.argv[1], encoding='utf-8').read()\n"
    "json.loads(text) if sys.argv[1].endswith('.json') else yaml.load(text, Loader=yaml.CSafeLoader)\n"
)


def peak_mb(pid: int, last: float) -> float:
    """The child's own high-water mark (VmHWM starts afresh at exec; rusage would include our fork's pages)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return max(last, int(line.split()[1]) / 1024)
    except OSError:
        pass
    return last


def timed(command: list[str], timeout: float) -> tuple[str, float, float]:
    """(verdict, wall seconds, peak RSS in MB, sampled every 5 ms) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while True:
        peak = peak_mb(process.pid, peak)
        pid, status = os.waitpid(process.pid, os.WNOHANG)
        elapsed = time.perf_counter() - started
        if pid:
            code = os.waitstatus_to_exitcode(status)
            process.returncode = code
            verdict = "ok" if code in (0, 1, 2) else f"crash ({cause_of(code, '')})"
            return verdict, elapsed, peak
        if elapsed > timeout:
            process.kill()
            process.wait()
            return f"hang (> {timeout:g} s)", elapsed, peak
        time.sleep(0.005)


def big_timings(root: Path, full: bool, timeout: float) -> None:
    print(f"  {'document':<34} {'validate':>9} {'peak RSS':>9}   {'json/yaml load':>14} {'peak RSS':>9}")
    for n, doc in enumerate(big(full)):
        folder = root / f"b{n}"
        folder.mkdir()
        path = folder / doc.name
        path.write_bytes(doc.data)
        verdict, seconds, rss = timed([*VALIDATE, str(path)], timeout)
        _, base_seconds, base_rss = timed([sys.executable, "-c", BASELINE, str(path)], timeout)
        shown = f"{seconds:8.2f}s" if verdict == "ok" else verdict
        print(f"  {doc.label:<34} {shown:>9} {rss:>7.0f}MB   {base_seconds:>13.2f}s {base_rss:>7.0f}MB")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="300 mutations, smaller big documents")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--mutations", type=int)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a document counts as a hang")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--memory", type=int, default=3072, help="address-space limit of every process, in MB")
    parser.add_argument("--skip", nargs="*", default=[], choices=["cli", "lsp", "big"])
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    # Inherited by every process started here: a document that eats memory fails with MemoryError (a crash in
    # the table) instead of waking the machine's OOM killer.
    resource.setrlimit(resource.RLIMIT_AS, (args.memory << 20, resource.getrlimit(resource.RLIMIT_AS)[1]))
    count = args.mutations if args.mutations is not None else (300 if args.quick else 2200)
    where = subprocess.run(
        [sys.executable, "-c", "import amldeploy; print(amldeploy.__file__)"], capture_output=True, text=True
    ).stdout.strip()
    commit = subprocess.run(
        ["git", "-C", str(Path(where).parent), "log", "-1", "--format=%h %s"], capture_output=True, text=True
    ).stdout.strip()
    print(f"amldeploy measured: {commit[:100]}\n")
    built = hostile()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        root = Path(tmp)
        if "cli" not in args.skip:
            docs = mutations(count, args.seed) + built
            (root / "cli").mkdir()
            paths = write(docs, root / "cli")
            started = time.perf_counter()
            outcomes = sweep(docs, paths, args.timeout, args.jobs, batch=40)
            print(
                f"validate --format json: {count} mutations (seed {args.seed}) + {len(built)} built to hurt = "
                f"{len(docs)} documents, {time.perf_counter() - started:.0f} s"
            )
            report_cli(docs, outcomes)
            failures += sum(o.verdict != "ok" for o in outcomes)
        if "lsp" not in args.skip:
            (root / "lsp").mkdir()
            print(f"\namldeploy lsp: {len(built)} documents built to hurt, opened one after another")
            verdicts, alive = asyncio.run(lsp_sweep(built, root / "lsp", args.timeout))
            failures += report_lsp(built, verdicts, alive)
        if "big" not in args.skip:
            (root / "big").mkdir()
            print("\nbig documents, validate in a fresh process beside a bare load of the same file (C loader)")
            big_timings(root / "big", not args.quick, timeout=180)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

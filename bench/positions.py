"""Benchmark of position conversion in each encoding, on documents where it costs the most.

    .venv/bin/python bench/positions.py [--runs N]

* a client position → offset on a 1 MB minified (one-line) JSON config with accents, CJK and an emoji, at its
  end (what completion and hover convert first); target median ≤ 20 ms in each encoding;
* an incremental ``didChange`` near the end of a 1 MB multi-line config, applied by amldeploy's
  ``apply_changes`` and by pygls's ``TextDocument`` (which amldeploy replaces); target median ≤ 1.5× pygls.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

from lsprotocol import types
from pygls.workspace import Workspace

from amldeploy.language.text import ENCODINGS, Position, TextIndex
from amldeploy.lsp.changes import apply_changes

URI = "file:///bench/deploymentconfig.json"


def timed(fn: Callable[[], object], runs: int) -> float:
    """Median milliseconds of ``fn``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def one_line_config() -> str:
    return "{" + "".join(f'"k{i}": "é 名 {i}", ' for i in range(45_000)) + '"end": "🙂"}'


def multi_line_config() -> str:
    return "{\n" + "".join(f'  "k{i}": "é 名 🙂 {i}",\n' for i in range(32_000)) + '  "end": 1\n}\n'


def workspace(text: str, encoding: str) -> Workspace:
    ws = Workspace(None, types.TextDocumentSyncKind.Incremental, position_encoding=encoding)
    ws.put_text_document(types.TextDocumentItem(uri=URI, language_id="json", version=1, text=text))
    return ws


def change(line: int) -> types.DidChangeTextDocumentParams:
    at = types.Range(start=types.Position(line=line, character=4), end=types.Position(line=line, character=5))
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
        content_changes=[types.TextDocumentContentChangePartial(range=at, text="x")],
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    failures = []

    text = one_line_config()
    print(f"client position → offset at the end of a {len(text.encode()) / 1e6:.1f} MB one-line config")
    for encoding in ENCODINGS:
        index = TextIndex(text, encoding)
        position = index.position(len(text) - 3)
        assert index.offset(position) == len(text) - 3
        median = timed(partial(index.offset, Position(position.line, position.character)), args.runs)
        print(f"  {encoding:7} median {median:6.2f} ms   target <= 20 ms")
        if median > 20:
            failures.append(f"{encoding} position → offset {median:.2f} ms > 20 ms")

    text = multi_line_config()
    params = change(text.count("\n") - 2)
    print(f"\nincremental didChange near the end of a {len(text.encode()) / 1e6:.1f} MB config")
    for encoding in ENCODINGS:
        ours_ws, pygls_ws = workspace(text, encoding), workspace(text, encoding)
        ours = timed(partial(apply_changes, ours_ws, params), args.runs)
        pygls = timed(
            partial(pygls_ws.update_text_document, params.text_document, params.content_changes[0]), args.runs
        )
        assert ours_ws.get_text_document(URI).source == pygls_ws.get_text_document(URI).source
        ratio = ours / pygls
        print(f"  {encoding:7} amldeploy {ours:6.2f} ms   pygls {pygls:6.2f} ms   ratio {ratio:.2f}x   target <= 1.5x")
        if ratio > 1.5:
            failures.append(f"{encoding} didChange {ratio:.2f}x pygls > 1.5x")
    for failure in failures:
        print(f"TARGET MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

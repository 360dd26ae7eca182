"""Big documents: validation and the LSP round trip, each beside a bare baseline measured in the same run.

    .venv/bin/python bench/big.py [--runs N] [--edits N]

* ``validate_config`` (parse + schema + v1 rules, parse cache cleared) of a 50 000-key deployment config (keys at
  the top, each one unknown to v1, and keys inside ``tags``) and of a 400 000-line comment block, beside
  ``json.loads`` / ``yaml.load`` (C loader when PyYAML has one) of the same text; target ≤ 1 s each (issue 16);
* ``didChange`` → ``publishDiagnostics`` of a 1 MB YAML and a 1 MB JSON deployment config in a real
  ``python -m amldeploy lsp``, beside ``bench/bare_server.py`` (bare pygls, empty diagnostics) fed the same
  edits; target median ≤ 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from amldeploy.language.parse.documents import clear_cache
from amldeploy.language.validate import Kind, validate_config
from lsp_client import RawClient

ROOT = Path(__file__).resolve().parents[1]
OURS = [sys.executable, "-m", "amldeploy", "lsp"]
BARE = [sys.executable, str(ROOT / "bench" / "bare_server.py")]
LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TARGET_S = 1.0


def top_keys(n: int) -> str:
    return '{"computeType": "local", ' + ", ".join(f'"k{i}": {i}' for i in range(n)) + "}"


def tag_keys(n: int) -> str:
    return "computeType: ACI\ncpu_cores: 1\ntags:\n" + "".join(f"  team{i}: owner-{i}\n" for i in range(n))


def comments(n: int) -> str:
    return "computeType: local\n" + "".join(f"# comment line {i}\n" for i in range(n)) + "port: 8080\n"


def megabyte_yaml() -> str:
    head = "computeType: AKS\nautoScaler:\n  autoscaleEnabled: true\n  minReplicas: 1\n  maxReplicas: 4\ntags:\n"
    lines, size, i = [head], len(head), 0
    while size < 1_000_000:
        line = f"  label{i}: value-{i}-of-a-big-deployment-config\n"
        lines.append(line)
        size += len(line)
        i += 1
    return "".join(lines)


def megabyte_json() -> str:
    data = yaml.load(megabyte_yaml(), Loader=LOADER)
    return json.dumps(data, indent=2)


def load_yaml(text: str) -> object:
    return yaml.load(text, Loader=LOADER)


def timed(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def validation(runs: int, failures: list[str]) -> None:
    cases: list[tuple[str, str, str, Callable[[str], object]]] = [
        ("50 000 top-level keys (JSON)", top_keys(50_000), "deploymentconfig.json", json.loads),
        ("50 000 keys in tags (YAML)", tag_keys(50_000), "deploymentconfig.yml", load_yaml),
        ("400 000 comment lines (YAML)", comments(400_000), "deploymentconfig.yml", load_yaml),
    ]
    print(f"validate_config, median of {runs} runs, beside a bare load of the same text (C loader for YAML)")
    for label, text, name, load in cases:

        def ours(text: str = text, name: str = name) -> object:
            clear_cache()
            return validate_config(text, Path(name), Kind.DEPLOYMENT)

        def baseline(text: str = text, load: Callable[[str], object] = load) -> object:
            return load(text)

        mine = timed(ours, runs)
        bare = timed(baseline, runs)
        print(
            f"  {label:<30} {len(text) / 1e6:5.1f} MB   amldeploy {mine:7.3f} s   bare load {bare:7.3f} s"
            f"   ratio {mine / bare:6.1f}x   target <= {TARGET_S:g} s"
        )
        if mine > TARGET_S:
            failures.append(f"{label}: {mine:.2f} s > {TARGET_S:g} s")


async def round_trips(command: list[str], text: str, language: str, edits: int, timeout: float) -> list[float]:
    client, _ = await RawClient.spawn(command)
    capabilities = {"textDocument": {"publishDiagnostics": {"versionSupport": True}}}
    await client.request("initialize", {"processId": None, "rootUri": None, "capabilities": capabilities})
    client.notify("initialized", {})
    uri = (ROOT / "big" / f"deploymentconfig.{language}").as_uri()

    def version_of(version: int) -> Any:
        return lambda p: p.get("uri") == uri and p.get("version") == version

    first = client.expect("textDocument/publishDiagnostics", version_of(1))
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}
    )
    times: list[float] = []
    try:
        await asyncio.wait_for(first, timeout)
        await asyncio.sleep(0.5)  # let the warm-up finish
        for version in range(2, edits + 2):
            # Each edit is a text never seen before: one value changes, as when typing.
            edited = text.replace("maxReplicas: 4", f"maxReplicas: {version}").replace(
                '"maxReplicas": 4', f'"maxReplicas": {version}'
            )
            if version % 2:  # every other edit is invalid, so that the diagnostics carry something
                edited = edited.replace("minReplicas: 1", "minReplicas: 0").replace(
                    '"minReplicas": 1', '"minReplicas": 0'
                )
            done = client.expect("textDocument/publishDiagnostics", version_of(version))
            sent = time.perf_counter()
            client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": edited}]},
            )
            arrived, params = await asyncio.wait_for(done, timeout)
            times.append(arrived - sent)
            if command is OURS and version % 2 and not params["diagnostics"]:
                raise SystemExit("the invalid edit produced no diagnostics: the benchmark would measure nothing")
    except TimeoutError:
        times.append(float("inf"))
    await client.close()
    return times


async def lsp(edits: int, failures: list[str]) -> None:
    print(f"\ndidChange -> publishDiagnostics, {edits} whole-document edits, beside a bare pygls server")
    for language, text in (("yaml", megabyte_yaml()), ("json", megabyte_json())):
        mine = await round_trips(OURS, text, language, edits, 60)
        bare = await round_trips(BARE, text, language, edits, 60)
        ours_s, bare_s = statistics.median(mine), statistics.median(bare)
        label = f"1 MB {language.upper()} ({len(text.encode()) / 1e6:.2f} MB)"
        print(
            f"  {label:<30} amldeploy median {ours_s:7.3f} s   bare pygls {bare_s:7.3f} s"
            f"   ratio {ours_s / bare_s:6.1f}x   target <= {TARGET_S:g} s"
        )
        if ours_s > TARGET_S:
            failures.append(f"{label} round trip: {ours_s:.2f} s > {TARGET_S:g} s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    failures: list[str] = []
    validation(args.runs, failures)
    asyncio.run(lsp(args.edits, failures))
    for failure in failures:
        print(f"TARGET MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark of the language core, measured side by side with bare baselines in one run.

    make bench            # or: .venv/bin/python bench/validate.py [--runs N]

* validation of the example deployment configs (parse + schema + v1 rules) next to a bare ``jsonschema``
  Draft 7 validation (``json.loads`` + ``iter_errors``) of the same document against the same schema;
* lint of a generated 5 000-line ``score.py`` next to a bare ``ast.parse`` of the same text (the floor).

Targets (issue 2): deploymentconfig ≤ 2 ms median, 5 000-line lint ≤ 30 ms median.
Runs alternate between the two sides so that machine noise hits both alike; ratios are per-pair medians.
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import jsonschema
import yaml
from referencing import Registry, Resource

from amldeploy.language.entry_script.lint import lint_entry_script
from amldeploy.language.entry_script.parse import clear_caches
from amldeploy.language.parse.documents import clear_cache as clear_parse_cache
from amldeploy.language.schema.store import load_all
from amldeploy.language.validate import Kind, validate_config

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sklearn"


def generated_score_py(lines: int = 5000) -> str:
    head = [
        "import json",
        "import os",
        "",
        "import joblib",
        "import numpy as np",
        "from inference_schema.schema_decorators import input_schema, output_schema",
        "from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType",
        "",
        "model = None",
        "",
        "",
        "def init():",
        "    global model",
        '    model = joblib.load(os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model.joblib"))',
        "",
        "",
    ]
    body: list[str] = []
    i = 0
    while len(head) + len(body) < lines - 12:
        body += [
            f"def feature_{i}(row, scale={i % 7 + 1}):",
            f'    """Derived feature {i}."""',
            "    total = 0.0",
            "    for j, value in enumerate(row):",
            "        if value is None:",
            "            continue",
            f"        total += (value * scale + j) / ({i} + 1)",
            "    return {'name': 'f%d' % " + str(i) + ", 'value': total}",
            "",
            "",
        ]
        i += 1
    tail = [
        '@input_schema("data", NumpyParameterType(np.array([[0.1] * 10])))',
        "@output_schema(NumpyParameterType(np.array([1.0])))",
        "def run(data):",
        "    extra = [feature_0(row) for row in data]",
        "    try:",
        "        result = model.predict(data)",
        "    except ValueError:",
        "        raise",
        "    return {'predictions': result.tolist(), 'features': extra}",
    ]
    return "\n".join(head + body + tail) + "\n"


def measure_pair(a: Callable[[], object], b: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    for _ in range(max(runs // 10, 5)):
        a()
        b()
    ta: list[float] = []
    tb: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(runs):
        t0 = clock()
        a()
        t1 = clock()
        b()
        t2 = clock()
        ta.append((t1 - t0) / 1e6)
        tb.append((t2 - t1) / 1e6)
    return ta, tb


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(name: str, times: list[float]) -> str:
    return f"  {name:<50} median {statistics.median(times):8.3f} ms   p90 {pct(times, 0.9):8.3f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    schemas = load_all()
    registry: Registry = Registry().with_resources(  # type: ignore[call-arg]
        (name, Resource.from_contents(schema)) for name, schema in schemas.items()
    )
    validator = jsonschema.Draft7Validator(schemas["deploymentconfig.schema.json"], registry=registry)
    failures = []
    print(f"amldeploy language core benchmark ({args.runs} paired runs each, Python {sys.version.split()[0]})\n")
    for name in ("deploymentconfig.json", "deploymentconfig.aci.json", "deploymentconfig.aks.yml"):
        path = EXAMPLE / name
        text = path.read_text(encoding="utf-8")
        if name.endswith(".yml"):
            # jsonschema needs JSON: give both sides the same document as JSON text.
            text = json.dumps(yaml.safe_load(text), indent=2)
            path = path.with_suffix(".json")

        def ours(text: str = text, path: Path = path) -> object:
            clear_parse_cache()  # time the whole work, as for a text never seen before
            return validate_config(text, path, Kind.DEPLOYMENT)

        def bare(text: str = text) -> object:
            return list(validator.iter_errors(json.loads(text)))

        ta, tb = measure_pair(ours, bare, args.runs)
        ratio = statistics.median(a / b for a, b in zip(ta, tb, strict=True))
        print(f"{name} ({len(text.splitlines())} lines as JSON)")
        print(row("amldeploy validate_config (parse+schema+rules)", ta))
        print(row("jsonschema Draft7 (json.loads+iter_errors)", tb))
        print(f"  ratio amldeploy / jsonschema: {ratio:.2f}x   target: median <= 2 ms\n")
        if statistics.median(ta) > 2.0:
            failures.append(f"{name}: {statistics.median(ta):.3f} ms > 2 ms")

    script = generated_score_py()
    lines = script.splitlines()
    middle = len(lines) // 2
    runs = max(args.runs // 20, 50)
    counter = iter(range(10**9))

    def cold() -> object:
        clear_caches()
        return lint_entry_script(script)

    def edited() -> object:
        # What a language server sees while typing: the same file with one line changed.
        copy = list(lines)
        copy[middle] = f"{lines[middle]}  # edit {next(counter)}"
        return lint_entry_script("\n".join(copy))

    print(f"generated score.py ({len(lines)} lines, {len(script) // 1024} KB), {runs} paired runs")
    for label, fn in (("first lint of the text (caches cleared)", cold), ("after a one-line edit", edited)):
        ta, tb = measure_pair(fn, lambda: ast.parse(script), runs)
        ratio = statistics.median(a / b for a, b in zip(ta, tb, strict=True))
        print(row(f"lint: {label}", ta))
        print(row("ast.parse of the whole text (reference)", tb))
        print(f"  ratio lint / ast.parse: {ratio:.2f}x   target: median <= 30 ms\n")
        if statistics.median(ta) > 30.0:
            failures.append(f"score.py lint, {label}: {statistics.median(ta):.3f} ms > 30 ms")
    for failure in failures:
        print(f"TARGET MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

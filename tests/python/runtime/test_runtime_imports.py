"""The runtime needs the standard library and its HTTP server only: uvicorn and its parsers are imported inside
the functions that start the server, numpy, pandas and inference-schema inside the functions that serve a script
which uses them, never when a runtime module loads.

The import-linter contract "The runtime imports only the standard library" (pyproject.toml) forbids a list of
packages; these tests turn it around and allow a list, so a package nobody thought of forbidding is caught too.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import amldeploy.runtime
from amldeploy.runtime.server import LIBRARIES

RUNTIME = Path(amldeploy.runtime.__file__).resolve().parent
LAZY = frozenset({"numpy", "pandas", "inference_schema"})
SERVER = frozenset(LIBRARIES) - {"click"}  # click comes with uvicorn; the runtime never imports it itself
STDLIB = frozenset(sys.stdlib_module_names)


def _modules() -> list[str]:
    return sorted(
        f"amldeploy.runtime.{path.stem}" for path in RUNTIME.glob("*.py") if path.stem not in ("__init__", "__main__")
    )


def _imports(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Top-level package names imported when the module loads, and those imported inside a function."""
    at_load: set[str] = set()
    in_functions: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = [child.module]
            for name in names:
                (in_functions if inside else at_load).add(name)
            visit(child, inside)

    visit(tree, False)
    return at_load, in_functions


def _outside(names: set[str], allowed: frozenset[str]) -> set[str]:
    def ok(name: str) -> bool:
        top = name.split(".")[0]
        if top == "amldeploy":
            return name == "amldeploy" or name.startswith("amldeploy.runtime")
        return top in STDLIB or top in allowed

    return {n for n in names if not ok(n)}


def test_runtime_modules_import_the_standard_library_and_the_rest_inside_functions() -> None:
    seen_lazy: set[str] = set()
    for path in sorted(RUNTIME.glob("*.py")):
        at_load, in_functions = _imports(ast.parse(path.read_text(encoding="utf-8")))
        assert not _outside(at_load, frozenset()), f"{path.name} imports at load: {_outside(at_load, frozenset())}"
        allowed = LAZY | SERVER
        assert not _outside(in_functions, allowed), f"{path.name} imports: {_outside(in_functions, allowed)}"
        seen_lazy |= {n.split(".")[0] for n in in_functions} & allowed
    # The runtime does serve inference-schema scripts on uvicorn: the allowances are used, not dead.
    assert {"inference_schema", "uvicorn", "h11"} <= seen_lazy


def test_importing_every_runtime_module_loads_nothing_but_the_standard_library() -> None:
    code = (
        "import importlib, json, sys\n"
        "before = set(sys.modules)\n"
        f"for name in {_modules()!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    proc = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True, timeout=60)
    loaded = json.loads(proc.stdout)
    assert "amldeploy.runtime.serve" in loaded and "amldeploy.runtime.model_specs" in loaded
    foreign = [
        m for m in loaded if not (m == "amldeploy" or m.startswith("amldeploy.runtime") or m.split(".")[0] in STDLIB)
    ]
    assert foreign == []

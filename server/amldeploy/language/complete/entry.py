"""Completion in the entry script (``score.py``): the ``init()``/``run()`` skeletons when they are missing,
the ``inference_schema`` decorators above an undecorated ``run``, and ``AZUREML_MODEL_DIR`` inside
``os.getenv("…")``/``os.environ["…"]``.

Skeletons are offered only on an empty or partially typed line at module level, never inside a function
body or a multi-line string. ``ast`` decides that when the file parses (with the cursor's line blanked, since
a half-typed ``def`` does not parse); otherwise the indentation of the neighbouring lines does.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from amldeploy.language.complete.types import Completion

_ENV_CALL = re.compile(r"""os\s*\.\s*(?:getenv\s*\(|environ\s*\.\s*get\s*\(|environ\s*\[)\s*["'](\w*)$""")
_DEF = re.compile(r"^(?:async[ \t]+)?def[ \t]+(init|run)\b[ \t]*(?:\([ \t]*([A-Za-z_]\w*)?)?", re.MULTILINE)
_IMPORTS = {
    "os": re.compile(r"^[ \t]*import[ \t]+os\b", re.MULTILINE),
    "json": re.compile(r"^[ \t]*import[ \t]+json\b", re.MULTILINE),
    "joblib": re.compile(r"^[ \t]*import[ \t]+joblib\b", re.MULTILINE),
    "np": re.compile(r"^[ \t]*import[ \t]+numpy[ \t]+as[ \t]+np\b", re.MULTILINE),
}
_IMPORT_LINES = {"os": "import os", "json": "import json", "joblib": "import joblib", "np": "import numpy as np"}

MODEL_DIR_DOC = (
    "Folder of the deployed model(s), set by the scoring host: `azureml-models/<name>/<version>` for one "
    "model, `azureml-models` when the service has several."
)

_INIT = '''def init():
    """Called once when the service starts: load the model."""
    global model
    # AZUREML_MODEL_DIR is the folder of the registered model (azureml-models/<name>/<version>).
    model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR", "."), "${1:model.joblib}")
    model = joblib.load(model_path)$0'''

_RUN = '''def run(raw_data):
    """Called for every scoring request with the request body (a JSON string)."""
    data = np.array(json.loads(raw_data)["${1:data}"])
    result = model.predict(data)$0
    return result.tolist()'''

_DECORATORS = """from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.schema_decorators import input_schema, output_schema

@input_schema("{param}", NumpyParameterType(np.array([[${{1:0.0, 0.0, 0.0, 0.0}}]])))
@output_schema(NumpyParameterType(np.array([${{2:0}}])))"""


@dataclass(slots=True)
class _Module:
    module_level: bool
    functions: dict[str, tuple[bool, str]] = field(default_factory=dict)  # name → (decorated, first arg)
    imported: set[str] = field(default_factory=set)
    run_line: int | None = None  # 0-based line of `def run`


def complete_entry(text: str, offset: int) -> list[Completion]:
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end < 0 else line_end
    before, after = text[line_start:offset], text[offset:line_end].rstrip("\r")
    word_end = offset + len(re.match(r"\w*", after).group())  # type: ignore[union-attr]
    env = _ENV_CALL.search(before)
    if env is not None:
        return [
            Completion(
                "AZUREML_MODEL_DIR",
                "value",
                "AZUREML_MODEL_DIR",
                False,
                offset - len(env.group(1)),
                word_end,
                detail="environment variable",
                documentation=MODEL_DIR_DOC,
            )
        ]
    if not re.fullmatch(r"@?[A-Za-z_]*", before) or after[word_end - offset :].strip():
        return []
    line = text.count("\n", 0, line_start)
    module = _read(text, line_start, line_end, line)
    if not module.module_level:
        return []
    out: list[Completion] = []

    def item(label: str, body: str, needs: tuple[str, ...], detail: str, doc: str, filter_text: str) -> None:
        lead = "".join(f"{_IMPORT_LINES[n]}\n" for n in needs if n not in module.imported)
        out.append(
            Completion(
                label,
                "snippet",
                (lead + "\n" if lead else "") + body,
                True,
                line_start,
                word_end,
                detail=detail,
                documentation=doc,
                sort_text=f"{len(out)}",
                filter_text=filter_text,
            )
        )

    if "init" not in module.functions:
        item(
            "def init()",
            _INIT,
            ("os", "joblib"),
            "entry script: load the model",
            "`init()` runs once when the service starts: load the model from `AZUREML_MODEL_DIR` into a global.",
            "def init",
        )
    if "run" not in module.functions:
        item(
            "def run(raw_data)",
            _RUN,
            ("json", "np"),
            "entry script: score a request",
            "`run(raw_data)` is called for every request to `/score` with the request body.",
            "def run",
        )
    elif not module.functions["run"][0] and module.run_line is not None and _just_above(text, line, module.run_line):
        param = module.functions["run"][1] or "data"
        item(
            "@input_schema / @output_schema",
            _DECORATORS.format(param=param),
            ("np",),
            "inference_schema decorators for run()",
            "Declares the input and output of `run()` with `inference_schema`: the service then decodes the "
            f"request into a NumPy array for `{param}` and publishes a Swagger document.",
            "@input_schema",
        )
    return out


def _just_above(text: str, line: int, run_line: int) -> bool:
    lines = text.split("\n")
    return run_line > line and all(not lines[i].strip() for i in range(line + 1, min(run_line, len(lines))))


def _read(text: str, line_start: int, line_end: int, line: int) -> _Module:
    blanked = text[:line_start] + text[line_end:]
    try:
        tree = ast.parse(blanked)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _read_lines(blanked, line)
    lineno = line + 1
    module = _Module(module_level=True)
    for stmt in tree.body:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        last = stmt.end_lineno or stmt.lineno
        if first <= lineno <= last:
            module.module_level = False
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = stmt.args.posonlyargs + stmt.args.args
            module.functions[stmt.name] = (bool(stmt.decorator_list), args[0].arg if args else "")
            if stmt.name == "run":
                module.run_line = stmt.lineno - 1
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                name = alias.asname or alias.name.split(".")[0]
                if isinstance(stmt, ast.Import) or name in _IMPORT_LINES:
                    module.imported.add(name)
    return module


def _read_lines(text: str, line: int) -> _Module:
    """The file does not parse: judge by the indentation of the code around the line."""
    lines = text.split("\n")
    code = [i for i, s in enumerate(lines) if s.strip() and not s.lstrip().startswith("#")]
    previous = [i for i in code if i < line]
    following = [i for i in code if i > line]
    opened = previous and lines[previous[-1]].rstrip().endswith((":", "\\", ",", "(", "[", "{"))
    nested = following and lines[following[0]][:1] in (" ", "\t")
    module = _Module(module_level=not opened and not nested)
    for m in _DEF.finditer(text):
        row = text.count("\n", 0, m.start())
        decorated = row > 0 and lines[row - 1].lstrip().startswith("@")
        module.functions[m.group(1)] = (decorated, m.group(2) or "")
        if m.group(1) == "run":
            module.run_line = row
    module.imported = {name for name, pattern in _IMPORTS.items() if pattern.search(text)}
    return module

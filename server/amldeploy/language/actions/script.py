"""Quick fixes of entry script (``score.py``) problems."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from amldeploy.language.actions.edits import Edit, Fix
from amldeploy.language.problems import Problem
from amldeploy.language.text import TextIndex

_INIT = [
    "def init():",
    "    # Called once per worker when the service starts: load the model here, into a global",
    '    # (`global model`), from the folder os.getenv("AZUREML_MODEL_DIR") names.',
    "    pass",
]
_RUN = [
    "def run(raw_data):",
    "    # Called for every scoring request with the request body as a string; the return value is",
    "    # sent back as JSON.",
    "    data = json.loads(raw_data)",
    "    return data",
]
_ASYNC = re.compile(r"async\s+")
_REPLACEMENTS = {
    "SC010": "Return the object itself (the server encodes it)",
    "SC011": "Convert with .tolist()",
    "SC013": "Import the standalone joblib",
}
_PREFERRED = frozenset({"SC010", "SC011", "SC013"})


def script_fixes(text: str, problem: Problem) -> list[Fix]:
    data = problem.data or {}
    code = problem.code
    newline = "\r\n" if "\r\n" in text else "\n"
    replacement = data.get("replacement")
    if code in ("SC002", "SC003"):
        return _skeleton(text, data.get("function"), newline)
    if code in _REPLACEMENTS and isinstance(replacement, str):
        edit = Edit(problem.start, problem.end, replacement)
        return [Fix(f"{_REPLACEMENTS[code]}: {_short(replacement)}", [edit], code in _PREFERRED)]
    if code == "SC012" and replacement == "raise":
        edit = Edit(problem.start, problem.end, "raise")
        return [Fix("Re-raise the exception (the client gets HTTP 500)", [edit])]
    if code == "SC015":
        return _global(data, newline)
    if code == "SC019":
        return _parse_body(text, data, newline)
    if code == "SC017":
        return _drop_async(text, problem, str(data.get("function") or "the function"))
    return []


def _global(data: Mapping[str, Any], newline: str) -> list[Fix]:
    names = data.get("names")
    if not isinstance(names, list) or not names:
        return []
    statement = "global " + ", ".join(str(n) for n in names)
    edit = _statement(statement, data, newline)
    return [Fix(f"Add '{statement}' to init()", [edit], True)] if edit is not None else []


def _parse_body(text: str, data: Mapping[str, Any], newline: str) -> list[Fix]:
    param = data.get("param")
    if not isinstance(param, str) or not param.isidentifier():
        return []
    statement = f"{param} = json.loads({param})"
    edit = _statement(statement, data, newline)
    if edit is None:
        return []
    return [Fix(f"Parse the request body first: {statement}", [edit, *_import_json(text, newline)])]


def _short(code: str) -> str:
    flat = " ".join(code.split())
    return flat if len(flat) <= 40 else flat[:37] + "..."


def _statement(statement: str, data: Mapping[str, Any], newline: str) -> Edit | None:
    """``statement`` as the first statement of a function body (``insertOffset``/``indent`` of the data)."""
    offset, indent = data.get("insertOffset"), data.get("indent")
    if not isinstance(offset, int) or not isinstance(indent, str):
        return None
    # A body on the `def` line has no indentation to repeat: `def init(): global model; model = ...`.
    return Edit(offset, offset, f"{statement}; " if not indent else f"{statement}{newline}{indent}")


def _appended(text: str, body: str, newline: str) -> str:
    """What to add at the end of ``text`` so that ``body`` follows after two blank lines, keeping the
    file's choice of ending with a line break or not."""
    if not text.strip():
        return body + newline
    tail = text[len(text.rstrip("\r\n")) :]
    breaks = tail.count("\n") + tail.count("\r") - tail.count("\r\n")
    return newline * max(0, 3 - breaks) + body + (newline if breaks else "")


def _skeleton(text: str, function: object, newline: str) -> list[Fix]:
    if function not in ("init", "run"):
        return []
    body = newline.join(_INIT if function == "init" else _RUN)
    end = len(text)
    edits = [Edit(end, end, _appended(text, body, newline))]
    if function == "run":
        imports = _import_json(text, newline)
        if imports and imports[0].start == end:  # one insertion at the end: merge them
            head = imports[0].new_text
            edits = [Edit(end, end, head + _appended(text + head, body, newline))]
        else:
            edits = [*imports, *edits]
    return [Fix(f"Add a {function}() skeleton at the end of the file", edits)]


def _import_json(text: str, newline: str) -> list[Edit]:
    """``import json`` after the docstring and ``__future__`` imports, unless the module has it."""
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    if _imports_json(module.body):
        return []
    index = TextIndex(text)
    body = module.body
    i = 1 if body and _is_docstring(body[0]) else 0
    while i < len(body) and _is_future(body[i]):
        i += 1
    statement = "import json" + newline
    if i < len(body):
        following = body[i]
        offset = index.line_start(_first_line(following) - 1)
        # PEP 8 spacing before what follows: none before an import, two blank lines before a definition.
        if isinstance(following, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            statement += newline * 2
        elif not isinstance(following, (ast.Import, ast.ImportFrom)):
            statement += newline
        return [Edit(offset, offset, statement)]
    after = body[i - 1].end_lineno if i > 0 else None
    if after is not None and after < index.line_count:
        offset = index.line_start(after)
        return [Edit(offset, offset, statement)]
    lead = newline if text and not text.endswith(("\n", "\r")) else ""
    return [Edit(len(text), len(text), lead + statement)]


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _first_line(stmt: ast.stmt) -> int:
    """A decorated definition starts at its first decorator."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.decorator_list:
        return min(stmt.lineno, *(d.lineno for d in stmt.decorator_list))
    return stmt.lineno


def _is_future(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"


def _imports_json(statements: list[ast.stmt]) -> bool:
    """Whether module-level code (outside functions and classes) runs ``import json``."""
    todo: list[ast.AST] = list(statements)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            if any(a.name == "json" and a.asname in (None, "json") for a in node.names):
                return True
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return False


def _drop_async(text: str, problem: Problem, function: str) -> list[Fix]:
    match = _ASYNC.match(text, problem.start)
    if match is None:
        return []
    fixed = text[: problem.start] + text[match.end() :]
    try:
        compile(fixed, "score.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # the body awaits: removing `async` alone would not compile
    return [Fix(f"Make {function}() a plain function (remove async)", [Edit(problem.start, match.end(), "")])]

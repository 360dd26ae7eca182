"""Rules on what ``run`` returns: the server sends it through ``json.dumps`` with status 200 (SC010–SC012)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from amldeploy.language.entry_script import codes as codes
from amldeploy.language.entry_script.context import Context, references
from amldeploy.language.entry_script.function import FunctionFacts, Position, position

DUMPS = frozenset({"json.dumps", "simplejson.dumps", "ujson.dumps"})
# Methods whose result is a NumPy array (scikit-learn, Keras, XGBoost, pandas, PyTorch tensors).
_ARRAY_METHODS = frozenset(
    {"predict", "predict_proba", "predict_log_proba", "decision_function", "transform", "numpy", "to_numpy"}
)
# ``numpy`` functions whose result json.dumps accepts (float64 is a float) or that return no array.
_PLAIN_NUMPY = frozenset(
    {
        "float64",
        "float_",
        "double",
        "tolist",
        "array2string",
        "array_str",
        "array_repr",
        "base_repr",
        "binary_repr",
        "isscalar",
        "save",
        "savez",
        "savetxt",
        "ndim",
        "shape",
        "size",
        "set_printoptions",
        "seterr",
    }
)
_ERRORISH = re.compile(r"error|exception|message|traceback|detail|fail|reason", re.I)
_DEPTH = 6


def check_results(ctx: Context) -> None:
    for facts in ctx.runs:
        reported: set[tuple[int, int]] = set()
        rawhttp = ctx.is_rawhttp(facts.node)
        for site in facts.returns:
            value = site.node.value
            if value is None:
                continue
            at = position(site.node)
            if site.handler is not None and _error_like(ctx, facts, value, site.handler.name, at, 0):
                _report_error_result(ctx, site.node, value, rawhttp)
                continue
            dumps = _dumps_call(ctx, facts, value, at)
            if dumps is not None:
                _report_dumps(ctx, dumps, reported)
                # json.dumps fails on an array as the server's own encoding would.
                value = dumps.args[0] if dumps.args else dumps
            for expr in _arrays(ctx, facts, value, at):
                _report_array(ctx, expr, reported)


def is_dumps(ctx: Context, expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and ctx.callee(expr)[0] in DUMPS


def _dumps_call(ctx: Context, facts: FunctionFacts, value: ast.expr, at: Position) -> ast.Call | None:
    if isinstance(value, ast.Name):
        assigned = facts.value_before(value.id, at)
        value = assigned if assigned is not None else value
    return value if isinstance(value, ast.Call) and is_dumps(ctx, value) else None


def _report_dumps(ctx: Context, call: ast.Call, reported: set[tuple[int, int]]) -> None:
    start, end = ctx.loc.span(call)
    if (start, end) in reported:
        return
    reported.add((start, end))
    data = None
    if len(call.args) == 1 and not call.keywords and not isinstance(call.args[0], ast.Starred):
        data = {"replacement": ctx.loc.segment(call.args[0])}
    ctx.out.append(
        codes.DOUBLE_JSON.at(
            start,
            end,
            "`run()` returns the string made by `json.dumps(...)`, and Azure's server encodes the return "
            'value as JSON again: clients receive a quoted string such as "{\\"result\\": …}" and have to '
            "decode it twice. Return the object itself; the server produces the JSON.",
            data=data,
        )
    )


def _arrays(ctx: Context, facts: FunctionFacts, value: ast.expr, at: Position) -> Iterator[ast.expr]:
    """The parts of a returned value that are NumPy arrays: the value itself, or items of a literal."""
    todo: list[tuple[ast.expr, int]] = [(value, 0)]
    while todo:
        expr, depth = todo.pop()
        if _array_like(ctx, facts, expr, at, 0):
            yield expr
        elif depth < 3 and isinstance(expr, ast.Dict):
            todo.extend((v, depth + 1) for v in expr.values)
        elif depth < 3 and isinstance(expr, (ast.List, ast.Tuple)):
            todo.extend((e, depth + 1) for e in expr.elts if not isinstance(e, ast.Starred))


def _array_like(ctx: Context, facts: FunctionFacts, expr: ast.expr, at: Position, depth: int) -> bool:
    if depth > _DEPTH:
        return False
    if isinstance(expr, ast.Call):
        name, last = ctx.callee(expr)
        if isinstance(expr.func, ast.Attribute) and last in _ARRAY_METHODS:
            return True
        return name.startswith("numpy.") and last not in _PLAIN_NUMPY
    if isinstance(expr, ast.Name):
        assigned = facts.value_before(expr.id, at)
        return assigned is not None and _array_like(ctx, facts, assigned, at, depth + 1)
    if isinstance(expr, ast.Subscript):
        # Slicing keeps an array; a plain index may give a scalar that json.dumps accepts.
        index = expr.slice
        sliced = isinstance(index, (ast.Slice, ast.Compare)) or (
            isinstance(index, ast.Tuple) and any(isinstance(e, ast.Slice) for e in index.elts)
        )
        return sliced and _array_like(ctx, facts, expr.value, at, depth + 1)
    if isinstance(expr, ast.BinOp):
        if isinstance(expr.left, (ast.Constant, ast.JoinedStr)):
            return False
        return any(_array_like(ctx, facts, side, at, depth + 1) for side in (expr.left, expr.right))
    if isinstance(expr, ast.UnaryOp):
        return _array_like(ctx, facts, expr.operand, at, depth + 1)
    if isinstance(expr, ast.Attribute) and expr.attr == "T":
        return _array_like(ctx, facts, expr.value, at, depth + 1)
    return False


def _report_array(ctx: Context, expr: ast.expr, reported: set[tuple[int, int]]) -> None:
    start, end = ctx.loc.span(expr)
    if (start, end) in reported:
        return
    reported.add((start, end))
    source = ctx.loc.text(start, end)
    atomic = isinstance(expr, (ast.Name, ast.Attribute, ast.Call, ast.Subscript))
    replacement = f"{source}.tolist()" if atomic else f"({source}).tolist()"
    ctx.out.append(
        codes.NOT_JSON_SERIALISABLE.at(
            start,
            end,
            f"`run()` returns `{ctx.snippet(expr)}`, a NumPy array (or NumPy number) that `json.dumps` "
            "cannot encode: the request fails with HTTP 500 and the logs show 'Object of type ndarray is not "
            f"JSON serializable'. Return `{' '.join(replacement.split())}` instead.",
            data={"replacement": replacement},
        )
    )


def _error_like(ctx: Context, facts: FunctionFacts, expr: ast.expr, exc: str | None, at: Position, depth: int) -> bool:
    """Whether an ``except`` block's return value reads as an error message: text, or a dict about one."""
    if depth > _DEPTH:
        return False
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str)
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
        return any(
            _error_like(ctx, facts, side, exc, at, depth + 1)
            for side in ((expr.left, expr.right) if isinstance(expr.op, ast.Add) else (expr.left,))
        )
    if isinstance(expr, ast.Call):
        name, last = ctx.callee(expr)
        if name in ("str", "repr", "traceback.format_exc", "traceback.format_exception") or last == "format":
            return True
        if name in DUMPS and expr.args:
            return _error_like(ctx, facts, expr.args[0], exc, at, depth + 1)
        if name == "dict":
            return any(
                (k.arg is not None and _ERRORISH.search(k.arg))
                or (exc is not None and references(k.value, exc))
                or _error_like(ctx, facts, k.value, exc, at, depth + 1)
                for k in expr.keywords
            )
        return False
    if isinstance(expr, ast.Dict):
        keys = [k.value for k in expr.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        return any(_ERRORISH.search(k) for k in keys) or any(
            (exc is not None and references(v, exc)) or _error_like(ctx, facts, v, exc, at, depth + 1)
            for v in expr.values
        )
    if isinstance(expr, (ast.Tuple, ast.List)) and expr.elts:
        return _error_like(ctx, facts, expr.elts[0], exc, at, depth + 1)
    if isinstance(expr, ast.Name) and expr.id != exc:
        assigned = facts.value_before(expr.id, at)
        return assigned is not None and _error_like(ctx, facts, assigned, exc, at, depth + 1)
    return False


def _report_error_result(ctx: Context, node: ast.Return, value: ast.expr, rawhttp: bool) -> None:
    start, end = ctx.loc.span(node)
    what = f"`{ctx.snippet(value)}`"
    if rawhttp:
        fix = "Return `AMLResponse(message, 500)` (or 400 for invalid input) so that the client sees the error."
        data = None
    else:
        fix = (
            "Re-raise instead (`raise`): Azure's server then answers HTTP 500 with the header "
            "`x-ms-run-function-failed: True` and logs the traceback."
        )
        data = {"replacement": "raise"}
    ctx.out.append(
        codes.ERROR_AS_RESULT.at(
            start,
            end,
            f"This `except` block returns {what} as a normal result, so the client gets HTTP 200 although "
            f"scoring failed (and so do retries and monitoring). {fix}",
            data=data,
        )
    )

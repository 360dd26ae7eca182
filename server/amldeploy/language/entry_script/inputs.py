"""Rules on how ``run`` reads its input, which depends on its decorators (SC019, SC020).

Undecorated, ``run`` receives the request body as a ``str``; with ``@input_schema`` it receives values
already decoded from the JSON body.
"""

from __future__ import annotations

import ast

from amldeploy.language.entry_script import codes as codes
from amldeploy.language.entry_script.context import Context
from amldeploy.language.entry_script.contract import schema_param_name
from amldeploy.language.entry_script.function import FunctionFacts

_DICT_METHODS = frozenset({"get", "keys", "items", "values"})
_DECODING_TYPES = frozenset({"NumpyParameterType", "PandasParameterType", "SparkParameterType"})


def check_inputs(ctx: Context) -> None:
    for facts in ctx.runs:
        decorators = ctx.decorators(facts.node)
        kinds = {kind for kind, _ in decorators}
        if not kinds & {"input_schema", "rawhttp"}:
            _check_body_is_text(ctx, facts)
        for kind, dec in decorators:
            if kind == "input_schema" and isinstance(dec, ast.Call):
                _check_decoded_input(ctx, facts, dec)


def _check_body_is_text(ctx: Context, facts: FunctionFacts) -> None:
    body = next(
        (a.arg for a in [*facts.node.args.posonlyargs, *facts.node.args.args] if a.arg != "request_headers"),
        None,
    )
    if body is None or _reassigned_or_checked(ctx, facts, body):
        return
    for name, node in facts.uses:
        if name != body:
            continue
        if isinstance(node, ast.Subscript):
            index = node.slice
            if not (isinstance(index, ast.Constant) and isinstance(index.value, str)):
                continue
            failure = "'string indices must be integers'"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _DICT_METHODS:
            failure = f"\"'str' object has no attribute '{node.func.attr}'\""
        else:
            continue
        start, end = ctx.loc.span(node)
        insert, indent = ctx.body_insertion(facts.node)
        ctx.out.append(
            codes.BODY_IS_TEXT.at(
                start,
                end,
                f"Without `@input_schema`, `run()` receives the request body in `{body}` as a string, not as "
                f"parsed JSON: `{ctx.snippet(node)}` fails with {failure} and the request gets HTTP 500. "
                f"Parse it first: `{body} = json.loads({body})`.",
                data={"param": body, "insertOffset": insert, "indent": indent},
            )
        )
        return


def _reassigned_or_checked(ctx: Context, facts: FunctionFacts, name: str) -> bool:
    """Whether ``run`` rebinds the parameter or tests its type (``isinstance(raw_data, str)``): then the
    code may well handle what it receives."""
    if any(b.name == name for b in facts.bindings):
        return True
    return any(
        ctx.callee(site.node)[0] == "isinstance"
        and site.node.args
        and isinstance(site.node.args[0], ast.Name)
        and site.node.args[0].id == name
        for site in facts.calls
    )


def _decodes(ctx: Context, param_type: ast.Call) -> bool:
    """Whether ``@input_schema`` turns the input into something else than a string."""
    kind = ctx.callee(param_type)[1]
    if kind in _DECODING_TYPES:
        return True
    if kind != "StandardPythonParameterType" or not param_type.args:
        return False
    sample = param_type.args[0]
    if isinstance(sample, ast.Constant):
        return not isinstance(sample.value, str)
    return isinstance(sample, (ast.Dict, ast.List, ast.Tuple, ast.Set))


def _check_decoded_input(ctx: Context, facts: FunctionFacts, dec: ast.Call) -> None:
    literal = schema_param_name(dec)
    param_type = (
        dec.args[1] if len(dec.args) > 1 else next((k.value for k in dec.keywords if k.arg == "param_type"), None)
    )
    if literal is None or not isinstance(param_type, ast.Call) or not _decodes(ctx, param_type):
        return
    name = literal.value
    if name not in facts.param_names or _reassigned_or_checked(ctx, facts, name):
        return
    for site in facts.calls:
        call = site.node
        if ctx.callee(call)[0] != "json.loads" or not call.args:
            continue
        arg = call.args[0]
        if not (isinstance(arg, ast.Name) and arg.id == name):
            continue
        start, end = ctx.loc.span(call)
        ctx.out.append(
            codes.SCHEMA_INPUT_IS_DECODED.at(
                start,
                end,
                f"`@input_schema` already decodes the JSON body: `{name}` arrives as "
                f"{_decoded_as(ctx, param_type)}, so `json.loads({name})` fails with 'the JSON object "
                f"must be str, bytes or bytearray' and every request gets HTTP 500. Use `{name}` directly.",
            )
        )


def _decoded_as(ctx: Context, param_type: ast.Call) -> str:
    kind = ctx.callee(param_type)[1]
    return {
        "NumpyParameterType": "a NumPy array",
        "PandasParameterType": "a pandas DataFrame",
        "SparkParameterType": "a Spark DataFrame",
    }.get(kind, "a Python object")

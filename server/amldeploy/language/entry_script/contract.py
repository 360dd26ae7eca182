"""Rules on the shape of the contract: ``init``/``run`` exist at module level and can be called as the
server calls them (SC002–SC009, SC017, SC018)."""

from __future__ import annotations

import ast
import re

from amldeploy.language.entry_script import codes as codes
from amldeploy.language.entry_script.context import Context
from amldeploy.language.entry_script.function import FunctionFacts, all_params
from amldeploy.language.entry_script.scan import ENTRY_POINTS, Where

_CONTENT = re.compile(r"\S[^\r\n]*")
_EXIT = "Azure's server then exits with status 3 and the container restarts in a loop"


def check_contract(ctx: Context) -> None:
    for name in ENTRY_POINTS:
        _check_presence(ctx, name)
    for facts in ctx.inits:
        _check_init_params(ctx, facts)
    for facts in ctx.runs:
        _check_run_params(ctx, facts)
        _check_decorators(ctx, facts)
    for facts in (*ctx.inits, *ctx.runs):
        _check_sync(ctx, facts)


def _check_presence(ctx: Context, name: str) -> None:
    if name in ctx.module.bound or ctx.module.star_import:
        return
    misplaced = ctx.module.sites[name]
    for site in misplaced:
        start, end = ctx.loc.name_span(site.node)
        if site.where is Where.NEVER:
            why = (
                f"`{name}()` is only defined under {site.container}, which does not run when Azure's server "
                "imports the script (as the module `entry_module`)"
            )
        else:
            why = f"`{name}()` is defined inside {site.container}, so it is not a function of the module"
        ctx.out.append(
            codes.NOT_MODULE_LEVEL.at(
                start,
                end,
                f"{why}: the server finds no `{name}()` and stops ('does not have a {name}() function "
                f"defined'). Move `def {name}` to the top level of the file, without indentation.",
            )
        )
    if misplaced:
        return
    m = _CONTENT.search(ctx.loc.source)
    start = ctx.loc.base + (m.start() if m else 0)
    end = ctx.loc.base + (m.start() + len(m.group().rstrip()) if m else 0)
    if name == "init":
        message = (
            "No module-level `init()` function: Azure's server calls `init()` once when the service starts "
            "and, without it, stops with 'User script at … does not have a init() function defined.' "
            f"({_EXIT}). "
            "Add `def init():` at the top level and load the model there."
        )
        ctx.out.append(codes.NO_INIT.at(start, end, message, data={"function": "init"}))
    else:
        message = (
            "No module-level `run()` function: Azure's server calls `run(...)` for every scoring request "
            "and, without it, stops with 'User script at … does not have a run() function defined.' "
            f"({_EXIT}). "
            "Add `def run(raw_data):` at the top level."
        )
        ctx.out.append(codes.NO_RUN.at(start, end, message, data={"function": "run"}))


def _check_init_params(ctx: Context, facts: FunctionFacts) -> None:
    args = facts.node.args
    positional = [*args.posonlyargs, *args.args]
    required = positional[: len(positional) - len(args.defaults)]
    required += [a for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True) if default is None]
    if not required:
        return
    required.sort(key=lambda a: (a.lineno, a.col_offset))
    start, end = ctx.loc.span(required[0])[0], ctx.loc.span(required[-1])[1]
    names = ", ".join(f"`{a.arg}`" for a in required)
    ctx.out.append(
        codes.INIT_REQUIRED_PARAMS.at(
            start,
            end,
            f"`init()` requires {names}, but Azure's server calls `init()` without arguments: it fails with "
            f"a TypeError at startup ({_EXIT}). Remove the parameters or give them default values.",
        )
    )


def _check_run_params(ctx: Context, facts: FunctionFacts) -> None:
    args = facts.node.args
    refused = "Azure's server refuses it with 'run() cannot accept positional-only arguments, *args, or **kwargs.'"
    for a in args.posonlyargs:
        start, end = ctx.loc.span(a)
        ctx.out.append(
            codes.RUN_SIGNATURE.at(
                start,
                end,
                f"`{a.arg}` is a positional-only parameter of `run()` (it comes before `/`): {refused}, "
                "because it passes the input by name. Remove the `/`.",
            )
        )
    for maybe, stars in ((args.vararg, "*"), (args.kwarg, "**")):
        if maybe is None:
            continue
        a = maybe
        start, end = ctx.loc.span(a)
        ctx.out.append(
            codes.RUN_SIGNATURE.at(
                ctx.loc.with_prefix(start, "*"),
                end,
                f"`{stars}{a.arg}` makes the parameters of `run()` open-ended: {refused}, because it "
                "passes the input by parameter name. Name the parameters, for example `def run(raw_data):`.",
            )
        )
    if not [a for a in all_params(args) if a.arg != "request_headers"]:
        start, end = ctx.loc.name_span(facts.node)
        ctx.out.append(
            codes.RUN_NO_INPUT.at(
                start,
                end,
                "`run()` has no parameter to receive the request body (`request_headers` only receives the "
                "HTTP headers), and Azure's server refuses it at startup. Add one, for example "
                "`def run(raw_data):`.",
            )
        )


def _check_decorators(ctx: Context, facts: FunctionFacts) -> None:
    decorators = ctx.decorators(facts.node)
    clash = [d for kind, d in decorators if kind in ("rawhttp", "input_schema")]
    if any(k == "rawhttp" for k, _ in decorators) and any(k == "input_schema" for k, _ in decorators):
        spans = [ctx.loc.span(d) for d in clash]
        ctx.out.append(
            codes.RAWHTTP_WITH_SCHEMA.at(
                ctx.loc.with_prefix(min(s for s, _ in spans), "@"),
                max(e for _, e in spans),
                "`@rawhttp` and `@input_schema` cannot be combined on `run()`: `@rawhttp` passes the raw "
                "HTTP request while `@input_schema` decodes the JSON body into parameters, and Azure's "
                "server refuses the pair. Keep one of them.",
            )
        )
    if facts.node.args.kwarg is not None:
        return
    names = facts.param_names
    for kind, dec in decorators:
        if kind != "input_schema" or not isinstance(dec, ast.Call):
            continue
        literal = schema_param_name(dec)
        if literal is None or literal.value in names:
            continue
        wanted = str(literal.value)
        have = ", ".join(f"`{n}`" for n in names) or "none"
        start, end = ctx.loc.span(literal)
        ctx.out.append(
            codes.SCHEMA_UNKNOWN_PARAM.at(
                start,
                end,
                f'`@input_schema` fills a parameter named "{wanted}", but `run()` has no such parameter '
                f'(it has {have}): inference-schema fails with \'Error, provided param_name "{wanted}" is '
                "not in the decorated function.' Use the name of a parameter of `run()` (names are "
                "case-sensitive).",
            )
        )


def schema_param_name(dec: ast.Call) -> ast.Constant | None:
    """The string literal that names the parameter in ``@input_schema("data", …)``, if it is one."""
    candidates = [dec.args[0]] if dec.args else [k.value for k in dec.keywords if k.arg == "param_name"]
    for c in candidates:
        if isinstance(c, ast.Constant) and isinstance(c.value, str):
            return c
    return None


def _check_sync(ctx: Context, facts: FunctionFacts) -> None:
    fn = facts.node
    if isinstance(fn, ast.AsyncFunctionDef):
        start = ctx.loc.span(fn)[0]
        if fn.name == "init":
            effect = "its body never runs, so nothing is loaded"
        else:
            effect = "`json.dumps` cannot encode the coroutine it returns, so every request fails with HTTP 500"
        ctx.out.append(
            codes.ASYNC_ENTRY.at(
                start,
                start + len("async"),
                f"`{fn.name}()` is `async`, but Azure's server calls it as a plain function and never awaits "
                f"it: {effect}. Use `def {fn.name}` and run asynchronous code with `asyncio.run(...)` "
                "inside.",
                data={"function": fn.name},
            )
        )
    if facts.yields:
        first = min(facts.yields, key=lambda y: (y.lineno, y.col_offset))
        start, end = ctx.loc.span(first)
        if fn.name == "init":
            effect = "the server never iterates it, so nothing in `init()` runs and the model is never loaded"
        else:
            effect = "the server cannot encode a generator as JSON (HTTP 500) and does not stream responses"
        ctx.out.append(
            codes.GENERATOR_ENTRY.at(
                start,
                end,
                f"`yield` makes `{fn.name}()` a generator: calling it only creates a generator object, and "
                f"{effect}. Collect the results (for example in a list) and `return` them.",
            )
        )

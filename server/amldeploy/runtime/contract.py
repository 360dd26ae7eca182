"""The entry-script contract of azureml-inference-server-http 1.5.1: loading, run() analysis, input modes.

The script is executed as module ``entry_module`` (not put in ``sys.modules``, as in Azure's server). run() is
called with keyword arguments: the body as a UTF-8 string (undecorated), the body's keys (``@input_schema``:
inference-schema's own wrapper converts them), or the request object (``@rawhttp``); a ``request_headers``
parameter receives ``dict(request.headers)``.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from amldeploy.runtime import compat
from amldeploy.runtime.request import Request, is_json_mimetype, split_content_type

RAW, SCHEMA, STRING = "rawhttp", "input_schema", "string"


class ScriptError(Exception):
    """The script cannot be served (import failed, init/run missing, bad run() signature): exit 3."""


class BadInput(Exception):
    """400 with this message."""


class UnsupportedInput(Exception):
    """415 with this message."""


class UnsupportedMethod(Exception):
    """OPTIONS → 200 with an empty body; any other method → 405."""


@dataclass(slots=True)
class EntryScript:
    path: str
    init: Callable[[], Any]
    run: Callable[..., Any]
    mode: str
    first_param: str
    params: list[inspect.Parameter] = field(default_factory=list)
    wants_headers: bool = False

    def call(self, kwargs: dict[str, Any], request: Request | None) -> Any:
        """run(**kwargs); ``request`` (None when run() takes no ``request_headers``) gives its headers."""
        if self.wants_headers and request is not None:
            return self.run(**kwargs, request_headers=dict(request.headers))
        return self.run(**kwargs)


def _is_schema_decorated(func: Callable[..., Any]) -> bool:
    # Only a script that imported inference-schema can be decorated; don't pay for the import otherwise.
    if "inference_schema.schema_util" not in sys.modules:
        return False
    from inference_schema.schema_util import is_schema_decorated  # type: ignore[import-untyped]

    return bool(is_schema_decorated(func))


def _import(path: Path | None) -> ModuleType:
    if path is None:
        return importlib.import_module("main")
    spec = importlib.util.spec_from_file_location("entry_module", str(path))
    if spec is None or spec.loader is None:
        raise ScriptError(f"Cannot load the entry script at {path}: not a Python file.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_entry_script(path: Path | None) -> EntryScript:
    """Import the script (``main`` when ``path`` is None) and work out how run() is called.

    Exceptions raised by the script's import propagate unchanged; contract problems raise :class:`ScriptError`.
    """
    compat.install()
    module = _import(path)
    where = getattr(module, "__file__", str(path))
    if not hasattr(module, "init"):
        raise ScriptError(f"User script at {where} does not have a init() function defined.")
    if not hasattr(module, "run"):
        raise ScriptError(f"User script at {where} does not have a run() function defined.")
    run = module.run
    # Generated driver modules forward to the real script; call its run() directly, but keep the driver's init().
    driver = getattr(module, "driver_module", None)
    if isinstance(driver, ModuleType) and hasattr(driver, "run"):
        run = driver.run
    return analyse(str(where), module.init, run)


def analyse(where: str, init: Callable[[], Any], run: Callable[..., Any]) -> EntryScript:
    params = list(inspect.signature(run).parameters.values())
    if any(p.kind not in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params):
        raise ScriptError("run() cannot accept positional-only arguments, *args, or **kwargs.")
    wants_headers = any(p.name == "request_headers" for p in params)
    if wants_headers:
        params = [p for p in params if p.name != "request_headers"]
    if not params:
        if wants_headers:
            raise ScriptError('run() needs to accept an argument other than "request_headers".')
        raise ScriptError("run() needs to accept an argument for input data.")
    raw, schema = compat.raw_http_requested(), _is_schema_decorated(run)
    if raw and schema:
        raise ScriptError("run() cannot be decorated with both @rawhttp and @input_schema")
    mode = RAW if raw else SCHEMA if schema else STRING
    return EntryScript(where, init, run, mode, params[0].name, params, wants_headers)


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def query_values(request: Request) -> dict[str, Any]:
    """Query parameters as a JSON body: each value JSON-parsed when it can be, repeated keys as lists."""
    out: dict[str, Any] = {}
    for key, values in request.args.lists():
        out[key] = _json_or_text(values[0]) if len(values) == 1 else [_json_or_text(v) for v in values]
    return out


def _schema_kwargs(script: EntryScript, body: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for param in script.params:
        value = body.get(param.name, param.default)
        if value is inspect.Parameter.empty:
            raise BadInput(f"A value is not provided for the {param.name!r} parameter.")
        kwargs[param.name] = value
    return kwargs


def run_kwargs(script: EntryScript, request: Request) -> dict[str, Any]:
    """The keyword arguments for run(), or BadInput / UnsupportedInput / UnsupportedMethod."""
    if script.mode == RAW:
        return {script.first_param: request}
    method = request.method
    if method == "GET":
        if script.mode == STRING:
            return {script.first_param: json.dumps(query_values(request))}
        return _schema_kwargs(script, query_values(request))
    if method != "POST":
        raise UnsupportedMethod(method)
    if script.mode == STRING:
        try:
            return {script.first_param: str(request.data, "utf-8")}
        except UnicodeDecodeError as ex:
            raise BadInput(f"Input cannot be decoded as UTF-8: {ex}") from None
    if not is_json_mimetype(split_content_type(request.content_type or "")[0]):
        raise UnsupportedInput("Expects Content-Type to be application/json")
    body = request.get_data()
    try:
        # A body that is not UTF-8/16/32 raises UnicodeDecodeError here, which (as in Azure) becomes a 500.
        parsed = json.loads(body)
    except json.JSONDecodeError as ex:
        if body:
            raise BadInput(f"POST body could not be decoded as JSON: {ex}") from None
        raise BadInput("POST body is empty. Expecting a JSON dictionary.") from None
    if not isinstance(parsed, dict):
        raise BadInput("POST body should be a JSON dictionary.")
    return _schema_kwargs(script, parsed)

"""Requests and responses checked against Azure's official Microsoft.ContainerInstance 2023-05-01 spec.

The spec (``spec/containerInstance.json``, Swagger 2.0, every ``$ref`` local to the file) is the single source: the
operation is found by method and path template (matched case-insensitively, as ARM does), then each of its
parameters is checked (path, query, header; ``type``, ``enum``, ``pattern``, lengths, bounds; ``api-version`` must be
the spec's own), and the body against the parameter's schema with jsonschema's Draft 4 validator over the spec's
``definitions``. Responses the fake sends are checked against the operation's response schema too, and for the
``x-ms-secret`` properties, which the real service never returns.

bravado-core (the maintained Swagger 2.0 library) was tried first: with this spec it let a body without the required
``osType`` and a ``cpu`` given as a string through, so plain jsonschema it is, as the issue asks.

``strict=True`` also rejects properties the spec does not name (the spec itself allows them: Swagger objects are
open), to catch a misspelt key such as ``enviromentVariables``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema

SPEC_PATH = Path(__file__).resolve().with_name("spec") / "containerInstance.json"
EXAMPLES = SPEC_PATH.with_name("examples")


def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def example(name: str) -> dict[str, Any]:
    """One of the spec's examples (``spec/examples/<name>.json``): ``{"parameters": ..., "responses": ...}``."""
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    regex: re.Pattern[str]
    spec: Mapping[str, Any]
    parameters: tuple[Mapping[str, Any], ...]

    @property
    def long_running(self) -> bool:
        return bool(self.spec.get("x-ms-long-running-operation"))

    @property
    def body_parameter(self) -> Mapping[str, Any] | None:
        return next((p for p in self.parameters if p["in"] == "body"), None)


@dataclass
class Match:
    operation: Operation
    path_params: dict[str, str]
    problems: list[str] = field(default_factory=list)


def _walk(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from _walk(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _walk(value)


def _closed(definitions: dict[str, Any]) -> dict[str, Any]:
    """A copy of the definitions whose objects accept only the properties they name (``allOf`` parts merged in)."""
    original = definitions

    def flat(schema: Mapping[str, Any]) -> dict[str, Any]:
        out = {k: copy.deepcopy(v) for k, v in schema.items() if k != "allOf"}
        props: dict[str, Any] = {}
        required: list[str] = []
        for part in schema.get("allOf", []):
            merged = flat(original[part["$ref"].rsplit("/", 1)[1]] if "$ref" in part else part)
            props.update(merged.get("properties", {}))
            required += merged.get("required", [])
        props.update(out.get("properties", {}))
        required += out.get("required", [])
        if props or "allOf" in schema:
            out["properties"] = props
            out.setdefault("additionalProperties", False)
        if required:
            out["required"] = sorted(set(required))
        return out

    defs = {name: flat(schema) for name, schema in original.items()}
    for schema in list(_walk(defs)):
        for value in (schema.get("properties") or {}).values():
            if isinstance(value, dict) and ("properties" in value or "allOf" in value):
                value.update(flat(value))
                value.pop("allOf", None)
    return defs


class SpecChecker:
    """Finds the spec's operation for a request and lists everything in the request that the spec does not allow."""

    def __init__(self, spec: dict[str, Any] | None = None, *, strict: bool = False) -> None:
        self.spec = spec if spec is not None else load_spec()
        self.strict = strict
        self.api_version: str = self.spec["info"]["version"]
        self.definitions: dict[str, Any] = self.spec["definitions"]
        self.operations: list[Operation] = []
        for template, item in self.spec["paths"].items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method == "parameters":
                    continue
                params = tuple(self._resolve(p) for p in [*shared, *op.get("parameters", [])])
                pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
                regex = re.compile(f"^{pattern}$", re.IGNORECASE)
                self.operations.append(Operation(op["operationId"], method.upper(), template, regex, op, params))
        self.secret_properties = sorted(
            {
                name
                for schema in _walk(self.definitions)
                for name, prop in (schema.get("properties") or {}).items()
                if isinstance(prop, dict) and prop.get("x-ms-secret")
            }
        )

    def _resolve(self, param: Mapping[str, Any]) -> Mapping[str, Any]:
        if "$ref" in param:
            return dict(self.spec["parameters"][param["$ref"].rsplit("/", 1)[1]])
        return param

    @cached_property
    def _closed_definitions(self) -> dict[str, Any]:
        return _closed(self.definitions)

    def validator(self, schema: Mapping[str, Any], *, strict: bool | None = None) -> jsonschema.Draft4Validator:
        strict = self.strict if strict is None else strict
        defs = self._closed_definitions if strict else self.definitions
        return jsonschema.Draft4Validator({**schema, "definitions": defs})

    def schema_errors(self, schema: Mapping[str, Any], value: Any, *, strict: bool | None = None) -> list[str]:
        errors = sorted(self.validator(schema, strict=strict).iter_errors(value), key=lambda e: list(e.absolute_path))
        return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors]

    def operation(self, method: str, path: str) -> Match | None:
        """The operation for ``method`` and ``path`` (no query), with its path parameters; None if the spec has none."""
        for op in self.operations:
            if op.method == method.upper() and (m := op.regex.match(path)):
                return Match(op, m.groupdict())
        return None

    def path_matches(self, path: str) -> list[Operation]:
        return [op for op in self.operations if op.regex.match(path)]

    def check_request(
        self,
        match: Match,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> list[str]:
        """What in this request the spec does not allow (an empty list when it is valid)."""
        problems: list[str] = []
        for param in match.operation.parameters:
            name, where = param["name"], param["in"]
            if where == "body":
                problems += self._check_body(param, body)
                continue
            if where == "path":
                value: str | None = match.path_params.get(name)
            elif where == "query":
                values = query.get(name)
                if values is not None and len(values) > 1:
                    problems.append(f"query parameter {name!r} given {len(values)} times")
                value = values[0] if values else None
            elif where == "header":
                value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
            else:  # formData: not used by this spec
                continue
            if value is None:
                if param.get("required"):
                    problems.append(f"{where} parameter {name!r} is required")
                continue
            problems += [f"{where} parameter {name!r}: {p}" for p in self._check_simple(param, value)]
            if name == "api-version" and value != self.api_version:
                problems.append(f"api-version {value!r} is not the spec's {self.api_version!r}")
        if match.operation.body_parameter is None and body.strip():
            problems.append(f"{match.operation.operation_id} takes no request body")
        return problems

    def _check_simple(self, param: Mapping[str, Any], raw: str) -> list[str]:
        kind = param.get("type", "string")
        value: Any = raw
        try:
            if kind == "integer":
                value = int(raw)
            elif kind == "number":
                value = float(raw)
            elif kind == "boolean":
                if raw not in ("true", "false"):
                    return [f"{raw!r} is not a boolean (true or false)"]
                value = raw == "true"
        except ValueError:
            return [f"{raw!r} is not of type {kind!r}"]
        keys = ("type", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum")
        schema = {k: param[k] for k in keys if k in param}
        return [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(value)]

    def _check_body(self, param: Mapping[str, Any], body: bytes) -> list[str]:
        if not body.strip():
            return [f"body {param['name']!r} is required"] if param.get("required") else []
        try:
            value = json.loads(body)
        except ValueError as exc:
            return [f"body is not JSON: {exc}"]
        return [f"body: {e}" for e in self.schema_errors(param["schema"], value)]

    def check_response(self, operation: Operation, status: int, body: Any) -> list[str]:
        """What in a response the fake sends the spec does not describe (the fake's own faithfulness)."""
        responses = operation.spec["responses"]
        spec = responses.get(str(status))
        if spec is None:
            if status < 400:
                return [f"{operation.operation_id}: status {status} is not one of {sorted(responses)}"]
            spec = responses.get("default", {})
        problems: list[str] = []
        if "schema" in spec:
            if body is None:
                problems.append(f"{operation.operation_id} {status}: a body is expected")
            else:
                problems += [
                    f"{operation.operation_id} {status}: {e}" for e in self.schema_errors(spec["schema"], body)
                ]
        elif body not in (None, b"", ""):
            problems.append(f"{operation.operation_id} {status}: no body is described")
        problems += [
            f"{operation.operation_id} {status}: secret property {name!r} sent in a response"
            for name in self.secrets_in(body)
        ]
        return problems

    def secrets_in(self, body: Any) -> list[str]:
        return sorted({k for obj in _walk(body) for k in obj if k in self.secret_properties})

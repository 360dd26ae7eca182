"""``/swagger.json?version=2|3|3.1``: the spec Azure's server generates from the inference-schema decorators.

``swagger.json`` or ``swagger2.json`` (version 2), ``swagger3.json`` and ``swagger3.1.json`` in the app root
replace the generated documents. A script whose decorators rule a version out (swagger 2 has no mixed-type
arrays) is not offered that version.

A script may also declare its schemas without inference-schema (amldeploy's no-code scripts do, from the model's
signature read in init()): ``run.__amldeploy_swagger__ = {"input": SCHEMA, "output": SCHEMA}``, two JSON
schemas of the request and response bodies. It wins over the decorators and allows every version.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("amldeploy.runtime")

# builder version → the ``version`` values that select it
VERSIONS: dict[str, tuple[str, ...]] = {"2": ("2", "2.0"), "3": ("3", "3.0"), "3.1": ("3.1",)}
ALL_SUPPORTED = ("2.0", "3.0", "3.1")
DECLARED = "__amldeploy_swagger__"  # the attribute of run() that declares its schemas

_ERROR = {"type": "object", "properties": {"message": {"type": "string"}}}
_BEARER = {"type": "apiKey", "name": "Authorization", "in": "header", "description": "For example: Bearer abc123"}
_HEALTH = "Simple health check endpoint to ensure the service is up at any given point."
_HEALTH_OK = "If service is up and running, this response will be returned with the content 'Healthy'"
_SCORE = "Run web service's model and get the prediction output"
_SCORE_OK = "The service processed the input correctly and provided a result prediction, if applicable."
_PAYLOAD = "The input payload for executing the real-time machine learning service."
_FAILED = "The service failed to execute due to an error."


class SwaggerError(Exception):
    """404 with this message."""


def _schemas(run: Callable[..., Any]) -> tuple[Any, Any, list[str]]:
    """Input schema, output schema and the swagger versions inference-schema allows for run()."""
    declared = getattr(run, DECLARED, None)
    if declared is not None:
        if isinstance(declared, dict) and isinstance(declared.get("input"), dict):
            return declared["input"], declared.get("output") or {"type": "object", "example": {}}, list(ALL_SUPPORTED)
        log.warning("run.%s is not {'input': SCHEMA, 'output': SCHEMA}; ignored", DECLARED)
    if "inference_schema.schema_util" in sys.modules:
        from inference_schema import schema_util  # type: ignore[import-untyped]

        versions = list(schema_util.get_supported_versions(run))
        if schema_util.is_schema_decorated(run):
            return schema_util.get_input_schema(run), schema_util.get_output_schema(run), versions
        return {"type": "object", "example": {}}, {"type": "object", "example": {}}, versions
    return {"type": "object", "example": {}}, {"type": "object", "example": {}}, list(ALL_SUPPORTED)


def _v2(title: str, version: str, prefix: str, service_in: Any, service_out: Any) -> dict[str, Any]:
    def failed() -> dict[str, Any]:
        return {"description": _FAILED, "schema": {"$ref": "#/definitions/ErrorResponse"}}

    return {
        "swagger": "2.0",
        "info": {
            "title": title,
            "description": f"API specification for the Azure Machine Learning service {title}",
            "version": version,
        },
        "schemes": ["https"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "securityDefinitions": {"Bearer": dict(_BEARER)},
        "paths": {
            f"{prefix}/": {
                "get": {
                    "operationId": "ServiceHealthCheck",
                    "description": _HEALTH,
                    "responses": {
                        "200": {
                            "description": _HEALTH_OK,
                            "schema": {"type": "string"},
                            "examples": {"application/json": "Healthy"},
                        },
                        "default": failed(),
                    },
                }
            },
            f"{prefix}/score": {
                "post": {
                    "operationId": "RunMLService",
                    "description": _SCORE,
                    "security": [{"Bearer": []}],
                    "parameters": [
                        {
                            "name": "serviceInputPayload",
                            "in": "body",
                            "description": _PAYLOAD,
                            "schema": {"$ref": "#/definitions/ServiceInput"},
                        }
                    ],
                    "responses": {
                        "200": {"description": _SCORE_OK, "schema": {"$ref": "#/definitions/ServiceOutput"}},
                        "default": failed(),
                    },
                }
            },
            f"{prefix}/swagger.json": {
                "get": {
                    "operationId": "GetSwaggerSpec",
                    "description": "Get the Swagger specification.",
                    "parameters": [
                        {"name": "version", "in": "query", "required": False, "type": "integer", "enum": [2, 3]}
                    ],
                    "responses": {
                        "200": {"description": "The Swagger specification.", "schema": {"type": "string"}},
                        "default": failed(),
                    },
                }
            },
        },
        "definitions": {"ServiceInput": service_in, "ServiceOutput": service_out, "ErrorResponse": dict(_ERROR)},
    }


def _v3(title: str, version: str, prefix: str, service_in: Any, service_out: Any, openapi: str) -> dict[str, Any]:
    def content(media: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {media: {"schema": schema}}

    def failed() -> dict[str, Any]:
        return {
            "description": _FAILED,
            "content": content("application/json", {"$ref": "#/components/schemas/ErrorResponse"}),
        }

    return {
        "openapi": openapi,
        "info": {
            "title": title,
            "description": f"API specification for the Azure Machine Learning service {title}",
            "version": version,
        },
        "security": [{"Bearer": []}],
        "paths": {
            f"{prefix}/": {
                "get": {
                    "operationId": "ServiceHealthCheck",
                    "description": _HEALTH,
                    "responses": {
                        "200": {
                            "description": _HEALTH_OK,
                            "content": content("text/plain", {"type": "string", "example": "Healthy"}),
                        },
                        "default": failed(),
                    },
                }
            },
            f"{prefix}/score": {
                "post": {
                    "operationId": "RunMLService",
                    "description": _SCORE,
                    "security": [{"Bearer": []}],
                    "requestBody": {
                        "description": _PAYLOAD,
                        "content": content("application/json", {"$ref": "#/components/schemas/ServiceInput"}),
                    },
                    "responses": {
                        "200": {
                            "description": _SCORE_OK,
                            "content": content("application/json", {"$ref": "#/components/schemas/ServiceOutput"}),
                        },
                        "default": failed(),
                    },
                }
            },
            f"{prefix}/swagger.json": {
                "get": {
                    "operationId": "GetSwaggerSpec",
                    "description": "Get the Swagger specification.",
                    "parameters": [
                        {
                            "name": "version",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "enum": [2, 3]},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The Swagger specification.",
                            "content": content("text/plain", {"type": "string"}),
                        },
                        "default": failed(),
                    },
                }
            },
        },
        "components": {
            "schemas": {"ServiceInput": service_in, "ServiceOutput": service_out, "ErrorResponse": dict(_ERROR)},
            "securitySchemes": {"Bearer": dict(_BEARER)},
        },
    }


def _user_file(app_root: Path, names: tuple[str, ...]) -> Any:
    for name in names:
        path = app_root / name
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            continue
        log.info("Loaded user's swagger file %s", path)
        return data
    return None


class Swagger:
    """The documents for every version, prepared once at start-up."""

    def __init__(self, app_root: Path, run: Callable[..., Any], title: str, version: str, path_prefix: str) -> None:
        prefix = f"/{path_prefix.strip('/')}" if path_prefix else ""
        service_in, service_out, allowed = _schemas(run)
        files = {"2": ("swagger.json", "swagger2.json"), "3": ("swagger3.json",), "3.1": ("swagger3.1.json",)}
        self.documents: dict[str, Any] = {}
        for builder, aliases in VERSIONS.items():
            doc = _user_file(app_root, files[builder])
            if doc is None and any(a in allowed for a in aliases):
                if builder == "2":
                    doc = _v2(title, version, prefix, service_in, service_out)
                else:
                    doc = _v3(title, version, prefix, service_in, service_out, "3.1.0" if builder == "3.1" else "3.0.3")
            if doc is not None:
                self.documents[builder] = doc
        self.supported = sorted(self.documents)

    def get(self, version: str | None) -> Any:
        version = "2" if version is None else version
        builder = next((b for b, aliases in VERSIONS.items() if version in aliases), None)
        listed = ", ".join(self.supported)
        if builder is None:
            raise SwaggerError(f"Swagger version [{version}] is not valid. Supported versions: [{listed}].")
        if builder not in self.documents:
            raise SwaggerError(
                f"Swagger version [{version}] is not supported for the scoring script. "
                f"Supported swagger versions: [{listed}]."
            )
        return self.documents[builder]

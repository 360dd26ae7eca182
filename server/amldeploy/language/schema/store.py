"""Load the JSON Schemas of the v1 file formats (the single source of the formats).

The wheel ships the repository's top-level ``schemas/`` folder as package data ``amldeploy/schemas``; an
editable install or a source checkout has no such folder inside the package, so the top-level folder next to
``server/`` is used instead.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

INFERENCE_CONFIG = "inferenceconfig.schema.json"
DEPLOYMENT_CONFIG = "deploymentconfig.schema.json"
ENVIRONMENT = "environment.schema.json"

SCHEMA_NAMES: tuple[str, ...] = (INFERENCE_CONFIG, DEPLOYMENT_CONFIG, ENVIRONMENT)

_CHECKOUT_DIR = Path(__file__).resolve().parents[4] / "schemas"


def _read_text(name: str) -> str:
    packaged = resources.files("amldeploy") / "schemas"
    if packaged.is_dir():
        return (packaged / name).read_text(encoding="utf-8")
    return (_CHECKOUT_DIR / name).read_text(encoding="utf-8")


@cache
def _load(name: str) -> dict[str, Any]:
    if name not in SCHEMA_NAMES:
        raise KeyError(f"unknown schema {name!r}; expected one of {', '.join(SCHEMA_NAMES)}")
    schema = json.loads(_read_text(name))
    if not isinstance(schema, dict):
        raise ValueError(f"schema {name} is not a JSON object")
    return schema


def load_schema(name: str) -> dict[str, Any]:
    """The schema with the given file name (``$id``), e.g. ``"inferenceconfig.schema.json"``.

    The short form ``"inferenceconfig"`` works too.

    The result is cached and shared: treat it as read-only.
    """
    if not name.endswith(".json"):
        name = f"{name}.schema.json"
    return _load(name)


def load_all() -> dict[str, dict[str, Any]]:
    """All three schemas keyed by their ``$id`` (which is also the file name)."""
    return {name: _load(name) for name in SCHEMA_NAMES}

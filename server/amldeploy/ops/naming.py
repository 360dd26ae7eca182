"""Names v1 accepted for services (``webservice_name_validation``) and models (the rule lives with the
runtime's ``--model`` parser, which may import nothing of ``ops``)."""

from __future__ import annotations

import re
from pathlib import Path

from amldeploy.runtime.model_specs import MODEL_NAME, model_name_problem

__all__ = ["MODEL_NAME", "SERVICE_NAME", "default_service_name", "model_name_problem", "service_name_problem"]

SERVICE_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def service_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid service name, or None when it is."""
    if not 3 <= len(name) <= 32:
        return f"service name '{name}' must be between 3 and 32 characters long (it has {len(name)})"
    if not SERVICE_NAME.match(name):
        return (
            f"service name '{name}' is invalid: use only lowercase letters, numbers and dashes, start with a "
            "letter and end with a letter or number"
        )
    return None


def default_service_name(config: Path) -> str:
    """A valid service name made from the folder of ``config`` (the name ``package`` and ``export`` use)."""
    folder = config.resolve().parent.name.lower()
    name = re.sub(r"[^a-z0-9-]+", "-", folder).strip("-")
    name = re.sub(r"^[^a-z]+", "", name)[:32].rstrip("-")
    return name if len(name) >= 3 else "amldeploy-service"

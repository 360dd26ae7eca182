"""Names v1 accepted for services and models (``webservice_name_validation`` and the model name rule)."""

from __future__ import annotations

import re

SERVICE_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
MODEL_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-._]{0,254}$")


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


def model_name_problem(name: str) -> str | None:
    if not MODEL_NAME.match(name):
        return (
            f"model name '{name}' is invalid: start with a letter or number, then letters, numbers, '-', "
            "'.' or '_' (at most 255 characters)"
        )
    return None

"""The models of an operation: ``--model PATH[:NAME[:VERSION]]`` (the runtime's parser: one set of rules for
``serve`` and ``deploy``) or, when no such path exists, a registered model ``NAME[:VERSION]`` (``-m`` as v1's
``az ml`` took it). Mistakes become usage errors of the command line and the language server."""

from __future__ import annotations

import os
from pathlib import Path

from amldeploy.ops.errors import EXIT_USAGE, OpsError
from amldeploy.runtime import model_specs as _specs
from amldeploy.runtime.model_specs import ModelSpec, default_model_name

__all__ = ["ModelSpec", "default_model_name", "parse_model_spec", "parse_model_specs"]

REFERENCE_HINT = "or name a registered model as NAME[:VERSION] ('amldeploy ml model list' shows them)"


def parse_model_spec(text: str, base: Path) -> ModelSpec:
    """Read one ``--model`` value; a relative PATH is relative to ``base``. Mistakes raise ``OpsError``."""
    return parse_model_specs([text], base)[0]


def parse_model_specs(values: list[str], base: Path) -> list[ModelSpec]:
    specs: list[ModelSpec] = []
    for text in values:
        try:
            specs.append(_specs.parse_model_spec(text, base))
        except _specs.ModelSpecError as exc:
            specs.append(_registered(text, exc))
    try:
        _specs.check_unique(specs)
    except _specs.ModelSpecError as exc:
        raise OpsError(exc.message, exc.hint, EXIT_USAGE) from None
    return specs


def _registered(text: str, path_error: _specs.ModelSpecError) -> ModelSpec:
    """The registered model ``text`` names; the path's own error when it names none (and looks like a path)."""
    from amldeploy.ops.registry import ModelRegistry

    refused = OpsError(path_error.message, f"{path_error.hint}, {REFERENCE_HINT}", EXIT_USAGE)
    if "/" in text or os.sep in text or not text.strip():
        raise refused
    registry = ModelRegistry()
    name = text.strip().rpartition(":")[0] or text.strip()
    if ":" in text and not text.strip().rpartition(":")[2].isdigit():
        name = text.strip()
    if name not in registry.names():
        raise refused
    return registry.verify(registry.resolve(text)).spec

"""``--model PATH[:NAME[:VERSION]]`` for operations: the runtime's parser (one set of rules for ``serve`` and
``deploy``), its mistakes turned into usage errors of the command line and the language server."""

from __future__ import annotations

from pathlib import Path

from amldeploy.ops.errors import EXIT_USAGE, OpsError
from amldeploy.runtime import model_specs as _specs
from amldeploy.runtime.model_specs import ModelSpec, default_model_name

__all__ = ["ModelSpec", "default_model_name", "parse_model_spec", "parse_model_specs"]


def parse_model_spec(text: str, base: Path) -> ModelSpec:
    """Read one ``--model`` value; a relative PATH is relative to ``base``. Mistakes raise ``OpsError``."""
    return parse_model_specs([text], base)[0]


def parse_model_specs(values: list[str], base: Path) -> list[ModelSpec]:
    try:
        return _specs.parse_model_specs(values, base)
    except _specs.ModelSpecError as exc:
        raise OpsError(exc.message, exc.hint, EXIT_USAGE) from None

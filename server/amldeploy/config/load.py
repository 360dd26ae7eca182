"""Typed loading for operations: read a config file, check it with the language core, build the model.

Operations never act on a config with errors: the same problems the editor shows stop the load, with their
positions, and warnings come back alongside the model so that the console can show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from amldeploy.config.models import (
    DeploymentConfig,
    InferenceConfig,
    parse_deployment_config,
    parse_inference_config,
)
from amldeploy.language.parse.sources import read_source
from amldeploy.language.problems import Problem, Severity
from amldeploy.language.text import DEFAULT_ENCODING, Encoding, TextIndex
from amldeploy.language.validate import Kind, validate_config

T = TypeVar("T")


def positions(
    path: Path, problems: Sequence[Problem], text: str, encoding: Encoding = DEFAULT_ENCODING
) -> list[dict[str, Any]]:
    """``problems`` of ``path`` (whose text is ``text``) as ``{path, line, column, code, message}``, 1-based,
    columns in ``encoding``'s units: what ``--output json`` and the language server's deploy answer show."""
    index = TextIndex(text, encoding) if problems else None
    items = []
    for p in problems:
        assert index is not None
        pos = index.position(p.start)
        items.append(
            {"path": str(path), "line": pos.line + 1, "column": pos.character + 1, "code": p.code, "message": p.message}
        )
    return items


def located(position: dict[str, Any]) -> str:
    """One of ``positions`` as a line: ``path:line:col: CODE message``."""
    return f"{position['path']}:{position['line']}:{position['column']}: {position['code']} {position['message']}"


class ConfigError(Exception):
    """A config that cannot be used: the message lists every error as ``path:line:col: CODE message``."""

    def __init__(self, path: Path, problems: list[Problem], text: str, reason: str = "") -> None:
        self.path = path
        self.problems = problems
        self.text = text  # for positions in another encoding (a language server's client)
        self.positions = positions(path, problems, text)
        lines = [located(p) for p in self.positions]
        super().__init__(reason or f"{path} has {len(problems)} error(s):\n" + "\n".join(lines))


@dataclass(slots=True)
class Loaded(Generic[T]):
    config: T
    path: Path
    warnings: list[Problem] = field(default_factory=list)
    text: str = ""  # the text it was read from, for the positions of its warnings

    def warning_positions(self) -> list[dict[str, Any]]:
        return positions(self.path, self.warnings, self.text)


def _load(path: Path, kind: Kind) -> tuple[object, list[Problem], str]:
    if not path.is_file():
        raise ConfigError(path, [], "", f"{path} does not exist (or is not a file)")
    source = read_source(path)
    if source.unreadable:
        raise ConfigError(path, source.problems, source.text)
    result = validate_config(source.text, path, kind)
    errors = [p for p in result.problems if p.severity == Severity.ERROR]
    if errors or result.document.root is None:
        raise ConfigError(path, errors, source.text)
    warnings = [p for p in result.problems if p.severity == Severity.WARNING]
    return result.document.root.to_python(), warnings, source.text


def load_inference_config(path: Path) -> Loaded[InferenceConfig]:
    data, warnings, text = _load(path, Kind.INFERENCE)
    return Loaded(parse_inference_config(data), path, warnings, text)


def load_deployment_config(path: Path) -> Loaded[DeploymentConfig]:
    data, warnings, text = _load(path, Kind.DEPLOYMENT)
    return Loaded(parse_deployment_config(data), path, warnings, text)

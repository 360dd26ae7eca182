"""Typed loading for operations: read a config file, check it with the language core, build the model.

Operations never act on a config with errors: the same problems the editor shows stop the load, with their
positions, and warnings come back alongside the model so that the console can show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from amldeploy.config.models import (
    DeploymentConfig,
    InferenceConfig,
    parse_deployment_config,
    parse_inference_config,
)
from amldeploy.language.problems import Problem, Severity
from amldeploy.language.sources import read_source
from amldeploy.language.text import TextIndex
from amldeploy.language.validate import Kind, validate_config

T = TypeVar("T")


class ConfigError(Exception):
    """A config that cannot be used: the message lists every error as ``path:line:col: CODE message``."""

    def __init__(self, path: Path, problems: list[Problem], text: str, reason: str = "") -> None:
        self.path = path
        self.problems = problems
        index = TextIndex(text)
        lines = []
        for p in problems:
            pos = index.position(p.start)
            lines.append(f"{path}:{pos.line + 1}:{pos.character + 1}: {p.code} {p.message}")
        super().__init__(reason or f"{path} has {len(problems)} error(s):\n" + "\n".join(lines))


@dataclass(slots=True)
class Loaded(Generic[T]):
    config: T
    path: Path
    warnings: list[Problem] = field(default_factory=list)


def _load(path: Path, kind: Kind) -> tuple[object, list[Problem]]:
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
    return result.document.root.to_python(), warnings


def load_inference_config(path: Path) -> Loaded[InferenceConfig]:
    data, warnings = _load(path, Kind.INFERENCE)
    return Loaded(parse_inference_config(data), path, warnings)


def load_deployment_config(path: Path) -> Loaded[DeploymentConfig]:
    data, warnings = _load(path, Kind.DEPLOYMENT)
    return Loaded(parse_deployment_config(data), path, warnings)

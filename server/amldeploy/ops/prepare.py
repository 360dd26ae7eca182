"""What a deploy (or a package) needs before a target acts: a valid service name, both configs loaded without
errors, the models and the target. The command line and the language server both start here.

A config with errors raises ``config.load.ConfigError`` (its ``positions`` say where); everything else the
caller can fix raises ``OpsError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from amldeploy.config.load import ConfigError, load_deployment_config, load_inference_config, located
from amldeploy.ops.errors import EXIT_FAILED, EXIT_USAGE, OpsError
from amldeploy.ops.model_specs import parse_model_specs
from amldeploy.ops.naming import service_name_problem
from amldeploy.ops.targets.base import DeployRequest, choose_target

T = TypeVar("T")


@dataclass(slots=True)
class Prepared:
    target: str  # the chosen target's name
    request: DeployRequest
    # The configs' warnings as ``{path, line, column, code, message}`` (``config.load.positions``).
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def warning_lines(self) -> list[str]:
        return [located(w) for w in self.warnings]


def prepare_deploy(
    name: str,
    inference_config: Path,
    deployment_config: Path,
    models: list[str],
    models_base: Path,
    target: str | None = None,
    port: int | None = None,
    isolated: bool = False,
    dry_run: bool = False,
) -> Prepared:
    """Check and load everything a deploy of ``name`` needs; ``models`` are ``PATH[:NAME[:VERSION]]`` with
    relative paths under ``models_base``; ``target`` forces a target, else the deployment config's
    ``computeType`` chooses."""
    problem = service_name_problem(name)
    if problem:
        raise OpsError(problem, "choose a name like 'sklearn-demo'", EXIT_USAGE)
    try:
        inference = _named(load_inference_config, inference_config, "inference config")
        deployment = _named(load_deployment_config, deployment_config, "deployment config")
    except ValueError as exc:  # the typed model refused what the rules let through: still the config's fault
        raise OpsError(f"the config cannot be used: {exc}", "run 'amldeploy validate' on it", EXIT_FAILED) from exc
    warnings = inference.warning_positions() + deployment.warning_positions()
    specs = parse_model_specs(models, models_base)
    chosen = choose_target(deployment.config.compute_type, target, available_only=not dry_run)
    return Prepared(chosen, DeployRequest(name, inference, deployment, specs, port, isolated), warnings)


def _named(load: Callable[[Path], T], path: Path, what: str) -> T:
    """A missing file says which of the two configs it was meant to be."""
    try:
        return load(path)
    except ConfigError as exc:
        if exc.problems:
            raise
        raise ConfigError(path, [], "", f"the {what} {path} does not exist (or is not a file)") from None

"""What a deploy (or a package) needs before a target acts: a valid service name, both configs loaded without
errors, the models and the target. The command line and the language server both start here.

Without an inference config, a model registered with a framework (ScikitLearn, Onnx, TensorFlow) is deployed
with a generated one (``ops.nocode``: v1's no-code deployment); without a deployment config too, it runs with
``{"computeType": "local"}``. ``Prepared.notes`` says so.

A config with errors raises ``config.load.ConfigError`` (its ``positions`` say where); everything else the
caller can fix raises ``OpsError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from amldeploy.config.load import ConfigError, load_deployment_config, load_inference_config, located
from amldeploy.ops.errors import EXIT_FAILED, EXIT_USAGE, OpsError
from amldeploy.ops.model_specs import ModelSpec, parse_model_specs
from amldeploy.ops.naming import service_name_problem
from amldeploy.ops.nocode import Generated, canonical_framework, generate
from amldeploy.ops.targets.base import DeployRequest, choose_target

T = TypeVar("T")


@dataclass(slots=True)
class Prepared:
    target: str  # the chosen target's name
    request: DeployRequest
    # The configs' warnings as ``{path, line, column, code, message}`` (``config.load.positions``).
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # What amldeploy chose for the user (a generated inference config, a local deployment config): shown as notes.
    notes: list[str] = field(default_factory=list)
    generated: Generated | None = None  # the no-code files, when no inference config was given

    @property
    def warning_lines(self) -> list[str]:
        return [located(w) for w in self.warnings]


def prepare_deploy(
    name: str,
    inference_config: Path | None,
    deployment_config: Path | None,
    models: list[str],
    models_base: Path,
    target: str | None = None,
    port: int | None = None,
    isolated: bool = False,
    dry_run: bool = False,
    model_framework: str | None = None,
    model_framework_version: str | None = None,
) -> Prepared:
    """Check and load everything a deploy of ``name`` needs; ``models`` are ``PATH[:NAME[:VERSION]]`` with
    relative paths under ``models_base``; ``target`` forces a target, else the deployment config's
    ``computeType`` chooses. Without ``inference_config`` the no-code files are generated (``ops.nocode``);
    ``model_framework`` (``--model-framework``) gives the framework of a model given by path."""
    problem = service_name_problem(name)
    if problem:
        raise OpsError(problem, "choose a name like 'sklearn-demo'", EXIT_USAGE)
    notes: list[str] = []
    generated: Generated | None = None
    specs: list[ModelSpec] | None = None
    if inference_config is None:
        specs = model_specs(models, models_base, model_framework, model_framework_version)
        generated = generate(specs)
        inference_config = generated.inference_config
        notes.append(generated.summary)
        if deployment_config is None:
            deployment_config = generated.deployment_config
            notes.append("no deployment config given: deploying with computeType local (give --dc for another)")
    elif deployment_config is None:
        raise OpsError(
            "--ic was given without --dc",
            "give the deployment config too (--dc deploymentconfig.json); only a no-code deployment (no --ic) "
            "defaults to computeType local",
            EXIT_USAGE,
        )
    try:
        inference = _named(load_inference_config, inference_config, "inference config")
        deployment = _named(load_deployment_config, deployment_config, "deployment config")
    except ValueError as exc:  # the typed model refused what the rules let through: still the config's fault
        raise OpsError(f"the config cannot be used: {exc}", "run 'amldeploy validate' on it", EXIT_FAILED) from exc
    warnings = inference.warning_positions() + deployment.warning_positions()
    if specs is None:
        specs = model_specs(models, models_base, model_framework, model_framework_version)
    chosen = choose_target(deployment.config.compute_type, target, available_only=not dry_run)
    request = DeployRequest(name, inference, deployment, specs, port, isolated)
    return Prepared(chosen, request, warnings, notes, generated)


def model_specs(
    values: list[str], base: Path, framework: str | None = None, framework_version: str | None = None
) -> list[ModelSpec]:
    """The ``--model`` values, with ``--model-framework`` / ``--model-framework-version`` given to the one model
    they can describe."""
    specs = parse_model_specs(values, base)
    if framework is None and framework_version is None:
        return specs
    if len(specs) != 1:
        raise OpsError(
            f"--model-framework describes one model, and {len(specs)} were given",
            "give exactly one --model with it (a registered model keeps the framework it was registered with)",
            EXIT_USAGE,
        )
    spec = specs[0]
    if framework is None and spec.framework is None:
        raise OpsError(
            "--model-framework-version needs --model-framework",
            "add --model-framework ScikitLearn|Onnx|TensorFlow",
            EXIT_USAGE,
        )
    chosen = canonical_framework(framework) if framework is not None else spec.framework
    version = framework_version if framework_version is not None else spec.framework_version
    return [replace(spec, framework=chosen, framework_version=version)]


def _named(load: Callable[[Path], T], path: Path, what: str) -> T:
    """A missing file says which of the two configs it was meant to be."""
    try:
        return load(path)
    except ConfigError as exc:
        if exc.problems:
            raise
        raise ConfigError(path, [], "", f"the {what} {path} does not exist (or is not a file)") from None

"""``export`` from start to end, for the command line and the language server alike: load both configs (a
config with errors raises ``config.load.ConfigError``), map them, write the folder and its MIGRATION.md."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from amldeploy.config.load import ConfigError, Loaded, load_deployment_config, load_inference_config, located
from amldeploy.config.models import DeploymentConfig, InferenceConfig
from amldeploy.ops.errors import EXIT_FAILED, EXIT_USAGE, OpsError
from amldeploy.ops.export.fates import Fate
from amldeploy.ops.export.files import MIGRATION, check_output_dir, migration_markdown, write_output
from amldeploy.ops.export.iot_edge import MANIFEST_FILE, export_iot_edge
from amldeploy.ops.export.v2 import DEPLOYMENT_FILE, ENDPOINT_FILE, export_v2
from amldeploy.ops.model_specs import parse_model_specs
from amldeploy.ops.naming import default_service_name, service_name_problem


@dataclass(slots=True)
class Exported:
    kind: str  # "v2" or "iot-edge"
    output_dir: Path
    files: list[Path]  # what was written, the main file(s) first
    fates: list[Fate]
    notes: list[str]
    warnings: list[str] = field(default_factory=list)  # the configs' warnings, located
    details: dict[str, Any] = field(default_factory=dict)  # endpoint, deployment, kind, image...

    @property
    def dropped(self) -> list[Fate]:
        return [f for f in self.fates if f.dropped]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "outputDir": str(self.output_dir),
            "files": [str(p) for p in self.files],
            "mapped": [f.to_json() for f in self.fates if not f.dropped],
            "dropped": [f.to_json() for f in self.dropped],
            "notes": self.notes,
            "warnings": self.warnings,
            **self.details,
        }


def _load(ic: Path, dc: Path) -> tuple[Loaded[InferenceConfig], Loaded[DeploymentConfig], list[str]]:
    try:
        inference = _named(load_inference_config, ic, "inference config")
        deployment = _named(load_deployment_config, dc, "deployment config")
    except ValueError as exc:  # the typed model refused what the rules let through
        raise OpsError(f"the config cannot be used: {exc}", "run 'amldeploy validate' on it", EXIT_FAILED) from exc
    warnings = [located(w) for w in inference.warning_positions() + deployment.warning_positions()]
    return inference, deployment, warnings


def _named(load: Any, path: Path, what: str) -> Any:
    try:
        return load(path)
    except ConfigError as exc:
        if exc.problems:
            raise
        message = f"the {what} {path} does not exist (or is not a file)"
        raise OpsError(message, f"give the path of the {what}", EXIT_USAGE) from None


def _name(given: str | None, ic: Path, what: str) -> str:
    name = given or default_service_name(ic)
    problem = service_name_problem(name)
    if problem:
        raise OpsError(problem.replace("service name", f"{what} name"), "choose a name like 'sklearn-demo'", EXIT_USAGE)
    return name


def export_v2_files(
    ic: Path,
    dc: Path,
    models: list[str],
    models_base: Path,
    output_dir: Path,
    endpoint: str | None = None,
    deployment: str | None = None,
    compute: str | None = None,
) -> Exported:
    """Write the v2 export of ``ic`` + ``dc`` into ``output_dir``; ``endpoint`` defaults to the config's folder."""
    check_output_dir(output_dir)
    inference, loaded_dc, warnings = _load(ic, dc)
    name = _name(endpoint, ic, "endpoint")
    specs = parse_model_specs(models, models_base)
    result = export_v2(inference, loaded_dc, specs, output_dir, name, deployment, compute)
    kind = "managed" if result.kind == "managed" else "Kubernetes"
    files = {
        ENDPOINT_FILE: _yaml(result.endpoint),
        DEPLOYMENT_FILE: _yaml(result.deployment),
        **result.files,
    }
    dep_name = result.deployment["name"]
    traffic = "" if "traffic" in result.endpoint else " --all-traffic"
    next_steps = [
        f"`az ml online-endpoint create -f {ENDPOINT_FILE}` (in this folder; add `-g GROUP -w WORKSPACE`)",
        f"`az ml online-deployment create -f {DEPLOYMENT_FILE}{traffic}`",
        f"`az ml online-endpoint invoke -n {name} --request-file REQUEST.json` to score",
    ]
    intro = [
        f"`amldeploy export v2` wrote this folder from `{inference.path}` and `{loaded_dc.path}`: the online "
        f"endpoint `{name}` ({ENDPOINT_FILE}) and its {kind} deployment `{dep_name}` ({DEPLOYMENT_FILE}), which runs "
        "the same entry script with the same `init()`/`run()` contract.",
    ]
    files[MIGRATION] = migration_markdown(
        f"Migrating {name} to Azure ML v2", intro, result.fates, result.notes, next_steps
    ).encode()
    written = write_output(output_dir, files, result.copies)
    details = {"endpoint": name, "deployment": dep_name, "deploymentKind": result.kind}
    return Exported("v2", output_dir, written, result.fates, result.notes, warnings, details)


def export_iot_edge_files(
    ic: Path,
    dc: Path,
    models: list[str],
    models_base: Path,
    output_dir: Path,
    root: Path,
    name: str | None = None,
    registry: str | None = None,
    image: str | None = None,
    port: int | None = None,
) -> Exported:
    """Write the IoT Edge deployment manifest of ``ic`` + ``dc`` into ``output_dir``."""
    if registry and image:
        raise OpsError("give --registry or --image, not both", "--image names the whole reference", EXIT_USAGE)
    check_output_dir(output_dir)
    inference, loaded_dc, warnings = _load(ic, dc)
    module = _name(name, ic, "module")
    specs = parse_model_specs(models, models_base)
    result = export_iot_edge(module, inference, loaded_dc, specs, root, registry, image, port)
    model_args = "".join(f" --model {m}" for m in models)
    repo = result.image.rsplit(":", 1)[0]
    next_steps = [
        f"build and push the image: `amldeploy package --ic {ic} --name {module}{model_args} --image {repo} --push`",
        "expand the registry references, e.g. `envsubst < deployment.json > deployment.expanded.json`",
        f"`az iot edge set-modules --hub-name HUB --device-id DEVICE --content {MANIFEST_FILE}`",
    ]
    intro = [
        f"`amldeploy export iot-edge` wrote `{MANIFEST_FILE}` from `{inference.path}` and `{loaded_dc.path}`: "
        f"the module `{module}` runs `{result.image}`, the image `amldeploy package` builds (content tag "
        f"`{result.content_tag}`).",
    ]
    files = {
        MANIFEST_FILE: (json.dumps(result.manifest, indent=2) + "\n").encode(),
        MIGRATION: migration_markdown(
            f"Running {module} on Azure IoT Edge", intro, result.fates, result.notes, next_steps
        ).encode(),
    }
    written = write_output(output_dir, files)
    details = {"module": module, "image": result.image, "contentTag": result.content_tag}
    return Exported("iot-edge", output_dir, written, result.fates, result.notes, warnings, details)


def _yaml(doc: dict[str, Any]) -> bytes:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120).encode()

"""Registered models on the process target: ``-m NAME:VERSION`` deploys the stored bytes in v1's layout, and
the registry refuses to delete a version while the service runs it."""

from __future__ import annotations

import json
from pathlib import Path

from amldeploy.ops.registry import ModelRegistry
from tests.python.ops.conftest import SAMPLE, Cli


def test_deploy_a_registered_version_then_delete_it(cli: Cli, project: Path, tmp_path: Path) -> None:
    store = tmp_path / "registry"
    registry = ModelRegistry(store)
    registry.register("sklearn_mnist", project / "model.joblib", tags=["area=mnist"])
    (project / "model.joblib").unlink()  # what runs is the registry's copy
    env = {"AMLDEPLOY_MODEL_REGISTRY": str(store)}

    deployed = cli(
        "deploy", "reg-svc", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "-m", "sklearn_mnist:1",
        **env,
    )  # fmt: skip
    assert deployed.status == 0, deployed.both
    shown = cli("show", "reg-svc", "--output", "json", **env).json()
    assert [(m["name"], m["version"]) for m in shown["models"]] == [("sklearn_mnist", 1)]
    scored = cli("score", "reg-svc", "--data", SAMPLE, **env)
    assert scored.status == 0 and scored.out.startswith("HTTP 200"), scored.both
    logs = cli("logs", "reg-svc", **env).out
    assert "azureml-models/sklearn_mnist/1" in logs  # AZUREML_MODEL_DIR, v1's layout

    model = registry.get("sklearn_mnist", 1)
    assert [u.service for u in registry.uses(model)] == ["reg-svc"]
    refused = registry.uses(model)
    assert refused and refused[0].folder == str(project.resolve())

    missing = cli(
        "deploy", "reg-2", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "-m", "nope:1", **env
    )
    assert missing.status == 2 and "registered model" in missing.err

    assert cli("delete", "reg-svc", **env).status == 0
    assert registry.uses(model) == []
    registry.delete("sklearn_mnist", 1)
    assert json.loads(json.dumps([m.to_json() for m in registry.list()])) == []

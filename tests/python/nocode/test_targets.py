"""The generated inference config goes to every target like any other: the Kubernetes and ACI targets' dry runs
(which contact nothing) show the service image built from the generated files, whose environment pins the
registered framework version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.python.cli_run import Cli

NO_CLOUD = {
    "KUBECONFIG": "missing-kubeconfig",
    "AMLDEPLOY_ARM_ENDPOINT": "https://127.0.0.1:9",
    "AZURE_AUTHORITY_HOST": "https://127.0.0.1:9",
}


def image_of(result: Any, kind: str) -> str:
    assert result.status == 0, result.both[-3000:]
    objects = result.json()["objects"]
    if kind == "aci":
        return str(objects[0]["properties"]["containers"][0]["properties"]["image"])
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    return str(deployment["spec"]["template"]["spec"]["containers"][0]["image"])


def test_kubernetes_and_aci_dry_runs_take_the_generated_config(cli: Cli, project: Path, sklearn_model: Path) -> None:
    (project / "aks.json").write_text(json.dumps({"computeType": "AKS", "numReplicas": 1}), encoding="utf-8")
    (project / "aci.json").write_text(json.dumps({"computeType": "ACI"}), encoding="utf-8")
    model = ["-m", f"{sklearn_model}:iris:1", "--model-framework", "ScikitLearn"]

    def aks(version: str) -> str:
        args = [*model, "--model-framework-version", version, "--dc", "aks.json", "--dry-run", "--output", "json"]
        result = cli("deploy", "iris-aks", *args, **NO_CLOUD)
        assert f"scikit-learn=={version}" in result.json()["notes"][0]
        return image_of(result, "kubernetes")

    first, again, other = aks("1.5.2"), aks("1.5.2"), aks("1.6.1")
    assert first.startswith("iris-aks:") and first == again != other  # the pinned version is in the image

    aci = cli(
        "deploy", "iris-aci", *model, "--dc", "aci.json", "--dry-run", "--output", "json",
        "--subscription", "sub-1", "--resource-group", "rg-1", "--registry", "myacr.azurecr.io/team", **NO_CLOUD,
    )  # fmt: skip
    assert image_of(aci, "aci").startswith("myacr.azurecr.io/team/iris-aci:")

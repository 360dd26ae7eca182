"""The v1 command lines, as scripts wrote them, on the Kubernetes target of a real cluster with a node
(``kube_cluster``): a compute target attached from an AKS resource id (the test's context and namespace), then
register → deploy ``--ct`` → run → get-logs → get-keys → update with version 2 → list → delete, through
``amldeploy ml`` as a user runs it. The shell has no kubeconfig of its own: the service commands after the deploy
find the service through the compute target it was deployed to, as v1 found it through the workspace."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client

from tests.infra.kube_cluster import KubeCluster
from tests.python.cli_run import EXAMPLE, Result, example_project, run_amldeploy

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SAMPLE = (EXAMPLE / "sample-request.json").read_text(encoding="utf-8").strip()
AKS = {
    "computeType": "AKS",
    "numReplicas": 1,
    "authEnabled": True,
    "containerResourceRequirements": {"cpu": 0.1, "memoryInGB": 0.5},
}
RESOURCE_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-rg"
    "/providers/Microsoft.ContainerService/managedClusters/{cluster}"
)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    yield example_project(tmp_path / "project", {"deploymentconfig.aks.json": AKS})


class Ml:
    """``python -m amldeploy ml ARGS...`` in the project: the test engine builds and pushes, nothing else of
    the machine's environment (no KUBECONFIG: the compute target record names the cluster)."""

    def __init__(self, project: Path, env: dict[str, str]) -> None:
        self.project, self.env = project, env

    def __call__(self, *args: str, timeout: float = 900) -> Result:
        return run_amldeploy(("ml", *args), self.project, self.env, timeout)


@pytest.fixture
def ml(project: Path, tmp_path: Path, kube_cluster: KubeCluster) -> Ml:
    engine = kube_cluster.env
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "DOCKER_", "KUBE", "AZURE_"))}
    env.update(
        KUBECONFIG=str(tmp_path / "no-kubeconfig"),
        DOCKER_HOST=engine["DOCKER_HOST"],
        AMLDEPLOY_DOCKER_BASE_IMAGE=engine["AMLDEPLOY_TEST_BASE_IMAGE"],
        AMLDEPLOY_DOCKER_CA_BUNDLE=str(CA_BUNDLE),
        AMLDEPLOY_REGISTRY=f"{engine['AMLDEPLOY_TEST_REGISTRY']}/amldeploy-ml-test",
        AMLDEPLOY_MODEL_REGISTRY=str(tmp_path / "models"),
        AMLDEPLOY_DATA_DIR=str(tmp_path / "data"),
    )
    return Ml(project, env)


def deployments(kube_cluster: KubeCluster, namespace: str) -> list[str]:
    with kube_cluster.api_client() as api:
        found = client.AppsV1Api(api).list_namespaced_deployment(namespace)
    return [d.metadata.name for d in found.items]


def test_the_v1_lines_on_an_attached_aks_cluster(
    ml: Ml, project: Path, kube_cluster: KubeCluster, namespace: str
) -> None:
    service = f"mlaks-{uuid.uuid4().hex[:6]}"
    model = "sklearn_mnist"
    registered = ml("model", "register", "-n", model, "--asset-path", "outputs/model.joblib", "--tag", "area=mnist")
    assert registered.status == 0, registered.both
    assert registered.json()["version"] == 1
    attached = ml(
        "computetarget", "attach", "aks", "-n", "myaks", "-i", RESOURCE_ID.format(cluster="prod-aks"),
        "-g", "ml-rg", "-w", "ml-ws", "--context", kube_cluster.context, "--namespace", namespace,
        "--kubeconfig", str(kube_cluster.kubeconfig),
    )  # fmt: skip
    assert attached.status == 0, attached.both
    assert "ignored: -w/--workspace-name ml-ws" in attached.err

    try:
        deployed = ml(
            "model", "deploy", "-n", service, "-m", f"{model}:1", "--ic", "inferenceconfig.json",
            "--dc", "deploymentconfig.aks.json", "--ct", "myaks",
        )  # fmt: skip
        assert deployed.status == 0, deployed.both[-4000:]
        shown = deployed.json()
        assert shown["target"] == "kubernetes" and shown["state"] == "Healthy", shown
        assert [(m["name"], m["version"]) for m in shown["models"]] == [(model, 1)]
        assert deployments(kube_cluster, namespace) == [service]  # the record's namespace

        answer = ml("service", "run", "-n", service, "-d", SAMPLE)
        assert answer.status == 0, answer.both
        prediction = answer.json()
        assert isinstance(prediction, list) and len(prediction) == 1 and isinstance(prediction[0], float)

        logs = ml("service", "get-logs", "-n", service)
        assert logs.status == 0, logs.both
        assert f"azureml-models/{model}/1/model.joblib" in logs.out, logs.both

        keys = ml("service", "get-keys", "-n", service)
        assert keys.status == 0, keys.both
        pair = keys.json()
        assert len(pair["primaryKey"]) >= 32 and pair["primaryKey"] != pair["secondaryKey"]

        again = ml("model", "register", "-n", model, "--asset-path", "outputs/model.joblib", "--tag", "area=mnist")
        assert again.status == 0 and again.json()["version"] == 2, again.both
        updated = ml("service", "update", "-n", service, "-m", f"{model}:2")
        assert updated.status == 0, updated.both[-4000:]
        assert [m["version"] for m in updated.json()["models"]] == [2]
        assert ml("service", "run", "-n", service, "-d", SAMPLE).json() == prediction  # the same bytes
        assert f"azureml-models/{model}/2/model.joblib" in ml("service", "get-logs", "-n", service).out
        assert ml("service", "get-keys", "-n", service).json() == pair  # an update keeps the keys

        secondary = "regeneratedSecondary0123456789abcdef"
        regen = ml("service", "regen-key", "-n", service, "-k", "Secondary", "-s", secondary)
        assert regen.status == 0, regen.both[-4000:]
        assert regen.json() == {"primaryKey": pair["primaryKey"], "secondaryKey": secondary}
        assert ml("service", "get-keys", "-n", service).json() == regen.json()  # the cluster's Secret has it
        assert ml("service", "run", "-n", service, "-d", SAMPLE).json() == prediction

        table = ml("service", "list", "-o", "table")
        assert table.status == 0, table.both
        row = [line for line in table.out.splitlines() if service in line]
        assert row and "Healthy" in row[0], table.out

        assert ml("model", "delete", "-i", f"{model}:2").status == 1  # in use by the service
        deleted = ml("service", "delete", "-n", service)
        assert deleted.status == 0, deleted.both
        assert deployments(kube_cluster, namespace) == []
        assert service not in ml("service", "list").out
        assert ml("model", "delete", "-i", f"{model}:2").status == 0
    finally:
        ml("service", "delete", "-n", service, timeout=120)

"""No-code deployment on a real Kubernetes cluster (tests/infra/kubernetes/, the ``kube_cluster`` fixture): the
generated service image is built on the test engine, pushed to its registry, rolled out, and scored through a
port-forward with v1's request shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from amldeploy.ops.prepare import prepare_deploy
from amldeploy.ops.reporter import RecordingReporter
from amldeploy.ops.scoring import score
from amldeploy.ops.states import State
from amldeploy.ops.targets.kubernetes.target import KubernetesTarget
from tests.infra.kube_cluster import KubeCluster
from tests.python.docker.fixtures_target import CA_BUNDLE
from tests.python.kubernetes.conftest import kube_api, kube_cluster, namespace
from tests.python.nocode.conftest import ROWS, sklearn_version

__all__ = ["kube_api", "kube_cluster", "namespace"]  # fixtures, used by name

AKS = {"computeType": "AKS", "numReplicas": 1, "containerResourceRequirements": {"cpu": 0.5, "memoryInGB": 0.5}}


@pytest.fixture
def target(
    kube_cluster: KubeCluster, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KubernetesTarget]:
    env = kube_cluster.env
    monkeypatch.setenv("DOCKER_HOST", env["DOCKER_HOST"])
    monkeypatch.setenv("AMLDEPLOY_DOCKER_BASE_IMAGE", env["AMLDEPLOY_TEST_BASE_IMAGE"])
    monkeypatch.setenv("AMLDEPLOY_DOCKER_CA_BUNDLE", str(CA_BUNDLE))
    monkeypatch.setenv("AMLDEPLOY_REGISTRY", f"{env['AMLDEPLOY_TEST_REGISTRY']}/amldeploy-test")
    monkeypatch.setenv("AMLDEPLOY_CACHE_DIR", str(tmp_path / "cache"))
    from amldeploy.ops.targets.docker import engine

    engine.forget()
    target = KubernetesTarget(tmp_path)
    target.configure(
        {
            "kubernetes.context": kube_cluster.context,
            "kubernetes.kubeconfig": str(kube_cluster.kubeconfig),
            "kubernetes.namespace": namespace,
        }
    )
    yield target


def test_a_scikit_learn_model_rolls_out_and_scores(
    target: KubernetesTarget, tmp_path: Path, sklearn_model: Path, classifier: LogisticRegression
) -> None:
    (tmp_path / "aks.json").write_text(json.dumps(AKS), encoding="utf-8")
    prepared = prepare_deploy(
        "iris-k8s", None, tmp_path / "aks.json", [f"{sklearn_model}:iris:1"], tmp_path, "kubernetes",
        model_framework="ScikitLearn", model_framework_version=sklearn_version(),
    )  # fmt: skip
    assert prepared.notes and "ScikitLearn model iris:1" in prepared.notes[0]
    service = target.deploy(prepared.request, RecordingReporter())
    assert service.state is State.HEALTHY, service.error

    answer = score("iris-k8s", json.dumps({"data": ROWS}).encode(), tmp_path, settings=dict(target.settings))
    assert answer.status == 200, answer.body
    assert json.loads(answer.body) == classifier.predict(np.asarray(ROWS)).tolist()
    target.delete("iris-k8s", RecordingReporter())

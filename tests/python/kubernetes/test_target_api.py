"""The Kubernetes target against a real API server (v1.20.2, tests/infra/kubernetes/; no pods run here): the
objects a deploy creates for a set of deployment configs, a redeploy, a delete, a namespace it creates, and the
errors of a user RBAC forbids. The rollout itself is the pod-level tests' (``kube_cluster``)."""

from __future__ import annotations

import base64
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from amldeploy.ops.errors import OpsError
from amldeploy.ops.keys import generate_keys
from amldeploy.ops.prepare import prepare_deploy
from amldeploy.ops.reporter import RecordingReporter
from amldeploy.ops.service import Service
from amldeploy.ops.states import State
from amldeploy.ops.targets.kubernetes import apply as ap
from amldeploy.ops.targets.kubernetes import manifests as mf
from amldeploy.ops.targets.kubernetes.cluster import Cluster, ClusterOptions, connect
from amldeploy.ops.targets.kubernetes.spec import KubeSpec
from amldeploy.ops.targets.kubernetes.target import KubernetesTarget
from tests.infra.kube_cluster import KubeCluster
from tests.python.cli_run import EXAMPLE

# On loopback: a node that tries to pull it sends nothing out.
IMAGE = "127.0.0.1:9/amldeploy-test/sklearn-demo:0123456789ab"
PRIMARY = "apiPrimaryKey0123456789ABCDEFGHI"
SECONDARY = "apiSecondaryKey0123456789ABCDEFG"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("inferenceconfig.json", "score.py", "environment.yml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    (tmp_path / "model.joblib").write_bytes(b"model")
    return tmp_path


@pytest.fixture
def settings(kube_api: KubeCluster) -> dict[str, str | None]:
    return {"kubernetes.context": kube_api.context, "kubernetes.kubeconfig": str(kube_api.kubeconfig)}


@pytest.fixture
def target(project: Path, settings: dict[str, str | None], monkeypatch: pytest.MonkeyPatch) -> KubernetesTarget:
    # Without a node nothing rolls out: the deploy ends once its objects are applied.
    def applied(self: KubernetesTarget, cluster: Cluster, name: str, namespace: str, reporter: Any) -> Service:
        deployment = ap.get(cluster, "apps/v1", "Deployment", namespace, name)
        assert deployment is not None
        return self._describe(cluster, deployment)

    monkeypatch.setattr(KubernetesTarget, "_wait", applied)
    target = KubernetesTarget(project)
    target.configure(settings)
    return target


@pytest.fixture
def core(kube_api: KubeCluster) -> Iterator[Any]:
    with kube_api.api_client() as api:
        yield api


def deploy(target: KubernetesTarget, project: Path, config: str, namespace: str | None, **fields: Any) -> Service:
    (project / "deploymentconfig.json").write_text(config, encoding="utf-8")
    prepared = prepare_deploy(
        "sklearn-demo",
        project / "inferenceconfig.json",
        project / "deploymentconfig.json",
        ["model.joblib"],
        project,
        "kubernetes",
    )
    request = prepared.request
    request.image = fields.pop("image", IMAGE)
    if namespace:
        # Other tests' namespaces may still be going, with their own sklearn-demo: look only in this one.
        target.configure({**target.settings, "kubernetes.namespace": namespace})
    request.settings.update(fields)
    return target.deploy(request, RecordingReporter())


def read(api: Any, namespace: str) -> dict[str, Any]:
    path = f"/apis/autoscaling/v2beta2/namespaces/{namespace}/horizontalpodautoscalers"
    hpas = api.call_api(*api.param_serialize("GET", path, auth_settings=["BearerToken"]))
    hpas.read()
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    selector = mf.selector("sklearn-demo")
    return {
        "deployments": apps.list_namespaced_deployment(namespace, label_selector=selector).items,
        "services": core.list_namespaced_service(namespace, label_selector=selector).items,
        "secrets": core.list_namespaced_secret(namespace, label_selector=selector).items,
        "hpas": json.loads(hpas.data)["items"],
    }


AUTOSCALED = f"""{{
  "computeType": "AKS",
  "autoScaler": {{"autoscaleEnabled": true, "minReplicas": 2, "maxReplicas": 6, "targetUtilization": 55}},
  "containerResourceRequirements": {{"cpu": 0.25, "cpuLimit": 1, "memoryInGB": 0.5, "memoryInGBLimit": 1}},
  "gpuCores": 1,
  "keys": {{"primaryKey": "{PRIMARY}", "secondaryKey": "{SECONDARY}"}}
}}"""


def test_a_deploy_creates_every_object_as_specified(
    target: KubernetesTarget, project: Path, namespace: str, core: Any
) -> None:
    service = deploy(target, project, AUTOSCALED, namespace)
    assert service.name == "sklearn-demo" and service.target == "kubernetes"
    # Without a node nothing runs; with one, no node has the GPU asked for.
    assert service.state in (State.TRANSITIONING, State.UNSCHEDULABLE)
    found = read(core, namespace)
    [deployment] = found["deployments"]
    assert deployment.spec.replicas == 2
    [container] = deployment.spec.template.spec.containers
    assert container.image == IMAGE
    assert container.resources.requests == {"cpu": "250m", "memory": "512Mi"}
    assert container.resources.limits == {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"}
    assert container.liveness_probe.initial_delay_seconds == 310
    env = {e.name: e for e in container.env}
    assert env["AMLDEPLOY_AUTH_ENABLED"].value == "true"
    assert env["AMLDEPLOY_PRIMARY_KEY"].value_from.secret_key_ref.name == "sklearn-demo-keys"
    [svc] = found["services"]
    assert svc.spec.type == "ClusterIP" and svc.spec.cluster_ip
    [secret] = found["secrets"]
    assert base64.b64decode(secret.data["primaryKey"]).decode() == PRIMARY
    [hpa] = found["hpas"]  # 1.20 serves no autoscaling/v2: written in the newest it has
    assert {f["apiVersion"] for f in hpa["metadata"]["managedFields"]} == {"autoscaling/v2beta2"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6)
    assert hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 55
    assert target.keys("sklearn-demo").primary == PRIMARY
    assert target.get("sklearn-demo").details["namespace"] == namespace
    assert "sklearn-demo" in [s.name for s in target.list()]


def test_a_redeploy_updates_in_place_keeps_generated_keys_and_drops_what_is_gone(
    target: KubernetesTarget, project: Path, namespace: str, core: Any
) -> None:
    deploy(target, project, '{"computeType": "AKS"}', namespace, **{"kubernetes.serviceType": "LoadBalancer"})
    first = read(core, namespace)
    keys = target.keys("sklearn-demo")
    assert len(first["hpas"]) == 1
    deploy(target, project, '{"computeType": "AKS", "numReplicas": 3, "authEnabled": false}', namespace)
    second = read(core, namespace)
    assert second["deployments"][0].metadata.uid == first["deployments"][0].metadata.uid
    assert second["deployments"][0].metadata.generation > first["deployments"][0].metadata.generation
    assert second["deployments"][0].spec.replicas == 3
    assert second["services"][0].spec.cluster_ip == first["services"][0].spec.cluster_ip
    assert second["services"][0].spec.type == "ClusterIP"
    assert second["hpas"] == []  # numReplicas turned the autoscaler off
    assert target.keys("sklearn-demo") == keys  # the clients' keys survive a redeploy


def test_delete_removes_every_object_of_the_service(
    target: KubernetesTarget, project: Path, namespace: str, core: Any
) -> None:
    deploy(target, project, AUTOSCALED, namespace)
    target.delete("sklearn-demo", RecordingReporter())
    assert read(core, namespace) == {"deployments": [], "services": [], "secrets": [], "hpas": []}
    with pytest.raises(OpsError, match="there is no service named 'sklearn-demo'"):
        target.get("sklearn-demo")


def test_the_configs_namespace_is_created_when_missing(target: KubernetesTarget, project: Path, core: Any) -> None:
    wanted = f"t-{uuid.uuid4().hex[:10]}"
    try:
        deploy(target, project, f'{{"computeType": "AKS", "numReplicas": 1, "namespace": "{wanted}"}}', None)
        assert client.CoreV1Api(core).read_namespace(wanted).metadata.labels["app.kubernetes.io/managed-by"] == (
            "amldeploy"
        )
        assert len(read(core, wanted)["deployments"]) == 1
    finally:
        client.CoreV1Api(core).delete_namespace(wanted, _preload_content=False).release_conn()


def impersonating(kube_api: KubeCluster, user: str) -> Cluster:
    """A ``Cluster`` acting as ``user`` (the admin may impersonate anyone)."""
    cluster = connect(ClusterOptions(kube_api.context, str(kube_api.kubeconfig)))
    cluster.api.set_default_header("Impersonate-User", user)
    return cluster


def test_a_user_rbac_forbids_gets_the_verb_and_resource_named(kube_api: KubeCluster, namespace: str) -> None:
    cluster = impersonating(kube_api, "amldeploy-test-nobody")
    spec_items = mf.objects(
        mf.Inputs(
            "sklearn-demo",
            namespace,
            IMAGE,
            KubeSpec("AKS", 1, None),
            generate_keys(),
        )
    )
    with pytest.raises(OpsError) as caught:
        ap.apply_objects(cluster, spec_items, RecordingReporter())
    message = caught.value.message
    assert "forbids to get secrets in the namespace" in message or "forbids to create secrets" in message
    assert 'User "amldeploy-test-nobody" cannot' in message
    assert caught.value.hint is not None and "Role" in caught.value.hint
    cluster.close()


def test_a_missing_namespace_the_user_may_not_create_is_named(kube_api: KubeCluster, core: Any) -> None:
    rbac = client.RbacAuthorizationV1Api(core)
    name = f"amldeploy-test-reader-{uuid.uuid4().hex[:6]}"
    role = client.V1ClusterRole(
        metadata=client.V1ObjectMeta(name=name),
        rules=[client.V1PolicyRule(api_groups=[""], resources=["namespaces"], verbs=["get"])],
    )
    binding = client.V1ClusterRoleBinding(
        metadata=client.V1ObjectMeta(name=name),
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="ClusterRole", name=name),
        subjects=[client.RbacV1Subject(kind="User", name=name, api_group="rbac.authorization.k8s.io")],
    )
    rbac.create_cluster_role(role)
    rbac.create_cluster_role_binding(binding)
    cluster = impersonating(kube_api, name)
    try:
        with pytest.raises(OpsError) as caught:
            ap.ensure_namespace(cluster, f"t-missing-{uuid.uuid4().hex[:6]}", RecordingReporter())
        assert "does not exist" in caught.value.message and "you may not create it" in caught.value.message
        assert caught.value.hint is not None and "kubectl create namespace" in caught.value.hint
    finally:
        cluster.close()
        rbac.delete_cluster_role_binding(name, _preload_content=False).release_conn()
        rbac.delete_cluster_role(name, _preload_content=False).release_conn()


def test_an_unknown_context_names_the_ones_there_are(kube_api: KubeCluster) -> None:
    with pytest.raises(OpsError) as caught:
        connect(ClusterOptions("no-such-context", str(kube_api.kubeconfig)))
    assert "has no context 'no-such-context'" in caught.value.message
    assert kube_api.context in caught.value.message

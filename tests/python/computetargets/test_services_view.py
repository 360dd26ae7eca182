"""Services on recorded compute targets are first-class: a service deployed through a record whose cluster
namespace is not the editor's shows in the services snapshot with its record's name, and score, keys, logs and
delete find it without being told the record. A record that cannot be listed (a cluster that does not answer, an
engine this server does not talk to, a file that is not JSON) is shown as a target that cannot be reached, and
never hides the others."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from kubernetes import client as k8s
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from amldeploy.lsp import protocol
from amldeploy.lsp.params import plain
from amldeploy.ops.computetargets import ComputeTargets, make_target
from amldeploy.ops.errors import ServiceNotFound
from amldeploy.ops.snapshot import services_snapshot
from amldeploy.ops.targets.base import find_service
from tests.infra.kube_cluster import KubeCluster
from tests.python.cli_run import EXAMPLE, Result, example_project, run_amldeploy
from tests.python.computetargets.conftest import KUBECONFIG
from tests.python.kubernetes import conftest as kube_fixtures
from tests.python.lsp.conftest import uri_of
from tests.python.lsp.test_operations import json_client

# The real test cluster's fixtures (tests/python/kubernetes/conftest.py).
kube_api = kube_fixtures.kube_api
kube_cluster = kube_fixtures.kube_cluster
namespace = kube_fixtures.namespace

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SAMPLE = (EXAMPLE / "sample-request.json").read_text(encoding="utf-8").strip()
AKS = {
    "computeType": "AKS",
    "numReplicas": 1,
    "authEnabled": True,
    "containerResourceRequirements": {"cpu": 0.1, "memoryInGB": 0.5},
}


# --- a record that cannot be listed hides nothing -------------------------------------------------------------


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ComputeTargets:
    """The records in ``tmp_path``, no kubeconfig of the user's and no Docker engine."""
    from amldeploy.ops.targets.docker import engine

    for variable in [v for v in os.environ if v.startswith("AMLDEPLOY_")]:
        monkeypatch.delenv(variable)
    monkeypatch.setenv("AMLDEPLOY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    engine.forget()
    return ComputeTargets(tmp_path / "data" / "computetargets")


def test_an_unreachable_record_is_an_error_of_its_own_and_the_rest_is_listed(
    isolated: ComputeTargets, tmp_path: Path, kube_api: KubeCluster, namespace: str
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    dead = tmp_path / "dead-kubeconfig"
    dead.write_text(KUBECONFIG, encoding="utf-8")  # its server, 127.0.0.1:1, answers nothing
    isolated.add(make_target("deadaks", "kubernetes", {"kubernetes.kubeconfig": str(dead)}))
    live = {
        "kubernetes.kubeconfig": str(kube_api.kubeconfig),
        "kubernetes.context": kube_api.context,
        "kubernetes.namespace": namespace,
    }
    isolated.add(make_target("liveaks", "kubernetes", live))
    isolated.add(make_target("liveaks2", "kubernetes", live))  # the same place: listed once, no error
    isolated.add(make_target("laptop", "process", {}))  # the workspace's processes: nothing more to list
    isolated.add(make_target("buildbox", "docker", {"docker.host": "tcp://127.0.0.1:1"}))
    (isolated.root / "broken.json").write_text("{", encoding="utf-8")
    with kube_api.api_client() as api:
        k8s.AppsV1Api(api).create_namespaced_deployment(namespace, _labelled_deployment("recorded-svc"))

    snapshot = services_snapshot(workspace, {"kubernetes.namespace": "from-editor"})  # returns: nothing hangs

    views = {view["name"]: view for view in snapshot["targets"]}
    assert list(views)[:4] == ["process", "docker", "kubernetes", "aci"]
    assert sorted(list(views)[4:]) == ["computeTarget:broken", "computeTarget:buildbox", "computeTarget:deadaks"]
    deadaks = views["computeTarget:deadaks"]
    assert deadaks["available"] is False and deadaks["services"] == [] and deadaks["computeTarget"] == "deadaks"
    assert deadaks["target"] == "kubernetes" and deadaks["label"] == "Kubernetes · compute target deadaks"
    assert "the Kubernetes of compute target deadaks cannot be reached" in deadaks["reason"]
    assert "amldeploy target remove deadaks" in deadaks["reason"]
    assert {"key": "kubeconfig", "label": "Kubeconfig", "value": str(dead)} in deadaks["settings"]
    buildbox = views["computeTarget:buildbox"]
    assert "names the Docker engine tcp://127.0.0.1:1" in buildbox["reason"] and buildbox["target"] == "docker"
    broken = views["computeTarget:broken"]
    assert str(isolated.root / "broken.json") in broken["reason"] and "target" not in broken
    # The live record's service is listed under its target, with the record's name, though the editor's
    # kubernetes target (no kubeconfig) cannot be used.
    kubernetes = views["kubernetes"]
    assert kubernetes["available"] is False
    [service] = kubernetes["services"]
    assert (service["name"], service["namespace"], service["computeTarget"]) == ("recorded-svc", namespace, "liveaks")
    assert {"label": "Compute target", "value": "liveaks"} in service["rows"]

    found_target, found = find_service("recorded-svc", workspace, {"kubernetes.namespace": "from-editor"})
    assert found_target.name == "kubernetes" and found.details["computeTarget"] == "liveaks"
    with pytest.raises(ServiceNotFound) as missing:
        find_service("nowhere", workspace, {})
    where = missing.value.message
    assert "compute target deadaks" in where and "compute target liveaks" in where
    assert "compute target buildbox" in where and "compute target broken" in where


def test_the_command_line_finds_a_recorded_service_without_ct_and_only_there_with_it(
    tmp_path: Path, kube_api: KubeCluster, namespace: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "KUBE"))}
    env.update(
        AMLDEPLOY_DATA_DIR=str(tmp_path / "data"),
        KUBECONFIG=str(tmp_path / "no-kubeconfig"),
        DOCKER_HOST=f"unix://{tmp_path}/no-engine.sock",
    )
    store = ComputeTargets(tmp_path / "data" / "computetargets")
    cluster = {"kubernetes.kubeconfig": str(kube_api.kubeconfig), "kubernetes.context": kube_api.context}
    store.add(make_target("teamaks", "kubernetes", {**cluster, "kubernetes.namespace": namespace}))
    store.add(make_target("otheraks", "kubernetes", {**cluster, "kubernetes.namespace": f"{namespace}-other"}))
    dead = tmp_path / "dead-kubeconfig"
    dead.write_text(KUBECONFIG, encoding="utf-8")
    store.add(make_target("deadaks", "kubernetes", {"kubernetes.kubeconfig": str(dead)}))
    with kube_api.api_client() as api:
        k8s.AppsV1Api(api).create_namespaced_deployment(namespace, _labelled_deployment("recorded-svc"))

    def amldeploy(*args: str) -> Result:
        return run_amldeploy(args, tmp_path, env, timeout=120)

    listed = amldeploy("list", "--output", "json")
    assert listed.status == 0, listed.both
    assert [(s["name"], s["computeTarget"]) for s in listed.json()] == [("recorded-svc", "teamaks")]
    assert "note: compute target deadaks is not listed: the Kubernetes of compute target deadaks" in listed.err
    shown = amldeploy("show", "recorded-svc")
    assert shown.status == 0, shown.both
    assert "compute target: teamaks" in shown.out and "namespace:" in shown.out
    assert amldeploy("show", "recorded-svc", "--ct", "teamaks").status == 0
    pinned = amldeploy("show", "recorded-svc", "--ct", "otheraks")  # there only: not found elsewhere
    assert pinned.status == 1 and "there is no service named 'recorded-svc'" in pinned.err, pinned.both
    assert "compute target teamaks" not in pinned.err


def _labelled_deployment(name: str) -> dict[str, Any]:
    """A Deployment as amldeploy labels a service's (nothing runs it: the API server alone)."""
    from amldeploy.ops.targets.kubernetes import manifests as mf

    labels = {mf.SERVICE_LABEL: name, "app.kubernetes.io/managed-by": "amldeploy"}
    container = {"name": "service", "image": "amldeploy-test/none:1"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {mf.SERVICE_LABEL: name}},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }


# --- a service deployed through a record, in the editor -----------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    yield example_project(tmp_path / "project", {"aks.json": AKS})


@pytest_asyncio.fixture
async def editor(project: Path, tmp_path: Path, kube_cluster: KubeCluster) -> AsyncIterator[LanguageClient]:
    """``amldeploy lsp`` whose editor settings name the test cluster's context and a namespace of their own."""
    engine = kube_cluster.env
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "DOCKER_", "KUBE", "AZURE_"))}
    env.update(
        KUBECONFIG=str(kube_cluster.kubeconfig),
        DOCKER_HOST=engine["DOCKER_HOST"],
        AMLDEPLOY_DOCKER_BASE_IMAGE=engine["AMLDEPLOY_TEST_BASE_IMAGE"],
        AMLDEPLOY_DOCKER_CA_BUNDLE=str(CA_BUNDLE),
        AMLDEPLOY_REGISTRY=f"{engine['AMLDEPLOY_TEST_REGISTRY']}/amldeploy-ctview-test",
        AMLDEPLOY_MODEL_REGISTRY=str(tmp_path / "models"),
        AMLDEPLOY_DATA_DIR=str(tmp_path / "data"),
    )
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "amldeploy", "lsp"], client_factory=json_client, server_env=env
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    client.feature(protocol.SERVICES_CHANGED)(lambda params: None)
    logs: list[dict[str, Any]] = []
    client.feature(protocol.LOG)(lambda params: logs.append(plain(params)))
    settings = {"servicesPollMs": 0, "kubernetes": {"context": kube_cluster.context, "namespace": "from-editor"}}
    client.set_configuration(settings, section="amldeploy")
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=uri_of(project),
            workspace_folders=[types.WorkspaceFolder(uri=uri_of(project), name="project")],
            initialization_options={"amldeploy": settings},
        )
    )
    client.logs = logs  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


async def request(client: LanguageClient, method: str, params: Any) -> Any:
    return plain(await client.protocol.send_request_async(method, params))


def deployments(kube_cluster: KubeCluster, namespace: str) -> list[str]:
    with kube_cluster.api_client() as api:
        found = k8s.AppsV1Api(api).list_namespaced_deployment(namespace)
    return [d.metadata.name for d in found.items]


@pytest.mark.asyncio
async def test_a_service_deployed_through_a_record_is_listed_scored_and_deleted_by_the_editor(
    editor: LanguageClient, tmp_path: Path, kube_cluster: KubeCluster, namespace: str
) -> None:
    store = ComputeTargets(tmp_path / "data" / "computetargets")
    settings = {
        "kubernetes.context": kube_cluster.context,
        "kubernetes.namespace": namespace,
        "kubernetes.kubeconfig": str(kube_cluster.kubeconfig),
    }
    store.add(make_target("myaks", "kubernetes", settings))
    name = f"ctview-{uuid.uuid4().hex[:6]}"
    params = {
        "name": name,
        "inferenceConfig": "inferenceconfig.json",
        "deploymentConfig": "aks.json",
        "models": ["outputs/model.joblib"],
        "computeTarget": "myaks",
    }
    try:
        deployed = await request(editor, protocol.DEPLOY, params)
        assert deployed["service"]["state"] == "Healthy", deployed
        assert deployments(kube_cluster, namespace) == [name]  # the record's namespace, not the editor's

        snapshot = await request(editor, protocol.SERVICES, {})
        [kubernetes] = [t for t in snapshot["targets"] if t["name"] == "kubernetes"]
        assert {"key": "namespace", "label": "Namespace", "value": "from-editor"} in kubernetes["settings"]
        [listed] = [s for s in kubernetes["services"] if s["name"] == name]
        assert listed["computeTarget"] == "myaks" and listed["namespace"] == namespace
        assert {"label": "Compute target", "value": "myaks"} in listed["rows"]
        assert not [t for t in snapshot["targets"] if t["name"].startswith("computeTarget:")]

        answer = await request(editor, protocol.SCORE, {"name": name, "body": SAMPLE})
        assert answer["status"] == 200, answer
        assert isinstance(answer["body"], list) and len(answer["body"]) == 1
        swagger = await request(editor, protocol.SWAGGER, {"name": name})
        assert swagger["uri"].endswith("/swagger.json") and isinstance(swagger["document"], dict)
        keys = await request(editor, protocol.KEYS, {"name": name})
        assert len(keys["primaryKey"]) >= 32
        stream = await request(editor, protocol.LOGS_START, {"name": name, "tail": 200})
        lines = await _log_lines(editor, stream["stream"])
        assert any("model.joblib" in line for line in lines), lines[-20:]
        await request(editor, protocol.LOGS_STOP, {"stream": stream["stream"]})

        deleted = await request(editor, protocol.DELETE, {"name": name, "target": "kubernetes"})
        assert deleted == {"name": name, "target": "kubernetes"}
        assert deployments(kube_cluster, namespace) == []
        with pytest.raises(JsonRpcException) as gone:
            await request(editor, protocol.KEYS, {"name": name})
        message = gone.value.data["message"]
        assert f"there is no service named '{name}'" in message and "compute target myaks" in message
    finally:
        with kube_cluster.api_client() as api:
            apps = k8s.AppsV1Api(api)
            for left in deployments(kube_cluster, namespace):
                apps.delete_namespaced_deployment(left, namespace)


async def _log_lines(client: LanguageClient, stream: str, wait_s: float = 30) -> list[str]:
    """The lines the stream sent so far, once it sent the service's start-up (or after ``wait_s``)."""
    logs: list[dict[str, Any]] = client.logs  # type: ignore[attr-defined]
    for _ in range(int(wait_s * 10)):
        lines = [line for m in logs if m["stream"] == stream for line in m["lines"]]
        if any("model.joblib" in line for line in lines):
            return lines
        await asyncio.sleep(0.1)
    return [line for m in logs if m["stream"] == stream for line in m["lines"]]

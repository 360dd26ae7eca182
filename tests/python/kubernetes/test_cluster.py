"""What a test of the Kubernetes target relies on in the cluster of tests/infra/kubernetes/.

The API server is v1.20.2 and serves autoscaling v1 and v2beta2 (not v2). With the node: an image built on the test
engine and pushed to its registry runs as a Deployment that becomes Available; a port-forward through the API server
reaches its HTTP server, a command runs in it (exec) and its log is read through the API.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import time
from collections.abc import Iterator

import docker
import pytest
from kubernetes import client, watch
from kubernetes.stream import portforward, stream

from tests.infra.kube_cluster import KubeCluster

PORT = 5001
PAGE = "served from a pod of the amldeploy test cluster\n"
DOCKERFILE = f"""\
ARG BASE
FROM ${{BASE}}
COPY page.txt /srv/page.txt
WORKDIR /srv
EXPOSE {PORT}
CMD ["python3", "-u", "-m", "http.server", "{PORT}"]
"""


@pytest.fixture
def core(kube_api: KubeCluster) -> Iterator[client.CoreV1Api]:
    with kube_api.api_client() as api:
        yield client.CoreV1Api(api)


def test_api_server_is_1_20_2(kube_api: KubeCluster) -> None:
    with kube_api.api_client() as api:
        assert client.VersionApi(api).get_code().git_version == "v1.20.2"


def test_autoscaling_versions(kube_api: KubeCluster) -> None:
    with kube_api.api_client() as api:
        groups = {g.name: [v.version for v in g.versions] for g in client.ApisApi(api).get_api_versions().groups}
    assert {"v1", "v2beta2"} <= set(groups["autoscaling"])
    assert "v2" not in groups["autoscaling"]


def test_objects_round_trip(core: client.CoreV1Api, namespace: str) -> None:
    meta = client.V1ObjectMeta(name="settings")
    core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=meta, data={"k": "v"}))
    core.create_namespaced_secret(namespace, client.V1Secret(metadata=meta, string_data={"token": "s3cret"}))
    assert core.read_namespaced_config_map("settings", namespace).data == {"k": "v"}
    assert core.read_namespaced_secret("settings", namespace).data == {"token": "czNjcmV0"}
    # 1.20 answers a Service deletion with a Status the client of today does not parse: read the raw reply.
    spec = client.V1ServiceSpec(selector={"app": "x"}, ports=[client.V1ServicePort(port=80, target_port=PORT)])
    created = core.create_namespaced_service(namespace, client.V1Service(metadata=meta, spec=spec))
    assert created.spec.cluster_ip.startswith("10.0.0.")
    reply = core.delete_namespaced_service("settings", namespace, _preload_content=False)
    reply.release_conn()
    assert reply.status == 200


def test_pods_can_be_created_at_once(core: client.CoreV1Api, namespace: str) -> None:
    container = client.V1Container(name="c", image="amldeploy-test/k8s-pause:1", image_pull_policy="Never")
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="p"), spec=client.V1PodSpec(containers=[container]))
    core.create_namespaced_pod(namespace, pod)
    assert core.read_namespaced_pod("p", namespace).spec.service_account_name == "default"


@pytest.fixture(scope="module")
def pushed_image(kube_cluster: KubeCluster) -> str:
    """A tiny HTTP server FROM the test base image, built on the test engine and pushed to its registry."""
    env = kube_cluster.env
    files = {"Dockerfile": DOCKERFILE, "page.txt": PAGE}
    tag = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()[:12]
    image = f"{env['AMLDEPLOY_TEST_REGISTRY']}/amldeploy-test/k8s-smoke:{tag}"
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    context.seek(0)
    engine = docker.DockerClient(base_url=env["DOCKER_HOST"], timeout=300)
    try:
        engine.images.build(
            fileobj=context,
            custom_context=True,
            tag=image,
            buildargs={"BASE": env["AMLDEPLOY_TEST_BASE_IMAGE"]},
            rm=True,
        )
        for line in engine.images.push(image, stream=True, decode=True):
            assert "error" not in line, line
    finally:
        engine.close()
    return image


def test_deployment_runs_and_is_reachable(kube_cluster: KubeCluster, namespace: str, pushed_image: str) -> None:
    labels = {"app": "smoke"}
    container = client.V1Container(
        name="web",
        image=pushed_image,
        image_pull_policy="Always",  # from the registry, through the engine
        ports=[client.V1ContainerPort(container_port=PORT)],
        readiness_probe=client.V1Probe(
            http_get=client.V1HTTPGetAction(path="/page.txt", port=PORT), period_seconds=1, timeout_seconds=2
        ),
    )
    template = client.V1PodTemplateSpec(
        metadata=client.V1ObjectMeta(labels=labels),
        # python as PID 1 ignores SIGTERM: a short grace period makes the namespace go quickly
        spec=client.V1PodSpec(containers=[container], termination_grace_period_seconds=1),
    )
    deployment = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="smoke"),
        spec=client.V1DeploymentSpec(
            replicas=1, selector=client.V1LabelSelector(match_labels=labels), template=template
        ),
    )
    with kube_cluster.api_client() as api:
        apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
        apps.create_namespaced_deployment(namespace, deployment)
        started = time.monotonic()
        available = False
        watcher = watch.Watch()
        for event in watcher.stream(apps.list_namespaced_deployment, namespace, timeout_seconds=120):
            status = event["object"].status
            if any(c.type == "Available" and c.status == "True" for c in status.conditions or []):
                available = True
                watcher.stop()
        events = [f"{e.reason}: {e.message}" for e in core.list_namespaced_event(namespace).items]
        assert available, f"not Available in 120 s; events: {events[-8:]}"
        assert time.monotonic() - started < 60, events

        (pod,) = core.list_namespaced_pod(namespace, label_selector="app=smoke").items
        assert pod.status.pod_ip

        forward = portforward(
            core.connect_get_namespaced_pod_portforward, pod.metadata.name, namespace, ports=str(PORT)
        )
        try:
            sock = forward.socket(PORT)
            sock.settimeout(10)
            sock.sendall(b"GET /page.txt HTTP/1.0\r\nHost: pod\r\n\r\n")
            reply = b""
            while not reply.endswith(PAGE.encode()) and (chunk := sock.recv(65536)):
                reply += chunk
            sock.close()
        finally:
            forward.close()
        assert reply.startswith(b"HTTP/1.0 200"), reply[:200]
        assert reply.endswith(PAGE.encode())

        out = stream(
            core.connect_get_namespaced_pod_exec,
            pod.metadata.name,
            namespace,
            command=["cat", "/srv/page.txt"],
            stderr=True,
            stdin=False,
            stdout=True,
            tty=False,
        )
        assert out == PAGE

        log = core.read_namespaced_pod_log(pod.metadata.name, namespace)
        assert '"GET /page.txt HTTP/1.0" 200' in log, log[-2000:]

"""The Kubernetes target end to end on a real cluster with a node (tests/infra/kubernetes/, ``kube_cluster``):
the service image built on the test engine and pushed to its registry, rolled out to Healthy, scored through a
port-forward, its log followed across a redeploy; a crash in init(), a missing image and an impossible CPU
request each end the deploy in the state v1 named, with the reason."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amldeploy.ops.errors import DeployFailed
from amldeploy.ops.health import request
from amldeploy.ops.prepare import prepare_deploy
from amldeploy.ops.reporter import RecordingReporter
from amldeploy.ops.scoring import reach as kt_forward
from amldeploy.ops.scoring import score
from amldeploy.ops.service import Service
from amldeploy.ops.states import State
from amldeploy.ops.targets.kubernetes import target as kt
from amldeploy.ops.targets.kubernetes.target import KubernetesTarget
from tests.infra.kube_cluster import KubeCluster

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SCORE = """\
import json


def init():
    print("init {version} done", flush=True)


def run(data):
    return {{"echo": json.loads(data), "version": "{version}"}}
"""
CRASHING = """\
def init():
    raise RuntimeError("the model file is missing")


def run(data):
    return data
"""
AKS = '{"computeType": "AKS", "numReplicas": 1, "containerResourceRequirements": {"cpu": 0.1, "memoryInGB": 0.25}}'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "score.py").write_text(SCORE.format(version="v1"), encoding="utf-8")
    (tmp_path / "inferenceconfig.json").write_text('{"entryScript": "score.py", "runtime": "python"}')
    (tmp_path / "deploymentconfig.json").write_text(AKS)
    return tmp_path


@pytest.fixture
def target(
    kube_cluster: KubeCluster, namespace: str, project: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KubernetesTarget]:
    env = kube_cluster.env
    monkeypatch.setenv("DOCKER_HOST", env["DOCKER_HOST"])
    monkeypatch.setenv("AMLDEPLOY_DOCKER_BASE_IMAGE", env["AMLDEPLOY_TEST_BASE_IMAGE"])
    monkeypatch.setenv("AMLDEPLOY_DOCKER_CA_BUNDLE", str(CA_BUNDLE))
    monkeypatch.setenv("AMLDEPLOY_REGISTRY", f"{env['AMLDEPLOY_TEST_REGISTRY']}/amldeploy-test")
    from amldeploy.ops.targets.docker import engine

    engine.forget()
    target = KubernetesTarget(project)
    target.configure(
        {
            "kubernetes.context": kube_cluster.context,
            "kubernetes.kubeconfig": str(kube_cluster.kubeconfig),
            "kubernetes.namespace": namespace,
        }
    )
    yield target


def deploy(target: KubernetesTarget, project: Path, name: str = "sk-pods", **fields: Any) -> Service:
    prepared = prepare_deploy(
        name, project / "inferenceconfig.json", project / "deploymentconfig.json", [], project, "kubernetes"
    )
    for key, value in fields.items():
        setattr(prepared.request, key, value)
    return target.deploy(prepared.request, RecordingReporter())


def test_deploy_reaches_healthy_scores_through_a_port_forward_and_follows_logs_across_a_redeploy(
    target: KubernetesTarget, project: Path
) -> None:
    service = deploy(target, project)
    assert service.state is State.HEALTHY, service.error
    assert service.scoring_uri is None  # a ClusterIP: reached through a port-forward
    settings = dict(target.settings)
    answer = score("sk-pods", b'{"x": 1}', project, settings=settings)
    assert answer.status == 200, answer.body
    assert b'"version": "v1"' in answer.body

    lines: list[str] = []
    stop = threading.Event()

    def collect() -> None:
        for line in target.logs("sk-pods", follow=True, tail=5, stop=stop.is_set):
            lines.append(line)

    follower = threading.Thread(target=collect, daemon=True)
    follower.start()
    (project / "score.py").write_text(SCORE.format(version="v2"), encoding="utf-8")
    redeployed = deploy(target, project)
    assert redeployed.state is State.HEALTHY
    deadline = time.monotonic() + 30
    while not any("init v2 done" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.5)
    stop.set()
    follower.join(10)
    new_pod = [line for line in lines if "init v2 done" in line]
    assert new_pod, lines[-20:]
    assert new_pod[0].startswith("[sk-pods-")  # prefixed with the pod's name
    assert b'"version": "v2"' in score("sk-pods", b"{}", project, settings=settings).body
    target.delete("sk-pods", RecordingReporter())
    assert [s.name for s in target.list()] == []


def test_a_crash_in_init_is_unhealthy_with_the_traceback(target: KubernetesTarget, project: Path) -> None:
    (project / "score.py").write_text(CRASHING, encoding="utf-8")
    with pytest.raises(DeployFailed) as caught:
        deploy(target, project, "sk-crash")
    failed = caught.value
    assert failed.service is not None and failed.service.state in (State.UNHEALTHY, State.FAILED)
    assert "init() raised" in failed.message
    assert any("the model file is missing" in line for line in failed.log_tail), failed.log_tail
    assert "sk-crash" in [s.name for s in target.list()]  # left for 'logs --previous' and 'show'


def test_a_missing_image_fails(target: KubernetesTarget, kube_cluster: KubeCluster, project: Path) -> None:
    missing = f"{kube_cluster.env['AMLDEPLOY_TEST_REGISTRY']}/amldeploy-test/not-pushed:1"
    with pytest.raises(DeployFailed) as caught:
        deploy(target, project, "sk-noimage", image=missing)
    assert caught.value.service is not None and caught.value.service.state is State.FAILED
    assert "cannot be pulled" in caught.value.message and missing in caught.value.message
    assert caught.value.hint is not None and "--registry" in caught.value.hint


def test_an_impossible_cpu_request_is_unschedulable(
    target: KubernetesTarget, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kt, "UNSCHEDULABLE_GRACE_S", 3.0)
    (project / "deploymentconfig.json").write_text(
        '{"computeType": "AKS", "numReplicas": 1, "containerResourceRequirements": {"cpu": 64, "memoryInGB": 0.25}}'
    )
    with pytest.raises(DeployFailed) as caught:
        deploy(target, project, "sk-huge", image="registry.example/never-pulled:1")
    assert caught.value.service is not None and caught.value.service.state is State.UNSCHEDULABLE
    assert "Insufficient cpu" in caught.value.message


def test_tls_is_served_by_the_pod_and_scored_over_https_trusting_only_the_services_certificate(
    target: KubernetesTarget, project: Path
) -> None:
    cert, key = project / "cert.pem", project / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-keyout", str(key), "-out", str(cert), "-subj", "/CN=ml.contoso.example"],
        check=True, capture_output=True,
    )  # fmt: skip
    config = {
        "computeType": "AKS",
        "numReplicas": 1,
        "containerResourceRequirements": {"cpu": 0.1, "memoryInGB": 0.25},
        "sslEnabled": True,
        "sslCertificate": "cert.pem",
        "sslKey": "key.pem",
        "cname": "ml.contoso.example",
    }
    (project / "deploymentconfig.json").write_text(json.dumps(config), encoding="utf-8")
    service = deploy(target, project, "sk-tls")
    assert service.state is State.HEALTHY, service.error  # its readiness probe spoke HTTPS
    assert service.scheme == "https"
    answer = score("sk-tls", b'{"x": 1}', project, settings=dict(target.settings))
    assert answer.status == 200, answer.body
    assert target.tls_trust(service) == cert.read_text()
    # Trusting another certificate (or the system's CAs), the same address is refused.
    with kt_forward(target, service) as reached:
        assert reached.base_uri is not None and reached.base_uri.startswith("https://127.0.0.1:")
        with pytest.raises(OSError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            request("GET", reached.base_uri + "/", timeout=10)
    target.delete("sk-tls", RecordingReporter())

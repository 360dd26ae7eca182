"""``amldeploy deploy ... --target kubernetes --dry-run``: every object as YAML without a cluster, secret values
hidden, run as a user runs it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.python.cli_run import EXAMPLE, Result, run_amldeploy

PRIMARY = "dryRunPrimaryKey0123456789ABCDEF"
SECONDARY = "dryRunSecondaryKey0123456789ABCD"
CERT_TEXT = "MIIBdryruncertificatebody"
KEY_TEXT = "MIIEdryrunprivatekeybody"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("inferenceconfig.json", "score.py", "environment.yml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    (tmp_path / "model.joblib").write_bytes(b"not a real model; a dry run only hashes it")
    (tmp_path / "cert.pem").write_text(f"-----BEGIN CERTIFICATE-----\n{CERT_TEXT}\n-----END CERTIFICATE-----\n")
    (tmp_path / "key.pem").write_text(f"-----BEGIN PRIVATE KEY-----\n{KEY_TEXT}\n-----END PRIVATE KEY-----\n")
    return tmp_path


def write_config(project: Path, text: str, name: str = "deploymentconfig.json") -> str:
    (project / name).write_text(text, encoding="utf-8")
    return name


def dry_run(project: Path, *extra: str, dc: str = "deploymentconfig.json", **env_vars: str) -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_") and k != "KUBECONFIG"}
    # Nothing may be contacted: no kubeconfig, no engine.
    env.update(KUBECONFIG=str(project / "missing-kubeconfig"), DOCKER_HOST="unix:///nonexistent/docker.sock")
    env.update(env_vars)
    args = ("deploy", "sklearn-demo", "--ic", "inferenceconfig.json", "--dc", dc, "--model", "model.joblib")
    return run_amldeploy((*args, "--dry-run", *extra), project, env, timeout=120)


AKS = f"""{{
  "computeType": "AKS",
  "autoScaler": {{"autoscaleEnabled": true, "minReplicas": 2, "maxReplicas": 4, "targetUtilization": 60}},
  "authEnabled": true,
  "keys": {{"primaryKey": "{PRIMARY}", "secondaryKey": "{SECONDARY}"}},
  "containerResourceRequirements": {{"cpu": 0.5, "memoryInGB": 1}}
}}"""


def documents(result: Result) -> dict[str, dict[str, Any]]:
    assert result.status == 0, result.both
    docs = [d for d in yaml.safe_load_all(result.out) if d is not None]
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in docs}


def test_the_dry_run_prints_every_object_as_a_yaml_stream_without_a_cluster(project: Path) -> None:
    write_config(project, AKS)
    result = dry_run(project, "--registry", "registry.example/ml")
    objects = documents(result)
    assert sorted(objects) == [
        "Deployment/sklearn-demo",
        "HorizontalPodAutoscaler/sklearn-demo",
        "Secret/sklearn-demo-keys",
        "Service/sklearn-demo",
    ]
    assert result.out.count("\n---\n") == 3
    assert objects["HorizontalPodAutoscaler/sklearn-demo"]["apiVersion"] == "autoscaling/v2"
    assert objects["Deployment/sklearn-demo"]["spec"]["replicas"] == 2
    image = objects["Deployment/sklearn-demo"]["spec"]["template"]["spec"]["containers"][0]["image"]
    repo, tag = image.rsplit(":", 1)
    assert repo == "registry.example/ml/sklearn-demo"
    assert len(tag) == 12 and all(c in "0123456789abcdef" for c in tag)
    assert {o["metadata"]["namespace"] for o in objects.values()} == {"default"}


def test_secret_values_are_stars_and_no_key_appears_anywhere(project: Path) -> None:
    config = AKS.replace(
        '"authEnabled": true,',
        '"authEnabled": true, "sslEnabled": true, "sslCertificate": "cert.pem", "sslKey": "key.pem",',
    )
    write_config(project, config)
    result = dry_run(project, "--image", "registry.example/ml/prebuilt:1.0", "--service-type", "LoadBalancer")
    objects = documents(result)
    for name in ("Secret/sklearn-demo-keys", "Secret/sklearn-demo-tls"):
        assert set(objects[name]["data"].values()) == {"***"}
    for secret in (PRIMARY, SECONDARY, CERT_TEXT, KEY_TEXT):
        assert secret not in result.out and secret not in result.err
    assert objects["Service/sklearn-demo"]["spec"]["type"] == "LoadBalancer"
    container = objects["Deployment/sklearn-demo"]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "registry.example/ml/prebuilt:1.0"


def test_the_namespace_comes_from_the_config_then_the_flag(project: Path) -> None:
    write_config(project, '{"computeType": "AKS", "numReplicas": 1}')
    flagged = documents(dry_run(project, "--namespace", "team-a"))
    assert {o["metadata"]["namespace"] for o in flagged.values()} == {"team-a"}
    from_env = documents(dry_run(project, AMLDEPLOY_KUBERNETES_NAMESPACE="team-b"))
    assert {o["metadata"]["namespace"] for o in from_env.values()} == {"team-b"}
    write_config(project, '{"computeType": "AKS", "numReplicas": 1, "namespace": "from-config"}')
    configured = documents(dry_run(project, "--namespace", "team-a"))
    assert {o["metadata"]["namespace"] for o in configured.values()} == {"from-config"}


def test_json_output_holds_the_redacted_objects(project: Path) -> None:
    write_config(project, AKS)
    result = dry_run(project, "--output", "json")
    assert result.status == 0, result.both
    data = result.json()
    assert data["target"] == "kubernetes"
    kinds = [o["kind"] for o in data["objects"]]
    assert kinds == ["Secret", "Deployment", "Service", "HorizontalPodAutoscaler"]
    assert PRIMARY not in result.out


def test_token_auth_is_refused_before_anything_happens(project: Path) -> None:
    write_config(project, '{"computeType": "AKS", "tokenAuthEnabled": true, "authEnabled": false}')
    result = dry_run(project)
    assert result.status == 2, result.both
    assert "tokenAuthEnabled" in result.err and "key auth" in result.err


def test_a_target_without_a_dry_run_says_so(project: Path) -> None:
    write_config(project, '{"computeType": "local"}')
    result = dry_run(project, "--target", "process")
    assert result.status == 2, result.both
    assert "no dry run" in result.err and "--target kubernetes" in result.err


def test_an_aks_config_without_a_cluster_names_the_missing_kubeconfig(project: Path) -> None:
    write_config(project, AKS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_")}
    env.update(KUBECONFIG=str(project / "missing-kubeconfig"), DOCKER_HOST="unix:///nonexistent/docker.sock")
    args = ("deploy", "sklearn-demo", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json")
    result = run_amldeploy((*args, "--model", "model.joblib"), project, env, timeout=60)
    assert result.status != 0
    assert "no kubeconfig at" in result.err and "missing-kubeconfig" in result.err
    assert "az aks get-credentials" in result.err and "--dry-run" in result.err

"""The ACI target end to end, through ``amldeploy`` as a user runs it: the service image built on the test engine
and pushed to its registry, the container group created on the local Azure, which runs it for real on the same
engine (``azure.run_on_docker``); Healthy, scored over the group's FQDN (mapped to where the fake publishes it),
its log, its keys, a redeploy, list and delete."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import docker
import pytest

from tests.infra.aci import FakeAzure
from tests.python.cli_run import Result, run_amldeploy

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SCORE = """\
import json


def init():
    print("init {version} done", flush=True)


def run(data):
    return {{"echo": json.loads(data), "version": "{version}"}}
"""
ACI = {"computeType": "ACI", "containerResourceRequirements": {"cpu": 0.5, "memoryInGB": 1}, "authEnabled": True}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "score.py").write_text(SCORE.format(version="v1"), encoding="utf-8")
    (tmp_path / "inferenceconfig.json").write_text('{"entryScript": "score.py", "runtime": "python"}')
    (tmp_path / "deploymentconfig.json").write_text(json.dumps(ACI))
    return tmp_path


class Cli:
    def __init__(self, project: Path, base: dict[str, str]) -> None:
        self.project, self.base = project, base

    def __call__(self, *args: str, timeout: float = 600, **env_vars: str) -> Result:
        return run_amldeploy(args, self.project, {**self.base, **env_vars}, timeout)


@pytest.fixture
def cli(
    project: Path,
    azure: FakeAzure,
    azure_env: dict[str, str],
    docker_client: docker.DockerClient,
    docker_env: dict[str, str],
) -> Cli:
    client, env = docker_client, docker_env
    azure.run_on_docker(client)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "DOCKER_", "AZURE_"))}
    base.update(azure_env)
    base.update(
        DOCKER_HOST=env["DOCKER_HOST"],
        AMLDEPLOY_DOCKER_BASE_IMAGE=env["AMLDEPLOY_TEST_BASE_IMAGE"],
        AMLDEPLOY_DOCKER_CA_BUNDLE=str(CA_BUNDLE),
        AMLDEPLOY_REGISTRY=f"{env['AMLDEPLOY_TEST_REGISTRY']}/amldeploy-aci-test",
        AMLDEPLOY_ACI_POLL_INTERVAL_S="0.2",
        AMLDEPLOY_ACI_RESOURCE_GROUP=azure.resource_group,
        KUBECONFIG=str(project / "no-kubeconfig"),
    )
    return Cli(project, base)


def mapping(azure: FakeAzure, name: str, service: dict[str, object]) -> str:
    host, port = azure.endpoint(name, int(str(service["port"])))
    return f"{service['host']}:{service['port']}={host}:{port}"


def score_until(cli: Cli, name: str, addresses: str, want: str, timeout: float = 90) -> Result:
    deadline = time.monotonic() + timeout
    while True:
        result = cli("score", name, "--data", '{"x": 1}', "--output", "json", AMLDEPLOY_ACI_ADDRESSES=addresses)
        if (result.status == 0 and want in result.out) or time.monotonic() > deadline:
            return result
        time.sleep(1)


def test_deploy_score_logs_keys_redeploy_list_and_delete(cli: Cli, project: Path, azure: FakeAzure) -> None:
    name = f"sk-aci-{uuid.uuid4().hex[:6]}"
    deployed = cli("deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--output", "json")
    assert deployed.status == 0, deployed.both
    service = deployed.json()["service"]
    assert service["target"] == "aci" and service["state"] == "Healthy", service
    assert service["host"].endswith(f".{azure.location}.azurecontainer.io") and service["port"] == 5001
    image = service["image"]
    assert image.split("/", 1)[1].startswith(f"amldeploy-aci-test/{name}:")
    # New keys, shown this once (ACI never returns them; amldeploy writes them nowhere): another process cannot
    # know them, and says how to choose keys. The user keeps them in the config, as v1 allowed, and redeploys.
    generated = deployed.json()["keys"]
    assert len(generated["primaryKey"]) >= 32 and generated["primaryKey"] != generated["secondaryKey"]
    unknown = cli("keys", name)
    assert unknown.status == 1 and "keys.primaryKey and keys.secondaryKey in the deployment config" in unknown.err
    assert not (project / ".amldeploy" / "aci").exists()
    (project / "deploymentconfig.json").write_text(json.dumps({**ACI, "keys": generated}))
    kept = cli("deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--output", "json")
    assert kept.status == 0, kept.both
    assert "keys" not in kept.json()  # nothing new to show: the config's
    service = kept.json()["service"]

    addresses = mapping(azure, name, service)
    scored = score_until(cli, name, addresses, '"v1"')
    assert scored.status == 0, scored.both
    answer = scored.json()
    assert answer["status"] == 200 and answer["body"]["version"] == "v1", answer  # the key was sent: auth is on

    shown = cli("show", name)
    assert shown.status == 0 and f"resource group: {azure.resource_group}" in shown.out, shown.both
    logs = cli("logs", name)
    assert logs.status == 0 and "init v1 done" in logs.out, logs.both
    keys = cli("keys", name, "--output", "json")
    assert keys.status == 0, keys.both
    assert keys.json() == {"name": name, "authEnabled": True, **generated}  # read again from its config

    (project / "score.py").write_text(SCORE.format(version="v2"), encoding="utf-8")
    again = cli("deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--output", "json")
    assert again.status == 0, again.both
    assert again.json()["service"]["image"] != image  # a new content hash
    rescored = score_until(cli, name, mapping(azure, name, again.json()["service"]), '"v2"')
    assert rescored.status == 0 and rescored.json()["body"]["version"] == "v2", rescored.both
    assert cli("keys", name, "--output", "json").json() == keys.json()  # a redeploy keeps the keys

    listed = cli("list", "--output", "json")
    assert listed.status == 0, listed.both
    assert name in listed.out
    deleted = cli("delete", name)
    assert deleted.status == 0, deleted.both
    assert name not in cli("list", "--output", "json").out
    assert not [r for r in azure.requests if "secureValue" in json.dumps(r.body or {}) and r.method == "GET"]

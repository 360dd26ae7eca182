"""No-code deployment on the ACI target, through ``amldeploy`` as a user runs it: the generated service image is
built on the test engine and pushed to its registry, the container group created on the local Azure
(tests/infra/aci), which runs it on the same engine; scored over the group's address with v1's request shape."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from tests.infra.aci import FakeAzure
from tests.python.aci.conftest import azure, azure_env, azure_servers
from tests.python.cli_run import Result, run_amldeploy
from tests.python.docker.fixtures_target import CA_BUNDLE
from tests.python.nocode.conftest import ROWS, sklearn_version

__all__ = ["azure", "azure_env", "azure_servers"]  # fixtures, used by name

KEYS = {"primaryKey": "noCodePrimaryKey0123456789ABCDEF", "secondaryKey": "noCodeSecondaryKey0123456789ABCD"}
ACI = {
    "computeType": "ACI",
    "containerResourceRequirements": {"cpu": 0.5, "memoryInGB": 1},
    "authEnabled": True,
    "keys": KEYS,  # amldeploy score sends them (ACI never returns keys)
}
AciCli = Callable[..., Result]


@pytest.fixture
def aci_cli(
    tmp_path: Path,
    azure: FakeAzure,
    azure_env: dict[str, str],
    docker_client: docker.DockerClient,
    docker_env: dict[str, str],
) -> Iterator[AciCli]:
    env = docker_env
    azure.run_on_docker(docker_client)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "DOCKER_", "AZURE_"))}
    base.update(azure_env)
    base.update(
        DOCKER_HOST=env["DOCKER_HOST"],
        AMLDEPLOY_DOCKER_BASE_IMAGE=env["AMLDEPLOY_TEST_BASE_IMAGE"],
        AMLDEPLOY_DOCKER_CA_BUNDLE=str(CA_BUNDLE),
        AMLDEPLOY_REGISTRY=f"{env['AMLDEPLOY_TEST_REGISTRY']}/amldeploy-aci-test",
        AMLDEPLOY_ACI_POLL_INTERVAL_S="0.2",
        AMLDEPLOY_ACI_RESOURCE_GROUP=azure.resource_group,
        AMLDEPLOY_CACHE_DIR=str(tmp_path / "cache"),
        KUBECONFIG=str(tmp_path / "no-kubeconfig"),
    )

    def run(*args: str, timeout: float = 900, **env_vars: str) -> Result:
        return run_amldeploy(args, tmp_path, {**base, **env_vars}, timeout)

    yield run


def test_a_scikit_learn_model_runs_as_a_container_group(
    aci_cli: AciCli, tmp_path: Path, azure: FakeAzure, sklearn_model: Path, classifier: LogisticRegression
) -> None:
    name = f"nc-aci-{uuid.uuid4().hex[:6]}"
    (tmp_path / "aci.json").write_text(json.dumps(ACI), encoding="utf-8")
    deployed = aci_cli(
        "deploy", name, "-m", f"{sklearn_model}:iris:1", "--model-framework", "ScikitLearn",
        "--model-framework-version", sklearn_version(), "--dc", "aci.json", "--output", "json",
    )  # fmt: skip
    assert deployed.status == 0, deployed.both[-4000:]
    service = deployed.json()["service"]
    assert service["target"] == "aci" and service["state"] == "Healthy", service
    host, port = azure.endpoint(name, int(service["port"]))
    addresses = f"{service['host']}:{service['port']}={host}:{port}"

    body = json.dumps({"data": ROWS})
    deadline = time.monotonic() + 90
    while True:  # the group's container may still be starting its server
        scored = aci_cli("score", name, "--data", body, "--output", "json", AMLDEPLOY_ACI_ADDRESSES=addresses)
        if (scored.status == 0 and scored.json()["status"] == 200) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert scored.status == 0, scored.both
    assert scored.json()["body"] == classifier.predict(np.asarray(ROWS)).tolist()
    deleted = aci_cli("delete", name)
    assert deleted.status == 0, deleted.both

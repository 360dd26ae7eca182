"""The v1 command lines on the Docker target (the engine of tests/infra/docker/ensure.sh): register → deploy →
run → get-logs → update with version 2 → delete, the container following each step."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from tests.infra import docker_engine
from tests.python.docker.fixtures_target import cli_for, containers_of, remove_services, unique
from tests.python.ml.conftest import SAMPLE


@pytest.fixture(scope="module")
def docker_env() -> dict[str, str]:
    return docker_engine.ensure()


@pytest.fixture(scope="module")
def docker_client(docker_env: dict[str, str]) -> Iterator[docker.DockerClient]:
    client = docker.DockerClient(base_url=docker_env["DOCKER_HOST"], timeout=300)
    try:
        yield client
    finally:
        client.close()


def test_the_v1_lifecycle_on_the_docker_target(
    docker_env: dict[str, str], docker_client: Any, project: Path, tmp_path: Path
) -> None:
    name = unique("mlsvc")
    run = cli_for(docker_env, project)
    registry = str(tmp_path / "registry")

    def ml(*args: str) -> Any:
        return run("ml", *args, AMLDEPLOY_MODEL_REGISTRY=registry)

    try:
        assert ml("model", "register", "-n", "sklearn_mnist", "--asset-path", "outputs/model.joblib").status == 0
        deployed = ml(
            "model", "deploy", "-n", name, "-m", "sklearn_mnist:1", "-ic", "inferenceconfig.json",
            "-dc", "deploymentconfig.json",
        )  # fmt: skip
        assert deployed.status == 0, deployed.both[-4000:]
        assert deployed.json()["target"] == "docker"
        assert len(containers_of(docker_client, name)) == 1

        answer = ml("service", "run", "-n", name, "-d", SAMPLE)
        assert answer.status == 0, answer.both
        prediction = answer.json()
        assert isinstance(prediction, list) and len(prediction) == 1
        logs = ml("service", "get-logs", "-n", name)
        assert "azureml-models/sklearn_mnist/1/model.joblib" in logs.out, logs.both

        assert ml("model", "register", "-n", "sklearn_mnist", "--asset-path", "outputs/model.joblib").status == 0
        updated = ml("service", "update", "-n", name, "-m", "sklearn_mnist:2")
        assert updated.status == 0, updated.both[-4000:]
        assert [m["version"] for m in updated.json()["models"]] == [2]
        assert ml("service", "run", "-n", name, "-d", SAMPLE).json() == prediction
        assert "azureml-models/sklearn_mnist/2/model.joblib" in ml("service", "get-logs", "-n", name).out

        assert ml("model", "delete", "-i", "sklearn_mnist:2").status == 1  # in use
        assert ml("service", "delete", "-n", name).status == 0
        assert containers_of(docker_client, name) == []
        assert ml("model", "delete", "-i", "sklearn_mnist:2").status == 0
    finally:
        remove_services(docker_client, [name])
        shutil.rmtree(project / ".amldeploy", ignore_errors=True)

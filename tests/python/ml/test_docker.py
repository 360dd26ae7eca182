"""The v1 command lines on the Docker target (the engine of tests/infra/docker/ensure.sh): register → deploy →
run → get-logs → update with version 2 → delete, the container following each step."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any

import docker

from tests.python.docker.fixtures_target import cli_for, containers_of, remove_services, unique
from tests.python.ml.conftest import SAMPLE


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


def test_model_package_builds_a_named_image(
    docker_env: dict[str, str], docker_client: Any, project: Path, tmp_path: Path
) -> None:
    """``az ml model package -m M:1 --ic … --in NAME --il TAG``: v1 built it in the workspace's registry; here the
    local engine builds NAME:TAG, which serves the model."""
    run = cli_for(docker_env, project)
    env = {"AMLDEPLOY_MODEL_REGISTRY": str(tmp_path / "registry")}
    image = unique("mlpkg")
    assert (
        run("ml", "model", "register", "-n", "sklearn_mnist", "--asset-path", "outputs/model.joblib", **env).status == 0
    )
    try:
        built = run("ml", "model", "package", "-m", "sklearn_mnist:1", "--ic", "inferenceconfig.json",
                    "--in", image, "--il", "v1", **env)  # fmt: skip
        assert built.status == 0, built.both[-4000:]
        tags = docker_client.images.get(f"{image}:v1").tags
        assert f"{image}:v1" in tags
        listing = docker_client.containers.run(
            f"{image}:v1", ["-c", "ls -R /var/azureml-app/azureml-models"], entrypoint=["sh"], remove=True
        ).decode()
        assert "sklearn_mnist" in listing and "model.joblib" in listing
        unlabelled = run("ml", "model", "package", "-m", "sklearn_mnist:1", "--ic", "inferenceconfig.json",
                         "--il", "v1", **env)  # fmt: skip
        assert unlabelled.status == 2 and "--in NAME [--il TAG]" in unlabelled.err
    finally:
        with contextlib.suppress(docker.errors.ImageNotFound):
            docker_client.images.remove(f"{image}:v1", force=True)

"""No-code deployment on the Docker target: with an engine answering, computeType local (the default without
--dc) runs the generated service as a container, its environment installed in the image."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from tests.python.cli_run import run_amldeploy
from tests.python.docker.fixtures_target import CA_BUNDLE, containers_of, remove_services
from tests.python.nocode.conftest import ROWS, deployed, get_json, post, sklearn_version


@pytest.fixture
def service(docker_client: Any) -> Iterator[str]:
    name = f"nocode-{uuid.uuid4().hex[:6]}"
    yield name
    remove_services(docker_client, [name])


def test_a_scikit_learn_model_runs_as_a_container(
    docker_env: dict[str, str],
    docker_client: Any,
    service: str,
    tmp_path: Path,
    sklearn_model: Path,
    classifier: LogisticRegression,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "DOCKER_"))}
    env.update(
        DOCKER_HOST=docker_env["DOCKER_HOST"],
        AMLDEPLOY_DOCKER_BASE_IMAGE=docker_env["AMLDEPLOY_TEST_BASE_IMAGE"],
        AMLDEPLOY_DOCKER_CA_BUNDLE=str(CA_BUNDLE),
        AMLDEPLOY_CACHE_DIR=str(tmp_path / "cache"),
    )
    args = ["deploy", service, "-m", f"{sklearn_model}:iris:5", "--model-framework", "ScikitLearn"]
    args += ["--model-framework-version", sklearn_version(), "--output", "json"]
    result = run_amldeploy(tuple(args), tmp_path, env, 1200)
    found = deployed(result)
    assert found["target"] == "docker"
    assert "computeType local" in result.json()["notes"][1]
    assert len(containers_of(docker_client, service)) == 1

    status, answer = post(found["scoringUri"], {"data": ROWS})
    assert status == 200
    assert answer == classifier.predict(np.asarray(ROWS)).tolist()
    data = get_json(found["swaggerUri"])["definitions"]["ServiceInput"]["properties"]["data"]
    assert data["items"]["maxItems"] == 4

    deleted = run_amldeploy(("delete", service), tmp_path, env, 120)
    assert deleted.status == 0, deleted.both

"""No-code deployment: models made here (scikit-learn, ONNX with skl2onnx) or by tests/infra/tensorflow/ (a
SavedModel made with tensorflow-cpu in a venv of its own), deployed with no inference config and scored with v1's
request shape. The process-target tests run without a Docker engine; the Docker test uses the engine of
tests/infra/docker/ (the fixtures of tests/python/conftest.py)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from tests.python.cli_run import Cli, Result, run_amldeploy

NO_ENGINE = "unix:///nonexistent/amldeploy-tests/docker.sock"
ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]]


def sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


@pytest.fixture(scope="session")
def classifier() -> LogisticRegression:
    features, labels = load_iris(return_X_y=True)
    return LogisticRegression(max_iter=1000).fit(features, labels)


@pytest.fixture(scope="session")
def sklearn_model(tmp_path_factory: pytest.TempPathFactory, classifier: LogisticRegression) -> Path:
    path = tmp_path_factory.mktemp("sklearn") / "iris.pkl"
    joblib.dump(classifier, path)
    return path


@pytest.fixture(scope="session")
def onnx_model(tmp_path_factory: pytest.TempPathFactory, classifier: LogisticRegression) -> Path:
    from skl2onnx import to_onnx

    model = to_onnx(classifier, np.asarray(ROWS[:1], dtype=np.float32), options={"zipmap": False})
    path = tmp_path_factory.mktemp("onnx") / "iris.onnx"
    path.write_bytes(model.SerializeToString())
    return path


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """An empty folder to run amldeploy in; whatever it deployed there is deleted at teardown."""
    folder = tmp_path / "project"
    folder.mkdir()
    yield folder
    services = folder / ".amldeploy" / "services"
    for service in list(services.iterdir()) if services.is_dir() else []:
        subprocess.run(
            [sys.executable, "-m", "amldeploy", "delete", service.name],
            cwd=folder,
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ, "DOCKER_HOST": NO_ENGINE},
        )


@pytest.fixture
def cli(project: Path, tmp_path: Path) -> Cli:
    """``python -m amldeploy ARGS...`` in the project, without a Docker engine and with a cache of its own."""

    def run(*args: str, timeout: float = 120, **env_vars: str) -> Result:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_")}
        env.update(DOCKER_HOST=NO_ENGINE, AMLDEPLOY_CACHE_DIR=str(tmp_path / "cache"))
        env.update(AMLDEPLOY_DATA_DIR=str(tmp_path / "data"), AMLDEPLOY_MODEL_REGISTRY=str(tmp_path / "registry"))
        env.update(env_vars)
        return run_amldeploy(args, project, env, timeout)

    return run


def post(uri: str, body: Any) -> tuple[int, Any]:
    """POST ``body`` as JSON; the status and the parsed answer."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(uri, data, {"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        with contextlib.closing(error):
            return error.code, json.loads(error.read() or b"null")


def get_json(uri: str) -> Any:
    with urllib.request.urlopen(uri, timeout=30) as reply:
        return json.loads(reply.read())


def deployed(result: Result) -> dict[str, Any]:
    """The service of a successful ``deploy --output json``."""
    assert result.status == 0, result.both[-4000:]
    service: dict[str, Any] = result.json()["service"]
    return service

"""Helpers of the Docker target's tests: ``amldeploy`` run as a user runs it, against the engine of
``tests/infra/docker/ensure.sh`` (the ``docker_env`` and ``docker_client`` fixtures of this folder's conftest).

Builds go FROM the pull-free Python base image of the test engine and reach PyPI through this machine's
TLS-intercepting proxy, so pip in the build gets the machine's CA bundle (``AMLDEPLOY_DOCKER_CA_BUNDLE`` for
deploys, ``--ca-bundle`` for ``amldeploy package``). Every service a test deploys has a name unique to the run;
whatever is left of it is removed at teardown (the images stay: they are the build cache of the next run).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.python.cli_run import Cli, Result, run_amldeploy, train_example

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "sklearn"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SERVICE_LABEL = "amldeploy.service"

TINY_SCORE = """\
import json

VERSION = 1


def init():
    print("tiny init called", flush=True)


def run(raw_data):
    return {"echo": json.loads(raw_data), "version": VERSION}
"""
TINY_CONFIG = {"entryScript": "score.py"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def cli_for(docker_env: dict[str, str], folder: Path) -> Cli:
    """``python -m amldeploy ARGS...`` in ``folder`` with the test engine and its base image."""

    def run(*args: str, timeout: float = 600, stdin: str | None = None, **env_vars: str) -> Result:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "DOCKER_"))}
        env.update(
            DOCKER_HOST=docker_env["DOCKER_HOST"],
            AMLDEPLOY_DOCKER_BASE_IMAGE=docker_env["AMLDEPLOY_TEST_BASE_IMAGE"],
            AMLDEPLOY_DOCKER_CA_BUNDLE=str(CA_BUNDLE),
        )
        env.update(env_vars)
        return run_amldeploy(args, folder, env, timeout, stdin)

    return run


def write_tiny(folder: Path, score: str = TINY_SCORE, deployment: dict[str, Any] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "score.py").write_text(score, encoding="utf-8")
    (folder / "inferenceconfig.json").write_text(json.dumps(TINY_CONFIG), encoding="utf-8")
    (folder / "deploymentconfig.json").write_text(json.dumps(deployment or {"computeType": "local"}), encoding="utf-8")
    return folder


def containers_of(docker_client: Any, service: str) -> list[Any]:
    return list(docker_client.containers.list(all=True, filters={"label": f"{SERVICE_LABEL}={service}"}))


def untag(docker_client: Any, *refs: str) -> None:
    """Remove tags a test made; the layers stay (``noprune``) as the build cache of the next run."""
    for ref in refs:
        with contextlib.suppress(Exception):
            docker_client.images.remove(ref, noprune=True)


def remove_services(docker_client: Any, names: list[str]) -> None:
    """Their containers, and the tags named after them (unique to the run: they would pile up). The layers stay
    (``noprune``): they are the classic builder's cache of the next run."""
    for name in names:
        for container in containers_of(docker_client, name):
            with contextlib.suppress(Exception):
                container.remove(force=True)
        for image in docker_client.images.list(name=name):
            for tag in image.tags:
                if tag.split(":", 1)[0] == name:
                    with contextlib.suppress(Exception):
                        docker_client.images.remove(tag, noprune=True)


@pytest.fixture
def services(docker_client: Any) -> Iterator[list[str]]:
    """Names a test deploys; their containers are removed at teardown, whatever happened."""
    names: list[str] = []
    yield names
    remove_services(docker_client, names)


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_example(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def sklearn_project(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Path:
    """A copy of examples/sklearn with its model and a portless local deployment config."""
    folder = tmp_path_factory.mktemp("sklearn")
    for name in ("score.py", "inferenceconfig.json", "environment.yml", "sample-request.json"):
        shutil.copy(EXAMPLE / name, folder / name)
    (folder / "deploymentconfig.json").write_text('{"computeType": "local"}\n', encoding="utf-8")
    shutil.copy(trained_model, folder / "model.joblib")
    return folder


@pytest.fixture(scope="module")
def tiny_image(docker_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> str:
    """The tiny project built once per module (``package --image``): its dependency layers are then in the
    engine's cache, so every tiny variant a test deploys rebuilds only its code layers."""
    folder = write_tiny(tmp_path_factory.mktemp("tiny-warm"))
    built = cli_for(docker_env, folder)(
        "package", "--ic", "inferenceconfig.json", "--image", "amldeploy-test/tiny", "--name", "amldeploy-test-tiny", "--output",
        "json", "--ca-bundle", str(CA_BUNDLE),
    )  # fmt: skip
    assert built.status == 0, built.both
    image: str = built.json()["image"]
    return image

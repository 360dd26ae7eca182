"""Every test runs with its own amldeploy data folder (model registry, compute targets, az shim): the user's own
store is never read or written, even by a command a test starts with a trimmed environment. ``docker_env`` and
``docker_client`` give the tests' Docker engine to any folder that needs it (tests/infra/docker/: a real engine, a
registry on 127.0.0.1 and base images built without any pull; set up once per session, on first use)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.infra import docker_engine


@pytest.fixture(autouse=True, scope="session")
def _own_data_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("xdg-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(folder))
        patch.setenv("AMLDEPLOY_DATA_DIR", str(folder / "amldeploy"))
        yield folder


@pytest.fixture(scope="session")
def docker_env() -> dict[str, str]:
    return docker_engine.ensure()


@pytest.fixture(scope="session")
def docker_client(docker_env: dict[str, str]) -> Iterator[docker.DockerClient]:
    client = docker.DockerClient(base_url=docker_env["DOCKER_HOST"], timeout=300)
    try:
        yield client
    finally:
        client.close()

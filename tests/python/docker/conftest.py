"""A real Docker engine, a registry on 127.0.0.1 and base images built without any pull (tests/infra/docker/).

``docker_env`` sets them up once per session (the first run on a machine installs Debian packages and builds the
images: about a minute; later runs reuse them in well under a second).
"""

from __future__ import annotations

from collections.abc import Iterator

import docker
import pytest

from tests.infra import docker_engine


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

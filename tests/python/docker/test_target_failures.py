"""The Docker target when things go wrong, with a real engine: a failed build step, a cancelled deploy, and what
``delete --purge`` removes. Every case leaves no container behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from amldeploy.ops.errors import Cancelled
from amldeploy.ops.prepare import prepare_deploy
from amldeploy.ops.reporter import RecordingReporter
from amldeploy.ops.targets.docker import engine
from amldeploy.ops.targets.docker.target import DockerTarget
from tests.python.docker.fixtures_target import (
    CA_BUNDLE,
    TINY_SCORE,
    cli_for,
    containers_of,
    services,
    tiny_image,
    unique,
    write_tiny,
)

__all__ = ["services", "tiny_image"]  # fixtures, used by name


def test_a_failed_pip_step_shows_the_step_its_command_and_pips_output(
    docker_env: dict[str, str], docker_client: Any, services: list[str], tmp_path: Path
) -> None:
    folder = write_tiny(tmp_path / "badreq")
    config = {
        "entryScript": "score.py",
        "environment": {
            "python": {"condaDependencies": {"dependencies": [{"pip": ["amldeploy-no-such-package==9.9.9"]}]}}
        },
    }
    (folder / "inferenceconfig.json").write_text(json.dumps(config))
    name = unique("badreq")
    services.append(name)
    failed = cli_for(docker_env, folder)(
        "deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json"
    )
    assert failed.status == 1
    assert "failed at step" in failed.err and "(RUN pip install -r /tmp/amldeploy/requirements.txt)" in failed.err
    assert "No matching distribution found for amldeploy-no-such-package==9.9.9" in failed.err  # pip's own words
    assert "a dependency could not be installed" in failed.err
    assert containers_of(docker_client, name) == []


class CancelWhileWaiting(RecordingReporter):
    """An editor's cancel button pressed once the container runs and the health wait begins."""

    def step(self, title: str) -> None:
        super().step(title)
        if title.startswith("Waiting for"):
            raise Cancelled()


def test_a_cancelled_deploy_removes_its_container(
    docker_env: dict[str, str],
    docker_client: Any,
    tiny_image: str,
    services: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker_env["DOCKER_HOST"])
    monkeypatch.setenv("AMLDEPLOY_DOCKER_BASE_IMAGE", docker_env["AMLDEPLOY_TEST_BASE_IMAGE"])
    monkeypatch.setenv("AMLDEPLOY_DOCKER_CA_BUNDLE", str(CA_BUNDLE))
    engine.forget()
    folder = write_tiny(tmp_path / "cancel")
    name = unique("cancel")
    services.append(name)
    prepared = prepare_deploy(
        name, folder / "inferenceconfig.json", folder / "deploymentconfig.json", [], folder, target="docker"
    )
    reporter = CancelWhileWaiting()
    with pytest.raises(Cancelled):
        DockerTarget(folder).deploy(prepared.request, reporter)
    assert any(e.kind == "step" and e.text.startswith(f"Starting {name}") for e in reporter.events)
    assert containers_of(docker_client, name) == []


def test_delete_purge_removes_the_image(
    docker_env: dict[str, str], docker_client: Any, tiny_image: str, services: list[str], tmp_path: Path
) -> None:
    from docker.errors import ImageNotFound

    name = unique("purge")
    folder = write_tiny(tmp_path / "purge", TINY_SCORE.replace("VERSION = 1", f"VERSION = {name!r}"))
    services.append(name)
    cli = cli_for(docker_env, folder)
    assert cli("deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json").status == 0
    image = cli("show", name, "--output", "json").json()["image"]
    deleted = cli("delete", name, "--purge")
    assert deleted.status == 0, deleted.both
    assert containers_of(docker_client, name) == []
    with pytest.raises(ImageNotFound):
        docker_client.images.get(image)

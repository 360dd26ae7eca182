"""The Docker target when things go wrong, with a real engine: a failed build step, a cancelled deploy, and what
``delete --purge`` removes. Every case leaves no container behind."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from amldeploy.ops.errors import Cancelled
from amldeploy.ops.locks import current_holder
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
    untag,
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


def _in_process_engine(monkeypatch: pytest.MonkeyPatch, docker_env: dict[str, str]) -> None:
    """The target called in this process (not through the CLI) uses the test engine and its base image."""
    monkeypatch.setenv("DOCKER_HOST", docker_env["DOCKER_HOST"])
    monkeypatch.setenv("AMLDEPLOY_DOCKER_BASE_IMAGE", docker_env["AMLDEPLOY_TEST_BASE_IMAGE"])
    monkeypatch.setenv("AMLDEPLOY_DOCKER_CA_BUNDLE", str(CA_BUNDLE))
    engine.forget()


def test_a_cancelled_deploy_removes_its_container(
    docker_env: dict[str, str],
    docker_client: Any,
    tiny_image: str,
    services: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _in_process_engine(monkeypatch, docker_env)
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


def test_an_init_that_runs_out_of_memory_is_failed_and_says_so(
    docker_env: dict[str, str], docker_client: Any, tiny_image: str, services: list[str], tmp_path: Path
) -> None:
    hog = TINY_SCORE.replace(
        'print("tiny init called", flush=True)', "global HOG\n    HOG = bytearray(600 * 1024 * 1024)"
    )
    aci = {"computeType": "ACI", "containerResourceRequirements": {"cpu": 1, "memoryInGB": 0.2}}
    folder = write_tiny(tmp_path / "oom", hog, deployment=aci)
    name = unique("oom")
    services.append(name)
    failed = cli_for(docker_env, folder)(
        "deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--target", "docker"
    )
    assert failed.status == 1
    assert f"Service {name} is Failed." in failed.err
    assert "ran out of memory and was killed" in failed.err and "raise memoryInGB" in failed.err
    assert containers_of(docker_client, name) == []


def test_a_private_base_is_pulled_after_a_login_that_never_shows_the_password(
    docker_env: dict[str, str], docker_client: Any, tiny_image: str, services: list[str], tmp_path: Path
) -> None:
    registry = docker_env["AMLDEPLOY_TEST_REGISTRY"]
    repo = f"amldeploy-tests/{unique('base')}"
    base = docker_client.images.get(docker_env["AMLDEPLOY_TEST_BASE_IMAGE"])
    base.tag(f"{registry}/{repo}", "1")
    docker_client.images.push(f"{registry}/{repo}", "1")
    docker_client.images.remove(f"{registry}/{repo}:1")  # the build must pull it
    password = "s3cret-" + unique("pw")
    folder = write_tiny(tmp_path / "private")
    config = {
        "entryScript": "score.py",
        "environment": {
            "docker": {
                "baseImage": f"{repo}:1",
                "baseImageRegistry": {"address": registry, "username": "builder", "password": password},
            }
        },
    }
    (folder / "inferenceconfig.json").write_text(json.dumps(config))
    name = unique("private")
    services.append(name)
    cli = cli_for(docker_env, folder)
    deployed = cli("deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json")
    assert deployed.status == 0, deployed.both
    assert f"Logging in to {registry} as builder" in deployed.err
    assert f"FROM {registry}/{repo}:1" in deployed.err
    assert "left out of the image: it holds the base registry's password" in deployed.err
    (container,) = containers_of(docker_client, name)
    shown = json.dumps(container.attrs) + deployed.both + cli("show", name, "--output", "json").out
    assert password not in shown
    untag(docker_client, f"{registry}/{repo}:1")


def test_push_with_a_username_takes_the_password_from_stdin(
    docker_env: dict[str, str], docker_client: Any, tiny_image: str, tmp_path: Path
) -> None:
    folder = write_tiny(tmp_path / "push-user")
    registry = docker_env["AMLDEPLOY_TEST_REGISTRY"]
    password = "s3cret-" + unique("pw")
    ref = f"{registry}/amldeploy-tests/{unique('pushuser')}:v1"
    cli = cli_for(docker_env, folder)
    args = ("package", "--ic", "inferenceconfig.json", "--image", ref, "--push", "--registry-username", "pusher")
    pushed = cli(*args, "--ca-bundle", str(CA_BUNDLE), stdin=password + "\n")
    assert pushed.status == 0, pushed.both
    assert f"Pushed {ref}" in pushed.out and password not in pushed.both
    no_password = cli(*args, "--ca-bundle", str(CA_BUNDLE), stdin="")
    assert no_password.status == 2 and "the password read from stdin is empty" in no_password.err
    content_tags = [
        t for i in docker_client.images.list(name="push-user") for t in i.tags if t.startswith("push-user:")
    ]
    untag(docker_client, ref, *content_tags)


def test_following_logs_ends_when_the_caller_stops_even_while_the_service_is_quiet(
    docker_env: dict[str, str],
    docker_client: Any,
    tiny_image: str,
    services: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading
    import time

    _in_process_engine(monkeypatch, docker_env)
    folder = write_tiny(tmp_path / "quiet")
    name = unique("quiet")
    services.append(name)
    assert (
        cli_for(docker_env, folder)(
            "deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json"
        ).status
        == 0
    )
    stopped = threading.Event()
    lines: list[str] = []

    def follow() -> None:
        lines.extend(DockerTarget(folder).logs(name, follow=True, tail=5, stop=stopped.is_set))

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    time.sleep(1.5)
    assert reader.is_alive()  # nothing new to read: it waits
    stopped.set()
    reader.join(timeout=3)
    assert not reader.is_alive() and any("tiny init called" in line for line in lines)


def test_commands_from_two_folders_on_one_service_take_turns(
    docker_env: dict[str, str],
    docker_client: Any,
    tiny_image: str,
    services: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The engine's services are the same from every folder, so a delete from another folder waits for the deploy
    under way (and says for what), then deletes what it deployed; nothing is left."""
    _in_process_engine(monkeypatch, docker_env)
    monkeypatch.setenv("AMLDEPLOY_CACHE_DIR", str(tmp_path / "cache"))
    slow = TINY_SCORE.replace('print("tiny init called", flush=True)', "import time; time.sleep(3)")
    first = write_tiny(tmp_path / "first", slow)
    other = tmp_path / "other"
    other.mkdir()
    name = unique("twin")
    services.append(name)
    prepared = prepare_deploy(
        name, first / "inferenceconfig.json", first / "deploymentconfig.json", [], first, target="docker"
    )
    deployed: list[Any] = []
    worker = threading.Thread(
        target=lambda: deployed.append(DockerTarget(first).deploy(prepared.request, RecordingReporter()))
    )
    worker.start()
    try:
        lock_root = DockerTarget(other).lock_root()
        deadline = time.monotonic() + 60
        while (holder := current_holder(lock_root, "docker", name)) is None or holder.operation != "deploy":
            assert time.monotonic() < deadline and worker.is_alive(), "the deploy never held the service's lock"
            time.sleep(0.05)
        reporter = RecordingReporter()
        DockerTarget(other).delete(name, reporter)
    finally:
        worker.join(120)
    assert deployed and deployed[0].state == "Healthy"
    assert any(e.kind == "step" and e.text.startswith(f"Waiting for the deploy of {name}") for e in reporter.events)
    assert containers_of(docker_client, name) == []

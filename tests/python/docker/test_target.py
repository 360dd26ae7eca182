"""The Docker target end to end with a real engine: what a user sees from deploy, score, logs, show, keys,
redeploy and delete, and the failures (init() crash, missing base image, no engine).

The sklearn example installs numpy, scipy and scikit-learn from PyPI in its image (the longest build); the
other tests use a tiny script whose dependency layers one module-scoped build puts in the engine's cache.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.python.docker.fixtures_target import (
    TINY_SCORE,
    cli_for,
    containers_of,
    services,
    sklearn_project,
    tiny_image,
    trained_model,
    unique,
    untag,
    write_tiny,
)

__all__ = ["services", "sklearn_project", "tiny_image", "trained_model"]  # fixtures, used by name

VENV_LAYER = "in /opt/amldeploy/venv "  # COPY --from=amldeploy-deps: the dependencies
MODELS_LAYER = "in /var/azureml-app/azureml-models/ "
APP_LAYER = "in /var/azureml-app/ "


def _layer_of(docker_client: Any, image: str, marker: str) -> str:
    """The id of the image's history entry whose command mentions ``marker`` (the layer it made)."""
    for entry in docker_client.api.history(image):
        if marker in entry.get("CreatedBy", ""):
            return str(entry["Id"])
    raise AssertionError(f"no layer of {image} mentions {marker}")


def test_sklearn_package_deploy_score_logs_redeploy_delete(
    docker_env: dict[str, str],
    docker_client: Any,
    sklearn_project: Path,
    services: list[str],
    tmp_path: Path,
) -> None:
    cli = cli_for(docker_env, sklearn_project)
    name = unique("sk")
    services.append(name)
    models = ("--model", "model.joblib")

    offline = cli("package", "--ic", "inferenceconfig.json", *models, "--output-path", str(tmp_path / "ctx"),
                  "--name", name, "--ca-bundle", "/etc/ssl/certs/ca-certificates.crt", DOCKER_HOST="unix:///nowhere")  # fmt: skip
    assert offline.status == 0, offline.both
    assert (tmp_path / "ctx" / "Dockerfile").is_file()

    started = time.monotonic()
    deployed = cli("deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", *models)
    assert deployed.status == 0, deployed.both
    assert f"Service {name} is Healthy (docker target, container amldeploy-{name})" in deployed.out
    print(f"first sklearn deploy (build included): {time.monotonic() - started:.1f} s")

    shown = cli("show", name, "--output", "json").json()
    assert shown["state"] == "Healthy" and shown["target"] == "docker" and shown["host"] == "127.0.0.1"
    assert shown["models"][0]["name"] == "model"
    sample = (sklearn_project / "sample-request.json").read_text()
    scored = cli("score", name, "--data", sample)
    assert scored.status == 0, scored.both
    first = json.loads(scored.out.split("\n", 2)[2])
    assert isinstance(first, list) and isinstance(first[0], float)
    logs = cli("logs", name, "--tail", "100")
    assert "model loaded from /var/azureml-app/azureml-models/model/1/model.joblib" in logs.out
    assert [s["name"] for s in cli("list", "--output", "json").json() if s["name"] == name] == [name]
    old_image = shown["image"]

    # A code-only change: the rebuild reuses the dependency layers.
    score = sklearn_project / "score.py"
    score.write_text(score.read_text().replace("return predictions.tolist()", "return {'v2': predictions.tolist()}"))
    started = time.monotonic()
    redeployed = cli("deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", *models)
    assert redeployed.status == 0, redeployed.both
    print(f"code-only redeploy: {time.monotonic() - started:.1f} s")
    new_image = cli("show", name, "--output", "json").json()["image"]
    assert new_image != old_image
    for layer in (VENV_LAYER, MODELS_LAYER):
        assert _layer_of(docker_client, new_image, layer) == _layer_of(docker_client, old_image, layer)
    assert _layer_of(docker_client, new_image, APP_LAYER) != _layer_of(docker_client, old_image, APP_LAYER)
    again = json.loads(cli("score", name, "--data", sample).out.split("\n", 2)[2])
    assert again == {"v2": first}
    assert [c.name for c in containers_of(docker_client, name)] == [f"amldeploy-{name}"]  # the old one is gone

    deleted = cli("delete", name)
    assert deleted.status == 0, deleted.both
    assert containers_of(docker_client, name) == []
    assert docker_client.images.get(new_image)  # the image stays: the cache of the next deploy
    gone = cli("show", name)
    assert gone.status == 1 and f"there is no service named '{name}'" in gone.err


def test_auth_keys_live_only_in_the_container(
    docker_env: dict[str, str], docker_client: Any, tiny_image: str, services: list[str], tmp_path: Path
) -> None:
    aci = {"computeType": "ACI", "authEnabled": True, "containerResourceRequirements": {"cpu": 0.5, "memoryInGB": 0.5}}
    folder = write_tiny(tmp_path / "auth", deployment=aci)
    cli = cli_for(docker_env, folder)
    name = unique("auth")
    services.append(name)
    deployed = cli(
        "deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--target", "docker"
    )
    assert deployed.status == 0, deployed.both
    keys = cli("keys", name, "--output", "json").json()
    primary = keys["primaryKey"]
    assert len(primary) == 32 and primary != keys["secondaryKey"]
    service = cli("show", name, "--output", "json").json()
    refused = urllib.request.Request(service["scoringUri"], data=b'{"a": 1}', method="POST")
    with pytest.raises(urllib.error.HTTPError) as no_key:
        urllib.request.urlopen(refused, timeout=10)
    assert no_key.value.code == 401
    scored = cli("score", name, "--data", '{"a": 1}')
    assert scored.status == 0 and '"echo"' in scored.out
    (container,) = containers_of(docker_client, name)
    assert all(primary not in value for value in container.labels.values())
    assert primary not in deployed.both and primary not in cli("logs", name).out
    assert container.attrs["HostConfig"]["Memory"] == 512 * 1024**2
    assert container.attrs["HostConfig"]["NanoCpus"] == 500_000_000


def test_init_crash_is_failed_with_its_traceback_and_leaves_nothing(
    docker_env: dict[str, str], docker_client: Any, tiny_image: str, services: list[str], tmp_path: Path
) -> None:
    crash = TINY_SCORE.replace('print("tiny init called", flush=True)', 'raise RuntimeError("the model is missing")')
    folder = write_tiny(tmp_path / "crash", crash)
    name = unique("crash")
    services.append(name)
    failed = cli_for(docker_env, folder)(
        "deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json"
    )
    assert failed.status == 1
    assert f"Service {name} is Failed." in failed.err
    assert "exit status 3" in failed.err and "init() raised" in failed.err
    assert "RuntimeError: the model is missing" in failed.err and "Traceback (most recent call last)" in failed.err
    assert containers_of(docker_client, name) == []


def test_unchanged_project_builds_nothing_and_fixed_port_redeploy(
    docker_env: dict[str, str], docker_client: Any, tiny_image: str, services: list[str], tmp_path: Path
) -> None:
    from tests.python.ops.conftest import free_port

    port = free_port()
    folder = write_tiny(tmp_path / "fixed", deployment={"computeType": "local", "port": port})
    cli = cli_for(docker_env, folder)
    name = unique("fixed")
    services.append(name)
    args = ("deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json")
    first = cli(*args)
    assert first.status == 0, first.both
    assert f"Scoring URI: http://127.0.0.1:{port}/score" in first.out
    second = cli(*args)
    assert second.status == 0, second.both
    assert "unchanged, not rebuilt" in second.err and "Successfully built" not in second.err
    assert "Stopping the running" in second.err  # v1 with a fixed port: stop, then start
    assert f"Scoring URI: http://127.0.0.1:{port}/score" in second.out
    assert len(containers_of(docker_client, name)) == 1


def test_logs_follow_ends_when_the_container_stops(
    docker_env: dict[str, str], docker_client: Any, tiny_image: str, services: list[str], tmp_path: Path
) -> None:
    folder = write_tiny(tmp_path / "follow")
    cli = cli_for(docker_env, folder)
    name = unique("follow")
    services.append(name)
    assert cli("deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json").status == 0
    env = {"DOCKER_HOST": docker_env["DOCKER_HOST"], "PATH": "/usr/bin:/bin"}
    follower = subprocess.Popen(
        [sys.executable, "-m", "amldeploy", "logs", name, "--follow"],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(1.0)
        cli("score", name, "--data", '{"followed": true}')
        (container,) = containers_of(docker_client, name)
        container.stop(timeout=5)
        out, _ = follower.communicate(timeout=20)
    finally:
        follower.kill()
    assert "tiny init called" in out and "POST /score 200" in out
    shown = cli("show", name, "--output", "json").json()
    assert shown["state"] == "Failed" and "exit status 0" in shown["error"]


def test_missing_base_image_is_a_failed_build_with_the_fix(
    docker_env: dict[str, str], docker_client: Any, services: list[str], tmp_path: Path
) -> None:
    folder = write_tiny(tmp_path / "nobase")
    name = unique("nobase")
    services.append(name)
    failed = cli_for(docker_env, folder)(
        "deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--target", "docker",
        AMLDEPLOY_DOCKER_BASE_IMAGE="amldeploy-test/no-such-base:1",
    )  # fmt: skip
    assert failed.status == 1
    assert "FROM amldeploy-test/no-such-base:1" in failed.err
    assert "the base image amldeploy-test/no-such-base:1 is not on this engine" in failed.err
    assert containers_of(docker_client, name) == []


def test_push_to_a_registry(docker_env: dict[str, str], docker_client: Any, tiny_image: str, tmp_path: Path) -> None:
    folder = write_tiny(tmp_path / "push")
    registry = docker_env["AMLDEPLOY_TEST_REGISTRY"]
    repo = f"{registry}/amldeploy-tests/{unique('push')}"
    pushed = cli_for(docker_env, folder)(
        "package", "--ic", "inferenceconfig.json", "--image", f"{repo}:v1", "--push", "--output", "json",
        "--ca-bundle", "/etc/ssl/certs/ca-certificates.crt",
    )  # fmt: skip
    assert pushed.status == 0, pushed.both
    assert pushed.json()["pushed"] is True and pushed.json()["digest"].startswith("sha256:")
    path = repo.split("/", 1)[1]
    with urllib.request.urlopen(f"http://{registry}/v2/{path}/tags/list", timeout=10) as answer:
        assert json.load(answer)["tags"] == ["v1"]
    untag(docker_client, f"{repo}:v1", pushed.json()["contentTag"])

    # What another machine does with it: pull it from the registry and run it; it serves the project.
    pulled = docker_client.images.pull(repo, tag="v1")
    assert pulled.attrs["RepoDigests"] == [f"{repo}@{pushed.json()['digest']}"]
    container = docker_client.containers.run(f"{repo}:v1", detach=True, ports={"5001/tcp": ("127.0.0.1", None)})
    try:
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"]["5001/tcp"][0]["HostPort"]
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as health:
                    assert health.status == 200
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, container.logs().decode()[-2000:]
                time.sleep(0.3)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/score", data=b'{"pulled": true}', method="POST")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as scored:
            assert json.load(scored) == {"echo": {"pulled": True}, "version": 1}
    finally:
        container.remove(force=True)
        untag(docker_client, f"{repo}:v1")


def test_no_engine_says_how_to_start_one(tmp_path: Path) -> None:
    folder = write_tiny(tmp_path / "noengine")
    cli = cli_for({"DOCKER_HOST": "unix:///nonexistent/docker.sock", "AMLDEPLOY_TEST_BASE_IMAGE": "x"}, folder)
    forced = cli(
        "deploy", "noengine", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--target", "docker"
    )
    assert forced.status == 1
    assert "no Docker engine answers at unix:///nonexistent/docker.sock (DOCKER_HOST)" in forced.err
    assert "start Docker" in forced.err and "--target process" in forced.err
    chosen = cli("deploy", "noengine", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json")
    try:
        assert chosen.status == 0, chosen.both
        assert "(process target, pid" in chosen.out  # without an engine, computeType local runs as a process
    finally:
        cli("delete", "noengine")

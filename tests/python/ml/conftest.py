"""``amldeploy ml …`` run as a user runs it: in a copy of examples/sklearn whose model is ``outputs/model.joblib``,
with a model registry of the test's own (``AMLDEPLOY_MODEL_REGISTRY``) and no Docker engine (the process target),
unless a test asks for the Docker target. Whatever a test deploys is deleted at teardown."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.python.cli_run import EXAMPLE, Cli, Result, run_amldeploy, train_example

NO_ENGINE = "unix:///nonexistent/amldeploy-tests/docker.sock"
SAMPLE = (EXAMPLE / "sample-request.json").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_example(tmp_path_factory.mktemp("model"))


@pytest.fixture
def project(tmp_path: Path, trained_model: Path) -> Iterator[Path]:
    folder = tmp_path / "project"
    folder.mkdir()
    for name in ("score.py", "inferenceconfig.json", "environment.yml"):
        shutil.copy(EXAMPLE / name, folder / name)
    (folder / "deploymentconfig.json").write_text('{"computeType": "local"}\n', encoding="utf-8")
    (folder / "outputs").mkdir()
    shutil.copy(trained_model, folder / "outputs" / "model.joblib")
    yield folder
    clean(folder)


def clean(folder: Path, env: dict[str, str] | None = None) -> None:
    services = folder / ".amldeploy" / "services"
    if not services.is_dir():
        return
    for record in list(services.iterdir()):
        subprocess.run(
            [sys.executable, "-m", "amldeploy", "delete", record.name],
            cwd=folder,
            capture_output=True,
            timeout=60,
            check=False,
            env=env,
        )
        with contextlib.suppress(OSError, ValueError):  # delete failed: still leave no process behind
            pid = json.loads((record / "service.json").read_text(encoding="utf-8")).get("pid")
            if isinstance(pid, int) and "amldeploy" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                os.killpg(pid, signal.SIGKILL)


def base_env(registry: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "DOCKER_"))}
    env["AMLDEPLOY_MODEL_REGISTRY"] = str(registry)
    env["AMLDEPLOY_DATA_DIR"] = str(registry.parent / "data")  # compute target records
    env["DOCKER_HOST"] = NO_ENGINE
    return env


@pytest.fixture
def ml(project: Path, tmp_path: Path) -> Cli:
    """``python -m amldeploy ml ARGS...`` in the project, with the test's registry and the process target."""

    def run(*args: str, timeout: float = 120, cwd: Path | None = None, **env_vars: str) -> Result:
        env = base_env(tmp_path / "registry")
        env.update(env_vars)
        return run_amldeploy(("ml", *args), cwd or project, env, timeout)

    return run

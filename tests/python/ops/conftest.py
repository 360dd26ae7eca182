"""End-to-end helpers for the service commands: real ``amldeploy`` processes, real HTTP on 127.0.0.1.

Every test works in its own folder (``tmp_path``, the "project"); whatever it deploys is deleted at teardown,
and any process a record still names is killed, so that no runtime outlives the suite.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.python.cli_run import Cli, Result, run_amldeploy, train_example

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "sklearn"
SAMPLE = (EXAMPLE / "sample-request.json").read_text(encoding="utf-8")
# computeType local goes to the Docker target while an engine answers: the process target's tests run without
# one, wherever Docker is installed (tests/python/docker/ test the Docker target).
NO_ENGINE = "unix:///nonexistent/amldeploy-tests/docker.sock"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_example(tmp_path_factory.mktemp("model"))


@pytest.fixture
def project(tmp_path: Path, trained_model: Path) -> Iterator[Path]:
    """A copy of the example (score.py, configs) with a portless local deployment config and the model."""
    for name in ("score.py", "inferenceconfig.json", "environment.yml", "deploymentconfig.aci.json"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    (tmp_path / "deploymentconfig.json").write_text('{"computeType": "local"}\n', encoding="utf-8")
    shutil.copy(trained_model, tmp_path / "model.joblib")
    yield tmp_path
    _clean(tmp_path)


def _clean(project: Path) -> None:
    services = project / ".amldeploy" / "services"
    if not services.is_dir():
        return
    for folder in list(services.iterdir()):
        subprocess.run(
            [sys.executable, "-m", "amldeploy", "delete", folder.name],
            cwd=project,
            capture_output=True,
            timeout=30,
            check=False,
        )
        with contextlib.suppress(OSError, ValueError):  # delete failed: still leave no process behind
            pid = json.loads((folder / "service.json").read_text(encoding="utf-8")).get("pid")
            if isinstance(pid, int) and "amldeploy" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                os.killpg(pid, signal.SIGKILL)


@pytest.fixture
def cli(project: Path) -> Cli:
    """Run ``python -m amldeploy ARGS...`` in the project folder."""

    def run(
        *args: str, timeout: float = 60, cwd: Path | None = None, stdin: str | None = None, **env_vars: str
    ) -> Result:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_")}
        env["DOCKER_HOST"] = NO_ENGINE
        env.update(env_vars)
        return run_amldeploy(args, cwd or project, env, timeout, stdin)

    return run


def deploy_args(name: str, *extra: str, dc: str = "deploymentconfig.json") -> list[str]:
    return ["deploy", name, "--ic", "inferenceconfig.json", "--dc", dc, "--model", "model.joblib", *extra]


def record(project: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / ".amldeploy" / "services" / name / "service.json").read_text())
    return data

"""Compute targets by name, run as a user runs them: ``amldeploy target ...``, ``amldeploy ml computetarget ...``
and ``--ct NAME``, with the records in ``tmp_path`` (``AMLDEPLOY_DATA_DIR``) so the user's folder is never touched,
no kubeconfig and no Docker engine unless a test gives one."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.python.cli_run import EXAMPLE, Result, run_amldeploy

AKS_ID = "/subscriptions/0000-sub/resourceGroups/ml-rg/providers/Microsoft.ContainerService/managedClusters/prod-aks"
KUBECONFIG = """\
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: dev-user
  user: {token: not-a-real-token}
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-dev}
"""

Run = Callable[..., Result]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_") and k != "KUBECONFIG"}
    clean.update(
        AMLDEPLOY_DATA_DIR=str(tmp_path / "data"),
        KUBECONFIG=str(tmp_path / "missing-kubeconfig"),
        DOCKER_HOST="unix:///nonexistent/amldeploy-tests/docker.sock",
    )
    return clean


@pytest.fixture
def records(tmp_path: Path) -> Path:
    return tmp_path / "data" / "computetargets"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for name in ("inferenceconfig.json", "score.py", "environment.yml"):
        shutil.copy(EXAMPLE / name, root / name)
    (root / "model.joblib").write_bytes(b"not a real model; these runs stop before loading it")
    (root / "aks.json").write_text('{"computeType": "AKS", "numReplicas": 1}', encoding="utf-8")
    (root / "aci.json").write_text('{"computeType": "ACI", "cpu": 0.5, "memoryInGB": 1}', encoding="utf-8")
    (root / "local.json").write_text('{"computeType": "local"}', encoding="utf-8")
    return root


@pytest.fixture
def cli(env: dict[str, str], project: Path) -> Run:
    """``amldeploy ARGS...`` in the project."""

    def run(*args: str, **extra_env: str) -> Result:
        return run_amldeploy(args, project, {**env, **extra_env}, timeout=120)

    return run


@functools.cache
def _ml_is_wired() -> bool:
    """Whether ``amldeploy ml computetarget`` exists (the ``ml`` group wires this module's parser in)."""
    proc = subprocess.run(
        [sys.executable, "-m", "amldeploy", "ml", "computetarget", "--help"], capture_output=True, check=False
    )
    return proc.returncode == 0


@pytest.fixture
def ml(env: dict[str, str], project: Path) -> Run:
    """``amldeploy ml computetarget ARGS...`` (through the module's own entry point until ``ml`` is wired)."""

    def run(*args: str) -> Result:
        if _ml_is_wired():
            return run_amldeploy(("ml", "computetarget", *args), project, env, timeout=120)
        proc = subprocess.run(
            [sys.executable, "-m", "amldeploy.commands.ml_computetarget", *args],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


def deploy_args(dc: str = "aks.json") -> tuple[str, ...]:
    return ("deploy", "sklearn-demo", "--ic", "inferenceconfig.json", "--dc", dc, "--model", "model.joblib")

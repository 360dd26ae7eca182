"""The main job (``make demo``, examples/demo.sh) with a Docker engine answering: it takes the Docker target and
says so, scores the example and deletes it (without an engine it takes the process target: what CI's ``make demo``
runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.python.docker.fixtures_target import CA_BUNDLE, ROOT, SERVICE_LABEL, trained_model

__all__ = ["trained_model"]  # a fixture, used by name

DEMO = ROOT / "examples" / "demo.sh"


def test_the_demo_deploys_on_the_docker_target_when_an_engine_answers(
    docker_env: dict[str, str], docker_client: Any, trained_model: Path
) -> None:
    model = ROOT / "examples" / "sklearn" / "model" / "model.joblib"
    if not model.exists():  # what `make demo` trains first
        model.parent.mkdir(parents=True, exist_ok=True)
        model.write_bytes(trained_model.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "DOCKER_"))}
    env.update(
        DOCKER_HOST=docker_env["DOCKER_HOST"],
        AMLDEPLOY_DOCKER_BASE_IMAGE=docker_env["AMLDEPLOY_TEST_BASE_IMAGE"],
        AMLDEPLOY_DOCKER_CA_BUNDLE=str(CA_BUNDLE),
        AMLDEPLOY=str(Path(sys.executable).parent / "amldeploy"),
        PYTHON=sys.executable,
    )
    proc = subprocess.run(
        ["bash", str(DEMO)], env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "Service demo-sklearn is Healthy (docker target, container amldeploy-demo-sklearn)" in out, out[-4000:]
    assert "HTTP 200 OK" in out
    assert "model loaded from /var/azureml-app/azureml-models/sklearn-diabetes/1/model.joblib" in out
    assert "Deleted demo-sklearn." in out
    assert docker_client.containers.list(all=True, filters={"label": f"{SERVICE_LABEL}=demo-sklearn"}) == []

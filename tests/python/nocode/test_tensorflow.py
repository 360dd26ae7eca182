"""No-code deployment of a TensorFlow SavedModel (made by tests/infra/tensorflow/ensure.sh with tensorflow-cpu,
cached) on the process target with ``--isolated``: the service runs in a venv built from the generated
environment's pip packages (``tensorflow-cpu==<the registered version>``, numpy), which is what a user without
TensorFlow next to amldeploy gets. Its cache (``AMLDEPLOY_CACHE_DIR``) is kept with the test infrastructure's, so
only the first run installs TensorFlow."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.python.cli_run import Cli
from tests.python.nocode.conftest import deployed, get_json, post

ENSURE = Path(__file__).resolve().parents[2] / "infra" / "tensorflow" / "ensure.sh"
_EXPORT = re.compile(r"^export ([A-Z_]+)=(.*)$")


@pytest.fixture(scope="session")
def tensorflow_model() -> dict[str, str]:
    proc = subprocess.run(
        ["bash", str(ENSURE)],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=1800,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {m[1]: m[2] for line in proc.stdout.splitlines() if (m := _EXPORT.match(line))}


def test_a_saved_model_serves_its_serving_default_signature(cli: Cli, tensorflow_model: dict[str, str]) -> None:
    model, version = tensorflow_model["AMLDEPLOY_TEST_TF_MODEL"], tensorflow_model["AMLDEPLOY_TEST_TF_VERSION"]
    expected: dict[str, Any] = json.loads(Path(tensorflow_model["AMLDEPLOY_TEST_TF_EXPECTED"]).read_text())
    cache = Path(model).parent.parent / "amldeploy-cache"  # beside the SavedModel's recipe folders, kept
    result = cli(
        "deploy", "tf-nc", "-m", f"{model}:tiny-tf:2", "--model-framework", "TensorFlow",
        "--model-framework-version", version, "--target", "process", "--isolated", "--output", "json",
        timeout=1800, AMLDEPLOY_CACHE_DIR=str(cache),
    )  # fmt: skip
    service = deployed(result)
    assert f"tensorflow-cpu=={version}" in result.json()["notes"][0]

    status, answer = post(service["scoringUri"], {"data": expected["rows"]})
    assert status == 200
    # The first output by name (probabilities, before scores), as the model itself computed it.
    assert np.shape(answer) == (len(expected["rows"]), 2)
    assert np.allclose(answer, expected["outputs"]["probabilities"], rtol=1e-6, atol=0)

    definitions = get_json(service["swaggerUri"])["definitions"]
    data = definitions["ServiceInput"]["properties"]["data"]
    assert data["description"] == "TensorFlow serving_default input features: float32 [N, 3]"
    assert data["items"]["minItems"] == data["items"]["maxItems"] == expected["features"]
    assert definitions["ServiceOutput"]["description"] == (
        "TensorFlow serving_default output probabilities: float32 [N, 2]"
    )

    status, answer = post(service["scoringUri"], {"data": [[1.0, 2.0]]})
    assert status == 400 and answer["error"]


def test_without_isolated_the_missing_framework_is_named(cli: Cli, tensorflow_model: dict[str, str]) -> None:
    model = tensorflow_model["AMLDEPLOY_TEST_TF_MODEL"]
    result = cli("deploy", "tf-here", "-m", model, "--model-framework", "TensorFlow", "--target", "process")
    assert result.status == 1  # amldeploy's own venv has no TensorFlow
    assert "tensorflow-cpu is not installed in the Python that runs this service" in result.both
    assert "Deploy with --isolated" in result.both

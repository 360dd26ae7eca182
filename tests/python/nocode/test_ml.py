"""v1's no-code lines verbatim through ``amldeploy ml``: ``az ml model register ... --model-framework`` then
``az ml model deploy -n NAME -m NAME:VERSION`` with no inference config, ``service run`` with ``{"data": ...}``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from tests.python.cli_run import Cli
from tests.python.nocode.conftest import ROWS, sklearn_version


def test_the_v1_no_code_lines_run_unchanged(
    cli: Cli, project: Path, sklearn_model: Path, classifier: LogisticRegression
) -> None:
    (project / "outputs").mkdir()
    shutil.copy(sklearn_model, project / "outputs" / "sklearn_iris_model.pkl")
    registered = cli(
        "ml", "model", "register", "-n", "sklearn_iris", "--asset-path", "outputs/sklearn_iris_model.pkl",
        "--model-framework", "ScikitLearn", "--model-framework-version", sklearn_version(),
    )  # fmt: skip
    assert registered.status == 0, registered.both
    deployed = cli("ml", "model", "deploy", "-n", "iris-nocode", "-m", "sklearn_iris:1")
    assert deployed.status == 0, deployed.both[-3000:]
    assert "note: " in deployed.err and "for the ScikitLearn model sklearn_iris:1" in deployed.err
    scored = cli("ml", "service", "run", "-n", "iris-nocode", "-d", json.dumps({"data": ROWS}))
    assert scored.status == 0, scored.both
    assert json.loads(scored.out) == classifier.predict(np.asarray(ROWS)).tolist()
    deleted = cli("ml", "service", "delete", "-n", "iris-nocode")
    assert deleted.status == 0, deleted.both

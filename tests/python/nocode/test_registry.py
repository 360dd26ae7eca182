"""v1's no-code path end to end: a model registered with its framework (``ModelRegistry``, what ``amldeploy ml
model register --model-framework`` writes) deploys with ``-m NAME[:VERSION]`` and nothing else."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from amldeploy.ops.registry import ModelRegistry
from tests.python.cli_run import Cli
from tests.python.nocode.conftest import ROWS, deployed, post, sklearn_version


def test_a_registered_model_deploys_by_name_and_its_new_version_replaces_it(
    cli: Cli,
    project: Path,
    tmp_path: Path,
    sklearn_model: Path,
    onnx_model: Path,
    classifier: LogisticRegression,
) -> None:
    registry = ModelRegistry(tmp_path / "registry")
    version = sklearn_version()
    registry.register("iris", sklearn_model, framework="ScikitLearn", framework_version=version)
    first = cli("deploy", "iris-svc", "-m", "iris:1", "--target", "process", "--output", "json")
    service = deployed(first)
    assert "for the ScikitLearn model iris:1" in first.json()["notes"][0]
    status, answer = post(service["scoringUri"], {"data": ROWS})
    assert status == 200 and answer == classifier.predict(np.asarray(ROWS)).tolist()

    # A new version (another estimator): `-m iris` takes the latest.
    features, labels = load_iris(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(features, labels)
    joblib.dump(tree, tmp_path / "tree.pkl")
    registry.register("iris", tmp_path / "tree.pkl", framework="scikitlearn", framework_version=version)
    second = cli("deploy", "iris-svc", "-m", "iris", "--target", "process", "--output", "json")
    service = deployed(second)
    assert "for the ScikitLearn model iris:2" in second.json()["notes"][0]
    status, answer = post(service["scoringUri"], {"data": ROWS})
    assert status == 200 and answer == tree.predict(np.asarray(ROWS)).tolist()

    registry.register("iris-onnx", onnx_model, framework="Onnx", framework_version="1.16")
    packaged = cli("package", "-m", "iris-onnx:1", "--output-path", "pkg")
    assert packaged.status == 0, packaged.both
    assert "MODEL_FILE = 'iris.onnx'" in (project / "pkg" / "app" / "score.py").read_text()

    registry.register("torch", sklearn_model, framework="PyTorch", framework_version="2.3")
    refused = cli("deploy", "torch-svc", "-m", "torch:1")
    assert refused.status == 2 and "framework PyTorch, which no-code deployment does not support" in refused.err

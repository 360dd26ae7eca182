"""No-code deployment on the process target, as a user runs it: ``amldeploy deploy NAME -m MODEL
--model-framework F --model-framework-version V`` with no --ic and no --dc, scored with ``{"data": [...]}``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from tests.python.cli_run import Cli
from tests.python.nocode.conftest import ROWS, deployed, get_json, post, sklearn_version


def test_a_scikit_learn_model_deploys_without_an_inference_config(
    cli: Cli, project: Path, sklearn_model: Path, classifier: LogisticRegression
) -> None:
    version = sklearn_version()
    args = ["deploy", "iris-nc", "-m", f"{sklearn_model}:iris:3", "--model-framework", "ScikitLearn"]
    text = cli(*args, "--model-framework-version", version, "--target", "process")
    assert text.status == 0, text.both[-4000:]
    assert f"generated an entry script and environment (scikit-learn=={version}, joblib, numpy)" in text.err
    assert "for the ScikitLearn model iris:3" in text.err
    assert "no deployment config given: deploying with computeType local" in text.err

    # The same model again: the generated files are found in place (one folder, named by their content).
    again = cli(*args, "--model-framework-version", version, "--output", "json")
    service = deployed(again)
    assert service["target"] == "process"
    notes = again.json()["notes"]
    assert len(list((project.parent / "cache" / "nocode").iterdir())) == 1
    assert str(project.parent / "cache" / "nocode") in notes[0]

    status, answer = post(service["scoringUri"], {"data": ROWS})
    assert status == 200
    assert answer == classifier.predict(np.asarray(ROWS)).tolist()

    swagger = get_json(service["swaggerUri"])
    data = swagger["definitions"]["ServiceInput"]["properties"]["data"]
    assert data["items"]["minItems"] == data["items"]["maxItems"] == 4  # n_features_in_
    assert "LogisticRegression (n_features_in_=4)" in data["description"]
    assert swagger["definitions"]["ServiceInput"]["example"] == {"data": [[0.0, 0.0, 0.0, 0.0]]}
    v3 = get_json(service["swaggerUri"] + "?version=3")
    assert v3["components"]["schemas"]["ServiceOutput"]["items"] == {"type": "integer"}

    # v1's shape or a clear 400
    status, answer = post(service["scoringUri"], {"rows": ROWS})
    assert status == 400 and '"data"' in answer["error"]
    status, answer = post(service["scoringUri"], {"data": [[1.0, 2.0, 3.0]]})
    assert status == 400 and "4 features" in answer["error"]


def test_an_onnx_model_runs_on_onnxruntime(cli: Cli, onnx_model: Path, classifier: LogisticRegression) -> None:
    result = cli(
        "deploy", "iris-onnx", "-m", str(onnx_model), "--model-framework", "Onnx",
        "--model-framework-version", "1.16", "--target", "process", "--output", "json",
    )  # fmt: skip
    service = deployed(result)
    assert "onnxruntime" in result.json()["notes"][0]
    status, answer = post(service["scoringUri"], {"data": ROWS})
    assert status == 200
    assert answer == classifier.predict(np.asarray(ROWS)).tolist()

    definitions = get_json(service["swaggerUri"])["definitions"]
    data = definitions["ServiceInput"]["properties"]["data"]
    assert data["description"] == "ONNX input X: tensor(float) [N, 4]"  # skl2onnx names its input X
    assert data["items"]["maxItems"] == 4
    assert definitions["ServiceOutput"]["description"] == "ONNX output label: tensor(int64) [N]"

    status, answer = post(service["scoringUri"], {"data": [[1.0, 2.0]]})
    assert status == 400 and "Expected: 4" in answer["error"]


def test_package_shows_the_generated_files(cli: Cli, project: Path, sklearn_model: Path) -> None:
    version = sklearn_version()
    args = ["-m", str(sklearn_model), "--model-framework", "sklearn", "--model-framework-version", version]
    result = cli("package", *args, "--output-path", "pkg")
    assert result.status == 0, result.both
    assert "generated an entry script and environment" in result.err
    score = (project / "pkg" / "app" / "score.py").read_text(encoding="utf-8")
    assert "FRAMEWORK = 'ScikitLearn'" in score
    assert "MODEL_FILE = 'iris.pkl'" in score
    requirements = (project / "pkg" / "build" / "requirements.txt").read_text(encoding="utf-8").split()
    assert f"scikit-learn=={version}" in requirements and "numpy" in requirements
    assert (project / "pkg" / "models" / "iris" / "1" / "iris.pkl").is_file()
    assert "docker build -t iris:" in result.out  # the service is named after the model


def test_no_inference_config_and_no_framework_names_both_fixes(cli: Cli, sklearn_model: Path) -> None:
    result = cli("deploy", "plain", "-m", str(sklearn_model))
    assert result.status == 2
    assert "no inference config was given and no model has a framework" in result.err
    assert "--ic inferenceconfig.json" in result.err and "--model-framework" in result.err
    nothing = cli("package", "--output-path", "pkg")
    assert nothing.status == 2 and "no inference config and no model were given" in nothing.err


def test_frameworks_v1_could_not_deploy_without_code_are_refused(cli: Cli, sklearn_model: Path) -> None:
    result = cli("deploy", "torch", "-m", str(sklearn_model), "--model-framework", "PyTorch")
    assert result.status == 2
    assert "framework PyTorch, which no-code deployment does not support" in result.err
    assert "ScikitLearn, Onnx, TensorFlow" in result.err


def test_a_corrupt_model_file_fails_the_deploy_with_the_cause(cli: Cli, project: Path) -> None:
    (project / "broken.pkl").write_bytes(b"this is not a pickle")
    result = cli("deploy", "broken", "-m", "broken.pkl", "--model-framework", "ScikitLearn", "--target", "process")
    assert result.status == 1
    assert "the model broken:1 (broken.pkl) cannot be loaded as a scikit-learn model" in result.both

    (project / "empty.onnx").write_bytes(b"")
    empty = cli("deploy", "empty", "-m", "empty.onnx", "--model-framework", "Onnx")
    assert empty.status == 1 and "the model file of the model empty:1 (empty.onnx) is empty" in empty.err

    (project / "garbage.onnx").write_bytes(b"\x00garbage")
    garbage = cli("deploy", "garbage", "-m", "garbage.onnx", "--model-framework", "Onnx", "--target", "process")
    assert garbage.status == 1
    assert "the model garbage:1 (garbage.onnx) cannot be loaded as an ONNX model" in garbage.both


def test_an_inference_config_given_still_needs_its_deployment_config(cli: Cli, project: Path) -> None:
    (project / "inferenceconfig.json").write_text(json.dumps({"entryScript": "score.py"}), encoding="utf-8")
    result = cli("deploy", "half", "--ic", "inferenceconfig.json")
    assert result.status == 2 and "--ic was given without --dc" in result.err


def test_an_onnx_model_with_two_inputs_takes_them_by_name(cli: Cli, project: Path) -> None:
    from onnx import TensorProto, helper

    inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, 2]) for n in ("a", "b")]
    total = helper.make_tensor_value_info("total", TensorProto.FLOAT, [None, 2])
    graph = helper.make_graph([helper.make_node("Add", ["a", "b"], ["total"])], "add", inputs, [total])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    (project / "add.onnx").write_bytes(model.SerializeToString())
    result = cli(
        "deploy", "adder", "-m", "add.onnx", "--model-framework", "ONNX", "--target", "process", "--output", "json"
    )
    service = deployed(result)

    status, answer = post(service["scoringUri"], {"data": {"a": [[1.0, 2.0]], "b": [[3.0, 4.5]]}})
    assert (status, answer) == (200, [[4.0, 6.5]])
    status, answer = post(service["scoringUri"], {"data": [[1.0, 2.0]]})
    assert status == 400 and 'this model has 2 inputs: send {"data": {"a": [...], "b": [...]}}' in answer["error"]

    data = get_json(service["swaggerUri"])["definitions"]["ServiceInput"]["properties"]["data"]
    assert data["required"] == ["a", "b"] and data["properties"]["b"]["items"]["maxItems"] == 2
    assert data["description"] == "ONNX inputs a: tensor(float) [N, 2]; b: tensor(float) [N, 2]"


def test_a_text_pipeline_takes_a_list_of_strings(cli: Cli, project: Path) -> None:
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    texts = ["a good film", "a great film", "a bad film", "an awful film"]
    pipeline = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(texts, ["pos", "pos", "neg", "neg"])
    joblib.dump(pipeline, project / "sentiment.joblib")
    result = cli(
        "deploy", "sentiment", "-m", "sentiment.joblib", "--model-framework", "ScikitLearn",
        "--target", "process", "--output", "json",
    )  # fmt: skip
    service = deployed(result)
    asked = ["good and great", "bad and awful"]
    status, answer = post(service["scoringUri"], {"data": asked})
    assert (status, answer) == (200, pipeline.predict(asked).tolist())
    output = get_json(service["swaggerUri"])["definitions"]["ServiceOutput"]
    assert output["items"] == {"type": "string"}  # the classes' type

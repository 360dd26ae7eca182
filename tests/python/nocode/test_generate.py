"""``ops.nocode.generate``: which model a no-code deployment serves, where its files go, and the mistakes it
refuses before anything runs (amldeploy's own process never imports the framework)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from amldeploy.ops.errors import OpsError
from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.nocode import generate


def spec(path: Path, name: str, framework: str | None, version: str | None = None) -> ModelSpec:
    return ModelSpec(path, name, 1, framework, version)


def test_files_are_named_by_their_content_and_reused(tmp_path: Path) -> None:
    (tmp_path / "a.pkl").write_bytes(b"\x80x")
    first = generate([spec(tmp_path / "a.pkl", "a", "scikitlearn", "1.5.2")], tmp_path / "out")
    again = generate([spec(tmp_path / "a.pkl", "a", "ScikitLearn", "1.5.2")], tmp_path / "out")
    other = generate([spec(tmp_path / "a.pkl", "a", "ScikitLearn", "1.6.0")], tmp_path / "out")
    assert first.inference_config == again.inference_config != other.inference_config
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        {first.folder.name, other.folder.name}
    )  # no staging folder left behind
    config = json.loads(first.inference_config.read_text())
    assert config["entryScript"] == "score.py" and config["sourceDirectory"] == "src"
    pip = config["environment"]["python"]["condaDependencies"]["dependencies"][1]["pip"]
    assert pip == ["scikit-learn==1.5.2", "joblib", "numpy"]
    assert json.loads(first.deployment_config.read_text()) == {"computeType": "local"}


def test_the_generated_script_is_python_that_imports_no_framework_at_import(tmp_path: Path) -> None:
    (tmp_path / "m.onnx").write_bytes(b"\x08\x07")
    generated = generate([spec(tmp_path / "m.onnx", "m", "Onnx", "1.14")], tmp_path)
    script = generated.folder / "src" / "score.py"
    tree = ast.parse(script.read_text(), str(script))
    assert 'framework("onnxruntime", "onnxruntime")' in script.read_text()
    assert generated.requirements[0].startswith("onnxruntime")
    top = [alias.name for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names]
    assert "onnxruntime" not in top and "numpy" in top  # the framework is imported in init(), where it is installed


def test_with_several_models_the_one_with_a_framework_is_served(tmp_path: Path) -> None:
    (tmp_path / "m.pkl").write_bytes(b"\x80x")
    (tmp_path / "extra.txt").write_text("lookup table")
    models = [spec(tmp_path / "extra.txt", "extra", None), spec(tmp_path / "m.pkl", "clf", "ScikitLearn")]
    generated = generate(models, tmp_path / "out")
    assert generated.model.name == "clf"
    # AZUREML_MODEL_DIR is azureml-models with several models: the script joins NAME/VERSION.
    assert "MODEL_FILE = 'clf/1/m.pkl'" in (generated.folder / "src" / "score.py").read_text()
    assert generated.requirements[0] == "scikit-learn"  # no version registered: not pinned


@pytest.mark.parametrize(
    ("models", "message"),
    [
        ([], "no inference config and no model were given"),
        ([("m.pkl", None, None)], "no model has a framework"),
        ([("m.pkl", "PyTorch", None)], "framework PyTorch, which no-code deployment does not support"),
        ([("m.pkl", "Custom", None)], "framework Custom, which no-code deployment does not support"),
        ([("m.pkl", "ScikitLearn", None), ("n.onnx", "Onnx", None)], "several models have a framework"),
        ([("m.pkl", "ScikitLearn", "1.2; rm -rf /")], "is not a version number"),
        ([("m.pkl", "TensorFlow", "2.16.1")], "is a file; a SavedModel is a folder"),
        ([("folder", "TensorFlow", "2.16.1")], "holds no saved_model.pb"),
        ([("folder", "ScikitLearn", None)], "is a folder holding 2 candidate model files"),
        ([("empty.pkl", "ScikitLearn", None)], "is empty"),
    ],
)
def test_mistakes_are_refused_with_their_cause(
    tmp_path: Path, models: list[tuple[str, str | None, str | None]], message: str
) -> None:
    (tmp_path / "m.pkl").write_bytes(b"\x80x")
    (tmp_path / "n.onnx").write_bytes(b"\x08\x07")
    (tmp_path / "empty.pkl").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.pkl").write_bytes(b"\x80a")
    (tmp_path / "folder" / "b.joblib").write_bytes(b"\x80b")
    specs = [spec(tmp_path / path, Path(path).stem, fw, v) for path, fw, v in models]
    with pytest.raises(OpsError) as caught:
        generate(specs, tmp_path / "out")
    assert message in caught.value.message
    assert caught.value.hint


def test_a_saved_model_inside_a_registered_folder_is_found(tmp_path: Path) -> None:
    saved = tmp_path / "export" / "1"
    (saved / "variables").mkdir(parents=True)
    (saved / "saved_model.pb").write_bytes(b"\x08\x01")
    generated = generate([spec(tmp_path / "export", "tfm", "tensorflow", "2.16.1")], tmp_path / "out")
    assert "MODEL_FILE = 'export/1'" in (generated.folder / "src" / "score.py").read_text()
    assert generated.requirements == ["tensorflow-cpu==2.16.1", "numpy"]

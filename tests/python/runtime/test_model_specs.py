"""One table of ``--model`` values, one verdict each, through both entry points: a real ``amldeploy serve``
process (which then shows where the script finds the model) and ``prepare_deploy`` (what ``amldeploy deploy``
and the language server's deploy run first)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from amldeploy.ops.errors import OpsError
from amldeploy.ops.prepare import prepare_deploy
from tests.python.runtime.conftest import Launcher

# (value, (NAME, VERSION) it is served as, or the words of the error that refuses it)
CASES: list[tuple[str, tuple[str, int] | str]] = [
    ("m.pkl", ("m", 1)),
    ("m.pkl:clf", ("clf", 1)),
    ("m.pkl:clf:3", ("clf", 3)),
    ("m.pkl:clf:007", ("clf", 7)),
    ("m.pkl::4", ("m", 4)),
    ("tok", ("tok", 1)),
    ("my model.joblib", ("my-model", 1)),
    ("my model.joblib:mine", ("mine", 1)),
    ("with:colon.pkl", ("with-colon", 1)),
    ("with:colon.pkl:ok:2", ("ok", 2)),
    ("my model.joblib:my model", "model name 'my model' is invalid"),
    ("m.pkl:-bad", "model name '-bad' is invalid"),
    ("m.pkl:" + "n" * 256, "is invalid"),
    ("m.pkl:clf:0", "model version '0' is not a whole number from 1"),
    ("m.pkl:clf:v2", "model version 'v2' is not a whole number from 1"),
    ("m.pkl:clf:99999999999", "model version '99999999999'"),
    ("missing.pkl", "model path 'missing.pkl' doesn't exist"),
    ("missing.pkl:clf:1", "model path 'missing.pkl' doesn't exist"),
    ("m.pkl:clf:3:4", "model path 'm.pkl:clf' doesn't exist"),
    ("", "--model got an empty value"),
]

DEPLOY = [sys.executable, "-m", "amldeploy", "deploy", "twin"]
SCRIPT = """
import json, os

def init():
    pass

def run(data):
    folder = os.environ["AZUREML_MODEL_DIR"]
    return {"folder": folder.split("azureml-models/", 1)[1], "files": sorted(os.listdir(folder))}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    for name in ("m.pkl", "my model.joblib", "with:colon.pkl"):
        (root / name).write_bytes(b"model")
    (root / "tok").mkdir()
    (root / "tok" / "vocab.txt").write_text("v", encoding="utf-8")
    (root / "score.py").write_text(SCRIPT, encoding="utf-8")
    (root / "inferenceconfig.json").write_text(json.dumps({"entryScript": "score.py"}), encoding="utf-8")
    (root / "deploymentconfig.json").write_text(json.dumps({"computeType": "local"}), encoding="utf-8")
    return root


def _basename(value: str) -> str:
    return next(part for part in ("my model.joblib", "with:colon.pkl", "m.pkl", "tok") if value.startswith(part))


def test_serve_and_deploy_give_every_value_the_same_verdict(launch: Launcher, project: Path) -> None:
    # Started together, checked one by one: a server per value, so each shows one model's layout.
    started = [launch.start(project / "score.py", "--model", value, wait=False, cwd=project) for value, _ in CASES]
    for (value, verdict), server in zip(CASES, started, strict=True):
        # Through prepare_deploy, as `amldeploy deploy --model VALUE` and the editor's deploy do.
        try:
            prepared = prepare_deploy(
                "svc", project / "inferenceconfig.json", project / "deploymentconfig.json", [value], project
            )
            deploy_verdict: tuple[str, int] | str = (
                prepared.request.models[0].name,
                prepared.request.models[0].version,
            )
        except OpsError as exc:
            assert exc.status == 2, value
            assert exc.hint and "--model PATH[:NAME[:VERSION]]" in exc.hint + exc.message, value
            deploy_verdict = exc.message
        # Through a real `amldeploy serve --model VALUE`.
        if isinstance(verdict, tuple):
            server.wait_listening()
            answer = server.request("POST", "/score", "{}").json()
            assert answer == {"folder": f"{verdict[0]}/{verdict[1]}", "files": [_basename(value)]}, value
            assert deploy_verdict == verdict, value
        else:
            assert server.wait_exit() == 2, value
            log = server.log()
            assert verdict in log and "Traceback" not in log, (value, log)
            assert isinstance(deploy_verdict, str) and verdict in deploy_verdict, (value, deploy_verdict)


def test_deploy_refuses_a_bad_model_before_starting_anything(project: Path) -> None:
    proc = subprocess.run(
        [*DEPLOY, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--model", "m.pkl:clf:v2"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "model version 'v2' is not a whole number from 1" in proc.stderr
    assert not (project / ".amldeploy").exists()

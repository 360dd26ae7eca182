"""The runtime installed the way an image installs it: amldeploy's wheel (``--no-deps``) and the runtime's HTTP
server libraries (``library_pins()``) in a fresh venv, started as ``python -m amldeploy.runtime``, serves a script
and its model over HTTP with none of amldeploy's other dependencies there."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from amldeploy.runtime.server import library_pins
from tests.python.runtime.conftest import request, server_env

ROOT = Path(__file__).resolve().parents[3]
# What the command line, the language server and the targets need; none of it may be needed to serve.
ABSENT = (
    "pydantic",
    "tree_sitter",
    "yaml",
    "rich",
    "pygls",
    "lsprotocol",
    "jsonschema",
    "docker",
    "azure",
    "kubernetes",
)
LISTENING = re.compile(r"Listening on http://127\.0\.0\.1:(\d+)")

SCRIPT = """
import json, os, sys

model = None

def init():
    global model
    with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "linear.json"), encoding="utf-8") as f:
        model = json.load(f)

def run(raw_data):
    rows = json.loads(raw_data)["data"]
    predictions = [sum(w * x for w, x in zip(model["weights"], row)) + model["bias"] for row in rows]
    loaded = sorted(m for m in sys.modules if m.startswith("amldeploy"))
    return {"predictions": predictions, "amldeploy": loaded, "from": sys.modules["amldeploy"].__file__}
"""


def _install(tmp: Path) -> Path:
    wheels = tmp / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)]
    subprocess.run([*build, str(ROOT)], check=True, capture_output=True, timeout=120)
    [wheel] = wheels.glob("amldeploy-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    # This venv's own pip would only add seconds: the outer pip installs into it, as `pip install` in an image.
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    subprocess.run([*install, "--no-index", str(wheel)], check=True, capture_output=True, timeout=120)
    # The same versions as here, from pip's cache after the first run.
    subprocess.run([*install, *library_pins()], check=True, capture_output=True, timeout=300)
    return python


def test_the_wheel_alone_in_a_fresh_venv_serves_a_script(tmp_path: Path) -> None:
    python = _install(tmp_path)
    probe = (
        "import importlib.util, json, sys; print(json.dumps([m for m in sys.argv[1:] if importlib.util.find_spec(m)]))"
    )
    present = subprocess.run([str(python), "-c", probe, *ABSENT], capture_output=True, text=True, check=True)
    assert json.loads(present.stdout) == []

    app = tmp_path / "app"
    app.mkdir()
    (app / "score.py").write_text(SCRIPT, encoding="utf-8")
    (app / "linear.json").write_text(json.dumps({"weights": [2, 3], "bias": 1}), encoding="utf-8")
    log_path = tmp_path / "server.log"
    command = [str(python), "-m", "amldeploy.runtime", "--entry-script", "score.py", "--model", "linear.json:lin:2"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [*command, "--port", "0", "--host", "127.0.0.1"],
            cwd=app,
            env=server_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while not (found := LISTENING.search(log_path.read_text(encoding="utf-8", errors="replace"))):
            assert proc.poll() is None, log_path.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log_path.read_text(encoding="utf-8")
            time.sleep(0.05)
        reply = request(int(found.group(1)), "POST", "/score", json.dumps({"data": [[1, 1], [0, 2]]}))
        assert reply.status == 200, reply.body
        answer = reply.json()
        assert answer["predictions"] == [6, 7]
        assert answer["from"].startswith(str(tmp_path / "venv"))
        # The entrypoint goes straight to the runtime: nothing of the command line was imported on the way.
        assert all(m == "amldeploy" or m.startswith("amldeploy.runtime") for m in answer["amldeploy"]), answer
    finally:
        proc.terminate()
        assert proc.wait(15) == 0

    # Reading a config needs the rest of amldeploy: both ways in say so and how to do without, no traceback.
    (app / "inferenceconfig.json").write_text(json.dumps({"entryScript": "score.py"}), encoding="utf-8")
    for way, fix in (("amldeploy.runtime", "run 'amldeploy serve --ic"), ("amldeploy", "pydantic is missing")):
        refused = subprocess.run(
            [str(python), "-m", way, *(["serve"] if way == "amldeploy" else []), "--ic", "inferenceconfig.json"],
            cwd=app,
            env=server_env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert refused.returncode == 2 and fix in refused.stderr and "Traceback" not in refused.stderr, refused.stderr

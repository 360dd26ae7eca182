"""Start-up: configuration sources, models, script failures (exit 3), workers and signals."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from amldeploy.runtime.model_specs import ModelSpec, ModelSpecError
from amldeploy.runtime.models import layout_models, tree_lines
from tests.python.runtime.conftest import SCRIPTS, Launcher

# -- script failures -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("no_init.py", "does not have a init() function defined."),
        ("no_run.py", "does not have a run() function defined."),
        ("bad_signature.py", "run() cannot accept positional-only arguments, *args, or **kwargs."),
        ("import_error.py", "ModuleNotFoundError: No module named 'a_module_that_does_not_exist'"),
        ("rawhttp_and_schema.py", "run() cannot be decorated with both @rawhttp and @input_schema"),
    ],
)
def test_scripts_that_cannot_be_served_exit_3(launch: Launcher, script: str, expected: str) -> None:
    server = launch.start(script, wait=False)
    assert server.wait_exit() == 3
    assert expected in server.log()
    assert "Listening on" not in server.log()


def test_failed_init_logs_the_cause_and_the_model_tree(launch: Launcher, tmp_path: Path) -> None:
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    (model / "weights.bin").write_bytes(b"0")
    (model / "sub" / "vocab.txt").write_text("a", encoding="utf-8")
    server = launch.start("init_raises.py", "--model", f"{model}:clf:2", wait=False)
    assert server.wait_exit() == 3
    log = server.log()
    assert "User's init function failed" in log
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: cannot load the model on purpose" in log
    tree = [line.split(" - ", 1)[1] for line in log.splitlines() if " - " in line]
    start = tree.index("Model Directory Contents:")
    assert tree[start + 1 : start + 6] == [
        "2/",
        "    model/",
        "        sub/",
        "            vocab.txt",
        "        weights.bin",
    ]


def test_tree_lines_stop_at_200(tmp_path: Path) -> None:
    for i in range(250):
        (tmp_path / f"f{i:03d}").write_text("", encoding="utf-8")
    lines, truncated = tree_lines(str(tmp_path))
    assert len(lines) == 200
    assert truncated


# -- models ----------------------------------------------------------------------------------------------------


def test_one_model_dir_is_its_version_folder(launch: Launcher, tmp_path: Path) -> None:
    (tmp_path / "model.pkl").write_bytes(b"m")
    server = launch.start("models.py", "--model", str(tmp_path / "model.pkl"))
    assert server.request("POST", "/score", "x").json() == {"model_dir": "1", "files": ["model.pkl"]}
    assert re.search(r"azureml-models/model/1$", _logged(server.log(), "Model directory (AZUREML_MODEL_DIR)"))


def test_several_models_share_the_azureml_models_folder(launch: Launcher, tmp_path: Path) -> None:
    (tmp_path / "a.pkl").write_bytes(b"a")
    (tmp_path / "tok").mkdir()
    (tmp_path / "tok" / "vocab.txt").write_text("v", encoding="utf-8")
    server = launch.start("models.py", "--model", f"{tmp_path / 'a.pkl'}:first", "--model", f"{tmp_path / 'tok'}:tok:3")
    assert server.request("POST", "/score", "x").json() == {
        "model_dir": "azureml-models",
        "files": ["first/1/a.pkl", "tok/3/tok/vocab.txt"],
    }


def test_layout_models_links_and_rejects_duplicates(tmp_path: Path) -> None:
    model = tmp_path / "m.bin"
    model.write_bytes(b"m")
    app = tmp_path / "app"
    assert layout_models([ModelSpec(model, "m")], app) == app / "azureml-models" / "m" / "1"
    assert (app / "azureml-models" / "m" / "1" / "m.bin").read_bytes() == b"m"
    assert layout_models([], tmp_path / "empty") == tmp_path / "empty" / "azureml-models"
    with pytest.raises(ModelSpecError, match="two models"):
        layout_models([ModelSpec(model, "x"), ModelSpec(model, "x", 1)], app)


# -- configuration sources -------------------------------------------------------------------------------------


def test_inference_config_names_the_script(launch: Launcher, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    shutil.copy(SCRIPTS / "plain.py", tmp_path / "src" / "score.py")
    config = tmp_path / "inferenceconfig.json"
    config.write_text(
        json.dumps(
            {
                "entryScript": "score.py",
                "sourceDirectory": "src",
                "environment": {"environmentVariables": {"FROM_CONFIG": "1"}},
            }
        ),
        encoding="utf-8",
    )
    server = launch.start(None, "--ic", str(config))
    assert server.request("POST", "/score", "hi").json() == {"input": "hi", "type": "str"}
    assert f"Entry script: {(tmp_path / 'src' / 'score.py').resolve()}" in server.log()


def test_inference_config_with_errors_is_refused(launch: Launcher, tmp_path: Path) -> None:
    config = tmp_path / "inferenceconfig.json"
    config.write_text('{"entryScript": "missing.py"}', encoding="utf-8")
    server = launch.start(None, "--ic", str(config), wait=False)
    assert server.wait_exit() == 2
    assert "IC010" in server.log()


def test_image_entrypoint_from_environment(launch: Launcher, tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(SCRIPTS / "plain.py", app / "score.py")
    env = {
        "AML_APP_ROOT": str(app),
        "AZUREML_ENTRY_SCRIPT": "score.py",
        "SERVER_PORT": "0",
        "AMLDEPLOY_HOST": "127.0.0.1",
    }
    server = launch.start(None, env=env, bare=True)
    assert server.request("POST", "/score", "env").json() == {"input": "env", "type": "str"}


def test_without_an_entry_script_main_is_imported(launch: Launcher, tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(SCRIPTS / "plain.py", app / "main.py")
    server = launch.start(
        None, env={"AML_APP_ROOT": str(app), "SERVER_PORT": "0", "AMLDEPLOY_HOST": "127.0.0.1"}, bare=True
    )
    assert server.request("POST", "/score", "m").json() == {"input": "m", "type": "str"}


def test_bad_settings_exit_2(launch: Launcher) -> None:
    server = launch.start("plain.py", env={"WORKER_COUNT": "many"}, wait=False)
    assert server.wait_exit() == 2
    assert "WORKER_COUNT must be an integer" in server.log()


def test_a_busy_port_exits_1(launch: Launcher) -> None:
    first = launch.start("plain.py")
    second = launch.start("plain.py", "--port", str(first.port), wait=False)
    assert second.wait_exit() == 1
    assert f"Cannot listen on 127.0.0.1:{first.port}" in second.log()


# -- signals and workers ---------------------------------------------------------------------------------------


def test_sigterm_exits_cleanly_and_removes_the_temporary_app_root(launch: Launcher) -> None:
    server = launch.start("plain.py")
    app_root = Path(_logged(server.log(), "App root"))
    assert app_root.is_dir()
    assert server.stop(signal.SIGTERM) == 0
    assert "Stopping (signal received)" in server.log()
    assert not app_root.exists()


def test_two_workers_each_run_init_and_share_the_port(launch: Launcher) -> None:
    server = launch.start("slow.py", env={"WORKER_COUNT": "2"})
    assert len(set(re.findall(r"slow: init in process (\d+);", server.log()))) == 2
    assert server.log().count("Listening on") == 1
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: server.request("POST", "/score", '{"sleep_ms": 50}'), range(16)))
    assert {r.status for r in replies} == {200}
    workers = {int(p) for p in re.findall(r"slow: init in process (\d+);", server.log())}
    assert {r.json()["pid"] for r in replies} <= workers
    # A worker that dies later is replaced; the server keeps answering.
    os.kill(next(iter(workers)), signal.SIGKILL)
    deadline = time.monotonic() + 15
    while len(set(re.findall(r"slow: init in process (\d+);", server.log()))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "starting a new one" in server.log()
    assert server.request("POST", "/score", "{}").status == 200
    assert server.stop() == 0


def test_a_worker_failing_init_stops_the_server_with_status_3(launch: Launcher) -> None:
    server = launch.start("init_raises.py", env={"WORKER_COUNT": "2"}, wait=False)
    assert server.wait_exit() == 3
    assert "cannot load the model on purpose" in server.log()


def _logged(log: str, label: str) -> str:
    found = re.search(rf"{re.escape(label)}: (.*)$", log, re.MULTILINE)
    assert found, f"{label!r} not in the log:\n{log}"
    return found.group(1).strip()

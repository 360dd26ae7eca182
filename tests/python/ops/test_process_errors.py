"""The process target when things go wrong: a crashing init(), a taken port, bad configs, unknown services."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from tests.python.ops.conftest import Cli, deploy_args

CRASHING = (
    "def init():\n    print('loading')\n    raise RuntimeError('boom in init')\n\n\ndef run(data):\n    return data\n"
)


def test_crash_in_init_is_failed_with_the_traceback(cli: Cli, project: Path) -> None:
    (project / "score.py").write_text(CRASHING)
    failed = cli(*deploy_args("sk-crash"))
    assert failed.status == 1
    assert "Did your init method fail?" in failed.err and "RuntimeError: boom in init" in failed.err
    assert "Traceback" in failed.err  # the script's, from the log, not ours
    assert "Service sk-crash is Failed." in failed.err
    shown = cli("show", "sk-crash", "--output", "json").json()
    assert shown["state"] == "Failed" and "init" in shown["error"]
    as_json = cli(*deploy_args("sk-crash", "--output", "json"))
    data = as_json.json()
    assert as_json.status == 1 and data["error"]["service"]["state"] == "Failed"
    assert any("boom in init" in line for line in data["error"]["log"])

    # A record whose pid now belongs to another program is not mistaken for a live service.
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        path = project / ".amldeploy" / "services" / "sk-crash" / "service.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), "pid": sleeper.pid, "state": "Healthy"}))
        assert cli("show", "sk-crash", "--output", "json").json()["state"] == "Failed"
    finally:
        sleeper.kill()
        sleeper.wait()
    assert cli("delete", "sk-crash").status == 0


def test_port_in_use_is_refused_before_anything_starts(cli: Cli, project: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        taken = cli(*deploy_args("sk-port", "--port", str(port)))
        assert taken.status == 1
        assert f"port {port} is already in use by another program: choose another with --port" in taken.err
        (project / "deploymentconfig.json").write_text(json.dumps({"computeType": "local", "port": port}))
        from_config = cli(*deploy_args("sk-port", "--output", "json"))
        assert from_config.status == 1
        assert "change 'port' in deploymentconfig.json" in from_config.json()["error"]["hint"]
    assert not (project / ".amldeploy" / "services" / "sk-port").exists()


def test_config_with_errors_exits_1_with_positions(cli: Cli, project: Path) -> None:
    (project / "deploymentconfig.json").write_text('{\n  "computeType": "local",\n  "port": "8890"\n}\n')
    bad = cli(*deploy_args("sk-bad"))
    assert bad.status == 1 and "deploymentconfig.json:3:11:" in bad.err and "Traceback" not in bad.err
    problems = cli(*deploy_args("sk-bad", "--output", "json")).json()["error"]["problems"]
    assert problems[0]["line"] == 3 and problems[0]["column"] == 11
    assert not (project / ".amldeploy").exists()


def test_a_missing_file_names_its_flag(cli: Cli, project: Path) -> None:
    ic = cli("deploy", "sk-bad", "--ic", "nothere.json", "--dc", "deploymentconfig.json")
    assert ic.status == 2 and ic.err.startswith("amldeploy deploy: --ic nothere.json: there is no such file"), ic.err
    assert "give the path of the inference config, e.g. --ic inferenceconfig.json" in ic.err
    dc = cli("deploy", "sk-bad", "--inference-config", "inferenceconfig.json", "--dc", "nothere.json")
    assert dc.status == 2 and dc.err.startswith("amldeploy deploy: --dc nothere.json: there is no such file"), dc.err
    as_json = cli("deploy", "sk-bad", "--ic", "inferenceconfig.json", "--dc", "none.yml", "--output", "json")
    assert as_json.json()["error"]["message"] == "--dc none.yml: there is no such file"
    model = cli("deploy", "sk-bad", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "-m", "x.pkl")
    assert model.status == 2 and "model path 'x.pkl' doesn't exist (from --model x.pkl)" in model.err
    assert not (project / ".amldeploy").exists()


def test_usage_mistakes(cli: Cli, project: Path) -> None:
    name = cli(*deploy_args("Bad_Name"))
    assert name.status == 2 and "service name 'Bad_Name' is invalid" in name.err
    model = cli("deploy", "sk-model", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "-m", "x.pkl")
    assert model.status == 2 and "model path 'x.pkl' doesn't exist" in model.err
    aci = cli(*deploy_args("sk-aci", dc="deploymentconfig.aci.json"))
    assert aci.status == 2 and "--target process" in aci.err
    port = cli(*deploy_args("sk-port", "--port", "99999"))
    assert port.status == 2 and "port must be a whole number from 1 to 65535" in port.err
    for result in (name, model, aci, port):
        assert "Traceback" not in result.both


def test_unknown_service(cli: Cli) -> None:
    for command in (["show"], ["logs"], ["keys"], ["delete"], ["score", "--data", "{}"]):
        result = cli(*command[:1], "nosuch", *command[1:])
        assert result.status == 1, command
        assert "there is no service named 'nosuch'" in result.err and "amldeploy list" in result.err
        as_json = cli(*command[:1], "nosuch", *command[1:], "--output", "json")
        assert as_json.status == 1 and "no service named" in as_json.json()["error"]["message"]
    empty = cli("list")
    assert empty.status == 0 and "No services in this folder" in empty.out


def test_damaged_record_is_listed_and_deletable(cli: Cli, project: Path) -> None:
    folder = project / ".amldeploy" / "services" / "sk-damaged"
    folder.mkdir(parents=True)
    (folder / "service.json").write_text('{"name": "sk-damaged", "state": "Sleeping", "pid": "x"}')
    listed = cli("list", "--output", "json")
    assert listed.status == 0 and listed.json()[0]["state"] == "Failed" and "damaged" in listed.json()[0]["error"]
    (folder / "service.json").write_text("{not json")
    assert "sk-damaged  Failed" in cli("list").out
    assert cli("delete", "sk-damaged").status == 0 and not folder.exists()

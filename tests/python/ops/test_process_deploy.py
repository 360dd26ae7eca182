"""The process target end to end: deploy the sklearn example, score it, logs, keys, redeploy, states, delete."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.python.ops.conftest import SAMPLE, Cli, deploy_args, free_port, record


def test_deploy_score_logs_show_delete(cli: Cli, project: Path) -> None:
    port = free_port()
    (project / "deploymentconfig.json").write_text(json.dumps({"computeType": "local", "port": port}))
    deployed = cli(*deploy_args("sk-demo"))
    assert deployed.status == 0, deployed.both
    assert f"Scoring URI: http://127.0.0.1:{port}/score" in deployed.out
    assert f"Swagger URI: http://127.0.0.1:{port}/swagger.json" in deployed.out
    assert "Traceback" not in deployed.both

    scored = cli("score", "sk-demo", "--data", SAMPLE)
    assert scored.status == 0, scored.both
    assert scored.out.startswith("HTTP 200 OK\nx-ms-run-fn-exec-ms: ")
    prediction = json.loads(scored.out.split("\n", 2)[2])
    assert isinstance(prediction, list) and len(prediction) == 1 and isinstance(prediction[0], float)
    (project / "request.json").write_text(SAMPLE)
    as_json = cli("score", "sk-demo", "--file", "request.json", "--output", "json").json()
    assert as_json["status"] == 200 and as_json["body"] == prediction and as_json["runTimeMs"] >= 0

    logs = cli("logs", "sk-demo", "--tail", "200")
    assert logs.status == 0 and "model loaded from" in logs.out
    assert cli("logs", "sk-demo", "--tail", "1").out.count("\n") == 1
    logs_json = cli("logs", "sk-demo", "--output", "json").json()
    assert logs_json["state"] == "Healthy" and any("model loaded from" in line for line in logs_json["lines"])

    shown = cli("show", "sk-demo", "--output", "json").json()
    assert shown["state"] == "Healthy" and shown["target"] == "process" and shown["port"] == port
    assert shown["models"][0]["name"] == "model" and shown["models"][0]["version"] == 1
    assert shown["authEnabled"] is False
    text = cli("show", "sk-demo").out
    assert "state:        Healthy" in text and f"http://127.0.0.1:{port}/score" in text
    listed = cli("list", "--output", "json").json()
    assert [(s["name"], s["state"]) for s in listed] == [("sk-demo", "Healthy")]
    assert "sk-demo  Healthy  process" in cli("list").out

    state_dir = project / ".amldeploy" / "services" / "sk-demo"
    assert (state_dir / "inferenceconfig.json").is_file() and (state_dir / "deploymentconfig.json").is_file()
    assert (state_dir / "app" / "azureml-models" / "model" / "1" / "model.joblib").exists()

    # Alive but not answering (stopped): Unhealthy; answering again: Healthy.
    pid = shown["pid"]
    os.kill(pid, signal.SIGSTOP)
    try:
        stopped = cli("show", "sk-demo", "--output", "json").json()
        assert stopped["state"] == "Unhealthy" and "does not answer" in stopped["error"]
    finally:
        os.kill(pid, signal.SIGCONT)
    assert cli("show", "sk-demo", "--output", "json").json()["state"] == "Healthy"

    deleted = cli("delete", "sk-demo", "--output", "json")
    assert deleted.status == 0 and deleted.json() == {"name": "sk-demo", "deleted": True}
    assert not state_dir.exists()
    assert not Path(f"/proc/{pid}").exists() or "amldeploy" not in Path(f"/proc/{pid}/cmdline").read_text()
    assert cli("list", "--output", "json").json() == []


def test_follow_streams_new_request_lines(cli: Cli, project: Path) -> None:
    assert cli(*deploy_args("sk-follow")).status == 0
    command = [sys.executable, "-m", "amldeploy", "logs", "sk-follow", "--follow", "--tail", "0"]
    # One follower is stopped with Ctrl-C; the other ends by itself when the service's process ends.
    followers = [
        subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        time.sleep(1.0)
        assert cli("score", "sk-follow", "--data", SAMPLE).status == 0
        lines = _pump(followers[0])
        seen: list[str] = []
        deadline = time.monotonic() + 10
        while not any("/score" in line for line in seen) and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                seen.append(lines.get(timeout=0.2))
        # The runtime logs one line per request (health checks included); the POST must stream in.
        assert any("/score" in line and "200" in line for line in seen), seen
        followers[0].send_signal(signal.SIGINT)
        assert followers[0].wait(timeout=10) == 0
        assert cli("delete", "sk-follow").status == 0
        out, err = followers[1].communicate(timeout=10)
        assert followers[1].returncode == 0 and "/score" in out and "Traceback" not in err
    finally:
        for follower in followers:
            follower.kill()
            follower.wait()


def _pump(process: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()
    stream = process.stdout
    assert stream is not None

    def pump() -> None:
        for text in stream:
            lines.put(text)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def test_auth_keys_redeploy_and_kill(cli: Cli, project: Path) -> None:
    # An ACI config with authEnabled, run locally: the front end asks for a key. Its unknown key is a warning.
    aci = json.loads((project / "deploymentconfig.aci.json").read_text())
    (project / "deploymentconfig.aci.json").write_text(json.dumps({**aci, "colour": "blue"}))
    deployed = cli(*deploy_args("sk-auth", "--target", "process", dc="deploymentconfig.aci.json"))
    assert deployed.status == 0, deployed.both
    assert "warning: deploymentconfig.aci.json:1:" in deployed.err and "DC006 Unknown key 'colour'" in deployed.err
    assert "amldeploy keys sk-auth" in deployed.out
    keys = cli("keys", "sk-auth", "--output", "json").json()
    primary, secondary = keys["primaryKey"], keys["secondaryKey"]
    assert keys["authEnabled"] is True and len(primary) == 32 and primary != secondary
    assert cli("keys", "sk-auth").out == f"primaryKey:   {primary}\nsecondaryKey: {secondary}\n"

    service = cli("show", "sk-auth", "--output", "json").json()
    scoring = service["scoringUri"]
    for key, expected in ((None, 401), ("wrong", 401), (primary, 200), (secondary, 200)):
        assert _post(scoring, key) == expected, key
    scored = cli("score", "sk-auth", "--data", SAMPLE)
    assert scored.status == 0 and scored.out.startswith("HTTP 200 OK"), scored.both

    outputs = [deployed, scored, cli("show", "sk-auth"), cli("list"), cli("logs", "sk-auth"), cli("show", "sk-auth")]
    state_dir = project / ".amldeploy" / "services" / "sk-auth"
    files = [p.read_text(errors="replace") for p in state_dir.rglob("*") if p.is_file() and not p.is_symlink()]
    for text in [o.both for o in outputs] + files:
        assert primary not in text and secondary not in text

    # Redeploy: the same name, a new process (the old one stopped), new keys.
    old_pid = service["pid"]
    again = cli(*deploy_args("sk-auth", "--target", "process", "--output", "json", dc="deploymentconfig.aci.json"))
    assert again.status == 0, again.both
    document = again.json()  # stdout holds one JSON document; progress went to stderr as JSON lines
    assert document["service"]["state"] == "Healthy" and document["service"]["authEnabled"] is True
    assert {json.loads(line)["event"] for line in again.err.splitlines()} >= {"step", "done"}
    assert primary not in again.both and secondary not in again.both
    new = cli("show", "sk-auth", "--output", "json").json()
    assert new["pid"] == document["service"]["pid"] != old_pid and new["state"] == "Healthy"
    assert not Path(f"/proc/{old_pid}").exists() or "amldeploy" not in Path(f"/proc/{old_pid}/cmdline").read_text()
    assert cli("keys", "sk-auth", "--output", "json").json()["primaryKey"] != primary
    assert record(project, "sk-auth")["pid"] == new["pid"]

    # A dead pid is noticed: Failed, and the keys went with it.
    os.killpg(new["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 5
    while Path(f"/proc/{new['pid']}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    listed = cli("list", "--output", "json").json()
    assert [(s["name"], s["state"]) for s in listed] == [("sk-auth", "Failed")]
    assert "state:        Failed" in cli("show", "sk-auth").out
    gone = cli("keys", "sk-auth")
    assert gone.status == 1 and "redeploy" in gone.err and "Traceback" not in gone.err
    failed_score = cli("score", "sk-auth", "--data", SAMPLE)
    assert failed_score.status == 1 and "is Failed" in failed_score.err
    assert cli("delete", "sk-auth").status == 0


def _post(url: str, key: str | None) -> int:
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(url, data=SAMPLE.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            status: int = answer.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code


SLOW_INIT = "import time\n\n\ndef init():\n    time.sleep(3)\n\n\ndef run(data):\n    return data\n"


def test_transitioning_while_init_runs(cli: Cli, project: Path) -> None:
    (project / "score.py").write_text(SLOW_INIT)
    deploying = subprocess.Popen(
        [sys.executable, "-m", "amldeploy", *deploy_args("sk-slow")],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while not (project / ".amldeploy" / "services" / "sk-slow" / "service.json").exists():
            assert time.monotonic() < deadline and deploying.poll() is None
            time.sleep(0.05)
        assert cli("show", "sk-slow", "--output", "json").json()["state"] == "Transitioning"
        _, err = deploying.communicate(timeout=30)
    finally:
        deploying.kill()
        deploying.wait()
    assert deploying.returncode == 0, err
    assert cli("list", "--output", "json").json()[0]["state"] == "Healthy"

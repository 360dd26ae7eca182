"""Units of the operations layer: states, reporters, keys, model specs, front-end settings, logs, pids."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from amldeploy.config.models import parse_deployment_config
from amldeploy.ops.errors import OpsError
from amldeploy.ops.frontend import front_end_of
from amldeploy.ops.health import wait_healthy
from amldeploy.ops.keys import KEY_LENGTH, ServiceKeys, generate_key, generate_keys, keys_for
from amldeploy.ops.logs import follow_lines, tail_lines
from amldeploy.ops.model_specs import ModelSpec, parse_model_specs
from amldeploy.ops.reporter import ConsoleReporter, JsonLinesReporter, RecordingReporter
from amldeploy.ops.service import Service
from amldeploy.ops.states import V1_LOCAL_STATES, State, process_state
from amldeploy.ops.targets.base import choose_target
from amldeploy.ops.targets.process.launch import child_environment, port_problem, write_snapshot
from amldeploy.ops.targets.process.store import is_our_runtime, pid_alive, read_environ, running, stop_process


def test_states_are_the_v1_vocabulary() -> None:
    assert [s.value for s in State] == ["Transitioning", "Healthy", "Unhealthy", "Unschedulable", "Failed"]
    assert State.parse("healthy") is State.HEALTHY and str(State.FAILED) == "Failed"
    assert json.dumps({"state": State.HEALTHY}) == '{"state": "Healthy"}'
    assert V1_LOCAL_STATES["running"] is State.HEALTHY
    with pytest.raises(ValueError, match="Transitioning, Healthy"):
        State.parse("running")
    assert process_state(alive=False, answering=True, starting=True) is State.FAILED
    assert process_state(alive=True, answering=True, starting=True) is State.HEALTHY
    assert process_state(alive=True, answering=False, starting=True) is State.TRANSITIONING
    assert process_state(alive=True, answering=False, starting=False) is State.UNHEALTHY
    assert not State.FAILED.is_running and State.UNHEALTHY.is_running


def test_keys_are_random_letters_and_digits_and_never_printed() -> None:
    key = generate_key()
    assert len(key) == KEY_LENGTH and key.isalnum()
    keys = generate_keys()
    assert keys.primary != keys.secondary
    assert keys.primary not in repr(keys) and keys.secondary not in str(keys) and keys.primary not in f"{keys}"
    assert keys.accepts(keys.secondary) and not keys.accepts("nope")
    assert keys_for("mine", None).primary == "mine" and len(keys_for("mine", None).secondary) == KEY_LENGTH
    assert ServiceKeys("a", "b").to_json() == {"primaryKey": "a", "secondaryKey": "b"}


def test_recording_and_json_lines_reporters() -> None:
    stream = io.StringIO()
    reporter = JsonLinesReporter(stream)
    reporter.step("Build")
    reporter.progress("half", 0.5)
    reporter.log("a line")
    reporter.warning("careful")
    reporter.done(False, "broke")
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert events == [
        {"event": "step", "text": "Build"},
        {"event": "progress", "text": "half", "fraction": 0.5},
        {"event": "log", "text": "a line"},
        {"event": "warning", "text": "careful"},
        {"event": "done", "text": "broke", "ok": False},
    ]
    assert reporter.warnings == ["careful"]
    silent = RecordingReporter()
    silent.step("x")
    assert [e.kind for e in silent.events] == ["step"]


def test_console_reporter_plain_lines_off_a_terminal() -> None:
    stream = io.StringIO()
    reporter = ConsoleReporter(stream)
    assert not reporter.fancy
    reporter.step("Starting svc")
    reporter.progress("waiting", 0.1)
    reporter.progress("waiting", 0.2)  # repeated news is not repeated
    reporter.log("[not markup] line")
    reporter.warning("w")
    reporter.step("Second")  # ends the first step
    reporter.done(False)
    reporter.step("Third")
    reporter.progress("not yet")
    reporter.done(True, "healthy")
    lines = stream.getvalue().splitlines()
    assert lines[:4] == ["Starting svc …", "  waiting", "[not markup] line", "warning: w"]
    # A step's title is printed once, unless log lines or warnings came between it and its outcome.
    assert re.fullmatch(r"Starting svc: done \(\d+\.\d s\)", lines[4]), lines
    assert re.fullmatch(r"Second … failed \(\d+\.\d s\)", lines[5]), lines
    assert lines[6:8] == ["Third …", "  not yet"]
    assert re.fullmatch(r"  ✓ healthy \(\d+\.\d s\)", lines[8]) and len(lines) == 9, lines


def test_console_reporter_on_a_terminal_uses_rich() -> None:
    stream = io.StringIO()
    reporter = ConsoleReporter(stream, fancy=True)
    reporter.step("Starting [svc]")
    reporter.progress("waiting", 0.25)
    reporter.log("log [b]line[/b]")
    reporter.done(True, "healthy")
    text = stream.getvalue()
    assert "log [b]line[/b]" in text and "✓ Starting [svc]" in text and "healthy" in text


def test_model_specs_round_trip_through_the_runtime_argument(tmp_path: Path) -> None:
    # What ``deploy`` records and hands the runtime parses back to the same spec (names and versions are covered
    # by tests/python/runtime/test_model_specs.py, through both entry points).
    (tmp_path / "with:colon.pkl").write_text("x")
    [spec] = parse_model_specs(["with:colon.pkl:ridge:3"], tmp_path)
    assert spec.argument == f"{tmp_path / 'with:colon.pkl'}:ridge:3"
    assert parse_model_specs([spec.argument], Path("/")) == [spec]
    assert ModelSpec.from_json(spec.to_json()) == spec


def test_front_end_settings_follow_the_compute_type() -> None:
    local, _ = front_end_of(parse_deployment_config({"computeType": "local", "port": 9000}))
    assert not local.auth_enabled and local.max_queue_wait_ms is None
    aci, _ = front_end_of(parse_deployment_config({"computeType": "ACI"}))
    assert not aci.auth_enabled
    aks, warnings = front_end_of(parse_deployment_config({"computeType": "aks", "numReplicas": 3}))
    assert aks.auth_enabled and (aks.max_concurrent_requests, aks.max_queue_wait_ms) == (1, 500)
    assert aks.scoring_timeout_ms == 60000 and any("replicas" in w for w in warnings)
    given = parse_deployment_config({"computeType": "ACI", "authEnabled": True, "keys": {"primaryKey": "p1"}})
    front, _ = front_end_of(given)
    env = front.environment(front.keys())
    assert env["AMLDEPLOY_AUTH_ENABLED"] == "true" and env["AMLDEPLOY_PRIMARY_KEY"] == "p1"
    assert "p1" not in repr(front)


def test_child_environment_and_snapshot(tmp_path: Path) -> None:
    env = child_environment(
        {"PATH": "/bin", "AMLDEPLOY_PRIMARY_KEY": "stale", "AZUREML_MODEL_DIR": "x"},
        {"OMP_NUM_THREADS": "1", "AML_APP_ROOT": "config cannot move it"},
        tmp_path / "app",
        {"AMLDEPLOY_AUTH_ENABLED": "false"},
        None,
        None,
    )
    assert env["OMP_NUM_THREADS"] == "1" and env["AML_APP_ROOT"] == str(tmp_path / "app")
    assert "AMLDEPLOY_PRIMARY_KEY" not in env and "AZUREML_MODEL_DIR" not in env and env["PYTHONUNBUFFERED"] == "1"
    config = tmp_path / "dc.yml"
    config.write_text("computeType: ACI\nkeys:\n  primaryKey: secret-one\nauthEnabled: true\n")
    write_snapshot(config, tmp_path / "deploymentconfig.json")
    snapshot = (tmp_path / "deploymentconfig.json").read_text()
    assert "secret-one" not in snapshot and json.loads(snapshot)["authEnabled"] is True


def test_tail_and_follow(tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    assert tail_lines(log, 5) == []
    log.write_text("one\ntwo\nthree\n")
    assert tail_lines(log, 2) == ["two", "three"] and tail_lines(log, None) == ["one", "two", "three"]
    assert tail_lines(log, 0) == []
    alive = {"value": True}

    def writer() -> None:
        time.sleep(0.2)
        with log.open("a") as handle:
            handle.write("four\nfi")
            handle.flush()
            time.sleep(0.2)
            handle.write("ve\n")
        time.sleep(0.2)
        log.unlink()  # a redeploy replaces the file
        log.write_text("fresh\n")
        time.sleep(0.3)
        alive["value"] = False

    thread = threading.Thread(target=writer)
    thread.start()
    lines = list(follow_lines(log, 1, lambda: alive["value"], poll=0.05))
    thread.join()
    assert lines == ["three", "four", "five", "fresh"]


# Says it runs once its command line is readable: right after exec, /proc/PID/cmdline is briefly empty.
SLEEP = "import time; print('up', flush=True); time.sleep(60)"


def _started(proc: subprocess.Popen[str]) -> subprocess.Popen[str]:
    assert proc.stdout is not None and proc.stdout.readline() == "up\n"
    return proc


def test_pid_checks_and_stop() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SLEEP, "amldeploy", "serve", "--port", "1234"],
        start_new_session=True,
        env={"MARK": "yes"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        _started(proc)
        assert pid_alive(proc.pid) and is_our_runtime(proc.pid, 1234) and running(proc.pid, 1234)
        assert not is_our_runtime(proc.pid, 4321)
        assert (read_environ(proc.pid) or {}).get("MARK") == "yes"
        assert stop_process(proc.pid, grace=5) is False
        proc.wait(5)
        assert not pid_alive(proc.pid) and not running(proc.pid, 1234)
    finally:
        proc.kill()
        proc.wait()
    sleeper = subprocess.Popen([sys.executable, "-c", SLEEP], stdout=subprocess.PIPE, text=True)
    try:
        _started(sleeper)
        assert pid_alive(sleeper.pid) and not is_our_runtime(sleeper.pid, None)  # a reused pid is not ours
    finally:
        sleeper.kill()
        sleeper.wait()


def test_port_problem_and_target_choice() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert port_problem(sock.getsockname()[1]) == "in use"
    assert choose_target("LOCAL") == "process"
    assert choose_target("AKS", "process") == "process"
    assert choose_target("ACI") == "aci"  # offered before a subscription is chosen: its deploy says what to give
    with pytest.raises(OpsError, match="computeType 'BATCH'") as batch:
        choose_target("BATCH")
    assert batch.value.hint is not None and "--target process" in batch.value.hint and batch.value.status == 2
    with pytest.raises(OpsError, match="unknown target 'moon'"):
        choose_target("local", "moon")


def test_service_json_is_camel_case() -> None:
    service = Service("svc", "process", State.HEALTHY, "local", host="127.0.0.1", port=8890, pid=12)
    data = service.to_json()
    assert data["scoringUri"] == "http://127.0.0.1:8890/score" and data["state"] == "Healthy"
    assert data["swaggerUri"] == "http://127.0.0.1:8890/swagger.json"
    assert Service("svc", "process", State.FAILED, "local").to_json()["scoringUri"] is None


def test_wait_healthy_like_v1() -> None:
    """502 is "not ready yet"; the wait ends at the first 200, or when the budget of tries runs out."""
    import http.server

    answers = [502, 502, 200]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(answers.pop(0) if len(answers) > 1 else answers[0])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        reporter = RecordingReporter()
        assert wait_healthy(base, lambda: None, reporter, tries=30, interval=0.2).healthy
        assert any(e.text == "not yet: 502 Bad Gateway" for e in reporter.events)
        answers[:] = [502]
        started = time.monotonic()
        late = wait_healthy(base, lambda: None, RecordingReporter(), tries=3, interval=0.2)
        assert not late.healthy and late.exit_status is None and late.last_answer == "502 Bad Gateway"
        assert 0.5 <= time.monotonic() - started < 2.0
        crashed = wait_healthy(base, lambda: 3, RecordingReporter(), tries=3, interval=0.2)
        assert not crashed.healthy and crashed.exit_status == 3
    finally:
        server.shutdown()
        server.server_close()
    refused = wait_healthy(base, lambda: None, RecordingReporter(), tries=2, interval=0.1)
    assert refused.last_answer == "connection refused"


def test_a_preferred_target_takes_local_while_available() -> None:
    """How a Docker target will slot in: it takes computeType local while its engine answers."""
    from amldeploy.ops.targets import base
    from amldeploy.ops.targets.process.target import ProcessTarget

    engine = {"up": True}
    info = base.TargetInfo("docker-test", "test", ProcessTarget, lambda: engine["up"], ("local",), priority=10)
    base.register_target(info)
    try:
        assert choose_target("local") == "docker-test"
        engine["up"] = False
        assert choose_target("local") == "process"
        assert choose_target("local", "docker-test") == "docker-test"
    finally:
        base._TARGETS.pop("docker-test")

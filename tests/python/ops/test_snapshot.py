"""The services snapshot editors show: targets, their settings, services with rows worded by their target."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.service import Service
from amldeploy.ops.snapshot import service_view, services_snapshot, snapshot_signature
from amldeploy.ops.states import State
from amldeploy.ops.targets.base import cannot_package, make_target, packaging_targets, service_rows, target_info


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def write_record(root: Path, name: str, record: dict[str, object] | str, log: str = "") -> Path:
    folder = root / ".amldeploy" / "services" / name
    folder.mkdir(parents=True)
    text = record if isinstance(record, str) else json.dumps(record)
    (folder / "service.json").write_text(text, encoding="utf-8")
    (folder / "service.log").write_text(log, encoding="utf-8")
    return folder


def test_rows_of_any_service_and_of_a_process() -> None:
    service = Service(
        "svc",
        "elsewhere",
        State.HEALTHY,
        "ACI",
        host="127.0.0.1",
        port=8123,
        created="2026-01-01T00:00:00+00:00",
        models=[ModelSpec(Path("/m/model.joblib"), "model", 2)],
        auth_enabled=True,
    )
    assert service.rows() == [
        ("State", "Healthy (running, and the scoring server answers its health check)"),
        ("Scoring URI", "http://127.0.0.1:8123/score"),
        ("Swagger URI", "http://127.0.0.1:8123/swagger.json"),
        ("Models", "model:2 (/m/model.joblib)"),
        ("Auth", "enabled (keys hidden)"),
        ("Created", "2026-01-01T00:00:00+00:00"),
    ]
    assert service_rows(service) == service.rows()  # an unknown target: the common rows
    failed = Service("svc", "process", State.FAILED, "local", pid=42, error="it crashed", log_path="/x/service.log")
    rows = dict(service_rows(failed))
    assert rows["PID"] == "42" and rows["Port"] == "-" and rows["Log"] == "/x/service.log"
    assert rows["Isolated"] == "no" and rows["Auth"] == "disabled" and rows["Scoring URI"] == "-"
    assert rows["Error"] == "it crashed" and rows["State"].startswith("Failed (")
    labels = [label for label, _ in service_rows(failed)]
    assert labels.index("Swagger URI") < labels.index("PID") < labels.index("Models")


def test_a_view_never_holds_keys() -> None:
    service = Service("svc", "process", State.HEALTHY, "local", details={"primaryKey": "k1", "frontEnd": {"keys": 1}})
    view = service_view(service)
    assert "primaryKey" not in view and view["frontEnd"] == {}
    assert view["rows"][0] == {"label": "State", "value": view["rows"][0]["value"]}
    assert "k1" not in json.dumps(view)


def test_an_empty_workspace_lists_the_process_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from amldeploy.ops.targets.docker import engine

    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    engine.forget()
    snapshot = services_snapshot(tmp_path, {"aci.subscription": "sub-1"})
    aci = snapshot["targets"].pop()
    assert (aci["name"], aci["label"], aci["available"], aci["services"]) == (
        "aci",
        "Azure Container Instances",
        True,  # offered before a resource group is chosen: it lists nothing until then
        [],
    )
    assert aci["settings"][0] == {"key": "subscription", "label": "Subscription", "value": "sub-1"}
    kubernetes = snapshot["targets"].pop()
    assert (kubernetes["name"], kubernetes["label"], kubernetes["available"], kubernetes["services"]) == (
        "kubernetes",
        "Kubernetes",
        False,
        [],
    )
    assert f"no kubeconfig at {tmp_path / 'no-kubeconfig'}" in kubernetes["reason"]
    assert "az aks get-credentials" in kubernetes["reason"]
    docker = snapshot["targets"].pop()
    assert (docker["name"], docker["label"], docker["available"], docker["services"]) == (
        "docker",
        "Docker containers",
        False,
        [],
    )
    assert f"no Docker engine answers at unix://{tmp_path}/no-engine.sock (DOCKER_HOST)" in docker["reason"]
    assert "start Docker" in docker["reason"]
    assert snapshot == {
        "root": str(tmp_path),
        "targets": [
            {
                "name": "process",
                "label": "Local processes",
                "description": target_info("process").description,
                "available": True,
                "canPackage": False,
                "settings": [{"key": "stateFolder", "label": "State folder", "value": ".amldeploy/services"}],
                "services": [],
            }
        ],
    }


def test_failed_and_damaged_services_are_listed_with_their_rows(tmp_path: Path) -> None:
    pid = dead_pid()
    write_record(
        tmp_path,
        "gone",
        {"name": "gone", "state": "Healthy", "pid": pid, "host": "127.0.0.1", "port": 1, "authEnabled": True},
    )
    write_record(tmp_path, "damaged", "{")
    services = services_snapshot(tmp_path)["targets"][0]["services"]
    assert [(s["name"], s["state"]) for s in services] == [("damaged", "Failed"), ("gone", "Failed")]
    damaged, gone = services
    assert "record is damaged" in damaged["error"]
    rows = {r["label"]: r["value"] for r in gone["rows"]}
    assert rows["PID"] == str(pid) and rows["Auth"] == "enabled (keys hidden)" and "is gone" in rows["Error"]


def test_signatures_ignore_volatile_fields() -> None:
    one = {"root": "/r", "targets": [{"name": "t", "services": [{"name": "a", "uptime": "1 s"}]}]}
    two = {"root": "/r", "targets": [{"name": "t", "services": [{"name": "a", "uptime": "4 s"}]}]}
    three = {"root": "/r", "targets": [{"name": "t", "services": [{"name": "a", "state": "Failed"}]}]}
    assert snapshot_signature(one) == snapshot_signature(two) != snapshot_signature(three)


def test_the_process_target_cannot_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from amldeploy.ops.targets.docker import engine

    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    engine.forget()
    assert packaging_targets(tmp_path) == []
    error = cannot_package(make_target("process", tmp_path), tmp_path)
    assert error.message == "the process target runs score.py from source: there is no image to package"
    assert error.hint is not None and error.hint.startswith("the docker target builds images, but no Docker engine")
    assert "start Docker" in error.hint

"""The custom protocol end to end: a real client (pytest-lsp, VS Code's capabilities) drives ``amldeploy lsp``,
which deploys the sklearn example as a local process, scores it, streams its log and deletes it.

Each test works in a copy of the example in ``tmp_path`` (so ``.amldeploy/`` never lands in the repository) and
whatever it deploys is deleted at teardown, through the server and, failing that, through the command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage, default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import register_lsp_features

from amldeploy.lsp import protocol
from amldeploy.lsp.params import INVALID_PARAMS, plain
from amldeploy.ops.choices import SETTINGS
from tests.python.lsp.conftest import codes, diagnostics_when, open_document, uri_of
from tests.python.ops.conftest import EXAMPLE, SAMPLE, _clean, trained_model  # noqa: F401 (a fixture)

SLOW_INIT = "import time\n\n\ndef init():\n    time.sleep(30)\n\n\ndef run(data):\n    return data\n"
CRASHING = "def init():\n    raise RuntimeError('boom in init')\n\n\ndef run(data):\n    return data\n"
DEPLOY_ARGS = {"inferenceConfig": "inferenceconfig.json", "deploymentConfig": "deploymentconfig.json"}
SETTINGS_SECTION = {"servicesPollMs": 300, "aci": {"subscription": "sub-2"}}


@pytest.fixture
def project(tmp_path: Path, trained_model: Path) -> Iterator[Path]:  # noqa: F811
    """A copy of the example with a portless local deployment config and the model, plus an Azure CLI profile
    and a kubeconfig for the server's environment."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("score.py", "inferenceconfig.json", "environment.yml", "deploymentconfig.aci.json"):
        shutil.copy(EXAMPLE / name, root / name)
    (root / "deploymentconfig.json").write_text('{"computeType": "local"}\n', encoding="utf-8")
    shutil.copy(trained_model, root / "model.joblib")
    (tmp_path / "azure").mkdir()
    profile = {"subscriptions": [{"id": "sub-2", "name": "Prod", "isDefault": True, "tenantId": "t-2"}]}
    (tmp_path / "azure" / "azureProfile.json").write_bytes(json.dumps(profile).encode("utf-8-sig"))
    (tmp_path / "kubeconfig").write_text(
        "current-context: aks\ncontexts:\n  - name: aks\n    context: {cluster: c1, namespace: ml, user: u}\n",
        encoding="utf-8",
    )
    yield root
    _clean(root)


@dataclass
class Session:
    client: LanguageClient
    root: Path
    changed: list[dict[str, Any]] = field(default_factory=list)  # amldeploy/servicesChanged
    logs: list[dict[str, Any]] = field(default_factory=list)  # amldeploy/log
    closed: bool = False

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            await self.client.shutdown_session()
            await self.client.stop()

    async def request(self, method: str, params: Any, msg_id: str | None = None) -> Any:
        return plain(await self.client.protocol.send_request_async(method, params, msg_id=msg_id))

    async def failure(self, method: str, params: Any) -> JsonRpcException:
        with pytest.raises(JsonRpcException) as raised:
            await self.request(method, params)
        return raised.value

    async def until(self, what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"never: {what}")

    def services(self, snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
        [process] = [t for t in snapshot["targets"] if t["name"] == "process"]
        return {s["name"]: s for s in process["services"]}

    def last_changed(self) -> dict[str, dict[str, Any]]:
        return self.services(self.changed[-1]) if self.changed else {}

    def stream(self, stream: str) -> list[dict[str, Any]]:
        return [m for m in self.logs if m["stream"] == stream]


def json_client() -> LanguageClient:
    """pytest-lsp's client, except that custom payloads stay JSON (pygls makes namedtuples of them, which
    renames keys such as ``content-type``)."""

    def converter() -> Any:
        converter = default_converter()
        for message in (JsonRPCRequestMessage, JsonRPCResponseMessage, JsonRPCNotification):
            converter.register_structure_hook(message, lambda data, cls: cls(**data))
        return converter

    client = LanguageClient(converter_factory=converter)
    register_lsp_features(client)
    return client


@pytest_asyncio.fixture
async def lsp(project: Path) -> AsyncIterator[Session]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_")}
    env.update(AZURE_CONFIG_DIR=str(project.parent / "azure"), KUBECONFIG=str(project.parent / "kubeconfig"))
    env["DOCKER_HOST"] = "unix:///nonexistent/amldeploy-tests/docker.sock"  # these deploys are the process target's
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "amldeploy", "lsp"], client_factory=json_client, server_env=env
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    session = Session(client, project)
    client.set_configuration(SETTINGS_SECTION, section="amldeploy")
    client.feature(protocol.SERVICES_CHANGED)(lambda params: session.changed.append(plain(params)))
    client.feature(protocol.LOG)(lambda params: session.logs.append(plain(params)))
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=uri_of(project),
            workspace_folders=[types.WorkspaceFolder(uri=uri_of(project), name="project")],
            initialization_options={"amldeploy": SETTINGS_SECTION},
        )
    )
    try:
        yield session
    finally:
        for name in [] if session.closed else list(session.last_changed()):
            with contextlib.suppress(JsonRpcException):  # else the project fixture's clean-up tries again
                await session.request(protocol.DELETE, {"name": name})
        await session.close()


def pid_running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] not in "ZX"


def key_material(keys: dict[str, str]) -> list[str]:
    return [keys["primaryKey"], keys["secondaryKey"]]


@pytest.mark.asyncio
async def test_deploy_list_score_follow_and_delete(lsp: Session) -> None:
    token = "deploy-sk-lsp"
    lsp.client.progress_reports[token] = []  # a client-created token (pytest-lsp only knows server-created ones)
    params = {"name": "sk-lsp", **DEPLOY_ARGS, "models": ["model.joblib"], "workDoneToken": token}
    result = await lsp.request(protocol.DEPLOY, params)
    service = result["service"]
    assert service["state"] == "Healthy" and service["scoringUri"].startswith("http://127.0.0.1:")
    assert service["models"][0]["name"] == "model" and isinstance(result["warnings"], list)

    reports = lsp.client.progress_reports[token]
    begin, *middle, end = reports
    assert isinstance(begin, types.WorkDoneProgressBegin) and begin.title == "Deploying sk-lsp" and begin.cancellable
    assert isinstance(end, types.WorkDoneProgressEnd) and end.message == "done"
    messages = [r.message for r in middle if isinstance(r, types.WorkDoneProgressReport)]
    assert messages[:2] == ["Checking the configs", "Checking the configs: no problems"], messages
    assert any(m and m.startswith("Starting sk-lsp on port") for m in messages), messages
    assert any(m == "Waiting for sk-lsp to answer GET /: healthy" for m in messages), messages
    # The snapshot sent after the deploy arrived before its answer.
    assert lsp.last_changed()["sk-lsp"]["state"] == "Healthy"

    snapshot = await lsp.request(protocol.SERVICES, {})
    assert snapshot["root"] == str(lsp.root)
    process, docker, kubernetes, aci = snapshot["targets"]  # the others are listed too, available or not
    assert (docker["name"], kubernetes["name"], aci["name"]) == ("docker", "kubernetes", "aci")
    assert aci["settings"][0] == {"key": "subscription", "label": "Subscription", "value": "sub-2"}
    assert (process["name"], process["label"], process["available"], process["canPackage"]) == (
        "process",
        "Local processes",
        True,
        False,
    )
    assert process["settings"] == [{"key": "stateFolder", "label": "State folder", "value": ".amldeploy/services"}]
    listed = lsp.services(snapshot)["sk-lsp"]
    rows = {r["label"]: r["value"] for r in listed["rows"]}
    assert rows["Scoring URI"] == service["scoringUri"] and rows["PID"] == str(service["pid"])
    assert rows["Auth"] == "disabled" and rows["State"].startswith("Healthy (")

    scored = await lsp.request(protocol.SCORE, {"name": "sk-lsp", "body": SAMPLE})
    assert scored["status"] == 200 and scored["reason"] == "OK" and scored["runTimeMs"] >= 0
    assert isinstance(scored["body"], list) and len(scored["body"]) == 1 and isinstance(scored["body"][0], float)
    assert scored["headers"]["content-type"].startswith("application/json")

    # Keys exist even without auth (in the process only): never in a snapshot or a log message.
    keys = await lsp.request(protocol.KEYS, {"name": "sk-lsp"})
    seen = json.dumps([snapshot, lsp.changed, [m.message for m in lsp.client.log_messages]])
    assert all(len(key) == 32 and key not in seen for key in key_material(keys))

    stream = (await lsp.request(protocol.LOGS_START, {"name": "sk-lsp", "tail": 100}))["stream"]
    await lsp.until(
        "the init line", lambda: any("model loaded from" in line for m in lsp.stream(stream) for line in m["lines"])
    )
    await lsp.request(protocol.SCORE, {"name": "sk-lsp", "body": SAMPLE})
    await lsp.until(
        "a new line", lambda: any("POST /score 200" in line for m in lsp.stream(stream) for line in m["lines"])
    )
    assert all(m["name"] == "sk-lsp" for m in lsp.stream(stream))
    stopped_at = time.monotonic()
    assert await lsp.request(protocol.LOGS_STOP, {"stream": stream}) is None
    await lsp.until("the end of the stream", lambda: lsp.stream(stream)[-1].get("ended"), timeout=5)
    assert time.monotonic() - stopped_at < 2
    assert await lsp.request(protocol.LOGS_STOP, {"stream": stream}) is None  # stopping twice is no error

    token = "delete-sk-lsp"
    lsp.client.progress_reports[token] = []
    deleted = await lsp.request(protocol.DELETE, {"name": "sk-lsp", "workDoneToken": token})
    assert deleted == {"name": "sk-lsp", "target": "process"}
    assert lsp.client.progress_reports[token][0].title == "Deleting sk-lsp"
    assert "sk-lsp" not in lsp.last_changed()
    assert not pid_running(service["pid"]) and not (lsp.root / ".amldeploy" / "services" / "sk-lsp").exists()


@pytest.mark.asyncio
async def test_auth_keys_warnings_and_the_watcher(lsp: Session) -> None:
    aci = json.loads((lsp.root / "deploymentconfig.aci.json").read_text())
    (lsp.root / "deploymentconfig.aci.json").write_text(json.dumps({**aci, "colour": "blue"}))
    await lsp.request(protocol.SERVICES, {})  # starts the watcher
    params = {
        "name": "sk-auth",
        "inferenceConfig": str(lsp.root / "inferenceconfig.json"),  # absolute paths work too
        "deploymentConfig": "deploymentconfig.aci.json",
        "models": ["model.joblib:sk-model:3"],
        "target": "process",
    }
    result = await lsp.request(protocol.DEPLOY, params)
    service = result["service"]
    assert service["authEnabled"] is True and service["models"][0]["version"] == 3
    assert any("DC006 Unknown key 'colour'" in w for w in result["warnings"]), result["warnings"]
    assert any("DC006" in m.message for m in lsp.client.log_messages if m.type == types.MessageType.Warning)

    keys = await lsp.request(protocol.KEYS, {"name": "sk-auth"})
    scored = await lsp.request(protocol.SCORE, {"name": "sk-auth", "body": SAMPLE})
    assert scored["status"] == 200  # the score request sent the key
    rows = {r["label"]: r["value"] for r in lsp.last_changed()["sk-auth"]["rows"]}
    assert rows["Auth"] == "enabled (keys hidden)"
    seen = json.dumps([result, lsp.changed, [m.message for m in lsp.client.log_messages]])
    assert not any(key in seen for key in key_material(keys))

    # The watcher notices a service that died, and its log stream ends by itself.
    stream = (await lsp.request(protocol.LOGS_START, {"name": "sk-auth", "tail": 0}))["stream"]
    os.killpg(service["pid"], 9)
    await lsp.until("the watcher's news", lambda: lsp.last_changed().get("sk-auth", {}).get("state") == "Failed", 10)
    await lsp.until("the end of the stream", lambda: lsp.stream(stream) and lsp.stream(stream)[-1].get("ended"), 5)
    gone = await lsp.failure(protocol.KEYS, {"name": "sk-auth"})
    assert gone.code == protocol.REQUEST_FAILED and "redeploy" in plain(gone.data)["hint"]
    failed = await lsp.failure(protocol.SCORE, {"name": "sk-auth", "body": SAMPLE})
    assert "is Failed" in failed.message


@pytest.mark.asyncio
async def test_failures_answer_request_failed(lsp: Session) -> None:
    (lsp.root / "deploymentconfig.bad.json").write_text('{\n  "computeType": "local",\n  "port": 0\n}\n')
    bad = await lsp.failure(
        protocol.DEPLOY, {"name": "sk-bad", **DEPLOY_ARGS, "deploymentConfig": "deploymentconfig.bad.json"}
    )
    data = plain(bad.data)
    assert bad.code == protocol.REQUEST_FAILED and "nothing was deployed" in data["message"]
    [problem] = data["problems"]
    assert (problem["line"], problem["code"]) == (3, "DC004") and problem["path"].endswith("deploymentconfig.bad.json")

    missing = await lsp.failure(protocol.DEPLOY, {"name": "sk-bad", **DEPLOY_ARGS, "deploymentConfig": "nope.json"})
    assert "does not exist" in missing.message and "deploymentConfig" in plain(missing.data)["hint"]
    named = await lsp.failure(protocol.DEPLOY, {"name": "Bad_Name", **DEPLOY_ARGS})
    assert "service name 'Bad_Name'" in named.message
    model = await lsp.failure(protocol.DEPLOY, {"name": "sk-bad", **DEPLOY_ARGS, "models": ["nope.joblib"]})
    assert "model path 'nope.joblib' doesn't exist" in model.message
    target = await lsp.failure(protocol.DEPLOY, {"name": "sk-bad", **DEPLOY_ARGS, "target": "mars"})
    assert "unknown target 'mars'" in target.message and "process" in plain(target.data)["hint"]

    for method, params in (
        (protocol.SCORE, {"name": "sk-none", "body": "{}"}),
        (protocol.KEYS, {"name": "sk-none"}),
        (protocol.LOGS_START, {"name": "sk-none"}),
        (protocol.DELETE, {"name": "sk-none"}),
        (protocol.DELETE, {"name": "sk-none", "target": "process"}),
    ):
        error = await lsp.failure(method, params)
        assert error.code == protocol.REQUEST_FAILED and "no service named 'sk-none'" in error.message, method

    package = await lsp.failure(protocol.PACKAGE, {"name": "sk-pkg", **DEPLOY_ARGS})
    assert package.message == "the process target runs score.py from source: there is no image to package"
    assert "docker" in plain(package.data)["hint"]  # the target that builds images, available or why not

    assert "Traceback" not in json.dumps([m.message for m in lsp.client.log_messages])
    assert lsp.changed == []  # nothing was deployed or deleted


@pytest.mark.asyncio
async def test_export_writes_v2_and_iot_edge_and_refuses_what_it_cannot(lsp: Session) -> None:
    aci = {**DEPLOY_ARGS, "deploymentConfig": "deploymentconfig.aci.json", "models": ["model.joblib"]}
    v2 = await lsp.request(protocol.EXPORT_V2, {**aci, "outputDir": "v2", "endpoint": "sk-v2"})
    assert (v2["kind"], v2["endpoint"], v2["deploymentKind"]) == ("v2", "sk-v2", "managed")
    assert Path(v2["files"][0]) == lsp.root / "v2" / "endpoint.yml" and (lsp.root / "v2" / "MIGRATION.md").is_file()
    assert {d["key"] for d in v2["dropped"]} == {"location", "sslEnabled"}
    edge = await lsp.request(protocol.EXPORT_IOT_EDGE, {**aci, "outputDir": "edge", "registry": "myacr.azurecr.io"})
    assert edge["image"].startswith("myacr.azurecr.io/project:") and edge["module"] == "project"
    assert Path(edge["files"][0]) == lsp.root / "edge" / "deployment.json"

    (lsp.root / "mine").mkdir()
    (lsp.root / "mine" / "notes.txt").write_text("keep")
    foreign = await lsp.failure(protocol.EXPORT_V2, {**aci, "outputDir": "mine"})
    assert foreign.code == protocol.REQUEST_FAILED and "no earlier 'amldeploy export' output" in foreign.message
    (lsp.root / "deploymentconfig.bad.json").write_text('{\n  "computeType": "ACI",\n  "authEnabled": 1\n}\n')
    bad = await lsp.failure(
        protocol.EXPORT_V2, {**aci, "deploymentConfig": "deploymentconfig.bad.json", "outputDir": "o"}
    )
    data = plain(bad.data)
    assert "nothing was written" in data["message"] and data["problems"][0]["line"] == 3
    missing = await lsp.failure(protocol.EXPORT_IOT_EDGE, {**DEPLOY_ARGS})
    assert missing.code == INVALID_PARAMS and "'outputDir' is missing" in missing.message
    assert not (lsp.root / "o").exists()


@pytest.mark.asyncio
async def test_wrong_parameters_name_the_key(lsp: Session) -> None:
    cases: list[tuple[str, Any, str]] = [
        (protocol.DEPLOY, {"inferenceConfig": "a", "deploymentConfig": "b"}, "'name' is missing"),
        (protocol.DEPLOY, {"name": "sk", **DEPLOY_ARGS, "port": "80"}, "'port' must be a whole number"),
        (protocol.DEPLOY, {"name": "sk", **DEPLOY_ARGS, "port": 0}, "'port' must be a whole number from 1 to 65535"),
        (protocol.DEPLOY, {"name": "sk", **DEPLOY_ARGS, "models": "m.joblib"}, "'models' must be a list of strings"),
        (protocol.DEPLOY, {"name": "sk", **DEPLOY_ARGS, "isolated": "yes"}, "'isolated' must be true or false"),
        (protocol.DEPLOY, {"name": "sk", **DEPLOY_ARGS, "workDoneToken": [1]}, "'workDoneToken' must be"),
        (protocol.SCORE, {"name": "sk"}, "'body' is missing"),
        (protocol.SCORE, {"name": "", "body": ""}, "'name' must not be empty"),
        (protocol.LOGS_START, {"name": "sk", "tail": -1}, "'tail' must be a whole number"),
        (protocol.LOGS_STOP, {}, "'stream' is missing"),
        (protocol.CHOICES, {"setting": 3}, "'setting' must be a string, not a number"),
        (protocol.KEYS, [1, 2], "takes an object of parameters, not a list"),
    ]
    for method, params, expected in cases:
        error = await lsp.failure(method, params)
        assert error.code == INVALID_PARAMS and expected in error.message, (method, params, error.message)
    # The server is still serving.
    assert (await lsp.request(protocol.SERVICES, None))["targets"][0]["services"] == []


@pytest.mark.asyncio
async def test_choices_from_the_servers_environment(lsp: Session) -> None:
    assert protocol.CHOICE_SETTINGS == SETTINGS
    subscriptions = await lsp.request(protocol.CHOICES, {"setting": "aci.subscription"})
    assert subscriptions["choices"] == [{"value": "sub-2", "label": "Prod", "description": "default · tenant t-2"}]
    assert str(lsp.root.parent / "azure" / "azureProfile.json") in subscriptions["source"]
    contexts = await lsp.request(protocol.CHOICES, {"setting": "kubernetes.context"})
    assert contexts["choices"] == [
        {"value": "aks", "label": "aks", "description": "current · cluster c1 · namespace ml"}
    ]
    (lsp.root.parent / "kubeconfig").unlink()
    empty = await lsp.request(protocol.CHOICES, {"setting": "kubernetes.context"})
    assert empty["choices"] == [] and "no kubeconfig at" in empty["source"]
    unknown = await lsp.failure(protocol.CHOICES, {"setting": "aci.region"})
    assert unknown.code == protocol.REQUEST_FAILED and "aci.subscription" in plain(unknown.data)["hint"]


@pytest.mark.asyncio
async def test_a_failing_init_answers_with_its_log(lsp: Session) -> None:
    (lsp.root / "score.py").write_text(CRASHING)
    error = await lsp.failure(protocol.DEPLOY, {"name": "sk-crash", **DEPLOY_ARGS})
    data = plain(error.data)
    assert error.code == protocol.REQUEST_FAILED and "Did your init method fail?" in data["message"]
    assert any("RuntimeError: boom in init" in line for line in data["log"]), data["log"]
    assert data["service"]["state"] == "Failed" and any(r["label"] == "Error" for r in data["service"]["rows"])
    assert lsp.last_changed()["sk-crash"]["state"] == "Failed"


def waiting_for_health(lsp: Session, token: str) -> Callable[[], bool]:
    def waiting() -> bool:
        reports = lsp.client.progress_reports[token]
        return any(isinstance(r, types.WorkDoneProgressReport) and "not yet" in (r.message or "") for r in reports)

    return waiting


@pytest.mark.asyncio
async def test_cancel_stops_a_deploy_and_its_process(lsp: Session) -> None:
    (lsp.root / "score.py").write_text(SLOW_INIT)
    for how in ("progress", "request"):
        name, token = f"sk-slow-{how}", f"deploy-slow-{how}"
        lsp.client.progress_reports[token] = []
        params = {"name": name, **DEPLOY_ARGS, "workDoneToken": token}
        deploying = asyncio.ensure_future(lsp.request(protocol.DEPLOY, params, msg_id=f"id-{how}"))
        await lsp.until("the health checks", waiting_for_health(lsp, token))
        if how == "progress":
            # Diagnostics keep flowing while the deploy runs.
            uri = open_document(lsp.client, lsp.root / "deploymentconfig.json", '{"computeType": "k8s"}')
            await diagnostics_when(lsp.client, uri, lambda d: codes(d) == ["DC005"], timeout=5)
            lsp.client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
        else:
            lsp.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=f"id-{how}"))
        started = time.monotonic()
        with pytest.raises(JsonRpcException) as raised:
            await asyncio.wait_for(deploying, 15)
        assert time.monotonic() - started < 8
        assert (
            raised.value.code == protocol.REQUEST_FAILED and raised.value.message == f"deploy of {name} was cancelled"
        )
        end = lsp.client.progress_reports[token][-1]
        assert isinstance(end, types.WorkDoneProgressEnd) and end.message == f"deploy of {name} was cancelled"
        record = json.loads((lsp.root / ".amldeploy" / "services" / name / "service.json").read_text())
        assert not pid_running(record["pid"])
        left = lsp.last_changed()[name]
        assert left["state"] == "Failed" and left["error"] == "the deploy was cancelled and the process stopped"


@pytest.mark.asyncio
async def test_closing_the_session_stops_a_deploy(lsp: Session) -> None:
    (lsp.root / "score.py").write_text(SLOW_INIT)
    token = "deploy-closing"
    lsp.client.progress_reports[token] = []
    deploying = asyncio.ensure_future(
        lsp.request(protocol.DEPLOY, {"name": "sk-close", **DEPLOY_ARGS, "workDoneToken": token})
    )
    await lsp.until("the health checks", waiting_for_health(lsp, token))
    started = time.monotonic()
    await lsp.close()  # shutdown, exit, and the server process ends
    assert time.monotonic() - started < 10
    deploying.cancel()
    with contextlib.suppress(BaseException):
        await deploying
    record = json.loads((lsp.root / ".amldeploy" / "services" / "sk-close" / "service.json").read_text())
    assert not pid_running(record["pid"])
    assert record["state"] == "Failed" and record["error"] == "the deploy was cancelled and the process stopped"

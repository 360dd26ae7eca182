"""The ACI target through the language server, as the editor uses it: the editor's ``aci`` settings choose the
resource group, Deploy… creates the group on the local Azure, the Services view lists it under the ACI target,
Tail Logs streams its log, Keys and Delete work, and no key reaches a snapshot."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from amldeploy.lsp import protocol
from tests.infra.aci import FakeAzure
from tests.python.aci.helpers import IMAGE
from tests.python.lsp.conftest import uri_of
from tests.python.lsp.test_operations import Session, json_client


@pytest_asyncio.fixture
async def lsp(project: Path, azure: FakeAzure, azure_env: dict[str, str]) -> AsyncIterator[Session]:
    (project / "deploymentconfig.json").write_text(json.dumps({"computeType": "ACI", "authEnabled": True}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "AZURE_"))}
    env.update(azure_env, AMLDEPLOY_ACI_POLL_INTERVAL_S="0", KUBECONFIG=str(project / "no-kubeconfig"))
    env["DOCKER_HOST"] = "unix:///nonexistent/amldeploy-tests/docker.sock"
    settings = {"servicesPollMs": 0, "aci": {"resourceGroup": azure.resource_group}}
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "amldeploy", "lsp"], client_factory=json_client, server_env=env
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    session = Session(client, project)
    client.set_configuration(settings, section="amldeploy")
    client.feature(protocol.SERVICES_CHANGED)(lambda params: session.changed.append(params))
    client.feature(protocol.LOG)(lambda params: session.logs.append(params))
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=uri_of(project),
            workspace_folders=[types.WorkspaceFolder(uri=uri_of(project), name="project")],
            initialization_options={"amldeploy": settings},
        )
    )
    try:
        yield session
    finally:
        await session.close()


def aci_services(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [aci] = [t for t in snapshot["targets"] if t["name"] == "aci"]
    return {s["name"]: s for s in aci["services"]}


@pytest.mark.asyncio
async def test_deploy_list_logs_keys_and_delete_through_the_server(lsp: Session, azure: FakeAzure) -> None:
    params = {
        "name": "sk-lsp-aci",
        "inferenceConfig": "inferenceconfig.json",
        "deploymentConfig": "deploymentconfig.json",
        "models": ["model.joblib"],
        "image": IMAGE,
    }
    result = await lsp.request(protocol.DEPLOY, params)
    service = result["service"]
    assert service["target"] == "aci" and service["state"] == "Healthy", result
    snapshot = await lsp.request(protocol.SERVICES, {})
    listed = aci_services(snapshot)["sk-lsp-aci"]
    rows = {r["label"]: r["value"] for r in listed["rows"]}
    assert rows["Resource group"] == azure.resource_group and rows["State"].startswith("Healthy")

    keys = await lsp.request(protocol.KEYS, {"name": "sk-lsp-aci"})
    seen = json.dumps([snapshot, lsp.changed])
    assert all(isinstance(v, str) and v not in seen for v in keys.values() if isinstance(v, str) and len(v) > 20)

    azure.append_logs("sk-lsp-aci", "scoring", "hello from the group")
    stream = (await lsp.request(protocol.LOGS_START, {"name": "sk-lsp-aci", "tail": 10}))["stream"]
    await lsp.until(
        "the log line",
        lambda: any("hello from the group" in line for m in lsp.stream(stream) for line in m["lines"]),
    )
    await lsp.request(protocol.LOGS_STOP, {"stream": stream})

    deleted = await lsp.request(protocol.DELETE, {"name": "sk-lsp-aci"})
    assert deleted == {"name": "sk-lsp-aci", "target": "aci"}
    assert "sk-lsp-aci" not in aci_services(await lsp.request(protocol.SERVICES, {}))

"""The editor's side: ``amldeploy/computeTargets`` lists the records ``amldeploy target`` writes, and
``amldeploy/deploy`` with ``computeTarget`` uses one as ``--ct`` does. A real client drives ``amldeploy lsp``."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from amldeploy.lsp import protocol
from amldeploy.lsp.features.computetargets import COMPUTE_TARGETS
from amldeploy.lsp.params import INVALID_PARAMS, plain
from amldeploy.ops.computetargets import ComputeTargets, make_target
from tests.python.computetargets.conftest import AKS_ID, KUBECONFIG
from tests.python.lsp.conftest import uri_of
from tests.python.lsp.test_operations import json_client

DEPLOY = {"name": "sklearn-demo", "inferenceConfig": "inferenceconfig.json", "models": ["model.joblib"]}


@pytest.fixture
def store(tmp_path: Path) -> ComputeTargets:
    return ComputeTargets(tmp_path / "data" / "computetargets")


@pytest_asyncio.fixture
async def client(project: Path, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_")}
    (tmp_path / "kubeconfig").write_text(KUBECONFIG, encoding="utf-8")
    env.update(
        AMLDEPLOY_DATA_DIR=str(tmp_path / "data"),
        KUBECONFIG=str(tmp_path / "kubeconfig"),
        DOCKER_HOST="unix:///nonexistent/amldeploy-tests/docker.sock",
    )
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "amldeploy", "lsp"], client_factory=json_client, server_env=env
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=uri_of(project),
            workspace_folders=[types.WorkspaceFolder(uri=uri_of(project), name="project")],
            initialization_options={"amldeploy": {"kubernetes": {"namespace": "from-editor"}}},
        )
    )
    try:
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


async def request(client: LanguageClient, method: str, params: Any) -> Any:
    return plain(await client.protocol.send_request_async(method, params))


async def failure(client: LanguageClient, method: str, params: Any) -> JsonRpcException:
    with pytest.raises(JsonRpcException) as raised:
        await request(client, method, params)
    return raised.value


@pytest.mark.asyncio
async def test_compute_targets_lists_the_records_and_the_unreadable_ones(
    client: LanguageClient, store: ComputeTargets
) -> None:
    empty = await request(client, COMPUTE_TARGETS, {})
    assert empty == {"root": str(store.root), "computeTargets": [], "errors": []}
    store.add(make_target("myaks", "kubernetes", {"kubernetes.context": "prod-aks"}, AKS_ID))
    store.add(make_target("myaci", "aci", {"aci.subscription": "s", "aci.resourceGroup": "g"}))
    (store.root / "broken.json").write_text("{", encoding="utf-8")
    listed = await request(client, COMPUTE_TARGETS, None)
    views = {t["name"]: t for t in listed["computeTargets"]}
    assert sorted(views) == ["myaci", "myaks"]
    assert views["myaks"]["type"] == "kubernetes" and views["myaks"]["computeType"] == "AKS"
    assert views["myaks"]["settings"] == {"kubernetes.context": "prod-aks"} and views["myaks"]["resourceId"] == AKS_ID
    assert views["myaci"]["target"] == "aci" and views["myaci"]["file"] == str(store.root / "myaci.json")
    [error] = listed["errors"]
    assert str(store.root / "broken.json") in error["message"] and "amldeploy target remove broken" in error["hint"]


@pytest.mark.asyncio
async def test_deploy_with_a_compute_target_uses_its_settings(client: LanguageClient, store: ComputeTargets) -> None:
    store.add(make_target("myaks", "kubernetes", {"kubernetes.context": "prod-aks"}, AKS_ID))
    error = await failure(client, protocol.DEPLOY, {**DEPLOY, "deploymentConfig": "aks.json", "computeTarget": "myaks"})
    # the record's context, over the editor's settings: this kubeconfig has no such context
    assert "has no context 'prod-aks' (it has: dev)" in error.data["message"]


@pytest.mark.asyncio
async def test_deploy_with_a_contradicting_or_unknown_compute_target_fails_clearly(
    client: LanguageClient, store: ComputeTargets
) -> None:
    store.add(make_target("myaci", "aci", {"aci.subscription": "s"}))
    params = {**DEPLOY, "deploymentConfig": "aks.json", "computeTarget": "myaci"}
    error = await failure(client, protocol.DEPLOY, params)
    assert error.code == protocol.REQUEST_FAILED
    message = error.data["message"]
    assert "--ct myaci is an aci compute target, but the deployment config's computeType is 'AKS'" in message
    unknown = await failure(client, protocol.PACKAGE, {**params, "computeTarget": "nope"})
    assert "there is no compute target named 'nope' (known: myaci)" in unknown.data["message"]
    assert "amldeploy target add nope" in unknown.data["hint"]
    wrong = await failure(client, protocol.DEPLOY, {**params, "computeTarget": 3})
    assert wrong.code == INVALID_PARAMS and wrong.data["key"] == "computeTarget"


@pytest.mark.asyncio
async def test_a_docker_engine_other_than_the_servers_is_refused(client: LanguageClient, store: ComputeTargets) -> None:
    store.add(make_target("remote", "docker", {"docker.host": "tcp://build-box:2375"}))
    params = {**DEPLOY, "deploymentConfig": "local.json", "computeTarget": "remote"}
    error = await failure(client, protocol.DEPLOY, params)
    assert "names the Docker engine tcp://build-box:2375" in error.data["message"]
    assert "DOCKER_HOST=tcp://build-box:2375" in error.data["hint"] and "--ct remote" in error.data["hint"]

"""The editor's no-code Deploy: ``amldeploy/deploy`` with a registered model and neither ``inferenceConfig`` nor
``deploymentConfig`` (a real client driving ``amldeploy lsp``), then ``amldeploy/score`` with v1's request."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from sklearn.linear_model import LogisticRegression

from amldeploy.lsp import protocol
from amldeploy.lsp.params import plain
from amldeploy.ops.registry import ModelRegistry
from tests.python.lsp.conftest import uri_of
from tests.python.lsp.test_operations import json_client
from tests.python.nocode.conftest import NO_ENGINE, ROWS, sklearn_version


@pytest_asyncio.fixture
async def editor(tmp_path: Path, sklearn_model: Path) -> AsyncIterator[tuple[LanguageClient, Path]]:
    root = tmp_path / "workspace"
    root.mkdir()
    ModelRegistry(tmp_path / "registry").register(
        "iris", sklearn_model, framework="ScikitLearn", framework_version=sklearn_version()
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_")}
    env.update(
        DOCKER_HOST=NO_ENGINE,
        AMLDEPLOY_MODEL_REGISTRY=str(tmp_path / "registry"),
        AMLDEPLOY_CACHE_DIR=str(tmp_path / "cache"),
        AMLDEPLOY_DATA_DIR=str(tmp_path / "data"),
    )
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "amldeploy", "lsp"], client_factory=json_client, server_env=env
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    client.set_configuration({}, section="amldeploy")
    for notification in (protocol.SERVICES_CHANGED, protocol.LOG, protocol.MODELS_CHANGED):
        client.feature(notification)(lambda params: None)
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=uri_of(root),
            workspace_folders=[types.WorkspaceFolder(uri=uri_of(root), name="workspace")],
        )
    )
    try:
        yield client, root
    finally:
        await client.shutdown_session()
        await client.stop()


async def request(client: LanguageClient, method: str, params: Any) -> Any:
    return plain(await client.protocol.send_request_async(method, params))


@pytest.mark.asyncio
async def test_the_editor_deploys_a_registered_model_without_configs(
    editor: tuple[LanguageClient, Path], classifier: LogisticRegression
) -> None:
    client, _ = editor
    result = await request(client, protocol.DEPLOY, {"name": "iris-lsp", "models": ["iris:1"]})
    assert result["service"]["state"] == "Healthy"
    assert "ScikitLearn model iris:1" in result["notes"][0] and "computeType local" in result["notes"][1]
    try:
        answer = await request(client, protocol.SCORE, {"name": "iris-lsp", "body": json.dumps({"data": ROWS})})
        assert answer["status"] == 200
        assert answer["body"] == classifier.predict(np.asarray(ROWS)).tolist()
    finally:
        await request(client, protocol.DELETE, {"name": "iris-lsp"})

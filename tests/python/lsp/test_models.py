"""``amldeploy/models/*`` through a real client (pytest-lsp) and ``python -m amldeploy lsp``: the editor's Models
view registers, lists, downloads and deletes in the registry the ``amldeploy.models.registry`` setting names, the
one the command line reads through ``AMLDEPLOY_MODEL_REGISTRY``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from amldeploy.lsp import protocol
from amldeploy.lsp.params import INVALID_PARAMS, plain
from amldeploy.lsp.protocol import REQUEST_FAILED
from amldeploy.ops.registry import ModelRegistry
from tests.python.lsp.conftest import uri_of
from tests.python.lsp.test_operations import DEPLOY_ARGS, Session, json_client, project  # noqa: F401 (fixtures)
from tests.python.ops.conftest import NO_ENGINE, trained_model  # noqa: F401 (a fixture)


def settings_for(registry: Path | None) -> dict[str, Any]:
    return {"servicesPollMs": 200, "models": {"registry": str(registry) if registry else None}}


@dataclass
class ModelsSession(Session):
    models_changed: list[dict[str, Any]] = field(default_factory=list)  # amldeploy/modelsChanged

    async def versions_when(self, wanted: list[str]) -> list[str]:
        """The ids of the last ``modelsChanged``, once they are ``wanted``."""

        def last() -> list[str]:
            snapshot = self.models_changed[-1] if self.models_changed else {"models": []}
            return [v["id"] for m in snapshot["models"] for v in m["versions"]]

        await self.until(f"modelsChanged with {wanted}", lambda: last() == wanted, timeout=15)
        return last()


@pytest_asyncio.fixture
async def session(project: Path) -> AsyncIterator[ModelsSession]:  # noqa: F811
    """A server whose registry setting names ``registry/`` beside the project; its default (no setting) would be
    ``data/amldeploy/models`` (``XDG_DATA_HOME``), so that no test touches the user's own store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_")}
    env.update(XDG_DATA_HOME=str(project.parent / "data"), DOCKER_HOST=NO_ENGINE)
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "amldeploy", "lsp"], client_factory=json_client, server_env=env
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    section = settings_for(project.parent / "registry")
    client.set_configuration(section, section="amldeploy")
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    client.feature(protocol.SERVICES_CHANGED)(lambda params: None)
    session = ModelsSession(client, project)
    client.feature(protocol.MODELS_CHANGED)(lambda params: session.models_changed.append(plain(params)))
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=uri_of(project),
            workspace_folders=[types.WorkspaceFolder(uri=uri_of(project), name="project")],
            initialization_options={"amldeploy": section},
        )
    )
    try:
        yield session
    finally:
        with contextlib.suppress(JsonRpcException):
            await session.request(protocol.DELETE, {"name": "uses-model"})
        await session.close()


def data_of(error: JsonRpcException) -> dict[str, Any]:
    assert error.code == REQUEST_FAILED, error
    data: dict[str, Any] = error.data
    assert data["message"] and data["hint"], data
    return data


@pytest.mark.asyncio
async def test_register_list_download_and_delete(session: Session) -> None:
    registry = session.root.parent / "registry"
    empty = await session.request(protocol.MODELS_LIST, {})
    assert empty == {"root": str(registry), "models": [], "problems": []}

    first = await session.request(
        protocol.MODELS_REGISTER,
        {
            "path": "model.joblib",  # relative to the workspace
            "name": "sklearn_mnist",
            "framework": "scikitlearn",  # v1's spelling is kept, whatever the case typed
            "frameworkVersion": "1.5",
            "tags": ["area=mnist", "stage=dev"],
            "description": "diabetes regression",
        },
    )
    assert (first["id"], first["version"], first["framework"], first["frameworkVersion"]) == (
        "sklearn_mnist:1",
        1,
        "ScikitLearn",
        "1.5",
    )
    assert first["tags"] == {"area": "mnist", "stage": "dev"} and first["description"] == "diabetes regression"
    assert first["assetName"] == "model.joblib" and Path(first["path"]).is_relative_to(registry)
    second = await session.request(
        protocol.MODELS_REGISTER, {"path": str(session.root / "model.joblib"), "name": "sklearn_mnist"}
    )
    assert second["version"] == 2 and second["digest"] == first["digest"]  # the same bytes, stored once
    unnamed = await session.request(protocol.MODELS_REGISTER, {"path": "model.joblib"})
    assert unnamed["id"] == "model:1"  # the file's stem

    listed = await session.request(protocol.MODELS_LIST, {})
    assert [(m["name"], [v["version"] for v in m["versions"]]) for m in listed["models"]] == [
        ("model", [1]),
        ("sklearn_mnist", [2, 1]),  # the latest first
    ]
    assert listed["models"][1]["versions"][1]["tags"] == {"area": "mnist", "stage": "dev"}
    only = await session.request(protocol.MODELS_LIST, {"name": "model"})
    assert [m["name"] for m in only["models"]] == ["model"]

    downloaded = await session.request(
        protocol.MODELS_DOWNLOAD, {"name": "sklearn_mnist", "version": 1, "targetDir": "model_folder"}
    )
    copy = session.root / "model_folder" / "model.joblib"
    assert downloaded == {"name": "sklearn_mnist", "version": 1, "path": str(copy)}
    assert copy.read_bytes() == (session.root / "model.joblib").read_bytes()
    again = data_of(
        await session.failure(
            protocol.MODELS_DOWNLOAD, {"name": "sklearn_mnist", "version": 1, "targetDir": "model_folder"}
        )
    )
    assert "exists already" in again["message"]
    params = {"name": "sklearn_mnist", "version": 2, "targetDir": "model_folder", "overwrite": True}
    assert (await session.request(protocol.MODELS_DOWNLOAD, params))["path"] == str(copy)

    deleted = await session.request(protocol.MODELS_DELETE, {"name": "sklearn_mnist", "version": 1})
    assert deleted == {"name": "sklearn_mnist", "version": 1, "id": "sklearn_mnist:1"}
    listed = await session.request(protocol.MODELS_LIST, {"name": "sklearn_mnist"})
    assert [v["version"] for v in listed["models"][0]["versions"]] == [2]
    third = await session.request(protocol.MODELS_REGISTER, {"path": "model.joblib", "name": "sklearn_mnist"})
    assert third["version"] == 3  # a deleted version's number is never given again
    assert copy.exists(), "a downloaded copy is the user's: deleting the version leaves it"

    # The command line sees the same store (the setting became AMLDEPLOY_MODEL_REGISTRY in the server).
    env = {**os.environ, "AMLDEPLOY_MODEL_REGISTRY": str(registry)}
    code = "from amldeploy.ops.registry import ModelRegistry; print([m.id for m in ModelRegistry().list()])"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['model:1', 'sklearn_mnist:3', 'sklearn_mnist:2']"


@pytest.mark.asyncio
async def test_mistakes_are_answered_with_the_cause_and_the_fix(session: Session) -> None:
    missing = data_of(await session.failure(protocol.MODELS_REGISTER, {"path": "outputs/nothing.pkl"}))
    assert "nothing.pkl" in missing["message"] and "does not exist" in missing["message"]
    bad_name = data_of(await session.failure(protocol.MODELS_REGISTER, {"path": "model.joblib", "name": "-bad name"}))
    assert "model name '-bad name' is invalid" in bad_name["message"]
    keras = data_of(await session.failure(protocol.MODELS_REGISTER, {"path": "model.joblib", "framework": "Keras"}))
    assert "Keras" in keras["message"] and "ScikitLearn" in keras["hint"]
    tag = data_of(await session.failure(protocol.MODELS_REGISTER, {"path": "model.joblib", "tags": ["release"]}))
    assert "'release'" in tag["message"] and "KEY=VALUE" in tag["hint"]

    await session.request(protocol.MODELS_REGISTER, {"path": "model.joblib", "name": "m"})
    absent = data_of(await session.failure(protocol.MODELS_DOWNLOAD, {"name": "m", "version": 4, "targetDir": "out"}))
    assert absent["message"] == "model m has no version 4 (it has 1)"
    unknown = data_of(await session.failure(protocol.MODELS_DELETE, {"name": "nope", "version": 1}))
    assert "there is no model named 'nope'" in unknown["message"] and "uses" not in unknown

    wrong = await session.failure(protocol.MODELS_DELETE, {"name": "m", "version": "1"})
    assert wrong.code == INVALID_PARAMS and wrong.data["key"] == "version"
    absent_key = await session.failure(protocol.MODELS_DOWNLOAD, {"name": "m", "targetDir": "out"})
    assert absent_key.code == INVALID_PARAMS and absent_key.data["key"] == "version"
    tags = await session.failure(protocol.MODELS_REGISTER, {"path": "model.joblib", "tags": {"area": "mnist"}})
    assert tags.code == INVALID_PARAMS and tags.data["key"] == "tags"

    check = await session.request(protocol.MODELS_CHECK_NAME, {"name": "bad name", "path": "outputs/sk model.v1.pkl"})
    assert "model name 'bad name' is invalid" in check["problem"] and check["defaultName"] == "sk-model.v1"
    assert await session.request(protocol.MODELS_CHECK_NAME, {"name": "sk_mnist"}) == {
        "problem": None,
        "defaultName": None,
    }
    assert (await session.request(protocol.MODELS_CHECK_NAME, {"name": ""}))["problem"]

    # A damaged entry is listed as a problem, not a failure of the whole list.
    (session.root.parent / "registry" / "models" / "m" / "2.json").write_text("{not json", encoding="utf-8")
    listed = await session.request(protocol.MODELS_LIST, {})
    assert [v["id"] for m in listed["models"] for v in m["versions"]] == ["m:1"]
    [problem] = listed["problems"]
    assert "m:2 is damaged" in problem and "2.json" in problem


@pytest.mark.asyncio
async def test_delete_is_refused_while_a_service_uses_the_version_and_forced_on_demand(session: Session) -> None:
    await session.request(protocol.MODELS_REGISTER, {"path": "model.joblib", "name": "sk_used"})
    # The deploy takes the registry reference as its model (``-m NAME:VERSION``).
    result = await session.request(
        protocol.DEPLOY, {"name": "uses-model", **DEPLOY_ARGS, "models": ["sk_used:1"], "target": "process"}
    )
    service = result["service"]
    assert service["state"] == "Healthy"
    assert [(m["name"], m["version"]) for m in service["models"]] == [("sk_used", 1)]

    refused = data_of(await session.failure(protocol.MODELS_DELETE, {"name": "sk_used", "version": 1}))
    assert "model sk_used:1 is used by uses-model" in refused["message"]
    assert [(u["service"], u["target"]) for u in refused["uses"]] == [("uses-model", "process")]
    assert [m["name"] for m in (await session.request(protocol.MODELS_LIST, {}))["models"]] == ["sk_used"]

    forced = await session.request(protocol.MODELS_DELETE, {"name": "sk_used", "version": 1, "force": True})
    assert forced["id"] == "sk_used:1"
    assert (await session.request(protocol.MODELS_LIST, {}))["models"] == []


@pytest.mark.asyncio
async def test_a_register_by_another_process_is_sent_to_the_editor(session: ModelsSession) -> None:
    registry = session.root.parent / "registry"
    assert (await session.request(protocol.MODELS_LIST, {}))["models"] == []  # starts the watcher
    await asyncio.sleep(0.5)
    assert session.models_changed == [], "nothing changed: nothing is sent"
    other = ModelRegistry(registry)  # the command line, say, in a terminal
    other.register("outside", session.root / "model.joblib", framework="Onnx")
    assert await session.versions_when(["outside:1"]) == ["outside:1"]
    assert session.models_changed[-1]["models"][0]["versions"][0]["framework"] == "Onnx"
    other.register("outside", session.root / "model.joblib")
    await session.versions_when(["outside:2", "outside:1"])
    other.delete("outside", 1)
    await session.versions_when(["outside:2"])
    count = len(session.models_changed)
    await session.request(protocol.MODELS_REGISTER, {"path": "model.joblib", "name": "inside"})
    await session.versions_when(["inside:1", "outside:2"])  # the editor's own register is seen too
    await asyncio.sleep(0.6)
    assert len(session.models_changed) == count + 1, "each change is sent once"


@pytest.mark.asyncio
async def test_the_registry_setting_follows_changes_and_unset_falls_back_to_the_data_folder(session: Session) -> None:
    other = session.root.parent / "shared-registry"
    session.client.set_configuration(settings_for(other), section="amldeploy")
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert (await root_when(session, str(other))) == str(other)
    registered = await session.request(protocol.MODELS_REGISTER, {"path": "model.joblib", "name": "shared"})
    assert Path(registered["path"]).is_relative_to(other)

    session.client.set_configuration(settings_for(None), section="amldeploy")
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    default = str(session.root.parent / "data" / "amldeploy" / "models")
    assert (await root_when(session, default)) == default
    assert (await session.request(protocol.MODELS_LIST, {}))["models"] == []


async def root_when(session: Session, wanted: str) -> str:
    """The registry root the server reports, once it is ``wanted`` (a settings change arrives a moment later)."""
    deadline = time.monotonic() + 15
    while True:
        root: str = (await session.request(protocol.MODELS_LIST, {}))["root"]
        if root == wanted or time.monotonic() > deadline:
            return root
        await asyncio.sleep(0.1)

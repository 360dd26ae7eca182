"""JSON syntax reported once per editor: with ``jsonSyntax: false`` (what the VS Code extension sends, its own
JSON service reporting them) the server leaves the syntax problems of ``json`` documents out; every other
editor, and every other problem, keeps them. A real client (pytest-lsp) against ``python -m amldeploy lsp``."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.python.lsp.conftest import codes, diagnostics_when, open_document, uri_of

# A comment, a missing comma, a duplicate key and a trailing comma before text after the end, around two real
# (non-syntax) problems: a quoted port and an unknown key.
BROKEN = '{\n  "computeType": "local",\n  // c\n  "port": "80"\n  "cpu_cores": 1,\n  "cpu_cores": 2,\n} x\n'
SYNTAX = {"JS001", "JS002", "JS003", "JS005"}
OTHERS = {"DC002", "DC006"}


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "amldeploy", "lsp"]),
    params=[("visual-studio-code", False), ("visual-studio-code", True), ("neovim", None)],
    ids=["vscode-jsonSyntax-off", "vscode-jsonSyntax-on", "neovim-default"],
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[None]:
    editor, json_syntax = request.param
    options = {} if json_syntax is None else {"jsonSyntax": json_syntax}
    lsp_client.set_configuration({}, section="amldeploy")  # workspace/configuration knows nothing of the option
    lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor),
            root_uri=uri_of(tmp_path),
            workspace_folders=[types.WorkspaceFolder(uri=uri_of(tmp_path), name="ws")],
            initialization_options={"amldeploy": options},
        )
    )
    yield
    await lsp_client.shutdown_session()


def leaves_syntax_to_the_editor(request: pytest.FixtureRequest) -> bool:
    return "jsonSyntax-off" in request.node.callspec.id


@pytest.mark.asyncio
async def test_json_syntax_problems_are_published_unless_the_editor_reports_them(
    client: LanguageClient, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    uri = open_document(client, tmp_path / "deploymentconfig.json", BROKEN, "json")
    found = set(codes(await diagnostics_when(client, uri, lambda d: set(codes(d)) >= OTHERS)))
    if leaves_syntax_to_the_editor(request):
        assert found == OTHERS
    else:
        assert found >= SYNTAX | OTHERS, found


@pytest.mark.asyncio
async def test_jsonc_comments_and_yaml_syntax_stay_whatever_the_option(client: LanguageClient, tmp_path: Path) -> None:
    # VS Code allows comments in jsonc, but v1 did not: the server keeps reporting them there.
    jsonc = open_document(client, tmp_path / "inferenceconfig.json", '{\n  // c\n  "entryScript": "x.py"\n}\n', "jsonc")
    found = await diagnostics_when(client, jsonc, lambda d: "JS003" in codes(d))
    assert "JS003" in codes(found)
    yaml = open_document(client, tmp_path / "deploymentconfig.yml", "computeType: local\nport: [80\n", "yaml")
    found = await diagnostics_when(client, yaml, lambda d: any(c.startswith("JS") for c in codes(d)))
    assert {"JS001", "JS002"} & set(codes(found))


@pytest.mark.asyncio
async def test_a_changed_setting_does_not_bring_them_back(
    client: LanguageClient, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """VS Code answers ``workspace/configuration`` with its settings, which do not hold the option: the one
    given at start-up stays."""
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    uri = open_document(client, tmp_path / "deploymentconfig.json", '{"computeType": "local",}', "json")
    found = await diagnostics_when(client, uri, lambda d: d is not None)
    assert ("JS001" in codes(found)) != leaves_syntax_to_the_editor(request)

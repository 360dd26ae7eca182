"""Completion, hover, quick fixes, links, outline and shutdown, end to end over stdio."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.python.lsp.conftest import CLIENTS, codes, diagnostics_when, open_document, replace_all, uri_of


def cursor(text: str) -> tuple[str, types.Position]:
    offset = text.index("|")
    before = text[:offset]
    line = before.count("\n")
    return text.replace("|", "", 1), types.Position(line=line, character=len(before) - (before.rfind("\n") + 1))


async def complete(client: LanguageClient, uri: str, position: types.Position) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert result is not None
    return list(result.items if isinstance(result, types.CompletionList) else result)


def apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(p: types.Position) -> int:
        return starts[p.line] + p.character  # ASCII fixtures: UTF-16 units = characters

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None
    if action.edit.document_changes:
        return [e for change in action.edit.document_changes for e in change.edits]  # type: ignore[union-attr]
    assert action.edit.changes is not None
    return list(action.edit.changes[uri])


AKS_KEYS = {
    "autoScaler",
    "dataCollection",
    "authEnabled",
    "tokenAuthEnabled",
    "containerResourceRequirements",
    "gpuCores",
    "appInsightsEnabled",
    "scoringTimeoutMs",
    "maxConcurrentRequestsPerContainer",
    "maxQueueWaitMs",
    "numReplicas",
    "keys",
    "livenessProbeRequirements",
    "namespace",
    "computeTargetName",
}


@pytest.mark.asyncio
async def test_completion_offers_the_keys_of_the_compute_type(client: LanguageClient, workspace: Path) -> None:
    text, position = cursor('{\n  "computeType": "aks",\n  "authEnabled": true,\n  |\n}\n')
    uri = open_document(client, workspace / "deploymentconfig.json", text)
    items = await complete(client, uri, position)
    assert {i.label for i in items} == AKS_KEYS - {"authEnabled"}
    timeout = next(i for i in items if i.label == "scoringTimeoutMs")
    assert timeout.text_edit is not None and "60000" in timeout.text_edit.new_text
    assert isinstance(timeout.documentation, types.MarkupContent) and "504" in timeout.documentation.value

    text, position = cursor('{\n  "computeType": "ACI",\n  |\n}\n')
    replace_all(client, uri, text, 2)
    aci = {i.label for i in await complete(client, uri, position)}
    assert "location" in aci and "dnsNameLabel" in aci and "autoScaler" not in aci


@pytest.mark.asyncio
async def test_completion_of_enum_values_and_entry_script_paths(client: LanguageClient, workspace: Path) -> None:
    text, position = cursor('{"entryScript": "score.py", "runtime": |}')
    uri = open_document(client, workspace / "inferenceconfig.json", text)
    # The label is the text the item inserts, whichever client asks (no capability of either changes it): a JSON
    # string with its quotes, matched against the bare word typed so far through filterText.
    items = {i.label: i for i in await complete(client, uri, position)}
    assert {'"python"', '"spark-py"'} <= set(items) and "python" not in items
    python = items['"python"']
    assert isinstance(python.text_edit, types.TextEdit) and python.text_edit.new_text == '"python"'
    assert python.filter_text == "python" and python.insert_text_format == types.InsertTextFormat.PlainText
    yaml_text, yaml_position = cursor("entryScript: score.py\nruntime: |")
    yaml_uri = open_document(client, workspace / "inferenceconfig.yml", yaml_text, "yaml")
    labels = {i.label for i in await complete(client, yaml_uri, yaml_position)}
    assert {"python", "spark-py"} <= labels and '"python"' not in labels  # a YAML plain scalar needs no quotes
    text, position = cursor('{"entryScript": "|"}')
    replace_all(client, uri, text, 2)
    labels = {i.label for i in await complete(client, uri, position)}
    assert "score.py" in labels and "env.yml" not in labels


@pytest.mark.asyncio
async def test_hover_shows_documentation_default_and_target_behaviour(client: LanguageClient, workspace: Path) -> None:
    text, position = cursor('{"computeType": "aks", "maxQueue|WaitMs": 500}')
    uri = open_document(client, workspace / "deploymentconfig.json", text)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "500" in hover.contents.value and "503" in hover.contents.value
    assert hover.range == types.Range(
        start=types.Position(line=0, character=23), end=types.Position(line=0, character=39)
    )


@pytest.mark.asyncio
async def test_quick_fix_applies_and_the_diagnostic_disappears(client: LanguageClient, workspace: Path) -> None:
    text = '{"entryScript": "score.py", "extraDockerFileSteps": "steps"}'
    uri = open_document(client, workspace / "inferenceconfig.json", text)
    found = await diagnostics_when(client, uri, lambda d: "IC007" in codes(d))
    diagnostic = next(d for d in found if d.code == "IC007")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and "extraDockerfileSteps" in a.title)
    assert fix.kind == types.CodeActionKind.QuickFix and list(fix.diagnostics or []) == [diagnostic]
    fixed = apply(text, edits_of(fix, uri))
    assert '"extraDockerfileSteps"' in fixed
    replace_all(client, uri, fixed, 2)
    await diagnostics_when(client, uri, lambda d: "IC007" not in codes(d) and "IC010" not in codes(d))


@pytest.mark.asyncio
async def test_quick_fix_adds_the_missing_global(client: LanguageClient, workspace: Path) -> None:
    text = "import joblib\n\nmodel = None\n\n\ndef init():\n    model = joblib.load('m')\n\n\ndef run(data):\n    return model.predict(data).tolist()\n"
    uri = open_document(client, workspace / "score.py", text, "python")
    found = await diagnostics_when(client, uri, lambda d: "SC015" in codes(d))
    diagnostic = next(d for d in found if d.code == "SC015")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    fix = next(a for a in actions or [] if isinstance(a, types.CodeAction) and "global" in a.title)
    fixed = apply(text, edits_of(fix, uri))
    assert "    global model\n    model = joblib.load" in fixed
    replace_all(client, uri, fixed, 2)
    await diagnostics_when(client, uri, lambda d: not d)


@pytest.mark.asyncio
async def test_document_links_and_outline(client: LanguageClient, workspace: Path) -> None:
    text = '{\n  "entryScript": "score.py",\n  "condaFile": "env.yml"\n}\n'
    uri = open_document(client, workspace / "inferenceconfig.json", text)
    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert links is not None
    targets = {link.target: link.range for link in links}
    assert targets[uri_of(workspace / "score.py")] == types.Range(
        start=types.Position(line=1, character=18), end=types.Position(line=1, character=26)
    )
    assert uri_of(workspace / "env.yml") in targets
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert symbols
    names = []
    for s in symbols:
        names.append(s.name)
        names.extend(c.name for c in (getattr(s, "children", None) or []))
    assert "entryScript" in names and "condaFile" in names


@pytest.mark.asyncio
async def test_server_ignores_other_files(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "package.json", '{"name": "x"}')
    items = await complete(client, uri, types.Position(line=0, character=1))
    assert items == []
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=2)
        )
    )
    assert hover is None
    assert not [m for m in client.log_messages if m.type == types.MessageType.Error]


@pytest.mark.asyncio
@pytest.mark.parametrize("capabilities", CLIENTS)
async def test_shutdown_answers_null_and_exit_ends_the_process_with_status_0(
    capabilities: str, workspace: Path
) -> None:
    config = ClientServerConfig(server_command=[sys.executable, "-m", "amldeploy", "lsp"])
    client = await config.start()
    assert isinstance(client, LanguageClient) and client._server is not None
    try:
        await client.initialize_session(
            types.InitializeParams(capabilities=client_capabilities(capabilities), root_uri=uri_of(workspace))
        )
        open_document(client, workspace / "deploymentconfig.json", '{"computeType": "local", "port": "1"}')
        assert await client.shutdown_async(None) is None
        client.exit(None)
        assert await asyncio.wait_for(client._server.wait(), 10) == 0
    finally:
        if client._server.returncode is None:
            client._server.kill()
        await client.stop()

"""Diagnostics end to end: exact ranges, JSON and YAML, cross-file re-checks, settings, never stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from amldeploy.lsp import protocol
from amldeploy.lsp.params import INVALID_PARAMS, plain
from tests.python.lsp.conftest import codes, diagnostics_when, open_document, replace_all, span, uri_of

BAD_AKS = '{\n  "computeType": "aks",\n  "autoScaler": {"autoscaleEnabled": true},\n  "numReplicas": 2,\n  "namespace": "Bad_NS"\n}\n'


@pytest.mark.asyncio
async def test_bad_deployment_config_gets_exact_ranges(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "deploymentconfig.json", BAD_AKS)
    found = await diagnostics_when(client, uri, lambda d: len(d) == 2)
    by_code = {str(d.code): d for d in found}
    assert span(by_code["DC015"]) == (3, 2, 3, 15)  # the "numReplicas" key
    assert span(by_code["DC005"]) == (4, 15, 4, 23)  # the "Bad_NS" value
    assert by_code["DC015"].severity == types.DiagnosticSeverity.Error
    assert by_code["DC015"].source == "amldeploy"
    assert "remove numReplicas" in by_code["DC015"].message


@pytest.mark.asyncio
async def test_yaml_config_and_columns_after_emoji(client: LanguageClient, workspace: Path) -> None:
    # VS Code offers no position encoding (LSP's default, UTF-16); Neovim offers UTF-8 first and gets it.
    general = client.capabilities.general if client.capabilities is not None else None
    utf8 = bool(general is not None and general.position_encodings and general.position_encodings[0] == "utf-8")
    text = 'computeType: local\n# 🙂\n"🙂x": 1\nport: "🙂🙂"\n'
    uri = open_document(client, workspace / "deploymentconfig.yml", text, "yaml")
    found = await diagnostics_when(client, uri, lambda d: "DC002" in codes(d))
    port = next(d for d in found if d.code == "DC002")
    assert span(port) == ((3, 6, 3, 16) if utf8 else (3, 6, 3, 12))  # "🙂🙂": 10 bytes, 6 UTF-16 units
    unknown = next(d for d in found if d.code == "DC006")
    assert span(unknown) == ((2, 0, 2, 7) if utf8 else (2, 0, 2, 5))


@pytest.mark.asyncio
async def test_edits_update_diagnostics_and_syntax_errors_keep_the_rest(
    client: LanguageClient, workspace: Path
) -> None:
    uri = open_document(client, workspace / "deploymentconfig.json", '{"computeType": "local", "port": 80}')
    await diagnostics_when(client, uri, lambda d: not d)
    replace_all(client, uri, '{"computeType": "local", "port": "80",', 2)
    found = await diagnostics_when(client, uri, lambda d: "DC002" in codes(d))
    assert "JS002" in codes(found) or "JS001" in codes(found)
    # A burst of edits: only the newest text counts.
    for version in range(3, 30):
        replace_all(client, uri, f'{{"computeType": "local", "port": {70000 + version}}}', version)
    replace_all(client, uri, '{"computeType": "local", "port": 8080}', 30)
    await diagnostics_when(client, uri, lambda d: not d)


@pytest.mark.asyncio
async def test_editing_the_entry_script_rechecks_the_inference_config(client: LanguageClient, workspace: Path) -> None:
    config = open_document(client, workspace / "inferenceconfig.json", '{"entryScript": "score.py"}')
    await diagnostics_when(client, config, lambda d: not d)
    script_path = workspace / "score.py"
    script = open_document(client, script_path, script_path.read_text(), "python")
    await diagnostics_when(client, script, lambda d: not d)
    replace_all(client, script, "def init(:\n", 2)  # unsaved edit: the config sees the editor's text
    found = await diagnostics_when(client, config, lambda d: "IC013" in codes(d))
    assert span(found[0]) == (0, 16, 0, 26)  # the "score.py" value
    script_diagnostics = await diagnostics_when(client, script, lambda d: "SC001" in codes(d))
    assert script_diagnostics[0].severity == types.DiagnosticSeverity.Error
    replace_all(client, script, script_path.read_text(), 3)
    await diagnostics_when(client, config, lambda d: not d)


@pytest.mark.asyncio
async def test_a_script_named_by_an_open_config_is_linted(client: LanguageClient, workspace: Path) -> None:
    (workspace / "app").mkdir()
    (workspace / "app" / "predict.py").write_text("def init():\n    pass\n", encoding="utf-8")
    config = open_document(client, workspace / "svc.json", '{"entryScript": "predict.py", "sourceDirectory": "app"}')
    await diagnostics_when(client, config, lambda d: not d)
    script = open_document(client, workspace / "app" / "predict.py", "def init():\n    pass\n", "python")
    found = await diagnostics_when(client, script, lambda d: "SC003" in codes(d))
    assert found[0].data == {"function": "run"}


@pytest.mark.asyncio
async def test_creating_the_missing_file_clears_the_problem(client: LanguageClient, workspace: Path) -> None:
    config = open_document(
        client, workspace / "inferenceconfig.json", '{"entryScript": "score.py", "condaFile": "conda.yml"}'
    )
    await diagnostics_when(client, config, lambda d: "IC014" in codes(d))
    target = workspace / "conda.yml"
    target.write_text("dependencies: [python=3.11]\n", encoding="utf-8")
    client.workspace_did_create_files(types.CreateFilesParams(files=[types.FileCreate(uri=uri_of(target))]))
    await diagnostics_when(client, config, lambda d: not d)
    target.rename(workspace / "renamed.yml")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=uri_of(target), type=types.FileChangeType.Deleted),
                types.FileEvent(uri=uri_of(workspace / "renamed.yml"), type=types.FileChangeType.Created),
            ]
        )
    )
    await diagnostics_when(client, config, lambda d: "IC014" in codes(d))


@pytest.mark.asyncio
async def test_settings_override_severity_and_disable_rules(client: LanguageClient, workspace: Path) -> None:
    client.set_configuration({"severityOverrides": {"DC006": "error"}, "disabledRules": ["DC005"]}, section="amldeploy")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    uri = open_document(
        client, workspace / "deploymentconfig.json", '{"computeType": "aks", "namespace": "X", "prot": 1}'
    )
    found = await diagnostics_when(client, uri, lambda d: codes(d) == ["DC006"])
    assert found[0].severity == types.DiagnosticSeverity.Error


@pytest.mark.asyncio
async def test_file_associations_and_content_detection(client: LanguageClient, workspace: Path) -> None:
    by_content = open_document(client, workspace / "service.yml", "computeType: local\nport: 0\n", "yaml")
    await diagnostics_when(client, by_content, lambda d: codes(d) == ["DC004"])
    other = open_document(client, workspace / "package.json", '{"name": "x"}')
    client.set_configuration({"fileAssociations": {"deployment": ["*.deploy.json"]}}, section="amldeploy")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    named = open_document(client, workspace / "svc.deploy.json", '{"port": 1}')
    await diagnostics_when(client, named, lambda d: codes(d) == ["DC001"])
    assert other not in client.diagnostics


@pytest.mark.asyncio
async def test_close_clears_diagnostics(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "deploymentconfig.json", '{"computeType": "k8s"}')
    await diagnostics_when(client, uri, lambda d: codes(d) == ["DC005"])
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await diagnostics_when(client, uri, lambda d: not d)


@pytest.mark.asyncio
async def test_custom_requests_answer(client: LanguageClient, workspace: Path) -> None:
    # The operations themselves: test_operations.py. Here: every client gets answers, and errors as errors.
    snapshot = plain(await client.protocol.send_request_async(protocol.SERVICES, {}))
    assert snapshot["root"] == str(workspace)
    assert [t["name"] for t in snapshot["targets"]] == ["process", "docker", "kubernetes", "aci"]
    assert snapshot["targets"][0]["services"] == []
    with pytest.raises(JsonRpcException) as raised:
        await client.protocol.send_request_async(protocol.DEPLOY, {"name": "svc", "models": 3})
    assert raised.value.code == INVALID_PARAMS and "'models' must be a list of strings" in raised.value.message
    with pytest.raises(JsonRpcException) as raised:  # no inferenceConfig: a no-code deployment, of no model
        await client.protocol.send_request_async(protocol.DEPLOY, {"name": "svc"})
    assert raised.value.code == protocol.REQUEST_FAILED
    assert "no inference config and no model were given" in raised.value.message
    with pytest.raises(JsonRpcException) as raised:
        await client.protocol.send_request_async(protocol.KEYS, {"name": "svc"})
    assert raised.value.code == protocol.REQUEST_FAILED and "no service named 'svc'" in raised.value.message


@pytest.mark.asyncio
async def test_changing_source_directory_re_resolves_every_path(client: LanguageClient, workspace: Path) -> None:
    (workspace / "src").mkdir()
    (workspace / "src" / "score.py").write_text((workspace / "score.py").read_text(), encoding="utf-8")
    text = '{"entryScript": "score.py", "condaFile": "env.yml"}'
    uri = open_document(client, workspace / "inferenceconfig.json", text)
    await diagnostics_when(client, uri, lambda d: not d)
    replace_all(client, uri, '{"entryScript": "score.py", "condaFile": "env.yml", "sourceDirectory": "src"}', 2)
    found = await diagnostics_when(client, uri, lambda d: codes(d) == ["IC014"])
    assert "env.yml" in found[0].message


@pytest.mark.asyncio
async def test_a_folder_with_a_space_gets_diagnostics_under_the_uri_the_client_sent(
    client: LanguageClient, workspace: Path
) -> None:
    # The client escapes the space (%20); pygls keys its documents by the unescaped URI.
    folder = workspace / "my project"
    folder.mkdir()
    (folder / "score.py").write_text("def init():\n    pass\n\n\ndef run(data):\n    return data\n")
    config = open_document(client, folder / "inferenceconfig.json", '{"entryScript": "score.py", "runtime": 1}')
    assert "%20" in config
    found = await diagnostics_when(client, config, lambda d: "IC002" in codes(d) or "IC006" in codes(d))
    assert found
    script = open_document(client, folder / "score.py", "def run(data):\n    return data\n", "python")
    await diagnostics_when(client, script, lambda d: "SC002" in codes(d))  # no init()

"""Documents built to hurt, opened in a real ``python -m amldeploy lsp`` through pytest-lsp's client.

Hypothesis draws from every class of ``tests/python/hostile.py`` (deep nesting of each form, alias bombs, merge
chains, huge numbers, invalid Unicode, long paths, huge key counts). For each document the server must publish
diagnostics (with the limit's ``JS###`` beyond a limit), answer symbols, links, hover and completion without an
error, log no failure, and still serve an ordinary document at the end.

Hypothesis runs in a worker thread (it is synchronous); each example is sent to the client on the test's loop.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from hypothesis import HealthCheck, given, settings
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.python.hostile import Hostile, any_hostile, deep_doc, number_doc, path_doc
from tests.python.lsp.conftest import codes, diagnostics_when, open_document, replace_all

ANSWER_SECONDS = 30.0  # a hang guard, not a speed target: bench/big.py measures speed
SCORE = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "amldeploy", "lsp"]))
async def client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[None]:
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        pass

    (tmp_path / "score.py").write_text(SCORE, encoding="utf-8")
    root = from_fs_path(str(tmp_path)) or ""
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root,
            workspace_folders=[types.WorkspaceFolder(uri=root, name="ws")],
            initialization_options={"amldeploy": {}},
        )
    )
    yield
    await lsp_client.shutdown_session()


def alive(client: LanguageClient) -> bool:
    server = client._server  # pytest-lsp keeps the server's asyncio process here
    return server is not None and server.returncode is None


async def exercise(client: LanguageClient, folder: Path, doc: Hostile) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "score.py").write_text(SCORE, encoding="utf-8")
    language = "json" if doc.name.endswith(".json") else "yaml"
    # Lone surrogates travel as JSON "\udxxx" escapes: a text the server must survive too.
    uri = open_document(client, folder / doc.name, doc.text, language)
    found = await diagnostics_when(client, uri, lambda d: True, timeout=ANSWER_SECONDS)
    if doc.expect:
        assert doc.expect in codes(found), f"{doc.cls}: expected {doc.expect}, got {codes(found)}"
    if doc.forbid:
        assert doc.forbid not in codes(found), f"{doc.cls}: {doc.forbid} inside the limit"
    if doc.value:  # a one-line ASCII document: offsets are columns in every encoding
        start, end = doc.value
        assert any(
            d.severity == types.DiagnosticSeverity.Error
            and d.range.start.character < end
            and start < d.range.end.character
            for d in found
        ), f"no error at the path value: {found}"
    lines = doc.text.split("\n")
    middle = types.Position(line=len(lines) // 2, character=min(len(lines[len(lines) // 2]), 3))
    ident = types.TextDocumentIdentifier(uri=uri)
    requests = [
        client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=ident)),
        client.text_document_document_link_async(types.DocumentLinkParams(text_document=ident)),
        client.text_document_hover_async(types.HoverParams(text_document=ident, position=middle)),
        client.text_document_completion_async(types.CompletionParams(text_document=ident, position=middle)),
    ]
    for request in requests:
        await asyncio.wait_for(request, ANSWER_SECONDS)  # an error answer raises here
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=ident))
    assert alive(client), "the server died"
    failures = [m.message for m in client.log_messages if m.type == types.MessageType.Error]
    assert not failures, failures[0][-2000:]


FIRST = [
    deep_doc("block mapping", 300),
    deep_doc("dash sequence", 1000),
    deep_doc("JSON {", 1000),
    number_doc("hex", "0x" + "f" * 4000, as_json=False),
    number_doc("decimal", "9" * 5000, as_json=True),
    path_doc("a" * 300 + ".py"),
    Hostile("invalid Unicode", '{"entryScript": "\\ud800"}', "inferenceconfig.json"),
    Hostile("invalid Unicode", '{"entryScript": "sc\ud800\x00ore.py"}', "inferenceconfig.json"),
]


@pytest.mark.asyncio
async def test_hostile_documents_never_break_the_server(client: LanguageClient, tmp_path: Path) -> None:
    loop = asyncio.get_running_loop()
    canary = open_document(client, tmp_path / "deploymentconfig.json", '{"computeType": "local", "port": 8080}')
    await diagnostics_when(client, canary, lambda d: not d)
    count = iter(range(10**6))

    def run(doc: Hostile) -> None:
        folder = tmp_path / f"h{next(count)}"
        asyncio.run_coroutine_threadsafe(exercise(client, folder, doc), loop).result(ANSWER_SECONDS * 8)

    for doc in FIRST:  # the documents that broke the server before issue 16, always sent
        await exercise(client, tmp_path / f"h{next(count)}", doc)

    budget = settings(
        max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    await asyncio.to_thread(budget(given(any_hostile())(run)))

    # The server still serves the ordinary document it had before the hostile ones.
    replace_all(client, canary, '{"computeType": "local", "port": "8080"}', 2)
    assert "DC002" in codes(await diagnostics_when(client, canary, lambda d: bool(d)))
    assert alive(client)

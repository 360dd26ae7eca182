"""Positions in the encoding the client negotiated (UTF-8, UTF-16 or UTF-32), after wide characters.

Each test runs with a client that offers one encoding, on lines where emoji (4 UTF-8 bytes, 2 UTF-16 units), CJK
(3 bytes, 1 unit) and a combining accent come *before* what is asserted, so a column counted in the wrong
encoding lands elsewhere. Expected positions come from :mod:`tests.python.lsp.encodings`' oracle, not from the
server's own conversion. Positions the client sends in ``didChange``: ``test_incremental_changes.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from amldeploy.lsp import protocol
from amldeploy.lsp.params import plain
from tests.python.lsp import encodings
from tests.python.lsp.conftest import codes, diagnostics_when, open_document
from tests.python.lsp.encodings import (
    DEPLOYMENT,
    WIDE,
    apply,
    edits_of,
    encoding_of,
    initialize_params,
    position_at,
    span_of,
)

# The fixtures: a client offering one encoding (each test runs with each), and one the test initializes itself.
client = encodings.client
bare_client = encodings.bare_client


# -- negotiation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["utf-8", "utf-16", "utf-32"], "utf-8"),  # Neovim's and Helix's order
        (["utf-32", "utf-8"], "utf-32"),
        (["latin-1", "utf-8"], "utf-8"),  # an encoding the server does not know is skipped
        (["latin-1"], "utf-16"),
        (None, "utf-16"),  # a client that says nothing gets LSP's default
    ],
)
@pytest.mark.asyncio
async def test_the_server_takes_the_first_encoding_it_knows(
    bare_client: LanguageClient, workspace: Path, offered: list[str] | None, chosen: str
) -> None:
    result = await bare_client.initialize_session(initialize_params(workspace, offered))
    assert result.capabilities.position_encoding == chosen
    await bare_client.shutdown_session()


# -- positions the server sends ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_diagnostics_after_wide_characters(client: LanguageClient, workspace: Path) -> None:
    encoding = encoding_of(client)
    uri = open_document(client, workspace / "deploymentconfig.json", DEPLOYMENT)
    found = await diagnostics_when(client, uri, lambda d: "DC002" in codes(d))
    by_key = {(str(d.code), (d.data or {}).get("key")): d.range for d in found}
    assert by_key[("DC006", "prot")] == span_of(DEPLOYMENT, '"prot"', encoding)
    assert by_key[("DC002", None)] == span_of(DEPLOYMENT, '"🙂🙂"', encoding)


@pytest.mark.asyncio
async def test_completion_at_a_position_after_wide_characters(client: LanguageClient, workspace: Path) -> None:
    encoding = encoding_of(client)
    text = f'{{\n  "computeType": "local",\n  "x": "{WIDE}", "po": 1\n}}\n'
    uri = open_document(client, workspace / "deploymentconfig.json", text)
    cursor = position_at(text, text.index('"po"') + 3, encoding)
    found = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=cursor)
    )
    assert isinstance(found, types.CompletionList)
    port = next(item for item in found.items if item.label == "port")
    assert isinstance(port.text_edit, types.TextEdit)
    assert port.text_edit.range == span_of(text, '"po"', encoding)
    edits = [port.text_edit, *(port.additional_text_edits or [])]
    assert apply(text, edits, encoding) == text.replace('"po"', '"port"')


@pytest.mark.asyncio
async def test_hover_at_a_position_after_wide_characters(client: LanguageClient, workspace: Path) -> None:
    encoding = encoding_of(client)
    text = f'{{\n  "computeType": "local",\n  "x": "{WIDE}", "port": 1\n}}\n'
    uri = open_document(client, workspace / "deploymentconfig.json", text)
    # On the "t" of "port": read in another encoding, the same column lands on another character.
    inside = position_at(text, text.index('port"') + 3, encoding)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=inside)
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "port" in hover.contents.value
    assert hover.range == span_of(text, '"port"', encoding)


@pytest.mark.asyncio
async def test_links_and_symbols_after_wide_characters(client: LanguageClient, workspace: Path) -> None:
    encoding = encoding_of(client)
    text = f'{{\n  "description": "{WIDE}", "entryScript": "score.py",\n  "x": "名🙂", "condaFile": "env.yml"\n}}\n'
    uri = open_document(client, workspace / "inferenceconfig.json", text)
    ids = types.TextDocumentIdentifier(uri=uri)
    links = await client.text_document_document_link_async(types.DocumentLinkParams(text_document=ids))
    assert sorted((link.range.start.line, link.range) for link in links or []) == [
        (1, span_of(text, "score.py", encoding, text.index("entryScript"))),
        (2, span_of(text, "env.yml", encoding)),
    ]
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=ids))
    [root] = symbols or []
    assert isinstance(root, types.DocumentSymbol)
    children = {child.name: child for child in root.children or []}
    assert children["entryScript"].range == span_of(text, '"entryScript": "score.py"', encoding)
    assert children["entryScript"].selection_range == span_of(text, '"entryScript"', encoding)
    assert children["condaFile"].selection_range == span_of(text, '"condaFile"', encoding)


@pytest.mark.asyncio
async def test_quick_fix_after_wide_characters(client: LanguageClient, workspace: Path) -> None:
    encoding = encoding_of(client)
    uri = open_document(client, workspace / "deploymentconfig.json", DEPLOYMENT)
    found = await diagnostics_when(client, uri, lambda d: "DC002" in codes(d))
    prot = next(d for d in found if (d.data or {}).get("key") == "prot")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=prot.range,
            context=types.CodeActionContext(diagnostics=[prot]),
        )
    )
    fixes = [a for a in actions or [] if isinstance(a, types.CodeAction) and list(a.diagnostics or []) == [prot]]
    assert fixes, actions
    results = [apply(DEPLOYMENT, edits_of(fix, uri), encoding) for fix in fixes]
    assert DEPLOYMENT.replace('"prot"', '"port"') in results


# -- the custom protocol ----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_deploy_failure_problems_use_the_negotiated_columns(client: LanguageClient, workspace: Path) -> None:
    encoding = encoding_of(client)
    text = f'{{\n  "description": "{WIDE}", "entryScript": 5\n}}\n'
    (workspace / "inferenceconfig.json").write_text(text, encoding="utf-8")
    (workspace / "deploymentconfig.json").write_text('{"computeType": "local"}', encoding="utf-8")
    with pytest.raises(JsonRpcException) as raised:
        await client.protocol.send_request_async(
            protocol.DEPLOY,
            {"name": "wide", "inferenceConfig": "inferenceconfig.json", "deploymentConfig": "deploymentconfig.json"},
        )
    assert raised.value.code == protocol.REQUEST_FAILED
    [problem] = plain(raised.value.data)["problems"]
    five = position_at(text, text.index(": 5") + 2, encoding)
    assert (problem["line"], problem["column"]) == (five.line + 1, five.character + 1)

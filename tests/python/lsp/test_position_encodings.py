"""Positions in the encoding the client negotiated (UTF-8, UTF-16 or UTF-32), both ways, after wide characters.

Each test runs with a client that offers one encoding, on lines where emoji (4 UTF-8 bytes, 2 UTF-16 units), CJK
(3 bytes, 1 unit) and a combining accent come *before* what is asserted, so a column counted in the wrong
encoding lands elsewhere. Expected positions come from encoding the text with Python's codecs, not from the
server's own conversion.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from amldeploy.lsp import protocol
from amldeploy.lsp.params import plain
from tests.python.lsp.conftest import codes, diagnostics_when, open_document, uri_of

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "amldeploy", "lsp"])
ENCODINGS = ["utf-8", "utf-16", "utf-32"]
WIDE = "🙂名e\u0301"  # an emoji, a CJK ideograph, an e with a combining acute accent

DEPLOYMENT = f'{{\n  "computeType": "local",\n  "x": "{WIDE}", "prot": 80,\n  "y": "{WIDE}", "port": "🙂🙂"\n}}\n'


def capabilities(encodings: Sequence[str] | None) -> types.ClientCapabilities:
    caps = client_capabilities("neovim")
    caps.general = types.GeneralClientCapabilities(position_encodings=encodings)
    return caps


def initialize_params(workspace: Path, encodings: Sequence[str] | None) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=capabilities(encodings),
        root_uri=uri_of(workspace),
        workspace_folders=[types.WorkspaceFolder(uri=uri_of(workspace), name="ws")],
        initialization_options={"amldeploy": {}},
    )


@pytest_lsp.fixture(config=SERVER, params=ENCODINGS)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, workspace: Path) -> AsyncIterator[None]:
    lsp_client.set_configuration({}, section="amldeploy")
    result = await lsp_client.initialize_session(initialize_params(workspace, [request.param]))
    assert result.capabilities.position_encoding == request.param
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def bare_client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    yield  # each test initializes the session itself


# -- an oracle for positions, independent of the server's conversion ------------------------------------------

_UNIT = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2), "utf-32": ("utf-32-le", 4)}


def encoding_of(client: LanguageClient) -> str:
    assert client.capabilities is not None and client.capabilities.general is not None
    offered = client.capabilities.general.position_encodings
    assert offered
    return offered[0]


def units(s: str, encoding: str) -> int:
    codec, size = _UNIT[encoding]
    return len(s.encode(codec)) // size


def position_at(text: str, offset: int, encoding: str) -> types.Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return types.Position(line=text.count("\n", 0, offset), character=units(text[line_start:offset], encoding))


def span_of(text: str, needle: str, encoding: str, after: int = 0) -> types.Range:
    start = text.index(needle, after)
    return types.Range(start=position_at(text, start, encoding), end=position_at(text, start + len(needle), encoding))


def offset_at(text: str, position: types.Position, encoding: str) -> int:
    lines = text.split("\n")
    codec, size = _UNIT[encoding]
    encoded = lines[position.line].encode(codec)[: position.character * size]
    return sum(len(line) + 1 for line in lines[: position.line]) + len(encoded.decode(codec))


def apply(text: str, edits: Sequence[types.TextEdit], encoding: str) -> str:
    spans = [(offset_at(text, e.range.start, encoding), offset_at(text, e.range.end, encoding), e) for e in edits]
    for start, end, edit in sorted(spans, key=lambda s: s[0], reverse=True):
        text = text[:start] + edit.new_text + text[end:]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None
    if action.edit.changes:
        return list(action.edit.changes[uri])
    assert action.edit.document_changes
    return [e for change in action.edit.document_changes for e in change.edits]  # type: ignore[union-attr]


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


# -- positions the client sends: incremental changes ------------------------------------------------------------


def change(uri: str, version: int, *edits: tuple[types.Range, str]) -> types.DidChangeTextDocumentParams:
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=r, text=t) for r, t in edits],
    )


@pytest.mark.asyncio
async def test_an_incremental_change_after_wide_characters(client: LanguageClient, workspace: Path) -> None:
    encoding = encoding_of(client)
    text = f'{{"computeType": "local", "x": "{WIDE}🙂", "port": 80}}'
    uri = open_document(client, workspace / "deploymentconfig.json", text)
    await diagnostics_when(client, uri, lambda d: codes(d) == ["DC006"])
    # Quote the port, then (positions now in the new text) add a key after the emoji of "x".
    quoted = text.replace("80", '"80"')
    client.text_document_did_change(
        change(
            uri,
            2,
            (span_of(text, "80", encoding), '"80"'),
            (span_of(quoted, '", "port"', encoding), '", "prot": 1, "port"'),
        )
    )
    new = quoted.replace('", "port"', '", "prot": 1, "port"')
    found = await diagnostics_when(client, uri, lambda d: "DC002" in codes(d))
    assert codes(found) == ["DC002", "DC006", "DC006"]
    ranges = {(str(d.code), (d.data or {}).get("key")): d.range for d in found}
    assert ranges[("DC002", None)] == span_of(new, '"80"', encoding)
    assert ranges[("DC006", "prot")] == span_of(new, '"prot"', encoding)


@pytest.mark.asyncio
async def test_incremental_changes_count_lines_as_lsp_does(client: LanguageClient, workspace: Path) -> None:
    encoding = encoding_of(client)
    # U+2028, U+0085 and a form feed end lines for Python's splitlines, not for LSP: "port" is on line 1.
    text = '{"computeType": "local", "x": "\u2028🙂\x85\x0c",\n  "port": 8'
    uri = open_document(client, workspace / "deploymentconfig.json", text)
    await diagnostics_when(client, uri, lambda d: any(str(c).startswith("JS") for c in codes(d)))
    # Quote the 8, then append "}" with a character past the end of the last line (LSP: the line's end).
    past_the_end = types.Position(line=1, character=999)
    client.text_document_did_change(
        change(uri, 2, (span_of(text, "8", encoding), '"8"'), (types.Range(start=past_the_end, end=past_the_end), "}"))
    )
    new = text.replace("8", '"8"') + "}"
    found = await diagnostics_when(client, uri, lambda d: "DC002" in codes(d))
    assert codes(found) == ["DC002", "DC006"]
    assert next(d for d in found if d.code == "DC002").range == span_of(new, '"8"', encoding)


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

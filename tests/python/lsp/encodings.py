"""Clients that negotiate one position encoding, and an oracle for positions independent of the server's.

The oracle counts columns by encoding the text with Python's codecs; lines end at LSP's line breaks.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.python.lsp.conftest import uri_of

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
    before = text[:offset]
    line_start = max(before.rfind("\n"), before.rfind("\r")) + 1  # LSP's line breaks: \n, \r\n and \r
    line = before.count("\n") + before.count("\r") - before.count("\r\n")
    return types.Position(line=line, character=units(before[line_start:], encoding))


def span_of(text: str, needle: str, encoding: str, after: int = 0) -> types.Range:
    start = text.index(needle, after)
    return types.Range(start=position_at(text, start, encoding), end=position_at(text, start + len(needle), encoding))


def offset_at(text: str, position: types.Position, encoding: str) -> int:
    """The offset of ``position`` in a text whose lines end with ``\\n``."""
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


def change(uri: str, version: int, *edits: tuple[types.Range, str]) -> types.DidChangeTextDocumentParams:
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=r, text=t) for r, t in edits],
    )

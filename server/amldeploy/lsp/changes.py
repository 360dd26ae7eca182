"""Incremental ``didChange`` edits, applied in the negotiated position encoding where LSP ends lines."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote

from lsprotocol import types

if TYPE_CHECKING:
    from pygls.workspace import Workspace


def apply_changes(workspace: Workspace, params: types.DidChangeTextDocumentParams) -> None:
    """Apply ``didChange``'s content changes, in order, to the open document; ranges are in the negotiated
    encoding and lines end where LSP ends them. A change to a document that is not open is dropped."""
    from amldeploy.language.text import Position, encoding_named, offset_at

    uri = params.text_document.uri
    if unquote(uri) not in workspace.text_documents:  # pygls keys documents by the unquoted URI
        return
    encoding = encoding_named(workspace.position_encoding)
    text = workspace.get_text_document(uri).source
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            r = change.range
            start = offset_at(text, Position(r.start.line, r.start.character), encoding)
            end = offset_at(text, Position(r.end.line, r.end.character), encoding)
            start, end = min(start, end), max(start, end)
            text = text[:start] + change.text + text[end:]
        else:
            text = change.text
    workspace.update_text_document(params.text_document, types.TextDocumentContentChangeWholeDocument(text=text))

"""What every request feature needs about a document: its text, kind, path and offset conversion.

Positions cross the protocol in the encoding negotiated at ``initialize``: ``Doc`` converts the positions a
client sends to offsets and the offsets of the language core back to ranges in that encoding, and
:func:`apply_changes` applies incremental ``didChange`` edits with the same conversion.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lsprotocol import types

from amldeploy.lsp.server import AmlLanguageServer

if TYPE_CHECKING:
    from pygls.workspace import Workspace

    from amldeploy.language.text import Encoding, TextIndex
    from amldeploy.language.validate import Kind


@dataclass
class Doc:
    uri: str
    text: str
    version: int | None
    path: Path
    kind: Kind
    encoding: Encoding = "utf-16"

    @cached_property
    def index(self) -> TextIndex:
        from amldeploy.language.text import TextIndex

        return TextIndex(self.text, self.encoding)

    def offset(self, position: types.Position) -> int:
        from amldeploy.language.text import Position

        return self.index.offset(Position(position.line, position.character))

    def range(self, start: int, end: int) -> types.Range:
        from amldeploy.lsp.convert import lsp_range

        return lsp_range(self.index, start, end)


def current(ls: AmlLanguageServer, uri: str, fresh: bool = False) -> Doc | None:
    """The open document ``uri`` when it is one of ours (by name, association, content or as an entry script).

    The kind comes from the last analysis unless ``fresh`` asks to decide it again from the current text."""
    from amldeploy.lsp.analysis import kind_of

    document = ls.workspace.get_text_document(uri)
    path = ls.path_of(uri)
    if path is None:
        return None
    text = document.source
    analysis = None if fresh else ls.analyses.get(uri)
    kind = analysis.kind if analysis is not None else kind_of(ls, path, text)
    if kind is None:
        return None
    return Doc(uri, text, document.version, path, kind, ls.position_encoding)


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

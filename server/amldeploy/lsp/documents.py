"""What every request feature needs about a document: its text, kind, path and offset conversion.

Positions cross the protocol in the encoding negotiated at ``initialize``: ``Doc`` converts the positions a
client sends to offsets and the offsets of the language core back to ranges in that encoding
(:mod:`amldeploy.lsp.changes` applies incremental ``didChange`` edits with the same conversion).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from amldeploy.lsp.server import AmlLanguageServer

if TYPE_CHECKING:
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


def kind_of(ls: AmlLanguageServer, path: Path, text: str) -> Kind | None:
    from amldeploy.language.validate import CONFIG_SUFFIXES, Kind, kind_from_content

    by_name = ls.settings.kind_by_name(path.name)
    if by_name is not None:
        return Kind(by_name)
    lower = path.name.lower()
    if lower.endswith(".py"):
        # Any script named by an open inference config is an entry script.
        for other in ls.analyses.values():
            if other.kind == Kind.INFERENCE and other.entry_script == path:
                return Kind.ENTRY_SCRIPT
        return None
    if ls.settings.detect_by_content and lower.endswith(CONFIG_SUFFIXES):
        return kind_from_content(text)
    return None


def current(ls: AmlLanguageServer, uri: str, fresh: bool = False) -> Doc | None:
    """The open document ``uri`` when it is one of ours (by name, association, content or as an entry script).

    The kind comes from the last analysis unless ``fresh`` asks to decide it again from the current text."""
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

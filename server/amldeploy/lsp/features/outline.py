"""``textDocument/documentSymbol`` (the outline of a config) and ``textDocument/documentLink`` (path values)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path

from amldeploy.lsp.documents import Doc, current
from amldeploy.lsp.server import AmlLanguageServer, guarded

if TYPE_CHECKING:
    from amldeploy.language.symbols import Symbol

_KINDS = {
    "object": types.SymbolKind.Object,
    "array": types.SymbolKind.Array,
    "string": types.SymbolKind.String,
    "number": types.SymbolKind.Number,
    "boolean": types.SymbolKind.Boolean,
    "null": types.SymbolKind.Null,
    "key": types.SymbolKind.Key,
}


def register(server: AmlLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @guarded(default=list)
    def document_symbol(
        ls: AmlLanguageServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | list[types.SymbolInformation]:
        doc = current(ls, params.text_document.uri)
        if doc is None or doc.kind == "entry-script":
            return []
        from amldeploy.language.symbols import document_symbols

        symbols = document_symbols(doc.text, doc.kind, doc.path)
        document = ls.client_capabilities.text_document
        caps = document.document_symbol if document is not None else None
        if caps is not None and caps.hierarchical_document_symbol_support:
            return [_symbol(doc, s) for s in symbols]
        flat: list[types.SymbolInformation] = []
        _flatten(doc, symbols, None, flat)
        return flat

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions(resolve_provider=False))
    @guarded(default=list)
    def document_link(ls: AmlLanguageServer, params: types.DocumentLinkParams) -> list[types.DocumentLink]:
        doc = current(ls, params.text_document.uri)
        if doc is None or doc.kind == "entry-script":
            return []
        from amldeploy.language.links import document_links
        from amldeploy.lsp.analysis import EditorFiles

        document = ls.client_capabilities.text_document
        caps = document.document_link if document is not None else None
        tooltips = bool(caps is not None and caps.tooltip_support)

        return [
            types.DocumentLink(
                range=doc.range(link.start, link.end),
                target=from_fs_path(str(link.target)),
                tooltip=link.tooltip if tooltips else None,
            )
            for link in document_links(doc.text, doc.kind, doc.path, EditorFiles(ls))
        ]


def _symbol(doc: Doc, s: Symbol) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=s.name or " ",
        detail=s.detail or None,
        kind=_KINDS.get(s.kind, types.SymbolKind.Field),
        range=doc.range(s.start, s.end),
        selection_range=doc.range(s.selection_start, s.selection_end),
        children=[_symbol(doc, c) for c in s.children] or None,
    )


def _flatten(doc: Doc, symbols: list[Symbol], container: str | None, out: list[types.SymbolInformation]) -> None:
    for s in symbols:
        out.append(
            types.SymbolInformation(
                name=s.name or " ",
                kind=_KINDS.get(s.kind, types.SymbolKind.Field),
                location=types.Location(uri=doc.uri, range=doc.range(s.start, s.end)),
                container_name=container,
            )
        )
        _flatten(doc, s.children, s.name, out)

"""``textDocument/hover``: schema documentation, v1 defaults and per-target behaviour."""

from __future__ import annotations

from lsprotocol import types

from amldeploy.lsp.documents import current
from amldeploy.lsp.server import AmlLanguageServer, guarded


def register(server: AmlLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded()
    def hover(ls: AmlLanguageServer, params: types.HoverParams) -> types.Hover | None:
        doc = current(ls, params.text_document.uri)
        if doc is None:
            return None
        from amldeploy.language.hover.core import hover_config, hover_script
        from amldeploy.lsp.analysis import EditorFiles

        offset = doc.offset(params.position)
        if doc.kind == "entry-script":
            found = hover_script(doc.text, offset)
        else:
            found = hover_config(doc.text, doc.kind, offset, doc.path, EditorFiles(ls))
        if found is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=found.markdown),
            range=doc.range(found.start, found.end),
        )

"""``textDocument/completion``: keys, values, paths and score.py skeletons (:mod:`amldeploy.language.complete`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from lsprotocol import types

from amldeploy.lsp.documents import current
from amldeploy.lsp.server import AmlLanguageServer, guarded

if TYPE_CHECKING:
    from amldeploy.language.complete.types import Completion

_KINDS = {
    "property": types.CompletionItemKind.Property,
    "value": types.CompletionItemKind.Value,
    "enum": types.CompletionItemKind.EnumMember,
    "keyword": types.CompletionItemKind.Keyword,
    "file": types.CompletionItemKind.File,
    "folder": types.CompletionItemKind.Folder,
    "snippet": types.CompletionItemKind.Snippet,
    "function": types.CompletionItemKind.Function,
}
_PLACEHOLDER = re.compile(r"\$\{\d+:([^}]*)\}|\$\{\d+\|([^,|}]*)[^}]*\|\}|\$\d+")


def plain_text(snippet: str) -> str:
    """A snippet for clients without snippet support: placeholders become their default text."""
    return _PLACEHOLDER.sub(lambda m: m.group(1) or m.group(2) or "", snippet).replace("\\$", "$")


def _snippets_supported(ls: AmlLanguageServer) -> bool:
    document = ls.client_capabilities.text_document
    completion = document.completion if document is not None else None
    item = completion.completion_item if completion is not None else None
    return bool(item is not None and item.snippet_support)


def register(server: AmlLanguageServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=['"', ":", "/"], resolve_provider=False),
    )
    @guarded(default=lambda: types.CompletionList(is_incomplete=False, items=[]))
    def completion(ls: AmlLanguageServer, params: types.CompletionParams) -> types.CompletionList:
        doc = current(ls, params.text_document.uri)
        if doc is None:
            return types.CompletionList(is_incomplete=False, items=[])
        from amldeploy.language.complete.core import complete_config, complete_script
        from amldeploy.lsp.analysis import EditorFiles

        offset = doc.offset(params.position)
        if doc.kind == "entry-script":
            found = complete_script(doc.text, offset)
        else:
            found = complete_config(doc.text, doc.kind, offset, doc.path, EditorFiles(ls))
        snippets = _snippets_supported(ls)
        return types.CompletionList(is_incomplete=False, items=[_item(doc.range, c, snippets) for c in found])


def _item(to_range: Callable[[int, int], types.Range], c: Completion, snippets: bool) -> types.CompletionItem:
    snippet = c.is_snippet and snippets
    text = c.insert_text if snippet or not c.is_snippet else plain_text(c.insert_text)
    return types.CompletionItem(
        label=c.label,
        kind=_KINDS.get(c.kind, types.CompletionItemKind.Text),
        detail=c.detail or None,
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=c.documentation)
        if c.documentation
        else None,
        sort_text=c.sort_text,
        filter_text=c.filter_text,
        preselect=c.preselect or None,
        insert_text_format=types.InsertTextFormat.Snippet if snippet else types.InsertTextFormat.PlainText,
        # Multi-line YAML items carry their absolute indentation: the client must not indent them again.
        insert_text_mode=types.InsertTextMode.AsIs if "\n" in text else None,
        text_edit=types.TextEdit(range=to_range(c.start, c.end), new_text=text),
        command=types.Command(title="Suggest", command="editor.action.triggerSuggest") if c.kind == "folder" else None,
    )

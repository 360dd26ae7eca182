"""``textDocument/codeAction``: quick fixes attached to the diagnostics they repair."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from amldeploy.lsp.documents import Doc, current
from amldeploy.lsp.server import AmlLanguageServer, guarded


def register(server: AmlLanguageServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=False),
    )
    @guarded(default=list)
    def code_action(ls: AmlLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        only = params.context.only
        if only and not any(str(k).startswith(types.CodeActionKind.QuickFix) for k in only):
            return []
        doc = current(ls, params.text_document.uri)
        if doc is None:
            return []
        from amldeploy.language.actions.core import quick_fixes
        from amldeploy.lsp.analysis import analyse

        analysis = ls.analyses.get(doc.uri)
        if analysis is None or analysis.version != doc.version:
            analysis = analyse(ls, doc.uri)
        if analysis is None:
            return []
        problems = [p for p in analysis.problems if p.code not in ls.settings.disabled_rules]
        start, end = doc.offset(params.range.start), doc.offset(params.range.end)
        actions = []
        for action in quick_fixes(doc.text, doc.kind, problems, start, end):
            p = action.problem
            diagnostic = _matching(params.context.diagnostics, doc, p.code, p.start, p.end)
            edits = [types.TextEdit(range=doc.range(e.start, e.end), new_text=e.new_text) for e in action.edits]
            actions.append(
                types.CodeAction(
                    title=action.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic] if diagnostic is not None else None,
                    is_preferred=action.preferred or None,
                    edit=_workspace_edit(ls, doc, edits),
                )
            )
        return actions


def _matching(
    diagnostics: Sequence[types.Diagnostic], doc: Doc, code: str, start: int, end: int
) -> types.Diagnostic | None:
    wanted = doc.range(start, end)
    for d in diagnostics:
        if str(d.code) == code and d.range == wanted:
            return d
    return None


def _workspace_edit(ls: AmlLanguageServer, doc: Doc, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    workspace = ls.client_capabilities.workspace
    edit_caps = workspace.workspace_edit if workspace is not None else None
    if edit_caps is not None and edit_caps.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
                    edits=list(edits),
                )
            ]
        )
    return types.WorkspaceEdit(changes={doc.uri: edits})

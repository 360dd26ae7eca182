"""Diagnostics on open, change (coalesced, optionally debounced) and save, with cross-file re-checks.

Every change schedules one validation of the document on the event loop; a newer change cancels the pending
one, so a burst of edits is validated once, on the newest text, and results are published with the version
they were computed for. Editing an entry script re-checks the inference configs that name it; creating,
renaming or deleting files re-checks every open config (the "does not exist" problems come and go).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types

from amldeploy.lsp.convert import to_diagnostics
from amldeploy.lsp.server import AmlLanguageServer, guarded
from amldeploy.lsp.warmup import start_warm_up

if TYPE_CHECKING:
    from amldeploy.language.problems import Problem
    from amldeploy.lsp.state import Analysis

WATCHED = "**/*"
# The syntax problems VS Code's own JSON service reports in a ``json`` document (syntax errors, the trailing
# comma json(519), a duplicate key json(520), a comment json(521), the end of file expected, bad escapes): with
# ``jsonSyntax`` off the server leaves them to it. Comments stay ours in ``jsonc``, where VS Code allows them.
EDITOR_JSON_SYNTAX = frozenset({"JS001", "JS002", "JS003", "JS004", "JS005", "JS007"})


def schedule(ls: AmlLanguageServer, uri: str) -> None:
    pending = ls.scheduled.pop(uri, None)
    if pending is not None:
        pending.cancel()
    loop = asyncio.get_event_loop()
    delay = ls.settings.debounce_ms / 1000
    ls.scheduled[uri] = loop.call_later(delay, validate_now, ls, uri)


def validate_now(ls: AmlLanguageServer, uri: str, follow: bool = True) -> None:
    ls.scheduled.pop(uri, None)
    if not ls.is_open(uri):
        return
    try:
        from amldeploy.lsp.analysis import analyse

        before = ls.analyses.get(uri)
        analysis = analyse(ls, uri)
    except Exception as error:
        ls.feature_failed("diagnostics", error)
        # The last diagnostics describe an older text: clear them rather than leave them standing.
        if ls.analyses.pop(uri, None) is not None:
            publish(ls, uri, None, [])
        return
    if analysis is None:
        if ls.analyses.pop(uri, None) is not None:
            publish(ls, uri, None, [])
        return
    ls.analyses[uri] = analysis
    problems = published_problems(ls, uri, analysis)
    publish(ls, uri, analysis.version, to_diagnostics(analysis.text, problems, ls.settings, ls.position_encoding))
    if not follow:
        return
    # Cross-file: configs that name this script, and a script newly named by this config.
    for other in list(ls.analyses.values()):
        if other.uri != uri and other.kind == "inference-config" and other.entry_script == analysis.path:
            validate_now(ls, other.uri, follow=False)
    if analysis.kind == "inference-config" and (before is None or before.entry_script != analysis.entry_script):
        # The script this config names (and the one it used to name) may have become, or stopped being, ours.
        scripts = {analysis.entry_script, before.entry_script if before is not None else None} - {None}
        for doc_uri in ls.open_uris():
            if doc_uri != uri and ls.path_of(doc_uri) in scripts:
                validate_now(ls, doc_uri, follow=False)


def published_problems(ls: AmlLanguageServer, uri: str, analysis: Analysis) -> list[Problem]:
    """The problems an editor gets: all of them, unless its JSON service reports the JSON syntax ones."""
    if ls.settings.json_syntax:
        return analysis.problems
    document = ls.workspace.text_documents.get(unquote(uri))
    if document is None or document.language_id != "json":
        return analysis.problems
    return [p for p in analysis.problems if p.code not in EDITOR_JSON_SYNTAX]


def publish(ls: AmlLanguageServer, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
    )


def revalidate_all(ls: AmlLanguageServer) -> None:
    for uri in ls.open_uris():
        schedule(ls, uri)


def register(server: AmlLanguageServer) -> None:
    @server.feature(types.INITIALIZE)
    @guarded()
    def initialize(ls: AmlLanguageServer, params: types.InitializeParams) -> None:
        ls.apply_settings(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: AmlLanguageServer, params: types.InitializedParams) -> None:
        start_warm_up()
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps is not None else None
        try:
            if watched is not None and watched.dynamic_registration:
                options = types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern=WATCHED)]
                )
                await ls.client_register_capability_async(
                    types.RegistrationParams(
                        registrations=[
                            types.Registration(
                                id="amldeploy-watched-files",
                                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                register_options=options,
                            )
                        ]
                    )
                )
        except Exception as error:
            # Without file events, problems about other files refresh on the next edit or save instead.
            ls.log(f"amldeploy: the client refused the file watcher ({error}); files are re-checked on edit/save")
        try:
            if caps is not None and caps.configuration:
                await fetch_configuration(ls)
                revalidate_all(ls)
        except Exception as error:
            ls.feature_failed("initialized", error)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: AmlLanguageServer, params: types.DidChangeConfigurationParams) -> None:
        try:
            caps = ls.client_capabilities.workspace
            if caps is not None and caps.configuration:
                await fetch_configuration(ls)
            elif params.settings is not None:
                ls.apply_settings(params.settings)
            revalidate_all(ls)
        except Exception as error:
            ls.feature_failed("configuration", error)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guarded()
    def did_open(ls: AmlLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        validate_now(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guarded()
    def did_change(ls: AmlLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @guarded()
    def did_save(ls: AmlLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded()
    def did_close(ls: AmlLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        pending = ls.scheduled.pop(uri, None)
        if pending is not None:
            pending.cancel()
        if ls.analyses.pop(uri, None) is not None:
            publish(ls, uri, None, [])

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded()
    def did_change_watched_files(ls: AmlLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        revalidate_all(ls)

    file_filters = types.FileOperationRegistrationOptions(
        filters=[types.FileOperationFilter(pattern=types.FileOperationPattern(glob=WATCHED))]
    )
    for method in (
        types.WORKSPACE_DID_CREATE_FILES,
        types.WORKSPACE_DID_RENAME_FILES,
        types.WORKSPACE_DID_DELETE_FILES,
    ):

        @server.feature(method, file_filters)
        @guarded()
        def file_operation(ls: AmlLanguageServer, params: Any) -> None:
            revalidate_all(ls)


async def fetch_configuration(ls: AmlLanguageServer) -> None:
    result = await ls.workspace_configuration_async(
        types.ConfigurationParams(items=[types.ConfigurationItem(section="amldeploy")])
    )
    if result and result[0] is not None:
        ls.apply_settings(result[0])

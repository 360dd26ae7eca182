"""The ``LanguageServer`` subclass that holds amldeploy's state (``start.create_server`` builds it).

Start-up stays as light as a bare pygls server: nothing from :mod:`amldeploy.language` (tree-sitter, the
schemas, the lint) is imported until the first document needs it, and ``initialized`` warms it up in a
background thread while the editor is still busy.
"""

from __future__ import annotations

import functools
import logging
import os
import traceback
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from amldeploy import __version__
from amldeploy.lsp.background import Background
from amldeploy.lsp.settings import ENVIRONMENT_SETTINGS, Settings, apply_environment, parse_settings

if TYPE_CHECKING:
    from amldeploy.language.text import Encoding
    from amldeploy.lsp.state import Analysis

log = logging.getLogger("amldeploy.lsp")
F = TypeVar("F", bound=Callable[..., Any])


class AmlProtocol(LanguageServerProtocol):
    """pygls's protocol, except that incremental changes are applied by :class:`TextIndex`.

    pygls splits lines with ``str.splitlines`` (which also breaks at U+2028, U+0085, form feeds...) where LSP
    breaks only at ``\\n``, ``\\r\\n`` and ``\\r``, and clamps a character past the end of the last line to
    one before its end: both put an edit in the wrong place. The negotiated encoding is still pygls's."""

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Generator[Any, Any, None]:
        from amldeploy.lsp.changes import apply_changes

        apply_changes(self.workspace, params)
        if (user_handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield user_handler, (params,), None


class AmlLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "amldeploy",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=AmlProtocol,
        )
        self.settings = Settings()
        # The values of the environment settings' variables when the server started (None: unset).
        self.original_environment = {v: os.environ.get(v) for v in ENVIRONMENT_SETTINGS.values()}
        self.analyses: dict[str, Analysis] = {}  # uri → the last analysis of an open document
        self.scheduled: dict[str, Any] = {}  # uri → pending validation handle (coalesces bursts of edits)
        self.background = Background(self)  # operations' threads, log followers, the services watcher

    def shutdown(self) -> None:
        """The connection ended (``exit``, or the client went away): stop the background work first."""
        self.background.stop_all(closed=True)
        super().shutdown()  # type: ignore[no-untyped-call]

    def report_server_error(self, error: Exception, source: Any) -> None:
        if not self.background.closed.is_set():  # once the stream is closed, reporting would fail again
            super().report_server_error(error, source)

    # -- logging -------------------------------------------------------------------------------------------
    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # the stream may be gone while shutting down
            log.debug("could not send a log message", exc_info=True)

    def feature_failed(self, name: str, error: BaseException) -> None:
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.log(f"amldeploy: {name} failed; the server keeps serving.\n{trace}", types.MessageType.Error)

    # -- settings ------------------------------------------------------------------------------------------
    def apply_settings(self, raw: Any) -> None:
        self.settings, warnings = parse_settings(raw, self.settings)
        for warning in warnings:
            self.log(f"amldeploy settings: {warning}", types.MessageType.Warning)
        apply_environment(self.settings.target_settings, os.environ, self.original_environment)

    @property
    def position_encoding(self) -> Encoding:
        """The position encoding pygls negotiated at ``initialize`` (the client's first choice it knows)."""
        from amldeploy.language.text import encoding_named

        try:
            return encoding_named(self.workspace.position_encoding)
        except RuntimeError:  # not initialized
            return encoding_named(None)

    # -- workspace -----------------------------------------------------------------------------------------
    def root(self) -> Path:
        """The workspace root operations work in: the first workspace folder, else the client's root, else the
        current directory."""
        try:
            workspace = self.workspace
        except RuntimeError:  # not initialized
            return Path.cwd()
        for folder in list(workspace.folders.values()):
            path = to_fs_path(folder.uri)
            if path:
                return Path(path)
        return Path(workspace.root_path) if workspace.root_path else Path.cwd()

    # -- documents -----------------------------------------------------------------------------------------
    def path_of(self, uri: str) -> Path | None:
        fs_path = to_fs_path(uri)
        return Path(fs_path) if fs_path else None

    def open_uris(self) -> list[str]:
        """The open documents' URIs as the client wrote them (pygls keys its table by the unescaped form, so a
        path with a space would otherwise be published under a URI the client never sent)."""
        return [document.uri for document in list(self.workspace.text_documents.values())]

    def is_open(self, uri: str) -> bool:
        return unquote(uri) in self.workspace.text_documents

    def open_text(self, path: Path) -> str | None:
        """The editor's text of ``path`` when it is open (unsaved edits count), else None."""
        for document in list(self.workspace.text_documents.values()):
            if document.path and Path(document.path) == path:
                source: str = document.source
                return source
        return None


def guarded(default: Any = None) -> Callable[[F], F]:
    """Catch any exception of a feature: log it to the client and answer ``default`` (the server keeps going)."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(ls: AmlLanguageServer, *args: Any) -> Any:
            try:
                return fn(ls, *args)
            except Exception as error:
                ls.feature_failed(fn.__name__, error)
                return default() if callable(default) else default

        return inner  # type: ignore[return-value]

    return wrap


class _ExpectedErrors(logging.Filter):
    """pygls logs every error answer with its traceback; the ones amldeploy answers on purpose (a request that
    cannot be carried out, wrong parameters) are answers, not server faults. Neither is the answer to a request
    that ends after ``exit`` closed the stream (a deploy stopping what it started)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from pygls.exceptions import JsonRpcException

        from amldeploy.lsp.params import INVALID_PARAMS
        from amldeploy.lsp.protocol import REQUEST_FAILED

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ValueError) and "closed file" in str(error):
            return False
        return not (isinstance(error, JsonRpcException) and error.code in (REQUEST_FAILED, INVALID_PARAMS))


EXPECTED_ERRORS = _ExpectedErrors()

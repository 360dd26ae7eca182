"""The ``LanguageServer`` subclass that holds amldeploy's state, and ``create_server``.

Start-up stays as light as a bare pygls server: nothing from :mod:`amldeploy.language` (tree-sitter, the
schemas, the lint) is imported until the first document needs it, and ``initialized`` warms it up in a
background thread while the editor is still busy.
"""

from __future__ import annotations

import functools
import logging
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from amldeploy import __version__
from amldeploy.lsp.settings import Settings, parse_settings

if TYPE_CHECKING:
    from amldeploy.lsp.analysis import Analysis

log = logging.getLogger("amldeploy.lsp")
F = TypeVar("F", bound=Callable[..., Any])


class AmlLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("amldeploy", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings = Settings()
        self.analyses: dict[str, Analysis] = {}  # uri → the last analysis of an open document
        self.scheduled: dict[str, Any] = {}  # uri → pending validation handle (coalesces bursts of edits)

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

    # -- documents -----------------------------------------------------------------------------------------
    def path_of(self, uri: str) -> Path | None:
        fs_path = to_fs_path(uri)
        return Path(fs_path) if fs_path else None

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


def warm_up() -> None:
    """Import the language core and build its parsers and schema tables ahead of the first document."""
    try:
        from amldeploy.lsp.analysis import warm_up as warm

        warm()
    except Exception:
        log.warning("warm-up failed", exc_info=True)


def start_warm_up() -> None:
    threading.Thread(target=warm_up, name="amldeploy-warm-up", daemon=True).start()


def create_server() -> AmlLanguageServer:
    from amldeploy.lsp.features import FEATURES

    server = AmlLanguageServer()
    for register in FEATURES:
        register(server)
    return server

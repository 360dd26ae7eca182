"""``LspReporter``: the operations' ``Reporter`` as LSP sees it.

Steps and progress become ``$/progress`` reports under the client's ``workDoneToken`` (one ``begin`` with the
operation's title, cancellable; ``end`` when the request answers); log lines and warnings go to
``window/logMessage``, and warnings are also kept for the answer. Once the client cancels (``window/
workDoneProgress/cancel`` for the token, or ``$/cancelRequest`` for the request), the next ``step``,
``progress``, ``log`` or ``warning`` raises ``ops.errors.Cancelled`` and the target stops what it started.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from lsprotocol import types

if TYPE_CHECKING:
    from amldeploy.lsp.server import AmlLanguageServer


class LspReporter:
    def __init__(
        self, ls: AmlLanguageServer, token: int | str | None, title: str, cancel: threading.Event | None = None
    ) -> None:
        self.ls = ls
        self.token = token
        self.title = title
        self.cancel = cancel or threading.Event()
        self.warnings: list[str] = []
        self._step: str | None = None
        self._token_future: Future[Any] | None = None

    # -- the progress itself (on the server loop) -----------------------------------------------------------
    def begin(self) -> None:
        """Open the progress; call on the server loop, before the work starts, so that a cancel finds it."""
        if self.token is None:
            return
        progress = self.ls.work_done_progress
        progress.tokens.pop(self.token, None)  # a token the client used before starts afresh
        progress.begin(self.token, types.WorkDoneProgressBegin(title=self.title, cancellable=True))
        self._token_future = progress.tokens.get(self.token)

    def end(self, message: str) -> None:
        """Close the progress (from any thread: it follows every report already sent)."""
        if self.token is not None:
            self.ls.background.call(self._end, self.token, message)

    def _end(self, token: int | str, message: str) -> None:
        progress = self.ls.work_done_progress
        if progress.tokens.get(token) is self._token_future:
            progress.tokens.pop(token, None)
        progress.end(token, types.WorkDoneProgressEnd(message=message))

    @property
    def cancelled(self) -> bool:
        future = self._token_future
        return self.cancel.is_set() or (future is not None and future.cancelled())

    def _check(self) -> None:
        if self.cancelled:
            from amldeploy.ops.errors import Cancelled

            raise Cancelled()

    def _report(self, message: str, fraction: float | None = None) -> None:
        if self.token is None:
            return
        percentage = None if fraction is None else max(0, min(100, round(fraction * 100)))
        value = types.WorkDoneProgressReport(message=message, percentage=percentage, cancellable=True)
        self.ls.background.call(self.ls.work_done_progress.report, self.token, value)

    # -- Reporter -------------------------------------------------------------------------------------------
    def step(self, title: str) -> None:
        self._check()
        self._step = title
        self._report(title)

    def progress(self, message: str, fraction: float | None = None) -> None:
        self._check()
        self._report(f"{self._step}: {message}" if self._step else message, fraction)

    def log(self, line: str) -> None:
        self._check()
        self.ls.background.log(line)

    def warning(self, message: str) -> None:
        self._check()
        self.warnings.append(message)
        self.ls.background.log(f"{self.title}: warning: {message}", types.MessageType.Warning)

    def done(self, ok: bool = True, message: str | None = None) -> None:
        if self._step is not None:
            self._report(f"{self._step}: {message or ('done' if ok else 'failed')}")
        self._step = None

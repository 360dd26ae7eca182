"""The access log: one line per request in Azure's format (``POST /score?x=1 200 1.234ms 17``), written off the
request's path.

A response only appends its line to a buffer; the buffer is written 50 ms after its first line, in one write,
in the log's own format (``LOG_FORMAT``) but without a LogRecord and a strftime per line. When the log has been
given another handler or format (a library reconfigured logging), lines go through ``logging``.
Nothing of the request but its method, path, status, duration and response size is ever logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time

from amldeploy.runtime.process import LOG_FORMAT

log = logging.getLogger("amldeploy.runtime")
FLUSH_AFTER_S = 0.05


class AccessLog:
    def __init__(self) -> None:
        self._lines: list[str] = []
        self._stamp: tuple[int, str] = (0, "")
        self._pid = os.getpid()
        self._loop: asyncio.AbstractEventLoop | None = None

    def add(self, method: str, path: str, status: int, elapsed_ms: float, size: int) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        now = time.time()
        second = int(now)
        if self._stamp[0] != second:
            self._stamp = (second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second)))
        self._lines.append(
            f"{self._stamp[1]},{int((now - second) * 1000):03d} I [{self._pid}] amldeploy.runtime - "
            f"{method} {path} {status} {elapsed_ms:.3f}ms {size}\n"
        )
        if len(self._lines) == 1:
            if self._loop is None:
                self._loop = asyncio.get_running_loop()
            self._loop.call_later(FLUSH_AFTER_S, self.flush)

    def flush(self) -> None:
        lines, self._lines = self._lines, []
        if not lines:
            return
        handlers = logging.getLogger("amldeploy").handlers
        handler = handlers[0] if len(handlers) == 1 else None
        if (
            not isinstance(handler, logging.StreamHandler)
            or handler.formatter is None
            or handler.formatter._fmt != LOG_FORMAT
        ):
            for line in lines:
                log.info("%s", line.rstrip("\n").split(" - ", 1)[1])
            return
        with handler.lock or contextlib.nullcontext():
            try:
                handler.stream.write("".join(lines))
                handler.flush()
            except (OSError, ValueError):
                pass

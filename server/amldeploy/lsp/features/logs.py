"""``amldeploy/logs/start`` and ``amldeploy/logs/stop``: a service's log, streamed as ``amldeploy/log``.

A stream is two daemon threads: one follows the target's log (``Target.logs(follow=True)``, which polls the
file), the other sends what it read in batches (every ``FLUSH_S`` or ``BATCH_LINES`` lines), so that a busy
service costs a notification per batch, not per line. The stream ends, with ``ended: true``, when the service
stops, when ``logs/stop`` asks, or when the server shuts down.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from amldeploy.lsp import protocol
from amldeploy.lsp.answers import answer_errors
from amldeploy.lsp.background import run_blocking
from amldeploy.lsp.params import Params
from amldeploy.lsp.server import AmlLanguageServer

FLUSH_S = 0.1
BATCH_LINES = 200
DEFAULT_TAIL = 100
MAX_TAIL = 100_000
_END = object()


class Stream:
    def __init__(self, ls: AmlLanguageServer, name: str, streams: dict[str, Stream]) -> None:
        self.ls = ls
        self.streams = streams  # the open streams, which it leaves when it ends
        self.id = uuid.uuid4().hex
        self.name = name
        self.stop = threading.Event()
        self.lines: queue.Queue[Any] = queue.Queue()

    def start(self, lines: Iterator[str]) -> None:
        self.ls.background.on_stop(self.id, self.stop.set)
        threading.Thread(target=self._read, args=(lines,), name=f"amldeploy-log-{self.name}", daemon=True).start()
        threading.Thread(target=self._send, name=f"amldeploy-log-send-{self.name}", daemon=True).start()

    def _read(self, lines: Iterator[str]) -> None:
        try:
            for line in lines:
                if self.stop.is_set():
                    break
                self.lines.put(line)
        except Exception as error:  # the log went away in a way the target did not expect
            self.ls.background.failed(f"following the log of {self.name}", error)
        finally:
            close = getattr(lines, "close", None)
            if close is not None:
                close()
            self.lines.put(_END)

    def _send(self) -> None:
        batch: list[str] = []
        deadline = 0.0
        while True:
            try:
                item = self.lines.get(timeout=max(0.0, deadline - time.monotonic()) if batch else None)
            except queue.Empty:
                self._notify(batch)
                batch = []
                continue
            if item is _END:
                self._notify(batch)
                self._notify([], ended=True)
                self.ls.background.forget(self.id)
                self.streams.pop(self.id, None)
                return
            if not batch:
                deadline = time.monotonic() + FLUSH_S
            batch.append(item)
            if len(batch) >= BATCH_LINES:
                self._notify(batch)
                batch = []

    def _notify(self, lines: list[str], ended: bool = False) -> None:
        if not lines and not ended:
            return
        message: dict[str, Any] = {"stream": self.id, "name": self.name, "lines": lines}
        if ended:
            message["ended"] = True
        self.ls.background.notify(protocol.LOG, message)


def _open(ls: AmlLanguageServer, stream: Stream, tail: int) -> Iterator[str]:
    from amldeploy.ops.targets.base import find_service

    target, _ = find_service(stream.name, ls.root(), ls.settings.target_settings)
    return target.logs(stream.name, follow=True, tail=tail, stop=stream.stop.is_set)


def register(server: AmlLanguageServer) -> None:
    streams: dict[str, Stream] = {}

    @server.feature(protocol.LOGS_START)
    async def logs_start(ls: AmlLanguageServer, params: Any) -> dict[str, str]:
        import asyncio

        p = Params(protocol.LOGS_START, params)
        name, tail = p.text("name"), p.integer("tail", 0, MAX_TAIL, DEFAULT_TAIL)
        stream = Stream(ls, name, streams)
        with answer_errors(ls, protocol.LOGS_START):
            lines = await run_blocking(ls, lambda: _open(ls, stream, tail if tail is not None else DEFAULT_TAIL))
        streams[stream.id] = stream
        task = asyncio.current_task()

        # Lines follow the answer that names the stream: pygls sends it from a done-callback of this task that
        # was added before this one.
        def begin(_: Any) -> None:
            if ls.background.stopped.is_set():
                stream.stop.set()
            stream.start(lines)

        if task is not None:
            task.add_done_callback(begin)
        else:
            begin(None)
        return {"stream": stream.id}

    @server.feature(protocol.LOGS_STOP)
    def logs_stop(ls: AmlLanguageServer, params: Any) -> None:
        """Ends the stream (its last batch and ``ended`` follow); a stream that already ended is no error."""
        stream = streams.pop(Params(protocol.LOGS_STOP, params).text("stream"), None)
        if stream is not None:
            stream.stop.set()

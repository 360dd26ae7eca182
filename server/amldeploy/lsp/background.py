"""Work off the server loop: operations run in threads, so that diagnostics keep flowing during a deploy, and
everything they send to the client goes back through the loop, in order.

``run_blocking`` runs an operation in the operations' thread pool (not pygls' pool, whose threads read stdin)
and turns ``$/cancelRequest`` into a cancel event the operation's reporter checks. ``Background.notify`` sends a
notification from any thread; long-lived threads (log followers, the services watcher) register a stopper that
``shutdown`` calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from lsprotocol import types


class Host(Protocol):
    """What the background needs of the server (the server holds its background; this keeps the import one way)."""

    background: Background

    @property
    def protocol(self) -> Any: ...

    def log(self, message: str, kind: types.MessageType = ...) -> None: ...

    def feature_failed(self, name: str, error: BaseException) -> None: ...


log = logging.getLogger("amldeploy.lsp")
T = TypeVar("T")
OPERATION_THREADS = 8


class Snapshots:
    """What the client was last told about the services: snapshots are built and sent one at a time (``lock``),
    so that they arrive in the order they were taken, and a watcher sends only what differs (``signature``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.signature: str | None = None
        self.watching = False


class Background:
    def __init__(self, ls: Host) -> None:
        self.ls = ls
        self.loop: asyncio.AbstractEventLoop | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._stoppers: dict[str, Callable[[], None]] = {}
        self._lock = threading.Lock()
        self.stopped = threading.Event()
        self.closed = threading.Event()  # the connection is gone (``exit``): nothing can be sent any more
        self.snapshots = Snapshots()
        self.cancels: set[threading.Event] = set()  # of the running operations

    def bind(self) -> None:
        """Remember the server's loop (called from async handlers, which run on it)."""
        self.loop = asyncio.get_running_loop()

    @property
    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(OPERATION_THREADS, thread_name_prefix="amldeploy-op")
        return self._executor

    # -- talking to the client from any thread --------------------------------------------------------------
    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the server loop, after what was scheduled before (quietly nothing once the loop
        is gone)."""
        loop = self.loop
        if loop is None or loop.is_closed() or self.closed.is_set():
            return
        with contextlib.suppress(RuntimeError):  # closed meanwhile: the server is exiting
            loop.call_soon_threadsafe(self._run, fn, args)

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        if self.closed.is_set():
            return
        try:
            fn(*args)
        except Exception:  # the stream may be gone while shutting down
            log.debug("could not send to the client", exc_info=True)

    def notify(self, method: str, params: Any) -> None:
        self.call(self.ls.protocol.notify, method, params)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.call(self.ls.log, message, kind)

    def failed(self, name: str, error: BaseException) -> None:
        self.call(self.ls.feature_failed, name, error)

    # -- long-lived threads ---------------------------------------------------------------------------------
    def on_stop(self, key: str, stopper: Callable[[], None]) -> None:
        with self._lock:
            self._stoppers[key] = stopper

    def forget(self, key: str) -> None:
        with self._lock:
            self._stoppers.pop(key, None)

    def running(self, cancel: threading.Event, started: bool) -> None:
        """Track the cancel event of an operation while it runs (one started after ``stop_all`` is cancelled)."""
        with self._lock:
            if started:
                self.cancels.add(cancel)
            else:
                self.cancels.discard(cancel)
        if started and self.stopped.is_set():
            cancel.set()

    def stop_all(self, closed: bool = False) -> None:
        """Stop every follower and watcher, and cancel the running operations (``shutdown``, ``exit``, or the
        client gone): what they started stops, and the process can exit. ``closed``: the connection is gone too,
        so what they would still say is dropped."""
        if closed:
            self.closed.set()
        self.stopped.set()
        with self._lock:
            stoppers, self._stoppers = list(self._stoppers.values()), {}
            stoppers += [cancel.set for cancel in self.cancels]
        for stopper in stoppers:
            try:
                stopper()
            except Exception:
                log.debug("a stopper failed", exc_info=True)


async def run_blocking(ls: Host, work: Callable[[], T], cancel: threading.Event | None = None) -> T:
    """``work()`` in an operations thread. When the request is cancelled (``$/cancelRequest``, or the server
    shutting down), ``cancel`` is set and the answer still waits for ``work`` to stop: an operation that
    started something stops it before it answers."""
    background = ls.background
    background.bind()
    cancel = cancel or threading.Event()
    background.running(cancel, started=True)
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(background.executor, work)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        cancel.set()
        return await future
    finally:
        background.running(cancel, started=False)


IDLE_CHECK_S = 1.0  # how often a watcher with polling off looks whether it was turned on
MAX_BACKOFF = 10  # a failing watcher waits up to 11 intervals between tries


def poll(interval_s: Callable[[], float], stop: threading.Event, failed: Callable[[BaseException], None],
         step: Callable[[], object]) -> None:  # fmt: skip
    """Run ``step`` every ``interval_s()`` seconds until ``stop`` is set (the services and models watchers: the
    interval is the ``servicesPollMs`` setting, read anew each time; 0 pauses). A failing step is reported once
    through ``failed``, then tried again less and less often; one that succeeds resets that."""
    failures = 0
    while not stop.is_set():
        interval = interval_s()
        if stop.wait(interval * (1 + min(failures, MAX_BACKOFF)) if interval > 0 else IDLE_CHECK_S):
            return
        if interval <= 0:
            continue
        try:
            step()
            failures = 0
        except Exception as error:  # report once, then back off; the watcher keeps going
            if failures == 0:
                failed(error)
            failures += 1

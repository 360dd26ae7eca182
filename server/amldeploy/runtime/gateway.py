"""The front end a v1 service had in Azure (azureml-fe on AKS), run in-process: keys, queue, timeouts.

* **Auth** (``authEnabled``): ``Authorization: Bearer <primary or secondary key>``, else 401. ``GET /`` stays
  open for liveness probes.
* **Queue** (``maxConcurrentRequestsPerContainer``, ``maxQueueWaitMs``): at most N run() calls at once per
  process (1 by default, like Azure's sync worker); a request that waits longer than the queue limit for a
  slot gets 503. The queue lives on the event loop: waiting requests hold no thread.
* **Timeouts**: ``scoringTimeoutMs`` answers 504 at the deadline while run() keeps its slot until it returns;
  ``SCORING_TIMEOUT_MS`` is the server's own limit (500 ``Scoring timeout after <n> ms``), which also
  interrupts run() at its next Python instruction, as Azure's SIGALRM did.

Everything here but :class:`RunThreads` runs on the event loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class GatewaySettings:
    auth_enabled: bool = False
    keys: tuple[str, ...] = ()
    max_concurrent: int = 1
    max_queue_wait_ms: int | None = None
    scoring_timeout_ms: int | None = None
    origin: str = "defaults"
    notes: list[str] = field(default_factory=list)


def check_auth(settings: GatewaySettings, authorization: str | None) -> str | None:
    """None when the request may pass, else the 401 message."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token:
        given = token.encode("utf-8")
        # Compare with every key, always, so the time taken says nothing about which one nearly matched.
        matches = [hmac.compare_digest(given, key.encode("utf-8")) for key in settings.keys]
        if any(matches):
            return None
        return (
            "Authentication failed: the key in the Authorization header is not a key of this service "
            "(authEnabled is true)."
        )
    return (
        "Authentication required: send 'Authorization: Bearer <key>' with the service's primary or secondary key "
        "(authEnabled is true)."
    )


class Slots:
    """A counting semaphore on the event loop that hands a freed slot to the longest waiter."""

    def __init__(self, count: int) -> None:
        self._free = count
        self._waiters: deque[asyncio.Future[bool]] = deque()

    def try_acquire(self) -> bool:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return True
        return False

    async def acquire(self, timeout: float | None) -> bool:
        """True once a slot is held; False when ``timeout`` seconds passed first."""
        if self.try_acquire():
            return True
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        self._waiters.append(waiter)
        expiry = None if timeout is None else loop.call_later(timeout, self._expire, waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.result():
                self.release()  # handed over just as the request was cancelled
            else:
                self._forget(waiter)
            raise
        finally:
            if expiry is not None:
                expiry.cancel()

    def _expire(self, waiter: asyncio.Future[bool]) -> None:
        if not waiter.done():
            self._forget(waiter)
            waiter.set_result(False)

    def _forget(self, waiter: asyncio.Future[bool]) -> None:
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return
        self._free += 1


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    try:
        import ctypes
    except ImportError:  # pragma: no cover -- Pythons built without ctypes
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


class Call:
    """One run() call on a :class:`RunThreads` thread, which the loop may interrupt (``SCORING_TIMEOUT_MS``)."""

    __slots__ = ("done", "injected", "lock", "thread_id")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.thread_id = 0
        self.done = False
        self.injected = False

    def interrupt(self) -> None:
        """Raise TimeoutError in the call's thread at its next Python instruction, unless it has returned."""
        with self.lock:
            if self.thread_id and not self.done and not self.injected:
                self.injected = True
                _set_async_exc(self.thread_id, TimeoutError)

    def enter(self) -> None:
        self.thread_id = threading.get_ident()

    def leave(self) -> None:
        with self.lock:
            self.done = True
            if self.injected:
                _set_async_exc(self.thread_id, None)  # drop it if it has not been raised yet


Outcome = tuple[bool, Any]  # (True, run()'s value) or (False, the exception it raised)


class RunThreads:
    """The threads that call run(): one per allowed concurrent call, fed from a queue, so that the event loop
    never runs user code and never waits for it. Results come back through ``loop.call_soon_threadsafe``."""

    def __init__(self, count: int) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Call, Callable[[Outcome], None]] | None] = (
            queue.SimpleQueue()
        )
        self._threads = [
            threading.Thread(target=self._work, name=f"amldeploy-run-{i}", daemon=True) for i in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[[], Any], call: Call, done: Callable[[Outcome], None]) -> None:
        """Run ``fn`` on a run() thread; ``done(outcome)`` is called from that thread when it returns."""
        self._jobs.put((fn, call, done))

    def _work(self) -> None:
        jobs = self._jobs
        while True:
            job = jobs.get()
            if job is None:
                return
            fn, call, done = job
            outcome: Outcome
            try:
                call.enter()
                try:
                    outcome = (True, fn())
                finally:
                    call.leave()
            except BaseException as e:  # the script's failure is the request's answer
                outcome = (False, e)
            with contextlib.suppress(RuntimeError):  # the loop is closed (shutdown): nobody waits any more
                done(outcome)

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)


class Gateway:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.slots = Slots(settings.max_concurrent)

    def authorize(self, authorization: str | None) -> str | None:
        return check_auth(self.settings, authorization) if self.settings.auth_enabled else None

    def gateway_deadline(self, arrival: float) -> float | None:
        """The ``scoringTimeoutMs`` deadline of a request that arrived at ``arrival`` (``time.monotonic()``)."""
        ms = self.settings.scoring_timeout_ms
        return None if ms is None else arrival + ms / 1000

    async def wait_slot(self, arrival: float) -> tuple[int, str] | None:
        """Wait for a run() slot; None once it is held, else the (status, message) to answer with."""
        s = self.settings
        wait = None if s.max_queue_wait_ms is None else s.max_queue_wait_ms / 1000
        deadline = self.gateway_deadline(arrival)
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        limit = wait if remaining is None else remaining if wait is None else min(wait, remaining)
        if await self.slots.acquire(limit):
            return None
        if remaining is not None and (wait is None or remaining <= wait):
            return 504, self.timeout_message()
        return 503, (
            f"The service is busy: the request waited {s.max_queue_wait_ms} ms for one of the "
            f"{s.max_concurrent} scoring slot(s) without getting one (maxQueueWaitMs={s.max_queue_wait_ms}, "
            f"maxConcurrentRequestsPerContainer={s.max_concurrent})."
        )

    def timeout_message(self) -> str:
        return (
            f"Scoring did not finish within scoringTimeoutMs={self.settings.scoring_timeout_ms} ms; "
            "run() keeps running until it returns and holds its slot until then."
        )

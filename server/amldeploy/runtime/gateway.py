"""The front end a v1 service had in Azure (azureml-fe on AKS), run in-process: keys, queue, timeouts.

* **Auth** (``authEnabled``): ``Authorization: Bearer <primary or secondary key>``, else 401. ``GET /`` stays
  open for liveness probes.
* **Queue** (``maxConcurrentRequestsPerContainer``, ``maxQueueWaitMs``): at most N run() calls at once per
  process (1 by default, like Azure's sync worker), one thread each; a request that waits longer than the
  queue limit for a thread gets 503 and is never run. Waiting requests hold no thread.
* **Timeouts**: ``scoringTimeoutMs`` answers 504 at the deadline while run() keeps its slot until it returns;
  ``SCORING_TIMEOUT_MS`` is the server's own limit (500 ``Scoring timeout after <n> ms``), which also
  interrupts run() at its next Python instruction, as Azure's SIGALRM did.

Everything here but :class:`RunThreads` (and the methods of :class:`Job` it calls) runs on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import math
import queue
import threading
import time
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


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    try:
        import ctypes
    except ImportError:  # pragma: no cover -- Pythons built without ctypes
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


Outcome = tuple[bool, Any]  # (True, the job's value) or (False, the exception it raised)
QUEUED, RUNNING, DONE, DROPPED = range(4)


def _released(*args: Any) -> Any:
    raise RuntimeError("the job was released")


class Job:
    """One run() call: queued, then taken by a run() thread, or dropped by the loop before that (its answer was a
    503 or 504); while it runs, the loop may interrupt it (``SCORING_TIMEOUT_MS``)."""

    __slots__ = ("fn", "injected", "lock", "report", "started", "state", "thread_id")

    def __init__(self, fn: Callable[[], Any], report: Callable[[Outcome], None]) -> None:
        self.fn = fn
        self.report = report
        self.lock = threading.Lock()
        self.state = QUEUED
        self.thread_id = 0
        self.started = 0.0  # time.monotonic() when a thread took it
        self.injected = False

    def take(self) -> bool:
        """On a run() thread: True when the job is to run (it was not dropped)."""
        with self.lock:
            if self.state != QUEUED:
                return False
            self.state = RUNNING
            self.thread_id = threading.get_ident()
            self.started = time.monotonic()
            return True

    def drop(self) -> bool:
        """On the loop: True when the job will never run (it was still queued)."""
        with self.lock:
            if self.state != QUEUED:
                return False
            self.state = DROPPED
            return True

    def interrupt(self) -> None:
        """Raise TimeoutError in the job's thread at its next Python instruction, unless it has returned."""
        with self.lock:
            if self.state == RUNNING and not self.injected:
                self.injected = True
                _set_async_exc(self.thread_id, TimeoutError)

    def release(self) -> None:
        """On the loop, once nothing will call ``fn`` or ``report`` again: let go of them. They hold closures
        that hold this job, a cycle only the garbage collector would otherwise free (a collection every few
        hundred requests, ~3 % of a small request's time)."""
        self.fn = self.report = _released

    def finish(self) -> None:
        with self.lock:
            self.state = DONE
            if self.injected:
                _set_async_exc(self.thread_id, None)  # drop it if it has not been raised yet


class RunThreads:
    """The threads that call run(), fed from one FIFO queue: the request queue of the v1 front end. One thread per
    allowed concurrent call (``maxConcurrentRequestsPerContainer``, ``--threads``), so that the event loop never
    runs user code and never waits for it, and a thread that finishes takes the next job at once, without a round
    trip through the loop. Outcomes go back through the job's ``report`` (``loop.call_soon_threadsafe``)."""

    def __init__(self, count: int) -> None:
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"amldeploy-run-{i}", daemon=True) for i in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, job: Job) -> None:
        self._jobs.put(job)

    def _work(self) -> None:
        jobs = self._jobs
        while True:
            job = jobs.get()
            if job is None:
                return
            outcome: Outcome
            try:
                if not job.take():
                    continue  # answered already (queue wait or front-end timeout)
                try:
                    outcome = (True, job.fn())
                finally:
                    job.finish()
            except BaseException as e:  # the script's failure is the request's answer
                outcome = (False, e)
            with contextlib.suppress(RuntimeError):  # the loop is closed (shutdown): nobody waits any more
                job.report(outcome)

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)


class Deadlines:
    """Callbacks at given times of the loop's clock, with one loop timer for all of them: a run() call has one or
    two deadlines and nearly always finishes first, so arming and cancelling a timer per call would be waste."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[float, Callable[[], None]]] = {}
        self._next = 0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    def add(self, loop: asyncio.AbstractEventLoop, when: float, callback: Callable[[], None]) -> int:
        key = self._next
        self._next += 1
        self._entries[key] = (when, callback)
        if when < self._timer_at:
            self._arm(loop, when)
        return key

    def remove(self, key: int) -> None:
        self._entries.pop(key, None)

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(when, self._fire, loop)
        self._timer_at = when

    def _fire(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer, self._timer_at = None, math.inf
        now = loop.time() + 0.001  # uvloop's clock has millisecond steps
        for key in [k for k, (when, _) in self._entries.items() if when <= now]:
            self._entries.pop(key)[1]()
        if self._entries:
            self._arm(loop, min(when for when, _ in self._entries.values()))


class Gateway:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings

    def authorize(self, authorization: str | None) -> str | None:
        return check_auth(self.settings, authorization) if self.settings.auth_enabled else None

    def gateway_deadline(self, arrival: float) -> float | None:
        """The ``scoringTimeoutMs`` deadline of a request that arrived at ``arrival`` (the loop's time)."""
        ms = self.settings.scoring_timeout_ms
        return None if ms is None else arrival + ms / 1000

    def busy_message(self) -> str:
        s = self.settings
        return (
            f"The service is busy: the request waited {s.max_queue_wait_ms} ms for one of the "
            f"{s.max_concurrent} scoring slot(s) without getting one (maxQueueWaitMs={s.max_queue_wait_ms}, "
            f"maxConcurrentRequestsPerContainer={s.max_concurrent})."
        )

    def timeout_message(self) -> str:
        return (
            f"Scoring did not finish within scoringTimeoutMs={self.settings.scoring_timeout_ms} ms; "
            "run() keeps running until it returns and holds its slot until then."
        )

"""The front end a v1 service had in Azure (azureml-fe on AKS), run in-process: keys, queue, timeouts.

* **Auth** (``authEnabled``): ``Authorization: Bearer <primary or secondary key>``, else 401. ``GET /`` stays
  open for liveness probes.
* **Queue** (``maxConcurrentRequestsPerContainer``, ``maxQueueWaitMs``): at most N run() calls at once per
  process (1 by default, like Azure's sync worker); a request that waits longer than the queue limit for a
  slot gets 503.
* **Timeouts**: ``scoringTimeoutMs`` answers 504 at the deadline while run() keeps its slot until it returns;
  ``SCORING_TIMEOUT_MS`` is the server's own limit (500 ``Scoring timeout after <n> ms``), which also
  interrupts run() at its next Python instruction, as Azure's SIGALRM did.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


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
    """A counting semaphore that hands a freed slot to the longest waiter (``threading.Semaphore`` lets newcomers
    overtake waiting threads, which stretches tail latency under load)."""

    def __init__(self, count: int) -> None:
        self._lock = threading.Lock()
        self._free = count
        self._waiters: deque[threading.Lock] = deque()

    def acquire(self, timeout: float | None = None) -> bool:
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return True
            waiter = threading.Lock()
            waiter.acquire()
            self._waiters.append(waiter)
        if waiter.acquire(timeout=-1 if timeout is None else timeout):
            return True
        with self._lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
                return False
        return True  # the slot was handed over just as the wait ran out

    def release(self) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._free += 1


class Watch:
    """Deadlines of one run() call, fired by the :class:`Watchdog` unless the call finishes first."""

    __slots__ = ("deadlines", "done", "injected", "thread_id")

    def __init__(self, thread_id: int, deadlines: list[tuple[float, str, Callable[[], None]]]) -> None:
        self.thread_id = thread_id
        self.deadlines = deadlines
        self.done = False
        self.injected = False


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    try:
        import ctypes
    except ImportError:  # pragma: no cover -- Pythons built without ctypes
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


class Watchdog:
    """One thread that sleeps until the earliest deadline of the calls in progress."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active: set[Watch] = set()
        self._wake = math.inf
        self._thread: threading.Thread | None = None

    def start(self, watch: Watch) -> None:
        with self._cond:
            self._active.add(watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="amldeploy-watchdog", daemon=True)
                self._thread.start()
            if min(d[0] for d in watch.deadlines) < self._wake:
                self._cond.notify()

    def stop(self, watch: Watch) -> None:
        with self._cond:
            self._active.discard(watch)
            watch.done = True
            if watch.injected:
                _set_async_exc(watch.thread_id, None)  # drop it if it has not been raised yet

    def _loop(self) -> None:
        while True:
            due: list[Callable[[], None]] = []
            with self._cond:
                now = time.monotonic()
                nearest = math.inf
                for watch in self._active:
                    for deadline in list(watch.deadlines):
                        when, kind, callback = deadline
                        if when > now:
                            nearest = min(nearest, when)
                            continue
                        watch.deadlines.remove(deadline)
                        if kind == "interrupt" and not watch.injected:
                            watch.injected = True
                            _set_async_exc(watch.thread_id, TimeoutError)
                        due.append(callback)
                # A call whose deadlines have all fired needs no more watching (stop() still clears an injection).
                self._active = {w for w in self._active if w.deadlines}
                if not due:
                    self._wake = nearest
                    self._cond.wait(None if nearest == math.inf else nearest - now)
                    self._wake = math.inf
                    continue
            for callback in due:
                # Answering a client may block on its socket; never hold up the other deadlines for it.
                threading.Thread(target=callback, daemon=True).start()


class Gateway:
    def __init__(self, settings: GatewaySettings, inprocess_timeout_ms: int) -> None:
        self.settings = settings
        self.inprocess_timeout_ms = inprocess_timeout_ms
        self._slots = Slots(settings.max_concurrent)
        self._watchdog = Watchdog()

    def authorize(self, authorization: str | None) -> str | None:
        return check_auth(self.settings, authorization) if self.settings.auth_enabled else None

    def gateway_deadline(self, arrival: float) -> float | None:
        ms = self.settings.scoring_timeout_ms
        return None if ms is None else arrival + ms / 1000

    def acquire(self, arrival: float) -> tuple[int, str] | None:
        """Wait for a run() slot; None once it is held, else the (status, message) to answer with."""
        s = self.settings
        wait = None if s.max_queue_wait_ms is None else s.max_queue_wait_ms / 1000
        deadline = self.gateway_deadline(arrival)
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        limit = wait if remaining is None else remaining if wait is None else min(wait, remaining)
        if self._slots.acquire(limit):
            return None
        if remaining is not None and (wait is None or remaining <= wait):
            return 504, self.timeout_message()
        return 503, (
            f"The service is busy: the request waited {s.max_queue_wait_ms} ms for one of the "
            f"{s.max_concurrent} scoring slot(s) without getting one (maxQueueWaitMs={s.max_queue_wait_ms}, "
            f"maxConcurrentRequestsPerContainer={s.max_concurrent})."
        )

    def release(self) -> None:
        self._slots.release()

    def timeout_message(self) -> str:
        return (
            f"Scoring did not finish within scoringTimeoutMs={self.settings.scoring_timeout_ms} ms; "
            "run() keeps running until it returns and holds its slot until then."
        )

    def watch(self, arrival: float, on_gateway_timeout: Callable[[], None], on_timeout: Callable[[], None]) -> Watch:
        """Arm the deadlines of a run() call made by the current thread; pair with :meth:`unwatch`."""
        now = time.monotonic()
        deadlines: list[tuple[float, str, Callable[[], None]]] = [
            (now + self.inprocess_timeout_ms / 1000, "interrupt", on_timeout)
        ]
        gateway = self.gateway_deadline(arrival)
        if gateway is not None:
            deadlines.append((gateway, "answer", on_gateway_timeout))
        watch = Watch(threading.get_ident(), deadlines)
        self._watchdog.start(watch)
        return watch

    def unwatch(self, watch: Watch) -> None:
        self._watchdog.stop(watch)

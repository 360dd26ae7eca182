"""A bounded load on a service's ``/score``: ``concurrency`` keep-alive connections, each sending the sample
requests in turn, for ``duration_s`` (or until ``stop()``), recording each answer's status and latency.

Threads with ``http.client``: the service, not the generator, is what is measured, and a few dozen connections at
most (``MAX_CONCURRENCY``) need nothing more. A connection that fails is reopened; its error is counted.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

MAX_CONCURRENCY = 64
MAX_DURATION_S = 600.0
_ERRORS_KEPT = 5


@dataclass(slots=True)
class LoadResult:
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)  # of every answer (any status)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0  # requests that got no answer (connection refused, reset, timed out)
    first_errors: list[str] = field(default_factory=list)  # what the first few failures and non-2xx answers said

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.failures

    @property
    def errors(self) -> int:
        return self.failures + sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    def note(self, error: str) -> None:
        if len(self.first_errors) < _ERRORS_KEPT and error not in self.first_errors:
            self.first_errors.append(error)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile of ``values`` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(fraction * len(ordered) + 0.999999) - 1))
    return ordered[rank]


def run_load(
    uri: str,
    headers: Mapping[str, str],
    bodies: Sequence[bytes],
    concurrency: int,
    duration_s: float,
    timeout_s: float,
    stop: Callable[[], bool] = lambda: False,
    tick: Callable[[float, int], None] | None = None,
    tick_s: float = 0.5,
) -> LoadResult:
    """POST ``bodies`` (in turn) to ``uri`` from ``concurrency`` connections for ``duration_s``. ``tick(elapsed,
    answered)`` is called every ``tick_s`` meanwhile, from the calling thread (which may sample, report, raise)."""
    if not bodies:
        raise ValueError("no request body to send")
    concurrency = max(1, min(concurrency, MAX_CONCURRENCY))
    duration_s = max(0.1, min(duration_s, MAX_DURATION_S))
    parts = urllib.parse.urlsplit(uri)
    secure = parts.scheme == "https"
    host, port = parts.hostname or "127.0.0.1", parts.port or (443 if secure else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    result = LoadResult()
    lock = threading.Lock()
    started = time.monotonic()
    end = started + duration_s

    def connect() -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        return cls(host, port, timeout=timeout_s)

    answered: list[list[float]] = [[] for _ in range(concurrency)]  # each worker's latencies, counted by tick

    def worker(offset: int) -> None:
        conn = connect()
        sent = offset
        latencies = answered[offset]
        statuses: Counter[int] = Counter()
        try:
            while not stop() and time.monotonic() < end:
                body = bodies[sent % len(bodies)]
                sent += 1
                t0 = time.perf_counter()
                try:
                    conn.request("POST", path, body, dict(headers))
                    answer = conn.getresponse()
                    payload = answer.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = connect()
                    with lock:
                        result.failures += 1
                        result.note(f"no answer: {exc or type(exc).__name__}")
                    continue
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[answer.status] += 1
                if not 200 <= answer.status < 300:
                    with lock:
                        text = payload[:200].decode("utf-8", "replace")
                        result.note(f"HTTP {answer.status}: {text}")
        finally:
            conn.close()
            with lock:
                result.latencies_ms.extend(latencies)
                result.statuses.update(statuses)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            alive = next(thread for thread in threads if thread.is_alive())
            alive.join(tick_s)
            if tick is not None:
                tick(time.monotonic() - started, sum(len(a) for a in answered))
    finally:
        end = 0.0  # a tick that raised (a cancel) stops the workers at their next request
        for thread in threads:
            thread.join()
    result.seconds = time.monotonic() - started
    return result

"""Plain HTTP to local services (``http.client``, no third-party client) and v1's health wait."""

from __future__ import annotations

import http.client
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from amldeploy.ops.reporter import Reporter

# v1's LocalWebservice: GET / up to 30 times, 1 s apart; a 502 or a refused connection means "not ready yet".
HEALTH_TRIES = 30
HEALTH_INTERVAL_S = 1.0


@dataclass(slots=True)
class Response:
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def request(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 5.0,
    trust: str | None = None,
) -> Response:
    """One request; ``OSError`` (refused, reset, timed out, a certificate not trusted) when no answer comes.

    ``https``: with ``trust`` (the service's own certificate, PEM), that certificate and no other is trusted,
    whatever name the address has (a port-forward reaches it as 127.0.0.1); without it, the system's CAs and the
    host name, as any client would check them."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        import ssl

        if trust is not None:
            context = ssl.create_default_context(cadata=trust)
            context.check_hostname = False  # pinned: the chain must end at the service's own certificate
        else:
            context = ssl.create_default_context()
        conn = http.client.HTTPSConnection(host, parts.port or 443, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(host, parts.port or 80, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.request(method, path, body=body, headers=dict(headers or {}))
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, resp.reason, {k.lower(): v for k, v in resp.getheaders()}, data)
    except http.client.HTTPException as exc:  # timeouts and refusals are OSErrors already
        raise OSError(str(exc) or type(exc).__name__) from exc
    finally:
        conn.close()


def probe_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """``headers`` plus the mark that keeps our own checks out of the service's access log."""
    from amldeploy.runtime.wire import PROBE_HEADER

    return {**(headers or {}), PROBE_HEADER: "1"}


def is_healthy(base_uri: str, headers: Mapping[str, str] | None = None, timeout: float = 2.0) -> bool:
    try:
        return request("GET", base_uri + "/", headers=probe_headers(headers), timeout=timeout).status == 200
    except OSError:
        return False


@dataclass(slots=True)
class HealthResult:
    healthy: bool
    exit_status: int | None = None  # the process ended while we waited
    last_answer: str = "no answer"


def wait_healthy(
    base_uri: str,
    exited: Callable[[], int | None],
    reporter: Reporter,
    headers: Mapping[str, str] | None = None,
    tries: int = HEALTH_TRIES,
    interval: float = HEALTH_INTERVAL_S,
) -> HealthResult:
    """Poll ``GET /`` until it answers 200, the process exits (``exited()`` returns its status) or the v1 budget
    (``tries`` × ``interval``) runs out. Polls fast at first: a quick start should not wait a second."""
    budget = tries * interval
    headers = probe_headers(headers)
    start = time.monotonic()
    pause = 0.05
    last = "no answer"
    while True:
        status = exited()
        if status is not None:
            return HealthResult(False, status, last)
        try:
            answer = request("GET", base_uri + "/", headers=headers, timeout=min(2.0, interval * 2))
            if answer.status == 200:
                return HealthResult(True, None, "200")
            last = f"{answer.status} {answer.reason}"
        except OSError as exc:
            last = _describe(exc)
        waited = time.monotonic() - start
        if waited >= budget:
            status = exited()
            return HealthResult(False, status, last)
        reporter.progress(f"not yet: {last}", min(waited / budget, 1.0))
        time.sleep(min(pause, budget - waited))
        pause = min(pause * 2, interval)


def _describe(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) or type(exc).__name__

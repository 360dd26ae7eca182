"""A raw HTTP/1.1 client for the differential suite: exact bytes out, exact status, headers and bytes back."""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field

HOST = "127.0.0.1"
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Req:
    """One request of a case, plus what to compare of its response.

    ``body`` is sent as given (str is UTF-8 encoded). ``compare`` is how bodies are compared: ``json`` (JSON-equal),
    ``bytes`` (exact) or ``status`` (status and headers only); all headers but transport ones are always compared.
    ``status`` (and ``expect_json``, when given) is the documented answer, checked against Azure's server.
    ``differences`` names deliberate differences (keys of ``compare.DIFFERENCES``, documented in
    docs/runtime-differences.md).
    """

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str | None = None
    status: int | None = None
    compare: str = "json"
    differences: tuple[str, ...] = ()
    expect_json: object = None

    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    reason: str = ""

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def first(self, name: str) -> str | None:
        found = self.values(name)
        return found[0] if found else None

    def names(self) -> set[str]:
        return {k.lower() for k, _ in self.headers}


def send(port: int, req: Req, timeout: float = TIMEOUT_S) -> Reply:
    """Send ``req`` on a fresh connection (Azure's server closes every connection anyway).

    With a ``Transfer-Encoding: chunked`` header the body goes out in two chunks instead of with a length.
    """
    body = req.body.encode("utf-8") if isinstance(req.body, str) else req.body
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.putrequest(req.method, req.path, skip_accept_encoding=True)
        for name, value in req.headers.items():
            conn.putheader(name, value)
        chunked = any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in req.headers.items())
        if body is not None and chunked:
            half = len(body) // 2
            body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:half], body[half:]) if part)
            body += b"0\r\n\r\n"
        elif body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, list(response.getheaders()), data, response.reason)
    finally:
        conn.close()

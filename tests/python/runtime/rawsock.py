"""A raw HTTP/1.1 client for hostile-client tests: exact bytes go out, responses are parsed by hand.

``http.client`` refuses to send most of what these tests send (bare LF, NUL, conflicting framing) and hides
what matters here: whether the server answered, closed the connection, reset it, or left the client hanging.
A hang is a test failure (:class:`Hung`), never a wait for pytest's own timeout.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from typing import Any

from tests.python.runtime.conftest import Server

HOST = "127.0.0.1"


class Hung(AssertionError):
    """The server neither answered nor closed the connection in time."""


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)


class RawConnection:
    """One TCP connection; :meth:`response` reads the next response, keeping what follows for the next call."""

    def __init__(self, port: int, host: str = HOST, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.eof = False
        self.reset = False  # the server reset the connection (RST), e.g. after closing with unread request bytes

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> bool:
        """Write ``data``; False when the server had already closed or reset the connection."""
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            self.reset = True
            return False
        except TimeoutError:
            raise Hung("the server stopped reading the request without answering or closing") from None
        return True

    def _fill(self, deadline: float) -> bool:
        """Read more into the buffer; False at end of stream (or reset). Raises :class:`Hung` at the deadline."""
        if self.eof:
            return False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Hung(f"no answer and no close in time; received so far: {self.buffer[:300]!r}")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            self.reset = self.eof = True
            return False
        except TimeoutError:
            raise Hung(f"no answer and no close in time; received so far: {self.buffer[:300]!r}") from None
        if not data:
            self.eof = True
            return False
        self.buffer += data
        return True

    def _take(self, size: int, deadline: float) -> bytes:
        while len(self.buffer) < size:
            if not self._fill(deadline):
                raise AssertionError(f"connection closed inside a response: {self.buffer[:300]!r}")
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _line(self, deadline: float) -> bytes:
        while b"\r\n" not in self.buffer:
            if not self._fill(deadline):
                raise AssertionError(f"connection closed inside a response: {self.buffer[:300]!r}")
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    def response(self, timeout: float = 5.0, head_request: bool = False) -> RawResponse | None:
        """The next complete response (1xx skipped); None when the connection ended before one began."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\r\n\r\n" not in self.buffer:
                if not self._fill(deadline):
                    if self.buffer:
                        raise AssertionError(f"connection closed inside a response head: {self.buffer[:300]!r}")
                    return None
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            version, _, rest = lines[0].partition(" ")
            assert version in ("HTTP/1.1", "HTTP/1.0"), f"not an HTTP/1.x status line: {lines[0]!r}"
            status = int(rest[:3])
            headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
            if 100 <= status < 200:
                continue
            reply = RawResponse(status, headers, b"")
            break
        if head_request or status in (204, 304):
            return reply
        if "chunked" in (reply.header("Transfer-Encoding") or "").lower():
            parts = []
            while True:
                size = int(self._line(deadline).split(b";")[0], 16)
                if size == 0:
                    while self._line(deadline):
                        pass
                    break
                parts.append(self._take(size, deadline))
                self._take(2, deadline)
            reply.body = b"".join(parts)
        elif reply.header("Content-Length") is not None:
            reply.body = self._take(int(reply.header("Content-Length") or 0), deadline)
        else:
            while self._fill(deadline):
                pass
            reply.body, self.buffer = self.buffer, b""
        return reply

    def closes_within(self, timeout: float) -> bool:
        """Whether the server ends the connection within ``timeout`` (what it sends meanwhile stays buffered)."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except Hung:
            return False
        return True


def exchange(port: int, data: bytes, timeout: float = 5.0) -> tuple[RawResponse | None, RawConnection]:
    """Send ``data`` on a new connection and read the first response (None: closed without one)."""
    conn = RawConnection(port, timeout=timeout)
    conn.send(data)
    return conn.response(timeout), conn


# The two HTTP stacks the runtime runs on; the hostile-client and limits tests run against both.
STACKS = {
    "httptools-uvloop": {"AMLDEPLOY_HTTP": "httptools", "AMLDEPLOY_LOOP": "uvloop"},
    "h11-asyncio": {"AMLDEPLOY_HTTP": "h11", "AMLDEPLOY_LOOP": "asyncio"},
}


@dataclass
class Target:
    stack: str
    server: Server

    @property
    def port(self) -> int:
        return self.server.port

"""uvicorn's two HTTP/1.1 protocols (httptools, h11) with the limits a service on the open network needs.

The parsing is the libraries' own: llhttp through httptools, or h11. What is added here is what uvicorn leaves
out, each answered with its own status and the connection closed:

* the request head (request line and headers) over ``max_header_bytes`` or with more than ``max_headers``
  headers: 431, counted while the head arrives, so a client can never make the server buffer more than that;
* a request that does not arrive in full within ``read_timeout_s`` of its first byte (slowloris): 408;
* a connection that sends nothing at all after it was opened: closed after ``keep_alive_s``, like an idle
  keep-alive connection (uvicorn only times out connections that completed a request).

Requests the parser refuses get a 400 with the reason. Every refusal is logged (the client's address and the
reason), never the request's content.
"""

from __future__ import annotations

import asyncio
import email.utils
import http
import logging
import time
from typing import Any

from amldeploy.runtime.config import Limits
from amldeploy.runtime.wire import SERVER_HEADER, json_message

log = logging.getLogger("amldeploy.runtime")


class Refused(Exception):
    """Raised from a parser callback to stop the parser; ``_reject`` says what to answer."""


def refusal(status: int, message: str) -> bytes:
    body = json_message(message)
    phrase = http.HTTPStatus(status).phrase
    head = (
        f"HTTP/1.1 {status} {phrase}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        f"connection: close\r\nserver: {SERVER_HEADER}\r\ndate: {email.utils.formatdate(time.time(), usegmt=True)}"
        "\r\n\r\n"
    )
    return head.encode("latin-1") + body


class CoalescingTransport:
    """A transport that holds a response's head until its body is written, and sends both in one call.

    uvicorn writes a response's head and body separately: two ``send()`` calls per response, 18 % of the time
    of a small request. The head waits only for the next write, the end of the response (HEAD requests have no
    body write) or ``close()``, so nothing is reordered, delayed past its response, or lost.
    """

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None

    def write(self, data: bytes) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.writelines((head, data))
        elif data.startswith(b"HTTP/1.1 ") and not data.startswith(b"HTTP/1.1 1"):  # a final response's head
            self._head = data
        else:
            self._transport.write(data)

    def flush(self) -> None:
        head, self._head = self._head, None
        if head is not None:
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        # Kept on the instance: the next lookup finds it at once (a failed lookup, which calls __getattr__,
        # first builds an AttributeError).
        value = getattr(self._transport, name)
        setattr(self, name, value)
        return value


class LimitsMixin:
    """The limits, shared by both protocols. ``self`` is also a uvicorn protocol (transport, cycle, loop...).

    Timeouts are not timers per request: each connection notes when the request it is reading began (and when
    it was opened, until its first byte), and the server's tick (every 0.1 s) calls :meth:`check_deadlines`.
    """

    limits: Limits
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    cycle: Any
    flow: Any
    client: tuple[str, int] | None

    def _setup_limits(self) -> None:
        self._reject: tuple[int, str] | None = None
        self._reading_since: float | None = None  # time.monotonic() of the first byte of a request being read
        self._opened_at: float | None = None  # set until the connection's first byte

    def check_deadlines(self, now: float) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        if self._opened_at is not None and now - self._opened_at > self.limits.keep_alive_s:
            self.transport.close()  # opened, and never a byte
            return
        since = self._reading_since
        if since is None or now - since <= self.limits.read_timeout_s:
            return
        if self.flow is not None and self.flow.read_paused:
            self._reading_since = now  # the server stopped reading (pipelining): the client is not the slow one
            return
        self._refuse(
            408,
            f"The request did not arrive in full within {self.limits.read_timeout_s:g} s of its first byte "
            "(AMLDEPLOY_READ_TIMEOUT_S or --read-timeout).",
        )

    def _too_many_headers(self) -> tuple[int, str]:
        return (
            431,
            f"The request has more than {self.limits.max_headers} headers (AMLDEPLOY_MAX_HEADERS or --max-headers).",
        )

    def _head_too_large(self) -> tuple[int, str]:
        return (
            431,
            f"The request line and headers are larger than {self.limits.max_header_bytes} bytes "
            "(AMLDEPLOY_MAX_HEADER_BYTES or --max-header-bytes).",
        )

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` unless a response is under way on this connection (then only close), and close."""
        self._reading_since = None
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "-"
        log.warning("%s - %d %s", client, status, message)
        cycle = self.cycle
        # The answer is this connection's next response only when no other one is due before it: no request in
        # progress, or one whose body is still arriving (a read timeout).
        if cycle is None or cycle.response_complete or (not cycle.response_started and cycle.more_body):
            self.transport.write(refusal(status, message))
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        status, message = self._reject or (400, "Invalid HTTP request: the parser refused it.")
        self._reject = None
        self._refuse(status, message)


def httptools_protocol(limits: Limits) -> type[asyncio.Protocol]:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class Protocol(LimitsMixin, HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._setup_limits()
            self._in_head = False
            self._head_bytes = 0
            self._chunk_len = 0
            self._span = 0  # at least the bytes of the request head being read (what arrived since it began)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(CoalescingTransport(transport))  # type: ignore[arg-type]
            self._opened_at = time.monotonic()

        def data_received(self, data: bytes) -> None:
            if self.transport.is_closing():
                return
            self._opened_at = None
            continuing = self._in_head
            self._chunk_len = len(data)
            if continuing:
                self._span += self._chunk_len
            super().data_received(data)
            if continuing and self._in_head and not self.transport.is_closing():
                # A head arriving in pieces: llhttp holds the unfinished header, so count what came.
                self._head_bytes += len(data)
                if self._head_bytes > self.limits.max_header_bytes:
                    self._refuse(*self._head_too_large())

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head = True
            self._head_bytes = 0
            self._span = self._chunk_len  # the whole piece it began in: more than its head, never less
            self._reading_since = time.monotonic()

        def on_headers_complete(self) -> None:
            self._in_head = False
            headers = self.headers
            if len(headers) > self.limits.max_headers:
                self._reject = self._too_many_headers()
                raise Refused
            limit = self.limits.max_header_bytes
            if self._span > limit:  # all that arrived since the head began is more than the limit: measure it
                size = len(self.url) + sum(len(name) + len(value) for name, value in headers) + 4 * len(headers)
                if size > limit:
                    self._reject = self._head_too_large()
                    raise Refused
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._reading_since = None

        def on_response_complete(self) -> None:
            self.transport.flush()  # type: ignore[attr-defined]
            super().on_response_complete()

    return Protocol


def h11_protocol(limits: Limits) -> type[asyncio.Protocol]:
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Protocol(LimitsMixin, H11Protocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._setup_limits()
            parse = self.conn.next_event

            def next_event() -> Any:
                try:
                    event = parse()
                except h11.RemoteProtocolError as e:
                    if e.error_status_hint == 431:
                        self._reject = self._head_too_large()
                    else:
                        self._reject = (e.error_status_hint, f"Invalid HTTP request: {e}.")
                    raise
                if isinstance(event, h11.Request):
                    # h11 bounds only a head that arrives in pieces; one that came whole is measured here.
                    headers = event.headers.raw_items()
                    size = len(event.target) + sum(len(name) + len(value) + 4 for name, value in headers)
                    if len(headers) > self.limits.max_headers:
                        self._reject = self._too_many_headers()
                    elif size > self.limits.max_header_bytes:
                        self._reject = self._head_too_large()
                    if self._reject is not None:
                        raise h11.RemoteProtocolError("request head over the limits", error_status_hint=431)
                elif isinstance(event, h11.EndOfMessage):
                    self._reading_since = None
                return event

            self.conn.next_event = next_event  # type: ignore[method-assign]

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._opened_at = time.monotonic()

        def data_received(self, data: bytes) -> None:
            if self.transport.is_closing():
                return
            self._opened_at = None
            if self._reading_since is None:
                self._reading_since = time.monotonic()
            super().data_received(data)

    return Protocol


def protocol_class(http_choice: str, limits: Limits) -> type[asyncio.Protocol]:
    """The protocol for ``--http``: httptools, h11, or auto (httptools when installed, else h11)."""
    if http_choice == "h11":
        cls = h11_protocol(limits)
    elif http_choice == "httptools":
        cls = httptools_protocol(limits)
    else:
        try:
            cls = httptools_protocol(limits)
        except ImportError:
            cls = h11_protocol(limits)
    cls.limits = limits  # type: ignore[attr-defined]
    return cls


def protocol_name(cls: type[asyncio.Protocol]) -> str:
    return "h11" if any(base.__name__ == "H11Protocol" for base in cls.__mro__) else "httptools"

"""The HTTP server: standard library only, HTTP/1.1 keep-alive, ``TCP_NODELAY``, one thread per connection.

Without ``TCP_NODELAY`` a keep-alive stdlib server stalls on Nagle + delayed ACK (about 22 requests/s instead
of thousands). Each response goes out in one ``sendall``. Azure's server closes every connection; this one
keeps them open unless the client asks otherwise or a timeout answered the request early.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.server
import logging
import os
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from amldeploy import __version__
from amldeploy.runtime.request import Request, decode_path

log = logging.getLogger("amldeploy.runtime")
SERVER_HEADER = f"amldeploy/{__version__}"
_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, usegmt=True))
    return _date_cache[1]


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _clean(value: str) -> str:
    # A header value from user code must not be able to start another header or the body.
    return value.replace("\r", " ").replace("\n", " ")


class Exchange:
    """One request and its single response, which either the connection's thread or a timeout may send."""

    def __init__(self, handler: Handler, body: bytes) -> None:
        self.handler = handler
        self.arrival = time.monotonic()
        self.started = time.perf_counter()
        self.method = handler.command
        target = handler.path
        if "://" in target.partition("?")[0]:
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        raw_path, _, query = target.partition("?")
        self.path = decode_path(raw_path)
        self.query = query
        self.body = body
        self.lock = threading.Lock()
        self.responded = False
        self.hooks = False
        self.request_id = ""
        self.ids: tuple[str, str, str] = ("", "", "")  # x-request-id, x-ms-request-id, x-ms-client-request-id
        self._request: Request | None = None

    @property
    def request(self) -> Request:
        if self._request is None:
            h = self.handler
            host, port = h.server.server_address[:2]
            self._request = Request(
                self.method,
                self.path,
                self.query.encode("latin-1", "replace"),
                list(h.headers.items()),
                self.body,
                h.client_address[0] if h.client_address else "",
                (str(host), int(port)),
            )
        return self._request

    def send(self, status: int, headers: list[tuple[str, str]], body: bytes, close: bool = False) -> bool:
        """Write the response unless one was written already; True when this call wrote it."""
        h = self.handler
        # The lock is held while writing: the connection's thread must not close the socket under a timeout's
        # answer (see :meth:`finish`).
        with self.lock:
            if self.responded:
                return False
            self.responded = True
            if close:
                h.close_connection = True
            parts = [f"HTTP/1.1 {status} {_phrase(status)}\r\n"]
            for name, value in headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                    parts.append(f"{name}: {_clean(value)}\r\n")
            parts.append(f"Content-Length: {len(body)}\r\nDate: {_http_date()}\r\nServer: {SERVER_HEADER}\r\n")
            if h.close_connection:
                parts.append("Connection: close\r\n")
            parts.append("\r\n")
            data = "".join(parts).encode("latin-1", "replace")
            try:
                h.wfile.write(data if self.method == "HEAD" else data + body)
                if threading.get_ident() != h.thread_id:
                    h.connection.shutdown(socket.SHUT_WR)  # answered early: the client sees the end at once
            except OSError:
                h.close_connection = True
        elapsed = (time.perf_counter() - self.started) * 1000
        path = f"{self.path}?{self.query}" if self.query else self.path
        log.info("%s %s %d %.3fms %s", self.method, path, status, elapsed, self.request_id or "-")
        return True

    def finish(self) -> None:
        """Wait until a response being written by another thread is out."""
        with self.lock:
            pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = SERVER_HEADER
    sys_version = ""
    timeout = 300  # idle keep-alive connections and stalled uploads
    server: ScoringServer
    thread_id = 0

    def setup(self) -> None:
        super().setup()
        self.thread_id = threading.get_ident()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            body = self._read_body()
            if body is None:
                return
            exchange = Exchange(self, body)
            self.server.dispatch(exchange)
            exchange.finish()
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_text = self.headers.get("Content-Length")
        if not length_text:
            return b""
        try:
            length = int(length_text)
            if length < 0:
                raise ValueError(length_text)
        except ValueError:
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad Content-Length")
            return None
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            return None
        return body

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.send_error(HTTPStatus.BAD_REQUEST, "Bad chunked encoding")
                return None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(65537)

    def log_message(self, format: str, *args: Any) -> None:
        log.warning("%s - %s", self.address_string(), format % args)


class ScoringServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, sock: socket.socket, dispatch: Callable[[Exchange], None], parent_pid: int | None) -> None:
        super().__init__(sock.getsockname()[:2], Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])
        self.dispatch = dispatch
        self.parent_pid = parent_pid

    def service_actions(self) -> None:
        # A worker whose supervisor died (killed with -9) must not linger holding the port.
        if self.parent_pid is not None and os.getppid() != self.parent_pid:
            threading.Thread(target=self.shutdown, daemon=True).start()


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; bound before workers start so that they share it (and a busy port fails fast)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(ScoringServer.request_queue_size)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock

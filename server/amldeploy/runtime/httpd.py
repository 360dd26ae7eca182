"""The HTTP server: standard library only, HTTP/1.1 keep-alive, ``TCP_NODELAY``, one thread per connection.

Without ``TCP_NODELAY`` a keep-alive stdlib server stalls on Nagle + delayed ACK (about 22 requests/s instead
of thousands). Each response goes out in one ``sendall``. Azure's server closes every connection; this one
keeps them open unless the client asks otherwise or a timeout answered the request early.
"""

from __future__ import annotations

import contextlib
import email.utils
import html
import http.server
import logging
import os
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from http import HTTPStatus

from amldeploy import __version__
from amldeploy.runtime.process import LOG_FORMAT
from amldeploy.runtime.request import Request, decode_path

log = logging.getLogger("amldeploy.runtime")
SERVER_HEADER = f"amldeploy/{__version__}"
# amldeploy's own health checks (deploy, the editor's service watcher) send this header on ``GET /``: they are
# answered as usual but left out of the access log, which stays the user's.
PROBE_HEADER = "X-AMLDeploy-Probe"
_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, usegmt=True))
    return _date_cache[1]


_stamp: tuple[int, str] = (0, "")


def access_log(message: str) -> None:
    """The per-request line, in the log's own format but without a LogRecord and strftime per request
    (about 8 µs of the ~240 µs a request costs: bench/runtime.py)."""
    global _stamp
    if not log.isEnabledFor(logging.INFO):
        return
    handlers = logging.getLogger("amldeploy").handlers
    handler = handlers[0] if len(handlers) == 1 else None
    if (
        not isinstance(handler, logging.StreamHandler)
        or handler.formatter is None
        or handler.formatter._fmt != LOG_FORMAT
    ):
        log.info("%s", message)
        return
    now = time.time()
    second = int(now)
    if _stamp[0] != second:
        _stamp = (second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second)))
    line = f"{_stamp[1]},{int((now - second) * 1000):03d} I [{os.getpid()}] amldeploy.runtime - {message}\n"
    with handler.lock or contextlib.nullcontext():
        try:
            handler.stream.write(line)
            handler.flush()
        except (OSError, ValueError):
            pass


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _explain(status: int) -> str:
    try:
        return HTTPStatus(status).description
    except ValueError:
        return ""


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
                h.headers,
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
                h.connection.sendall(data if self.method == "HEAD" else data + body)
                if threading.get_ident() != h.thread_id:
                    h.connection.shutdown(socket.SHUT_WR)  # answered early: the client sees the end at once
            except OSError:
                h.close_connection = True
        elapsed = (time.perf_counter() - self.started) * 1000
        path = f"{self.path}?{self.query}" if self.query else self.path
        if not (self.path == "/" and h._header(PROBE_HEADER)):
            access_log(f"{self.method} {path} {status} {elapsed:.3f}ms {self.request_id or '-'}")
        return True

    def finish(self) -> None:
        """Wait until a response being written by another thread is out."""
        with self.lock:
            pass


class BadRequest(Exception):
    """A request that cannot be parsed: answered with ``status`` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


ERROR_PAGE = (
    '<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n'
    "        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n"
    "        <p>Error code: {code}</p>\n        <p>Message: {message}.</p>\n"
    "        <p>Error code explanation: {code} - {explain}.</p>\n    </body>\n</html>\n"
)
MAX_LINE = 65536  # request line and each header line, as in http.server
MAX_HEADERS = 100
MAX_HEAD = 1 << 20  # request line and headers together
RECV_SIZE = 65536


class Handler(socketserver.BaseRequestHandler):
    """One connection: a lean HTTP/1.1 parser on the socket (buffered reads, Content-Length or chunked bodies)."""

    timeout = 300  # idle keep-alive connections and stalled uploads
    server: ScoringServer
    thread_id = 0

    def setup(self) -> None:
        self.connection: socket.socket = self.request
        self.thread_id = threading.get_ident()
        self.close_connection = False
        self.command = ""
        self.path = ""
        self.headers: list[tuple[str, str]] = []
        self._buffer = b""
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connection.settimeout(self.timeout)

    def handle(self) -> None:
        while not self.close_connection:
            self.handle_one_request()

    def _recv(self) -> bytes:
        data = self.connection.recv(RECV_SIZE)
        if not data:
            raise EOFError
        return data

    def handle_one_request(self) -> None:
        try:
            try:
                head = self._read_head()
                if head is None:
                    self.close_connection = True
                    return
                self._parse_head(head)
                body = self._read_body()
            except BadRequest as e:
                self.close_connection = True
                self._send_error(e.status, e.message)
                return
            exchange = Exchange(self, body)
            self.server.dispatch(exchange)
            exchange.finish()
        except (TimeoutError, ConnectionError, EOFError):
            self.close_connection = True

    def _read_head(self) -> bytes | None:
        """The request line and headers (without the blank line); None when the client closed between requests."""
        buf = self._buffer
        scanned = 0
        while True:
            crlf, lf = buf.find(b"\r\n\r\n", scanned), buf.find(b"\n\n", scanned)
            if crlf >= 0 and (lf < 0 or crlf < lf):
                self._buffer = buf[crlf + 4 :]
                return buf[:crlf].lstrip(b"\r\n")
            if lf >= 0:
                self._buffer = buf[lf + 2 :]
                return buf[:lf].lstrip(b"\r\n")
            first = buf.find(b"\n")
            if (first < 0 and len(buf) > MAX_LINE) or first > MAX_LINE:
                self._buffer = b""
                raise BadRequest(414, "Request-URI Too Long")
            if len(buf) > MAX_HEAD:
                self._buffer = b""
                raise BadRequest(431, "Request header fields too large")
            scanned = max(0, len(buf) - 3)
            try:
                data = self.connection.recv(RECV_SIZE)
            except (TimeoutError, ConnectionError):
                return None
            if not data:
                return None
            buf += data

    def _parse_head(self, head: bytes) -> None:
        lines = head.decode("latin-1").split("\n")
        request_line = lines[0].rstrip("\r")
        if len(request_line) > MAX_LINE:
            raise BadRequest(414, "Request-URI Too Long")
        words = request_line.split()
        if len(words) != 3:
            raise BadRequest(400, f"Bad request syntax ({request_line!r})")
        method, target, version = words
        try:
            if not version.startswith("HTTP/"):
                raise ValueError(version)
            major_text, minor_text = version[5:].split(".")
            if not (major_text.isdigit() and minor_text.isdigit()) or len(major_text) > 10 or len(minor_text) > 10:
                raise ValueError(version)
            number = (int(major_text), int(minor_text))
        except ValueError:
            raise BadRequest(400, f"Bad request version ({version!r})") from None
        if number >= (2, 0):
            raise BadRequest(505, f"Invalid HTTP version ({version})")
        if len(lines) > MAX_HEADERS + 1:
            raise BadRequest(431, "Too many headers")
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            line = line.rstrip("\r\n")
            if len(line) > MAX_LINE:
                raise BadRequest(431, "Line too long")
            if line[:1] in (" ", "\t"):
                if headers:  # obsolete line folding
                    name, value = headers[-1]
                    headers[-1] = (name, f"{value} {line.strip()}")
                continue
            name, colon, value = line.partition(":")
            if not colon or not name or " " in name or "\t" in name:
                continue
            headers.append((name, value.lstrip(" \t")))
        self.command, self.path, self.headers = method, target, headers
        connection = self._header("Connection").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        else:
            self.close_connection = number < (1, 1)
        if number >= (1, 1) and self._header("Expect").lower() == "100-continue":
            self.connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _header(self, name: str) -> str:
        low = name.lower()
        for key, value in self.headers:
            if key.lower() == low:
                return value
        return ""

    def _read_body(self) -> bytes:
        if "chunked" in self._header("Transfer-Encoding").lower():
            return self._read_chunked()
        length_text = self._header("Content-Length")
        if not length_text:
            return b""
        length_text = length_text.strip()
        if not length_text.isdigit():
            raise BadRequest(400, "Bad Content-Length")
        return self._read_exact(int(length_text))

    def _read_exact(self, length: int) -> bytes:
        buf = self._buffer
        if len(buf) >= length:
            self._buffer = buf[length:]
            return buf[:length]
        parts = [buf]
        have = len(buf)
        while have < length:
            data = self._recv()
            parts.append(data)
            have += len(data)
        joined = b"".join(parts)
        self._buffer = joined[length:]
        return joined[:length]

    def _read_line(self) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = self._buffer[: end + 1]
                self._buffer = self._buffer[end + 1 :]
                return line
            if len(self._buffer) > MAX_LINE:
                raise BadRequest(400, "Bad chunked encoding")
            self._buffer += self._recv()

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            line = self._read_line()
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size < 0:
                    raise ValueError(size)
            except ValueError:
                raise BadRequest(400, "Bad chunked encoding") from None
            if size == 0:
                while self._read_line() not in (b"\r\n", b"\n"):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self._read_exact(size))
            self._read_line()

    def _send_error(self, status: int, message: str) -> None:
        phrase, explain = _phrase(status), _explain(status)
        body = ERROR_PAGE.format(code=status, message=html.escape(message, quote=False), explain=explain)
        data = body.encode("utf-8", "replace")
        head = (
            f"HTTP/1.1 {status} {phrase}\r\nServer: {SERVER_HEADER}\r\nDate: {_http_date()}\r\n"
            f"Connection: close\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            self.connection.sendall(head.encode("latin-1") + data)
        log.warning("%s - code %d, message %s", self.client_address[0] if self.client_address else "-", status, message)


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

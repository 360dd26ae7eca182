"""A throwaway certificate authority and a small threaded HTTPS server on 127.0.0.1 for the fake Azure endpoints."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

HOST = "127.0.0.1"


class Authority:
    """A CA made for this run (trustme); its certificate is written to ``ca_path`` for the SDK to trust."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA(organization_name="amldeploy tests", organization_unit_name="fake Azure")
        self.ca_path = directory / "fake-azure-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        self._leaf = self.ca.issue_cert(HOST, "localhost")

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._leaf.configure_cert(ctx)
        return ctx

    def client_certificate(self, directory: Path, name: str) -> Path:
        """A PEM file holding a private key and its certificate (what ``CertificateCredential`` reads)."""
        # RSA: azure-identity signs its client assertions with RS256.
        leaf = self.ca.issue_cert(f"{name}.client.invalid", key_type=trustme.KeyType.RSA)
        path = directory / f"{name}.pem"
        path.write_bytes(leaf.private_key_pem.bytes() + b"".join(c.bytes() for c in leaf.cert_chain_pems))
        return path


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip() else None

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable, or None for no body
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request, str], Response]


class Server:
    """Serves ``handler(request, base_url)`` over HTTPS until ``close()``; one thread per connection."""

    def __init__(self, ca: Authority, handler: Handler) -> None:
        self.handler = handler
        outer = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed-ACK stall

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                req = Request(
                    self.command,
                    url.path,
                    parse_qs(url.query, keep_blank_values=True),
                    dict(self.headers.items()),
                    body,
                )
                try:
                    resp = outer.handler(req, outer.url)
                except Exception as exc:  # a bug in the fake: say so loudly rather than hang the client
                    resp = Response(500, {"error": {"code": "FakeAzureBug", "message": repr(exc)}})
                data = b"" if resp.body is None else json.dumps(resp.body).encode()
                self.send_response(resp.status)
                if resp.body is not None:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                for k, v in resp.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = _handle

        self.httpd = ThreadingHTTPServer((HOST, 0), _H)
        self.httpd.daemon_threads = True
        self.httpd.socket = ca.server_context().wrap_socket(self.httpd.socket, server_side=True)
        self.port: int = self.httpd.server_address[1]
        self.url = f"https://{HOST}:{self.port}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), name=f"fake-azure-{self.port}", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

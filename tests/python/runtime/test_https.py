"""HTTPS: ``--ssl-certfile/--ssl-keyfile`` (or ``AMLDEPLOY_SSL_CERTFILE/KEYFILE``) with a throwaway self-signed
certificate made by the ``openssl`` command line; a certificate or key that cannot be read stops the server (2)."""

from __future__ import annotations

import http.client
import json
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from tests.python.runtime.conftest import HOST, Launcher, Server
from tests.python.runtime.rawsock import RawConnection

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command line")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (as its subject alternative name) and its key."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = [
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
    ]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=IP:{HOST}"]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key


def https(server: Server, cert: Path, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
    context = ssl.create_default_context(cafile=str(cert))  # verifies the chain and that the name is 127.0.0.1
    conn = http.client.HTTPSConnection(HOST, server.port, context=context, timeout=10)
    try:
        conn.request(method, path, body)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def secure(module_launch: Launcher, tls: tuple[Path, Path]) -> Server:
    cert, key = tls
    return module_launch.start("plain.py", "--ssl-certfile", str(cert), "--ssl-keyfile", str(key))


def test_flags_serve_https(secure: Server, tls: tuple[Path, Path]) -> None:
    assert f"Listening on https://{HOST}:{secure.port}" in secure.log()
    status, body = https(secure, tls[0], "POST", "/score", "over tls")
    assert (status, json.loads(body)) == (200, {"input": "over tls", "type": "str"})
    assert https(secure, tls[0], "GET", "/")[0] == 200


def test_environment_serves_https(launch: Launcher, tls: tuple[Path, Path]) -> None:
    cert, key = tls
    server = launch.start("plain.py", env={"AMLDEPLOY_SSL_CERTFILE": str(cert), "AMLDEPLOY_SSL_KEYFILE": str(key)})
    assert f"Listening on https://{HOST}:{server.port}" in server.log()
    status, body = https(server, cert, "POST", "/score", "from env")
    assert (status, json.loads(body)) == (200, {"input": "from env", "type": "str"})


def test_plain_http_to_the_https_port_gets_no_scoring_answer(secure: Server, tls: tuple[Path, Path]) -> None:
    with RawConnection(secure.port) as conn:
        conn.send(b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nplain-text")
        assert conn.closes_within(5), "a plain-HTTP client was left hanging on the HTTPS port"
        assert b"plain-text" not in conn.buffer and b'"input"' not in conn.buffer, conn.buffer[:300]
        assert not conn.buffer.startswith(b"HTTP/1.1 200"), conn.buffer[:300]
    assert https(secure, tls[0], "GET", "/")[0] == 200


def test_the_server_still_talks_plain_http_without_a_certificate(launch: Launcher) -> None:
    server = launch.start("plain.py")
    assert f"Listening on http://{HOST}:{server.port}" in server.log()
    assert server.request("POST", "/score", "x").status == 200


@pytest.mark.parametrize("broken", ["missing-cert", "missing-key", "garbage-key"])
def test_a_certificate_or_key_that_cannot_be_read_exits_2(
    launch: Launcher, tls: tuple[Path, Path], tmp_path: Path, broken: str
) -> None:
    cert, key = tls
    if broken == "missing-cert":
        cert = tmp_path / "no-such-cert.pem"
        named = cert
    elif broken == "missing-key":
        key = tmp_path / "no-such-key.pem"
        named = key
    else:
        key = tmp_path / "garbage-key.pem"
        key.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", encoding="utf-8")
        named = key
    server = launch.start("plain.py", "--ssl-certfile", str(cert), "--ssl-keyfile", str(key), wait=False)
    assert server.wait_exit(10) == 2, server.log()
    assert "unrecognized arguments" not in server.log()  # refused for the file, not for the flags
    assert str(named) in server.log()
    assert "Listening on" not in server.log()

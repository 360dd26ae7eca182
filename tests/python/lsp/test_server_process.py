"""The server process itself: light start-up, TCP mode, and features that fail without taking it down."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types

from amldeploy.lsp.server import AmlLanguageServer
from amldeploy.lsp.start import create_server

HEAVY = ("docker", "azure", "kubernetes", "tree_sitter", "pydantic", "yaml", "amldeploy.language")
# The table of file-name patterns (standard library only) gives the settings their defaults at start-up.
LIGHT = ("amldeploy.language", "amldeploy.language.names")


def test_startup_imports_no_sdk_and_no_language_core() -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "amldeploy", "lsp"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "pygls.lsp.server" in imported
    heavy = [m for m in imported if (m.split(".")[0] in HEAVY or m.startswith(HEAVY)) and m not in LIGHT]
    assert not heavy, sorted(imported)


def _frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_tcp_mode_answers_initialize() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "amldeploy", "lsp", "--tcp", f"127.0.0.1:{port}"])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with conn:
            conn.sendall(
                _frame(
                    {
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "initialize",
                        "params": {"processId": None, "rootUri": None, "capabilities": {}},
                    }
                )
            )
            data = b""
            while b"serverInfo" not in data:
                chunk = conn.recv(65536)
                assert chunk, "connection closed before the initialize response"
                data += chunk
        assert b'"name": "amldeploy"' in data or b'"name":"amldeploy"' in data
    finally:
        proc.kill()
        proc.wait()


def test_bad_tcp_address_is_a_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "amldeploy", "lsp", "--tcp", "nowhere"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2 and "HOST:PORT" in proc.stderr


def test_a_failing_feature_is_logged_and_answered_empty(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    server: AmlLanguageServer = create_server()
    steps = server.protocol.lsp_initialize(
        types.InitializeParams(process_id=None, root_uri=tmp_path.as_uri(), capabilities=types.ClientCapabilities())
    )
    try:  # pygls' initialize is a generator that yields the user's handler to run
        step = next(steps)
        while True:
            handler, args, _ = step
            step = steps.send(handler(*args))
    except StopIteration:
        pass
    logged: list[types.LogMessageParams] = []
    monkeypatch.setattr(server, "window_log_message", logged.append)
    uri = (tmp_path / "deploymentconfig.json").as_uri()
    server.workspace.put_text_document(
        types.TextDocumentItem(uri=uri, language_id="json", version=1, text='{"computeType": "aks"}')
    )

    def explode(*args: object) -> None:
        raise RuntimeError("boom in hover")

    import amldeploy.language.hover.core as hover_module

    monkeypatch.setattr(hover_module, "hover_config", explode)
    handler = server.protocol.fm.features[types.TEXT_DOCUMENT_HOVER]
    params = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=3)
    )
    assert handler(params) is None
    assert logged and logged[0].type == types.MessageType.Error and "boom in hover" in logged[0].message
    completion = server.protocol.fm.features[types.TEXT_DOCUMENT_COMPLETION]
    assert completion(types.CompletionParams(text_document=params.text_document, position=params.position)).items

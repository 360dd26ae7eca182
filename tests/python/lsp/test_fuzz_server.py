"""≥ 2 000 random and mutated documents through open/change/completion/hover of a real server process.

The server must answer every request, publish diagnostics for every document, stay alive, and never log a
failed feature. A plain synchronous JSON-RPC client keeps the loop fast.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SEEDS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*/*config*.*"))] + [
    p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*/score.py"))
]
ALPHABET = st.sampled_from([*"{}[]:,\"' \n\t-#&*!|>0123456789.truefalsnl@()def", "🙂", "é", "\\", "\r"])
NAMES = ["deploymentconfig.json", "inferenceconfig.yml", "score.py", "deploymentconfig.aks.yaml", "x.json"]


class Server:
    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "amldeploy", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.root = root
        self.next_id = 0
        self.errors: list[str] = []
        self.published: set[str] = set()
        self.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
        self.notify("initialized", {})

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        ident = self.next_id
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        for message in self._messages():
            if message.get("id") == ident and "method" not in message:
                if "error" in message:
                    raise AssertionError(f"{method} answered an error: {message['error']}")
                return message.get("result")
        raise AssertionError(f"the server closed the stream while answering {method}")

    def _messages(self) -> Iterator[dict[str, Any]]:
        stdout = self.proc.stdout
        assert stdout is not None
        while True:
            length = 0
            while True:
                line = stdout.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(stdout.read(length))
            method = message.get("method")
            if method == "window/logMessage" and message["params"]["type"] == 1:
                self.errors.append(message["params"]["message"])
            elif method == "textDocument/publishDiagnostics":
                self.published.add(message["params"]["uri"])
            elif "id" in message and method is not None:
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            yield message

    def close(self) -> None:
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "score.py").write_text(SEEDS[-1], encoding="utf-8")
    running = Server(root)
    yield running
    running.close()
    assert running.proc.returncode == 0


@st.composite
def documents(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(ALPHABET, max_size=120) | st.text(max_size=60))
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        end = min(len(text), at + draw(st.integers(0, 10)))
        text = text[:at] + draw(st.text(ALPHABET, max_size=8)) + text[end:]
    return text


def position(text: str, fraction: float) -> dict[str, int]:
    offset = int(len(text) * fraction)
    before = text[:offset]
    line = before.count("\n")
    return {"line": line, "character": len(before) - (before.rfind("\n") + 1)}


COUNTER = iter(range(10**9))


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(first=documents(), second=documents(), name=st.sampled_from(NAMES), where=st.floats(0, 1))
def test_random_documents_never_break_the_server(
    server: Server, first: str, second: str, name: str, where: float
) -> None:
    n = next(COUNTER)
    folder = server.root / f"d{n % 50}"
    folder.mkdir(exist_ok=True)
    uri = (folder / name).as_uri()
    language = "python" if name.endswith(".py") else ("yaml" if name.endswith(("yml", "yaml")) else "json")
    server.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": first}}
    )
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": second}]},
    )
    doc = {"textDocument": {"uri": uri}, "position": position(second, where)}
    server.request("textDocument/completion", doc)
    server.request("textDocument/hover", doc)
    if n % 10 == 0:
        end = position(second, min(1.0, where + 0.1))
        server.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": doc["position"], "end": end},
                "context": {"diagnostics": []},
            },
        )
        server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
        server.request("textDocument/documentLink", {"textDocument": {"uri": uri}})
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert server.proc.poll() is None, "the server died"
    assert not server.errors, server.errors[0]
    if name != "x.json":  # ours by name: diagnostics were published for it
        assert uri in server.published


def test_the_fuzz_ran_at_least_2000_documents(server: Server) -> None:
    assert next(COUNTER) >= 2000
    assert not server.errors

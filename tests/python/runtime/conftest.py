"""Real ``python -m amldeploy serve`` processes on 127.0.0.1 and a raw HTTP client for them.

Servers listen on port 0 and report their port in the ``Listening on http(s)://HOST:PORT`` log line, so tests never
race for free ports. Servers shared by a module are started once (module-scoped fixtures).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = ROOT / "tests" / "fixtures" / "scripts"
HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 30.0
LISTENING = re.compile(r"Listening on https?://127\.0\.0\.1:(\d+)")
# Server settings of the calling environment must not leak into the servers under test.
_SCRUB_PREFIXES = ("AZUREML_", "AML_", "AMLDEPLOY_", "SCORING_", "WORKER_", "SERVICE_", "SERVER_", "HTTP_X_MS")


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> Reply:
    data = body.encode("utf-8") if isinstance(body, str) else body
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if data is not None:
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        response = conn.getresponse()
        return Reply(response.status, response.getheaders(), response.read())
    finally:
        conn.close()


def server_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUB_PREFIXES) and k != "PYTHONPATH"}
    env.update(extra or {})
    return env


class Server:
    def __init__(
        self,
        args: Sequence[str],
        env: Mapping[str, str] | None,
        log_path: Path,
        cwd: Path,
        python: str = sys.executable,
    ) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 -- closed by stop()
        cmd = [python, "-m", "amldeploy", "serve", *args]
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=server_env(env), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.port = 0

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_listening(self, timeout: float = STARTUP_TIMEOUT_S) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = LISTENING.search(self.log())
            if found:
                self.port = int(found.group(1))
                return self
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with status {self.proc.returncode}:\n{self.log()}")
            time.sleep(0.02)
        self.stop()
        pytest.fail(f"server not listening after {timeout} s:\n{self.log()}")

    def wait_exit(self, timeout: float = STARTUP_TIMEOUT_S) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    def request(self, method: str, path: str, body: bytes | str | None = None, **headers: str) -> Reply:
        return request(self.port, method, path, body, {k.replace("_", "-"): v for k, v in headers.items()})

    def send(
        self, method: str, path: str, body: bytes | str | None = None, headers: Mapping[str, str] | None = None
    ) -> Reply:
        return request(self.port, method, path, body, headers)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout)
        self._log.close()
        return self.proc.returncode


class Launcher:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.servers: list[Server] = []

    def start(
        self,
        script: str | Path | None = None,
        *args: str,
        env: Mapping[str, str] | None = None,
        wait: bool = True,
        cwd: Path | None = None,
        bare: bool = False,
        python: str = sys.executable,
    ) -> Server:
        """``serve [--entry-script S] ARGS --port 0 --host 127.0.0.1``; with ``bare`` exactly ``serve ARGS``."""
        argv = list(args)
        if script is not None:
            path = script if isinstance(script, Path) else SCRIPTS / script
            argv = ["--entry-script", str(path), *argv]
        if not bare and "--port" not in argv:
            argv += ["--port", "0"]
        if not bare and "--host" not in argv:
            argv += ["--host", HOST]
        log_path = self.tmp / f"server-{len(self.servers)}.log"
        server = Server(argv, env, log_path, cwd or self.tmp, python)
        self.servers.append(server)
        return server.wait_listening() if wait else server

    def close(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Launcher]:
    launcher = Launcher(tmp_path)
    try:
        yield launcher
    finally:
        launcher.close()


@pytest.fixture(scope="module")
def module_launch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    launcher = Launcher(tmp_path_factory.mktemp("servers"))
    try:
        yield launcher
    finally:
        launcher.close()

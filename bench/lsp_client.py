"""A minimal JSON-RPC client over a subprocess's stdio, for benchmarks (no client framework in the timings)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Sequence
from typing import Any


class RawClient:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.waiters: list[tuple[str, Any, asyncio.Future[tuple[float, Any]]]] = []
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def spawn(cls, command: Sequence[str]) -> tuple[RawClient, float]:
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return cls(process), started

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params: Any) -> Any:
        ident = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[ident] = future
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        return await future

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def expect(self, method: str, match: Any) -> asyncio.Future[tuple[float, Any]]:
        """A future for the next notification ``method`` whose params satisfy ``match(params)``."""
        future: asyncio.Future[tuple[float, Any]] = asyncio.get_running_loop().create_future()
        self.waiters.append((method, match, future))
        return future

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            length = 0
            while True:
                line = await stdout.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(await stdout.readexactly(length))
            now = time.perf_counter()
            if "id" in message and ("result" in message or "error" in message):
                future = self.pending.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message.get("result", message.get("error")))
            elif "id" in message:  # a request from the server (registerCapability, configuration)
                result: Any = [None] if message.get("method") == "workspace/configuration" else None
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            else:
                for waiter in list(self.waiters):
                    method, match, future = waiter
                    if method == message.get("method") and match(message.get("params")) and not future.done():
                        future.set_result((now, message.get("params")))
                        self.waiters.remove(waiter)
                        break

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.request("shutdown", None), 5)
            self.notify("exit", None)
            await asyncio.wait_for(self.process.wait(), 5)
        except (TimeoutError, ConnectionError):
            self.process.kill()
            await self.process.wait()
        self.reader.cancel()

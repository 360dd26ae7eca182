"""A small keep-alive HTTP/1.1 load generator (asyncio), the fallback of bench/runtime.py when wrk is missing.

    python bench/loadgen.py --port 8001 --conns 16 --seconds 3 --body-file body.json [--header 'K: V'] [--cpu 1]

Each connection sends POST /score, waits for the response, and sends the next one on the same connection (it
reconnects when the server answers ``Connection: close`` or drops the connection). Bounded by ``--seconds`` and
``--max-requests``; a request unanswered after 5 s counts as an error and its connection is dropped.
Prints one JSON line: requests, rps, p50_ms, p99_ms, non_2xx, errors.

Connections are asyncio protocols parsing responses straight from the bytes they receive (no stream reader, no
task or timer per request): about 20 µs of this process's CPU per request, so that one CPU drives well over
20 000 requests/s. bench/runtime.py prints this process's CPU use per cell.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 5.0
MAX_HEAD = 64 * 1024


@dataclass
class Stats:
    budget: int
    latencies: list[float] = field(default_factory=list)
    non_2xx: int = 0
    errors: int = 0


def parse_response(buf: bytearray) -> tuple[int, int, bool] | None:
    """``(bytes used, status, server closes)`` of the first complete response in ``buf``, or None if incomplete.

    Raises ValueError on a response it cannot read.
    """
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        if len(buf) > MAX_HEAD:
            raise ValueError("response head too long")
        return None
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip().lower()
    pos = end + 4
    if headers.get("transfer-encoding") == "chunked":
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                return None
            size = int(bytes(buf[pos:eol]).split(b";")[0], 16)
            pos = eol + 2 + size + 2
            if len(buf) < pos:
                return None
            if size == 0:  # no trailers expected from a scoring server
                break
    else:
        pos += int(headers.get("content-length", "0"))
        if len(buf) < pos:
            return None
    close = headers.get("connection") == "close" or (
        version == "HTTP/1.0" and headers.get("connection") != "keep-alive"
    )
    return pos, int(status), close


class Generator:
    def __init__(self, port: int, conns: int, request: bytes, stats: Stats) -> None:
        self.port, self.conns, self.request, self.stats = port, conns, request, stats
        self.loop = asyncio.get_running_loop()
        self.stopping = False
        self.live: set[Connection] = set()
        self.idle = asyncio.Event()
        self.opening: set[asyncio.Task[None]] = set()

    def may_send(self) -> bool:
        return not self.stopping and self.stats.budget > 0

    def open(self) -> None:
        if self.may_send():
            task = self.loop.create_task(self._open())
            self.opening.add(task)
            task.add_done_callback(self.opening.discard)
        elif not self.live:
            self.idle.set()

    async def _open(self) -> None:
        try:
            await self.loop.create_connection(lambda: Connection(self), HOST, self.port)
        except OSError:
            self.stats.errors += 1
            await asyncio.sleep(0.01)  # a refused connect must not spin
            self.open()

    def sweep(self) -> None:
        """Drop connections whose request has waited longer than REQUEST_TIMEOUT_S (they reconnect)."""
        now = time.perf_counter()
        for conn in list(self.live):
            if conn.started is not None and now - conn.started > REQUEST_TIMEOUT_S:
                conn.fail()


class Connection(asyncio.Protocol):
    def __init__(self, gen: Generator) -> None:
        self.gen = gen
        self.buf = bytearray()
        self.started: float | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.gen.live.add(self)
        self.send()

    def send(self) -> None:
        assert self.transport is not None
        if not self.gen.may_send():
            self.started = None
            self.transport.close()
            return
        self.gen.stats.budget -= 1
        self.started = time.perf_counter()
        self.transport.write(self.gen.request)

    def data_received(self, data: bytes) -> None:
        if self.started is None:
            return
        self.buf += data
        try:
            parsed = parse_response(self.buf)
        except ValueError:
            self.fail()
            return
        if parsed is None:
            return
        used, status, close = parsed
        stats = self.gen.stats
        stats.latencies.append(time.perf_counter() - self.started)
        if not 200 <= status < 300:
            stats.non_2xx += 1
        del self.buf[:used]
        self.started = None
        if close:
            assert self.transport is not None
            self.transport.close()
        else:
            self.send()

    def fail(self) -> None:
        self.gen.stats.errors += 1
        self.started = None
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.started is not None:  # dropped with a request in flight
            self.gen.stats.errors += 1
            self.started = None
        self.gen.live.discard(self)
        self.gen.open()


async def run_load(port: int, conns: int, seconds: float, max_requests: int, request: bytes) -> dict[str, object]:
    stats = Stats(budget=max_requests)
    gen = Generator(port, conns, request, stats)
    started = time.monotonic()
    for _ in range(conns):
        gen.open()
    deadline = started + seconds
    while time.monotonic() < deadline and stats.budget > 0:
        await asyncio.sleep(min(0.25, max(0.0, deadline - time.monotonic())))
        gen.sweep()
    gen.stopping = True  # connections finish the request in flight, then close
    if not gen.live:
        gen.idle.set()
    try:
        await asyncio.wait_for(gen.idle.wait(), REQUEST_TIMEOUT_S + 1)
    except asyncio.TimeoutError:  # on 3.10 not the builtin TimeoutError
        for conn in list(gen.live):
            conn.fail()
    elapsed = time.monotonic() - started
    lat = sorted(stats.latencies)
    pick = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: float("nan"))
    return {
        "requests": len(lat),
        "rps": len(lat) / elapsed if elapsed else 0.0,
        "p50_ms": statistics.median(lat) * 1000 if lat else float("nan"),
        "p99_ms": pick(0.99),
        "non_2xx": stats.non_2xx,
        "errors": stats.errors,
    }


def build_request(port: int, body: bytes, headers: list[str]) -> bytes:
    lines = ["POST /score HTTP/1.1", f"Host: {HOST}:{port}", "Content-Type: application/json"]
    lines += [*headers, f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--conns", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--body-file", required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    args = parser.parse_args()
    if args.seconds > 120 or args.conns > 256:
        parser.error("bounded: --seconds ≤ 120, --conns ≤ 256")
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    with open(args.body_file, "rb") as handle:
        body = handle.read()
    request = build_request(args.port, body, args.header)
    print(json.dumps(asyncio.run(run_load(args.port, args.conns, args.seconds, args.max_requests, request))))


if __name__ == "__main__":
    main()

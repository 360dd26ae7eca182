"""A small keep-alive HTTP/1.1 load generator (asyncio), the fallback of bench/runtime.py when wrk is missing.

    python bench/loadgen.py --port 8001 --conns 16 --seconds 3 --body-file body.json [--header 'K: V'] [--cpu 1]

Each connection sends POST /score, waits for the response, and sends the next one on the same connection (it
reconnects when the server answers ``Connection: close``). Bounded by ``--seconds`` and ``--max-requests``.
Prints one JSON line: requests, rps, p50_ms, p99_ms, non_2xx, errors.
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


@dataclass
class Stats:
    budget: int
    latencies: list[float] = field(default_factory=list)
    non_2xx: int = 0
    errors: int = 0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server closes the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip().lower()
    if headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    close = headers.get("connection") == "close" or (
        version == "HTTP/1.0" and headers.get("connection") != "keep-alive"
    )
    return int(status), close


async def _connection(port: int, request: bytes, deadline: float, stats: Stats) -> None:
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    while time.monotonic() < deadline and stats.budget > 0:
        stats.budget -= 1
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
                writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            assert reader is not None
            started = time.perf_counter()
            writer.write(request)
            status, close = await asyncio.wait_for(_read_response(reader), REQUEST_TIMEOUT_S)
            stats.latencies.append(time.perf_counter() - started)
            if not 200 <= status < 300:
                stats.non_2xx += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
            stats.errors += 1
            close = True
        if close and writer is not None:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def build_request(port: int, body: bytes, headers: list[str]) -> bytes:
    lines = ["POST /score HTTP/1.1", f"Host: {HOST}:{port}", "Content-Type: application/json"]
    lines += [*headers, f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def run_load(port: int, conns: int, seconds: float, max_requests: int, request: bytes) -> dict[str, object]:
    stats = Stats(budget=max_requests)
    started = time.monotonic()
    deadline = started + seconds
    tasks = [_connection(port, request, deadline, stats) for _ in range(conns)]
    await asyncio.wait_for(asyncio.gather(*tasks), seconds + REQUEST_TIMEOUT_S + 5)
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

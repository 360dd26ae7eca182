"""Graceful shutdown: on SIGTERM the server stops accepting, lets in-flight requests finish within
``AMLDEPLOY_GRACEFUL_TIMEOUT_S``, then exits 0, with one worker or several."""

from __future__ import annotations

import http.client
import signal
import socket
import time
from concurrent.futures import Future, ThreadPoolExecutor

from tests.python.runtime.conftest import HOST, Launcher, Reply, Server, request


def _slow(pool: ThreadPoolExecutor, server: Server, body: str) -> Future[Reply]:
    future = pool.submit(request, server.port, "POST", "/score", body, None, 20.0)
    time.sleep(0.5)  # the request is in run() by now
    assert not future.done(), future.result()
    return future


def _refused_while_draining(server: Server, in_flight: Future[Reply], within: float = 1.5) -> None:
    """New connections are refused soon after SIGTERM, while the in-flight request is still running."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, server.port), timeout=1).close()
        except ConnectionRefusedError:
            assert not in_flight.done(), "the in-flight request ended before new connections were refused"
            assert server.proc.poll() is None, "the server exited instead of draining"
            return
        time.sleep(0.05)
    raise AssertionError(f"new connections were still accepted {within} s after SIGTERM")


def test_sigterm_refuses_new_connections_and_finishes_the_in_flight_request(launch: Launcher) -> None:
    server = launch.start("plain.py", env={"AMLDEPLOY_GRACEFUL_TIMEOUT_S": "10"})
    with ThreadPoolExecutor(1) as pool:
        in_flight = _slow(pool, server, "sleep:3000")
        server.proc.send_signal(signal.SIGTERM)
        _refused_while_draining(server, in_flight)
        reply = in_flight.result(10)
    assert (reply.status, reply.json()) == (200, {"slept_ms": 3000})
    assert server.wait_exit(10) == 0, server.log()


def test_the_grace_period_bounds_the_wait(launch: Launcher) -> None:
    server = launch.start("plain.py", env={"AMLDEPLOY_GRACEFUL_TIMEOUT_S": "1"})
    with ThreadPoolExecutor(1) as pool:
        in_flight = _slow(pool, server, "sleep:5000")
        start = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        status = server.wait_exit(10)
        waited = time.monotonic() - start
        assert status == 0, server.log()
        assert 0.8 < waited < 1 + 3, waited  # it waited for the in-flight request, but no longer than the grace
        try:
            outcome: object = in_flight.result(3).status  # the client is not left hanging either
        except (OSError, http.client.HTTPException) as e:  # closed under it
            outcome = e
    assert outcome != 200, "run() could not have finished: 5 s of sleep, 1.5 s in all"


def test_two_workers_drain_on_sigterm(launch: Launcher) -> None:
    server = launch.start("slow.py", env={"WORKER_COUNT": "2", "AMLDEPLOY_GRACEFUL_TIMEOUT_S": "10"})
    with ThreadPoolExecutor(1) as pool:
        in_flight = _slow(pool, server, '{"sleep_ms": 2500}')
        server.proc.send_signal(signal.SIGTERM)
        _refused_while_draining(server, in_flight)
        reply = in_flight.result(10)
    assert reply.status == 200 and reply.json()["slept_ms"] == 2500
    assert server.wait_exit(10) == 0, server.log()

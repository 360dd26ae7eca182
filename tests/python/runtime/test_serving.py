"""What the event loop must keep doing while run() is busy, and several workers under the new HTTP server.

run() is serialised per worker on its own thread: liveness, swagger and 401 answers never wait for it.
(The run() queue and its 503 are in test_gateway.py; two workers' init() and restart in test_startup.py.)
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.python.runtime.conftest import Launcher, Reply, Server, request

KEY = "serving-secret"
AUTH = {"Authorization": f"Bearer {KEY}"}


def _timed(server: Server, method: str, path: str, body: str | None = None, **headers: str) -> tuple[Reply, float]:
    start = time.monotonic()
    reply = server.send(method, path, body, {k.replace("_", "-"): v for k, v in headers.items()})
    return reply, time.monotonic() - start


def test_liveness_swagger_and_401_do_not_wait_for_a_busy_run(launch: Launcher) -> None:
    server = launch.start("plain.py", env={"AMLDEPLOY_AUTH_ENABLED": "true", "AMLDEPLOY_PRIMARY_KEY": KEY})
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(request, server.port, "POST", "/score", "sleep:2000", AUTH, 10.0)
        time.sleep(0.3)  # run() is sleeping now
        answers = [
            _timed(server, "GET", "/"),
            _timed(server, "GET", "/swagger.json", Authorization=AUTH["Authorization"]),
            _timed(server, "POST", "/score", "no key"),
        ]
        assert not busy.done(), "run() finished before the other requests were timed"
        assert (busy.result(10).status, busy.result().json()) == (200, {"slept_ms": 2000})
    assert [reply.status for reply, _ in answers] == [200, 200, 401]
    for (reply, elapsed), what in zip(answers, ["GET /", "GET /swagger.json", "401"], strict=True):
        assert elapsed < 0.5, f"{what} waited {elapsed:.2f} s for run(): {reply.body[:200]!r}"


def test_two_workers_serve_and_log_under_their_own_pids(launch: Launcher) -> None:
    server = launch.start("slow.py", env={"WORKER_COUNT": "2"})
    log = server.log()
    workers = {int(p) for p in re.findall(r"slow: init in process (\d+);", log)}
    ready = {int(p) for p in re.findall(r"\[(\d+)\] amldeploy\.runtime - Users's init has completed", log)}
    assert len(workers) == 2 and ready == workers and server.proc.pid not in workers, log
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda i: server.request("POST", "/score", f'{{"sleep_ms": {i % 3 * 20}}}'), range(12)))
    assert {r.status for r in replies} == {200}
    served_by = sorted(r.json()["pid"] for r in replies)
    assert set(served_by) <= workers
    # Each request's access-log line carries the pid of the worker that ran it.
    deadline = time.monotonic() + 5
    while True:
        logged = re.findall(r"\[(\d+)\] amldeploy\.runtime - POST /score 200 ", server.log())
        if len(logged) >= len(replies) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert sorted(int(p) for p in logged) == served_by, server.log()


def test_httptools_and_uvloop_run_when_asked(launch: Launcher) -> None:
    # The hostile-client tests run on both stacks: this checks that asking for one is not silently ignored.
    server = launch.start("plain.py", env={"AMLDEPLOY_HTTP": "httptools", "AMLDEPLOY_LOOP": "uvloop"})
    assert server.request("GET", "/").status == 200
    maps = Path(f"/proc/{server.proc.pid}/maps").read_text(encoding="utf-8")
    assert "httptools" in maps and "uvloop" in maps, "the httptools/uvloop extension modules are not loaded"

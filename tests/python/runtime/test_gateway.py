"""The v1 front end in-process: service keys, the run() queue (503), the front-end timeout (504), and the
server's own scoring timeout (500), under real concurrent HTTP load."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.python.runtime.conftest import Launcher, Reply, Server

KEYS = {"AMLDEPLOY_PRIMARY_KEY": "primary-secret-1", "AMLDEPLOY_SECONDARY_KEY": "secondary-secret-2"}


def _dc(tmp_path: Path, **values: object) -> str:
    path = tmp_path / "deploymentconfig.json"
    path.write_text(json.dumps({"computeType": "AKS", **values}), encoding="utf-8")
    return str(path)


def _timed(server: Server, body: str) -> tuple[Reply, float]:
    start = time.monotonic()
    reply = server.request("POST", "/score", body)
    return reply, time.monotonic() - start


# -- keys ------------------------------------------------------------------------------------------------------


@pytest.fixture
def keyed(launch: Launcher, tmp_path: Path) -> Server:
    return launch.start("plain.py", "--dc", _dc(tmp_path), env=KEYS)  # AKS: authEnabled defaults to true


def test_liveness_stays_open(keyed: Server) -> None:
    assert keyed.request("GET", "/").status == 200


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "primary-secret-1", "Basic primary-secret-1"])
def test_missing_or_wrong_key_is_401(keyed: Server, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for path in ("/score", "/swagger.json", "/nope"):
        reply = keyed.send("POST" if path == "/score" else "GET", path, "x" if path == "/score" else None, headers)
        assert reply.status == 401, path
        assert reply.header("WWW-Authenticate") == "Bearer"
        assert "authEnabled" in reply.json()["message"]


@pytest.mark.parametrize("key", ["primary-secret-1", "secondary-secret-2"])
def test_either_key_is_accepted(keyed: Server, key: str) -> None:
    reply = keyed.send("POST", "/score", "x", {"Authorization": f"Bearer {key}"})
    assert (reply.status, reply.json()) == (200, {"input": "x", "type": "str"})
    assert "secret" not in keyed.log()


def test_keys_file_and_auth_from_the_environment(launch: Launcher, tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text('{"primaryKey": "from-file"}', encoding="utf-8")
    server = launch.start("plain.py", env={"AMLDEPLOY_AUTH_ENABLED": "true", "AMLDEPLOY_KEYS_FILE": str(keys)})
    assert server.request("POST", "/score", "x").status == 401
    assert server.send("POST", "/score", "x", {"Authorization": "Bearer from-file"}).status == 200


def test_auth_without_keys_refuses_to_start(launch: Launcher, tmp_path: Path) -> None:
    server = launch.start("plain.py", "--dc", _dc(tmp_path, authEnabled=True), wait=False)
    assert server.wait_exit() == 2
    assert "authEnabled is true" in server.log()
    assert "AMLDEPLOY_PRIMARY_KEY" in server.log()


def test_aci_config_keeps_auth_off(launch: Launcher, tmp_path: Path) -> None:
    dc = tmp_path / "aci.json"
    dc.write_text('{"computeType": "ACI"}', encoding="utf-8")
    server = launch.start("plain.py", "--dc", str(dc))
    assert server.request("POST", "/score", "x").status == 200


# -- queue and timeouts ----------------------------------------------------------------------------------------


def test_requests_waiting_longer_than_max_queue_wait_get_503(launch: Launcher, tmp_path: Path) -> None:
    dc = _dc(tmp_path, authEnabled=False, maxConcurrentRequestsPerContainer=1, maxQueueWaitMs=200)
    server = launch.start("plain.py", "--dc", dc)
    with ThreadPoolExecutor(4) as pool:
        slow = pool.submit(_timed, server, "sleep:1500")
        time.sleep(0.3)  # the slow call holds the only slot
        waiting = [pool.submit(_timed, server, "quick") for _ in range(3)]
        results = [f.result() for f in waiting]
        assert slow.result()[0].status == 200
    for reply, elapsed in results:
        assert reply.status == 503
        message = reply.json()["message"]
        assert "maxQueueWaitMs=200" in message and "maxConcurrentRequestsPerContainer=1" in message
        assert 0.15 < elapsed < 1.2
    assert server.request("POST", "/score", "after").status == 200


def test_front_end_timeout_is_504_while_run_keeps_its_slot(launch: Launcher, tmp_path: Path) -> None:
    dc = _dc(tmp_path, authEnabled=False, scoringTimeoutMs=400, maxQueueWaitMs=100)
    server = launch.start("plain.py", "--dc", dc)
    reply, elapsed = _timed(server, "sleep:1500")
    assert reply.status == 504
    assert "scoringTimeoutMs=400" in reply.json()["message"]
    assert 0.3 < elapsed < 1.2
    # run() is still sleeping and holds the slot: the next request waits 100 ms in the queue, then 503.
    assert server.request("POST", "/score", "next").status == 503
    time.sleep(1.3)
    assert server.request("POST", "/score", "later").status == 200


def test_scoring_timeout_ms_is_500_at_the_deadline(launch: Launcher) -> None:
    server = launch.start("plain.py", env={"SCORING_TIMEOUT_MS": "300"})
    # A Python loop is interrupted at the deadline, so its slot is free again at once.
    reply, elapsed = _timed(server, "spin:3000")
    assert (reply.status, reply.json()) == (500, {"message": "Scoring timeout after 300 ms"})
    assert reply.header("x-ms-run-function-failed") == "True"
    follow, follow_elapsed = _timed(server, "quick")
    assert follow.status == 200
    assert elapsed > 0.25 and elapsed + follow_elapsed < 1.2
    # A blocking call is answered at the deadline too (it keeps its slot until the call returns).
    reply, elapsed = _timed(server, "sleep:1000")
    assert (reply.status, reply.json()) == (500, {"message": "Scoring timeout after 300 ms"})
    assert elapsed < 0.9
    assert "TimeoutError" in server.log()


def test_threads_allow_parallel_run_calls(launch: Launcher) -> None:
    serial = launch.start("slow.py")
    parallel = launch.start("slow.py", "--threads", "4")
    body = '{"sleep_ms": 300}'

    def burst(server: Server) -> float:
        start = time.monotonic()
        barrier = threading.Barrier(4)

        def one(_: int) -> int:
            barrier.wait()
            return server.request("POST", "/score", body).status

        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(one, range(4))) == {200}
        return time.monotonic() - start

    assert burst(parallel) < 0.9
    assert burst(serial) > 1.1

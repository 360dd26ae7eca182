"""The connection to a Docker engine: ``DOCKER_HOST`` or the default socket, through the docker SDK.

The SDK is imported here, lazily, so that choosing another target (or building the parser) never loads it.
Whether an engine answers is asked with one short ping and remembered for a few seconds: the choice of target
and an editor's services view ask often, and a missing engine must not cost a timeout each time.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from amldeploy.ops.errors import OpsError

PING_TIMEOUT_S = 2.0
PING_CACHE_S = 5.0
# Long operations (a build step, a push, stopping a container) wait on the engine longer than a ping.
API_TIMEOUT_S = 600
_DEFAULT_SOCKET = "unix:///var/run/docker.sock"

_lock = threading.Lock()
_cache: dict[str, tuple[float, str | None]] = {}  # DOCKER_HOST -> (when, why it does not answer; None: it does)


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or _DEFAULT_SOCKET


def client(timeout: float = API_TIMEOUT_S) -> Any:
    """A ``docker.DockerClient`` for the engine; ``OpsError`` with the fix when none answers."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError as exc:  # pragma: no cover - a main dependency
        raise OpsError("the docker SDK is not installed", "reinstall amldeploy (pip install amldeploy)") from exc
    try:
        return docker.from_env(timeout=int(timeout))
    except DockerException as exc:
        raise unreachable(str(exc)) from None


def unreachable(detail: str) -> OpsError:
    address = engine_address()
    where = "DOCKER_HOST" if os.environ.get("DOCKER_HOST") else "the default socket; DOCKER_HOST is not set"
    return OpsError(
        f"no Docker engine answers at {address} ({where}): {_short(detail)}",
        "start Docker (sudo systemctl start docker, or open Docker Desktop), or point DOCKER_HOST at a running "
        "engine (e.g. DOCKER_HOST=unix:///run/user/1000/docker.sock); without an engine, deploy with "
        "--target process",
    )


def why_unavailable() -> str | None:
    """None when an engine answers a ping, else why not (cached for ``PING_CACHE_S``)."""
    address = engine_address()
    now = time.monotonic()
    with _lock:
        cached = _cache.get(address)
        if cached is not None and now - cached[0] < PING_CACHE_S:
            return cached[1]
    reason = _ping()
    with _lock:
        _cache[address] = (time.monotonic(), reason)
    return reason


def available() -> bool:
    return why_unavailable() is None


def reason() -> str | None:
    why = why_unavailable()
    if why is None:
        return None
    error = unreachable(why)
    return f"{error.message}; {error.hint}"


def forget() -> None:
    """Drop the cached answer (after an engine was started, or in tests)."""
    with _lock:
        _cache.clear()


def _ping() -> str | None:
    try:
        engine = client(timeout=PING_TIMEOUT_S)
    except OpsError as exc:
        return exc.message.split(": ", 1)[-1]
    try:
        engine.ping()
        return None
    except Exception as exc:  # the SDK raises requests' and its own errors alike
        return str(exc) or type(exc).__name__
    finally:
        engine.close()


def _short(detail: str) -> str:
    # The SDK wraps urllib3's errors in long reprs; the root cause is at the end.
    detail = detail.strip()
    for marker in ("Connection refused", "No such file or directory", "Permission denied", "timed out"):
        if marker in detail:
            return marker.lower()
    return detail if len(detail) <= 160 else detail[:157] + "..."

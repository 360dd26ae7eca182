"""How a process-target service is doing: its record read against the live process and ``GET /``.

Transitioning while its deploy waits for the first answer, Healthy when ``GET /`` answers 200, Unhealthy when
the process lives but does not answer, Failed when the process is gone (or its pid now runs something else).
"""

from __future__ import annotations

import time
from typing import Any

from amldeploy.ops.health import is_healthy
from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.service import Service
from amldeploy.ops.states import State, process_state
from amldeploy.ops.targets.process.launch import HOST
from amldeploy.ops.targets.process.store import ServiceFolder, read_environ, running

TARGET = "process"
_DETAILS = ("frontEnd", "entryScript", "sourceDirectory", "python", "configs")


def as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def describe(folder: ServiceFolder, record: dict[str, Any] | None = None, check: bool = True) -> Service:
    """The service ``folder`` holds; with ``check``, in the state its process is in now."""
    try:
        record = folder.read() if record is None else record
        pid, port = as_int(record.get("pid")), as_int(record.get("port"))
        state, error = State.parse(str(record.get("state", "Failed"))), record.get("error")
        if check:
            state, error = _current_state(folder, record, pid, port, state, error)
        return Service(
            name=folder.name,
            target=TARGET,
            state=state,
            compute_type=str(record.get("computeType", "local")),
            host=record.get("host"),
            port=port,
            pid=pid,
            created=record.get("created"),
            models=[ModelSpec.from_json(m) for m in record.get("models", [])],
            auth_enabled=bool(record.get("authEnabled")),
            isolated=bool(record.get("isolated")),
            error=None if state is State.HEALTHY else error,
            log_path=str(folder.log_path),
            details={k: record.get(k) for k in _DETAILS},
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        # A damaged record (a hand edit, a full disk) is still listed, so that it can be deleted.
        error = f"its record is damaged ({exc}); remove it with 'amldeploy delete {folder.name}'"
        return Service(folder.name, TARGET, State.FAILED, "unknown", error=error, log_path=str(folder.log_path))


def _current_state(
    folder: ServiceFolder, record: dict[str, Any], pid: int | None, port: int | None, state: State, error: str | None
) -> tuple[State, str | None]:
    if record.get("gone"):
        return State.FAILED, error
    if pid is None or port is None or not running(pid, port):
        # Remember it: a dead pid never comes back, and a later process may reuse the number.
        error = error or f"the service process (pid {pid}) is gone: it crashed or was stopped"
        if not folder.update_if(pid, state=State.FAILED.value, error=error, gone=True):
            return State.TRANSITIONING, None  # redeployed meanwhile: a new process is starting
        return State.FAILED, error
    env = read_environ(pid) or {}
    key = env.get("AMLDEPLOY_PRIMARY_KEY")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    answering = is_healthy(f"http://{record.get('host') or HOST}:{port}", headers, timeout=2.0)
    starting = state is State.TRANSITIONING and time.time() < float(record.get("startingUntil", 0))
    current = process_state(True, answering, starting)
    if current is State.UNHEALTHY:
        error = f"the process (pid {pid}) runs, but GET / does not answer 200"
    return current, error

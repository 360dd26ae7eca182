"""The process target's state folder (``.amldeploy/services/<name>/``) and what ``/proc`` says about a pid.

The folder holds ``service.json`` (pid, port, config snapshot, never the keys), ``service.log`` (the process's
stdout and stderr) and ``app/``, the app root where the runtime lays out the models. The truth is the process:
a record whose pid is gone, or whose pid now runs something else, describes a Failed service.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

STATE_DIR = Path(".amldeploy") / "services"
RECORD, LOG, APP_ROOT, PYTHONPATH_DIR = "service.json", "service.log", "app", "pythonpath"


class ServiceFolder:
    def __init__(self, root: Path, name: str) -> None:
        self.name = name
        self.path = root / STATE_DIR / name

    @property
    def record_path(self) -> Path:
        return self.path / RECORD

    @property
    def log_path(self) -> Path:
        return self.path / LOG

    @property
    def app_root(self) -> Path:
        return self.path / APP_ROOT

    @property
    def pythonpath(self) -> Path:
        return self.path / PYTHONPATH_DIR

    def exists(self) -> bool:
        return self.record_path.is_file()

    def read(self) -> dict[str, Any]:
        """The record; ``ValueError`` when it is unreadable (a hand edit, a disk full during a write)."""
        try:
            data = json.loads(self.record_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{self.record_path} is unreadable: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError(f"{self.record_path} is not a JSON object")
        return data

    def write(self, record: dict[str, Any]) -> None:
        """Atomically, so that a concurrent ``list`` never sees half a record."""
        self.path.mkdir(parents=True, exist_ok=True)
        temporary = self.record_path.with_suffix(f".tmp{os.getpid()}")
        temporary.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temporary, self.record_path)

    def update(self, **changes: Any) -> dict[str, Any]:
        record = self.read()
        record.update(changes)
        self.write(record)
        return record

    def update_if(self, pid: int | None, **changes: Any) -> bool:
        """``update`` only while the record still describes the process ``pid``: a look at the old process of a
        service must not mark the new one a redeploy has just written."""
        try:
            record = self.read()
        except ValueError:
            return False
        if record.get("pid") != pid:
            return False
        record.update(changes)
        self.write(record)
        return True

    def reset(self) -> None:
        """An empty folder for a new deployment (the old log, app root and snapshot go)."""
        self.remove()
        self.path.mkdir(parents=True)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def service_names(root: Path) -> list[str]:
    base = root / STATE_DIR
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / RECORD).is_file())


# --- processes ----------------------------------------------------------------------------------------------


def _proc(pid: int, name: str) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return None


def pid_alive(pid: int) -> bool:
    """Running and not a zombie (a zombie has finished; only its exit status waits to be collected)."""
    stat = _proc(pid, "stat")
    if stat is None:
        if Path("/proc/self").exists():
            return False
        try:  # no /proc: fall back to signal 0
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    state = stat[stat.rfind(b")") + 2 : stat.rfind(b")") + 3]
    return state not in (b"Z", b"X")


def is_our_runtime(pid: int, port: int | None) -> bool:
    """``pid`` runs ``amldeploy serve`` on ``port``: a pid reused by another program is not our service."""
    raw = _proc(pid, "cmdline")
    if raw is None:
        return pid_alive(pid) and not Path("/proc/self").exists()
    args = [a.decode("utf-8", errors="replace") for a in raw.split(b"\0")]
    if "serve" not in args or not any(a == "amldeploy" or a.endswith("/amldeploy") for a in args):
        return False
    if port is not None and "--port" in args:
        i = args.index("--port")
        return i + 1 < len(args) and args[i + 1] == str(port)
    return True


def running(pid: int | None, port: int | None) -> bool:
    return pid is not None and pid_alive(pid) and is_our_runtime(pid, port)


def read_environ(pid: int) -> dict[str, str] | None:
    """The environment ``pid`` started with (readable by its own user only)."""
    raw = _proc(pid, "environ")
    if raw is None:
        return None
    env: dict[str, str] = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.partition(b"=")
        if sep:
            env[key.decode("utf-8", errors="replace")] = value.decode("utf-8", errors="replace")
    return env


def stop_process(pid: int, grace: float = 10.0) -> bool:
    """SIGTERM to the process group (the runtime leads its own session), SIGKILL after ``grace`` seconds.
    Returns whether it had to be killed."""
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    pause = 0.02
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.2)
    _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)

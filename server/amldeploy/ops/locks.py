"""One operation at a time on one service: a lock per target and service name, held by deploy and delete.

``fcntl.flock`` rather than the ``filelock`` library: the waiting side has to say who it waits for, so the holder
writes its pid and operation into the lock file once it holds it, and filelock truncates the file on every attempt
(which would erase the holder's note each time a waiter tries). The kernel releases a ``flock`` when its holder
dies, however it dies, so a crashed or killed command never leaves a service locked. The lock is on the open file
description: two threads of one language server conflict as two processes do. Descriptors Python opens are not
inherited, so the ``amldeploy serve`` a deploy starts never holds its lock.

Lock files live in ``.amldeploy/locks/<target>/``, outside the service's state folder, which delete removes.
They are never deleted themselves: removing a lock file another process has open would let two holders in.
Where a target's services are not per folder (every folder of the machine sees the same Docker engine), the root
is ``shared_root(scope)``, one per engine, so that commands from two folders on one service still take turns.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from amldeploy.ops.errors import OpsError
from amldeploy.ops.reporter import Reporter

LOCK_DIR = Path(".amldeploy") / "locks"
# Long enough for a deploy that waits its whole health budget (30 s) after stopping the old process (up to 15 s);
# an isolated deploy building its venv can take longer, and the waiter then says who to wait for.
DEFAULT_WAIT_S = 120.0
_POLL_S = 0.1


@dataclass(frozen=True, slots=True)
class Holder:
    pid: int | None
    operation: str  # empty until the holder has written its note

    def waited_for(self, name: str) -> str:
        return f"the {self.operation} of {name}" + (f" (pid {self.pid})" if self.pid is not None else "")

    def in_progress(self, name: str) -> str:
        return f"a {self.operation or 'operation'} of {name} is in progress" + (
            f", pid {self.pid}" if self.pid is not None else ""
        )


def shared_root(scope: str) -> Path:
    """The lock root shared by every folder of this machine for the services of ``scope`` (a Docker engine's
    address): ``$AMLDEPLOY_CACHE_DIR/locks/<hash>``, else ``$XDG_CACHE_HOME`` or ``~/.cache``, ``amldeploy/...``."""
    from amldeploy.ops.places import cache_dir

    return cache_dir() / "locks" / hashlib.sha256(scope.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def lock_path(root: Path, target: str, name: str) -> Path:
    return root / LOCK_DIR / target / f"{name}.lock"


@contextlib.contextmanager
def service_lock(
    root: Path, target: str, name: str, operation: str, reporter: Reporter, wait_s: float = DEFAULT_WAIT_S
) -> Iterator[None]:
    """Hold the lock of ``name`` on ``target`` for ``operation`` ("deploy", "delete").

    While another operation holds it, report that we wait for it and try again until ``wait_s`` has passed, then
    fail naming the holder. The reporter may raise ``Cancelled`` while we wait: nothing has started then."""
    path = lock_path(root, target, name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OpsError(
            f"cannot create the lock file {path}: {exc.strerror or exc}",
            f"make {path.parent} writable, or run amldeploy from a folder you can write to",
        ) from exc
    try:
        _acquire(fd, name, operation, reporter, wait_s)
        _note_holder(fd, operation)
        yield
    finally:
        os.close(fd)  # releases the lock


def current_holder(root: Path, target: str, name: str) -> Holder | None:
    """Who holds the lock of ``name`` now (None when nobody does), without waiting. Not for a caller that holds
    it: its own lock would look like someone else's."""
    path = lock_path(root, target, name)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        if _try_lock(fd):
            return None
        return _read_holder(fd)
    finally:
        os.close(fd)


def _acquire(fd: int, name: str, operation: str, reporter: Reporter, wait_s: float) -> None:
    if _try_lock(fd):
        return
    deadline = time.monotonic() + wait_s
    shown: Holder | None = None
    try:
        while not _try_lock(fd):
            holder = _read_holder(fd)
            if time.monotonic() >= deadline:
                # No "kill it" advice: the holder may be an editor's language server, not a command.
                raise OpsError(holder.in_progress(name), "wait until it ends, then run the command again")
            if holder.operation and holder != shown:
                if shown is not None:
                    reporter.done(True, "finished")
                reporter.step(f"Waiting for {holder.waited_for(name)} to finish")
                shown = holder
            if shown is not None:
                # Also how an editor's cancel reaches us: the reporter raises Cancelled here.
                reporter.progress(f"{operation} waits up to {wait_s:.0f} s")
            time.sleep(_POLL_S)
    except BaseException:
        if shown is not None:
            reporter.done(False, "gave up")
        raise
    if shown is not None:
        reporter.done(True, "finished")


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:  # a file system without locks (some network mounts)
        raise OpsError(
            f"cannot lock {LOCK_DIR}: {exc.strerror or exc}", "run amldeploy from a folder on a local disk"
        ) from exc
    return True


def _note_holder(fd: int, operation: str) -> None:
    """Who holds the lock, for the messages of those who wait (written only while holding it)."""
    note = json.dumps({"pid": os.getpid(), "operation": operation}).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, note, 0)


def _read_holder(fd: int) -> Holder:
    # Empty for the moment between the holder's flock and its note: the next poll reads it.
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        data = {}
    pid = data.get("pid") if isinstance(data, dict) else None
    operation = data.get("operation") if isinstance(data, dict) else None
    return Holder(pid if isinstance(pid, int) else None, operation if isinstance(operation, str) else "")

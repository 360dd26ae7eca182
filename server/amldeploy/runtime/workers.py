"""``WORKER_COUNT`` > 1: pre-forked worker processes sharing one listening socket, and their supervisor.

Like gunicorn without preload: every worker imports the script and runs init() itself. A worker reports
readiness through a pipe. One that dies before it is ready stops the whole server with its exit status (3 for
a failed init, as gunicorn treats a boot error); one that dies later is replaced.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable

from amldeploy.runtime.process import Stop, handle_signals

log = logging.getLogger("amldeploy.runtime")
Start = Callable[[Callable[[], None], int], int]


class _Pool:
    def __init__(self, start: Start) -> None:
        self.start = start
        self.children: dict[int, int] = {}  # pid → read end of its readiness pipe (-1 once ready)

    def spawn(self) -> int:
        parent = os.getpid()
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(r)
            code = 1

            def ready() -> None:
                os.write(w, b"1")

            try:
                code = self.start(ready, parent)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.close(w)
        self.children[pid] = r
        return pid

    def reap(self, block: bool) -> list[tuple[int, int]]:
        """Exited workers as (pid, exit status); waits for the first one when ``block``."""
        out: list[tuple[int, int]] = []
        while self.children:
            try:
                pid, status = os.waitpid(-1, 0 if block and not out else os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            fd = self.children.pop(pid, -1)
            if fd >= 0:
                os.close(fd)
            out.append((pid, os.waitstatus_to_exitcode(status)))
        return out

    def wait_ready(self) -> int | None:
        """None once every worker reported ready, else the exit status of one that died first."""
        while True:
            pending = {fd: pid for pid, fd in self.children.items() if fd >= 0}
            if not pending:
                return None
            for fd in select.select(list(pending), [], [], 0.2)[0]:
                if os.read(fd, 1):
                    os.close(fd)
                    self.children[pending[fd]] = -1
            for pid, code in self.reap(block=False):
                log.error("Worker %d exited with status %d before it was ready", pid, code)
                return code or 1

    def stop(self, grace: float) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while self.children and time.monotonic() < deadline:
            if not self.reap(block=False):
                time.sleep(0.05)
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.reap(block=False)


def supervise(
    count: int, start: Start, on_ready: Callable[[], None], grace: float, listener: socket.socket | None = None
) -> int:
    """Fork ``count`` workers running ``start(report_ready, parent_pid)``; returns the server's exit status.

    On SIGTERM the supervisor closes its copy of the ``listener`` (so that, once the workers closed theirs, new
    connections are refused), and every worker gets SIGTERM and ``grace`` seconds to drain and exit before
    SIGKILL."""
    handle_signals()
    pool = _Pool(start)
    try:
        for _ in range(count):
            pool.spawn()
        failed = pool.wait_ready()
        if failed is not None:
            return failed
        on_ready()
        while True:
            for pid, code in pool.reap(block=True):
                if code == 3:
                    log.error("Worker %d exited with status 3 (script failure); stopping", pid)
                    return code
                log.warning("Worker %d exited with status %d; starting a new one", pid, code)
                pool.spawn()
                failed = pool.wait_ready()
                if failed is not None:
                    return failed
    except Stop:
        log.info("Stopping %d worker(s) (signal received)", len(pool.children))
        if listener is not None:
            listener.close()
        return 0
    finally:
        pool.stop(grace)

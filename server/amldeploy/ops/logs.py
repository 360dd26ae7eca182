"""Reading a service's log file: the last lines, and following it as it grows (or is replaced)."""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path


def tail_lines(path: Path, count: int | None) -> list[str]:
    """The last ``count`` lines of ``path`` (all when None); [] when the file is missing."""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            if count is None:
                return [line.rstrip("\r\n") for line in handle]
            if count <= 0:
                return []
            return [line.rstrip("\r\n") for line in deque(handle, maxlen=count)]
    except FileNotFoundError:
        return []


def follow_lines(
    path: Path,
    tail: int | None,
    running: Callable[[], bool],
    poll: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[str]:
    """The last ``tail`` lines, then each new line as it is written, until ``running()`` turns false (the rest
    of the file is still read) or the consumer stops. A truncated or replaced file (a redeploy) is read again
    from its start."""
    lines = tail_lines(path, tail)
    yield from lines
    handle = None
    identity: tuple[int, int] | None = None
    position = 0
    try:
        with path.open("rb") as first:
            position = first.seek(0, os.SEEK_END)
            stat = os.fstat(first.fileno())
            identity = (stat.st_dev, stat.st_ino)
    except FileNotFoundError:
        pass
    pending = b""
    try:
        while True:
            alive = running()
            try:
                stat = path.stat()
                if identity != (stat.st_dev, stat.st_ino) or stat.st_size < position:
                    if handle is not None:
                        handle.close()
                    handle, identity, position, pending = path.open("rb"), (stat.st_dev, stat.st_ino), 0, b""
                elif handle is None:
                    handle = path.open("rb")
                    handle.seek(position)
            except FileNotFoundError:
                pass
            if handle is not None:
                chunk = handle.read()
                position += len(chunk)
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for raw in complete:
                    yield raw.decode("utf-8", errors="replace").rstrip("\r")
            if not alive:
                if pending:
                    yield pending.decode("utf-8", errors="replace")
                return
            sleep(poll)
    finally:
        if handle is not None:
            handle.close()

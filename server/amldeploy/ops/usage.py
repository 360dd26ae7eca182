"""What a running service uses: its CPU time so far and its memory now, read from where it runs.

A target that can measure its services implements ``Measurable`` (``ops/targets/base.py``): ``usage_probe(name)``
gives a function that reads a ``Usage`` each time it is called. CPU is cumulative (seconds of CPU since the
service started), so that two readings give the cores used between them; memory is what the service holds now.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Usage:
    cpu_seconds: float  # CPU time of every process of the service, user + system, since it started
    memory_bytes: int  # resident memory now (for a container: its cgroup's usage less the page cache it may drop)


@dataclass(frozen=True, slots=True)
class UsageProbe:
    """``read()`` takes one reading; ``close()`` lets go of what the readings use (an engine connection)."""

    read: Callable[[], Usage]
    close: Callable[[], None] = lambda: None


def _stat_fields(pid: int, proc: Path) -> list[str] | None:
    try:
        text = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: the fields after it start past the last ')'.
    return text[text.rfind(")") + 2 :].split()


def process_tree(pid: int, proc: Path = Path("/proc")) -> list[int]:
    """``pid`` and every process below it (the runtime's pre-forked workers)."""
    children: dict[int, list[int]] = {}
    try:
        entries = [int(e.name) for e in os.scandir(proc) if e.name.isdigit()]
    except OSError:
        return [pid]
    for child in entries:
        fields = _stat_fields(child, proc)
        if fields is not None and len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(child)
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def process_tree_usage(pid: int, proc: Path = Path("/proc")) -> Usage:
    """The ``Usage`` of ``pid`` and its descendants, from ``/proc``; ``ProcessLookupError`` when ``pid`` is gone."""
    ticks = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    cpu = 0.0
    memory = 0
    found = False
    for member in process_tree(pid, proc):
        fields = _stat_fields(member, proc)
        if fields is None or len(fields) < 22:
            continue
        found = found or member == pid
        cpu += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15 of stat)
        memory += int(fields[21]) * page  # rss in pages (field 24)
    if not found:
        raise ProcessLookupError(pid)
    return Usage(cpu, memory)

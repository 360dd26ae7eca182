"""Several ``amldeploy`` commands on one service name at the same moment, as real processes.

Whatever the interleaving, every ``amldeploy serve`` left running has the state folder that names its pid, every
deploy reports the process it started itself, and one service is deleted once.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.python.ops.conftest import Cli, Result, deploy_args, record
from tests.python.procs import runtimes_of


def _start(project: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_")}
    return subprocess.Popen(
        [sys.executable, "-m", "amldeploy", *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _at_once(project: Path, *commands: list[str]) -> list[Result]:
    """Start every command before waiting for any (the imports alone take longer than starting them all)."""
    started = [_start(project, *command) for command in commands]
    results = []
    for proc in started:
        out, err = proc.communicate(timeout=180)
        results.append(Result(proc.returncode, out, err))
    return results


@pytest.fixture(autouse=True)
def _no_runtime_outlives_the_test(project: Path) -> Iterator[None]:
    """Orphans have no record for the project fixture's clean-up to find: kill them by what /proc says."""
    yield
    for pid in runtimes_of(project):
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


def _assert_every_runtime_has_its_state(project: Path) -> dict[int, Path]:
    runtimes = runtimes_of(project)
    for pid, app_root in runtimes.items():
        folder = app_root.parent
        assert (folder / "service.json").is_file(), f"pid {pid} runs with no state folder ({folder} is gone)"
        assert record(project, folder.name)["pid"] == pid, f"pid {pid} runs but {folder.name}'s record names another"
    return runtimes


def _printed_pid(result: Result) -> int:
    found = re.search(r"is Healthy \(process target, pid (\d+)\)", result.out)
    assert found, result.both
    return int(found.group(1))


def test_three_deploys_of_one_name_at_once_take_turns(project: Path, cli: Cli) -> None:
    results = _at_once(project, *(deploy_args("twin") for _ in range(3)))

    for result in results:
        assert result.status == 0, result.both
        assert "crashed" not in result.both
    pids = [_printed_pid(result) for result in results]
    assert len(set(pids)) == 3, "each deploy reports the process it started itself"
    waited = [r for r in results if re.search(r"Waiting for the deploy of twin \(pid \d+\) to finish", r.err)]
    assert len(waited) >= 2, [r.err for r in results]
    runtimes = _assert_every_runtime_has_its_state(project)
    assert list(runtimes) == [record(project, "twin")["pid"]], "the last deploy replaced the two before it"
    assert record(project, "twin")["pid"] in pids

    deleted = cli("delete", "twin")
    assert deleted.status == 0 and deleted.out == "Deleted twin.\n", deleted.both
    assert runtimes_of(project) == {}


def test_two_deletes_at_once_delete_once(project: Path, cli: Cli) -> None:
    assert cli(*deploy_args("twin")).status == 0

    results = _at_once(project, ["delete", "twin"], ["delete", "twin"])

    said_deleted = [r for r in results if "Deleted twin." in r.out]
    assert len(said_deleted) == 1, [r.both for r in results]
    (other,) = [r for r in results if r not in said_deleted]
    assert other.status == 1 and "there is no service named 'twin'" in other.err, other.both
    assert runtimes_of(project) == {}
    assert not (project / ".amldeploy" / "services" / "twin").exists()


def test_deploys_and_a_delete_at_once_leave_nothing_running_without_state(project: Path, cli: Cli) -> None:
    results = _at_once(project, deploy_args("twin"), deploy_args("twin"), ["delete", "twin"], deploy_args("twin"))

    for result in results:
        assert "Traceback" not in result.both and "crashed" not in result.both, result.both
    deletes = results[2]
    assert deletes.status == 0 or "there is no service named 'twin'" in deletes.err, deletes.both
    _assert_every_runtime_has_its_state(project)
    assert len(runtimes_of(project)) <= 1

    cli("delete", "twin")
    assert runtimes_of(project) == {}

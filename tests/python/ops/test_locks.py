"""The per-service lock against a holder that is another real process: waiting, giving up, cancelling, and the
lock a killed holder leaves behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from amldeploy.ops.errors import Cancelled, OpsError
from amldeploy.ops.locks import lock_path, service_lock
from amldeploy.ops.reporter import RecordingReporter

HOLD = """
import sys
from pathlib import Path
from amldeploy.ops.locks import service_lock
from amldeploy.ops.reporter import RecordingReporter

with service_lock(Path(sys.argv[1]), "process", "twin", sys.argv[2], RecordingReporter()):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock of 'twin' for a deploy until its stdin gets a line."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path), "deploy"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    yield proc
    proc.kill()
    proc.wait()


def test_a_second_operation_fails_naming_the_holder_after_its_wait(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    reporter = RecordingReporter()
    with pytest.raises(OpsError) as raised, service_lock(tmp_path, "process", "twin", "delete", reporter, wait_s=0.5):
        pytest.fail("the lock was taken while another process held it")
    assert raised.value.message == f"a deploy of twin is in progress, pid {holder.pid}"
    assert raised.value.hint == "wait until it ends, then run the command again"
    steps = [e.text for e in reporter.events if e.kind == "step"]
    assert steps == [f"Waiting for the deploy of twin (pid {holder.pid}) to finish"]
    assert reporter.events[-1].kind == "done" and reporter.events[-1].ok is False


def test_the_waiter_goes_on_once_the_holder_finishes(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    stdin = holder.stdin
    assert stdin is not None

    def finish() -> None:
        stdin.write("\n")
        stdin.flush()

    threading.Timer(0.5, finish).start()
    reporter = RecordingReporter()
    started = time.monotonic()
    with service_lock(tmp_path, "process", "twin", "deploy", reporter):
        waited = time.monotonic() - started
        assert holder.wait(5) == 0
    assert waited >= 0.4
    assert reporter.events[-1].kind == "done" and reporter.events[-1].text == "finished"


def test_a_killed_holder_leaves_the_lock_free(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    reporter = RecordingReporter()
    with service_lock(tmp_path, "process", "twin", "deploy", reporter, wait_s=2):
        pass
    assert reporter.events == []
    assert lock_path(tmp_path, "process", "twin").read_text() != ""


def test_other_names_and_targets_do_not_wait(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    for target, name in (("process", "other"), ("docker", "twin")):
        with service_lock(tmp_path, target, name, "deploy", RecordingReporter(), wait_s=0):
            pass


class CancelAfter(RecordingReporter):
    """An editor's cancel: the reporter raises once its caller gave up, as ``LspReporter`` does."""

    def __init__(self, calls: int) -> None:
        super().__init__()
        self.calls = calls

    def progress(self, message: str, fraction: float | None = None) -> None:
        self.calls -= 1
        if self.calls < 0:
            raise Cancelled()
        super().progress(message, fraction)


def test_cancelling_while_waiting_stops_the_wait(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    reporter = CancelAfter(3)
    started = time.monotonic()
    with pytest.raises(Cancelled), service_lock(tmp_path, "process", "twin", "deploy", reporter):
        pytest.fail("the lock was taken while another process held it")
    assert time.monotonic() - started < 5
    assert reporter.events[-1].kind == "done" and reporter.events[-1].ok is False
    assert holder.poll() is None, "the holder goes on"


def test_the_lock_file_is_outside_the_state_folder_delete_removes(tmp_path: Path) -> None:
    path = lock_path(tmp_path, "process", "twin")
    assert not path.is_relative_to(tmp_path / ".amldeploy" / "services")


def test_a_service_not_written_yet_says_its_deploy_is_in_progress(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    for command in ("show", "delete"):
        result = subprocess.run(
            [sys.executable, "-m", "amldeploy", command, "twin"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1 and "there is no service named 'twin'" in result.stderr
        assert f"a deploy of twin is in progress, pid {holder.pid}: run the command again once it has ended" in (
            result.stderr
        )
    holder.kill()
    holder.wait()
    show = subprocess.run(
        [sys.executable, "-m", "amldeploy", "show", "twin"], cwd=tmp_path, capture_output=True, text=True
    )
    assert "in progress" not in show.stderr and "amldeploy list" in show.stderr


def test_two_threads_of_one_process_take_turns_too(tmp_path: Path) -> None:
    # The language server runs each request in a thread: a deploy and a delete of one name from one editor.
    raised: list[OpsError] = []

    def second() -> None:
        try:
            with service_lock(tmp_path, "process", "twin", "delete", RecordingReporter(), wait_s=0.3):
                pass
        except OpsError as exc:
            raised.append(exc)

    with service_lock(tmp_path, "process", "twin", "deploy", RecordingReporter()):
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(5)
    assert [e.message for e in raised] == [f"a deploy of twin is in progress, pid {os.getpid()}"]

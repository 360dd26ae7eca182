"""The per-service lock through the language server: a deploy that waits for another process's operation says so
in its progress, and the editor's cancel ends the wait without starting anything."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from amldeploy.lsp import protocol
from tests.python.lsp.test_operations import DEPLOY_ARGS, Session, lsp, project  # noqa: F401 (fixtures)
from tests.python.ops.test_locks import HOLD


@pytest.fixture
def holder(project: Path) -> Iterator[subprocess.Popen[str]]:  # noqa: F811
    """A command line deploying 'twin' in the project (its lock held until its stdin gets a line)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(project), "deploy"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    yield proc
    proc.kill()
    proc.wait()


@pytest.mark.asyncio
async def test_a_deploy_waiting_for_the_lock_shows_it_and_can_be_cancelled(
    lsp: Session,  # noqa: F811
    holder: subprocess.Popen[str],
) -> None:
    token = "deploy-twin"
    lsp.client.progress_reports[token] = []
    deploying = asyncio.ensure_future(
        lsp.request(protocol.DEPLOY, {"name": "twin", **DEPLOY_ARGS, "workDoneToken": token})
    )
    waiting = f"Waiting for the deploy of twin (pid {holder.pid}) to finish"

    def says_it_waits() -> bool:
        reports = lsp.client.progress_reports[token]
        return any(isinstance(r, types.WorkDoneProgressReport) and r.message == waiting for r in reports)

    await lsp.until("the wait for the lock", says_it_waits)
    lsp.client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    started = time.monotonic()
    with pytest.raises(JsonRpcException) as raised:
        await asyncio.wait_for(deploying, 10)
    assert time.monotonic() - started < 5
    assert raised.value.code == protocol.REQUEST_FAILED and raised.value.message == "deploy of twin was cancelled"
    assert not (lsp.root / ".amldeploy" / "services" / "twin").exists(), "nothing was started"
    assert holder.poll() is None, "the other deploy goes on"

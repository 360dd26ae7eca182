"""Differential tests: the same requests to Azure's azureml-inference-server-http 1.5.1 and to ``amldeploy serve``.

    .venv/bin/pytest tests/python/runtime_diff -q

Each case checks Azure's replies against the documented contract (the table in cases.py), then compares every reply
of ``amldeploy serve`` with Azure's: status, body, headers. Deliberate differences are named per request and
documented in docs/runtime-differences.md.
"""

from __future__ import annotations

import http.client
import re
import time

import pytest

from tests.infra import azure_server
from tests.python.runtime_diff.cases import Case
from tests.python.runtime_diff.cases_env import ENVIRONMENT, SERVER_VERSION, STARTUP
from tests.python.runtime_diff.cases_routes import ECHO
from tests.python.runtime_diff.cases_scripts import RAW, SCHEMAS
from tests.python.runtime_diff.client import Reply, Req, send
from tests.python.runtime_diff.compare import DIFFERENCES, compare, contract_problems, differences_of
from tests.python.runtime_diff.pool import FIXTURES, STARTUP_TIMEOUT_S, Server, Servers

DOC = azure_server.ROOT / "docs" / "runtime-differences.md"
# In this order: cases that share a server pair stay next to each other.
CASES: list[Case] = ECHO + SCHEMAS + RAW + ENVIRONMENT + SERVER_VERSION + STARTUP


@pytest.mark.parametrize("case", [c for c in CASES if not c.startup_failure], ids=lambda c: c.name)
def test_same_responses(case: Case, servers: Servers) -> None:
    pair = servers.pair(case)
    problems: list[str] = []
    for index, req in enumerate(case.requests):
        where = f"#{index} {req.label()}"
        azure = _send(pair.azure, req)
        problems += [f"{where}: {p}" for p in contract_problems(req, azure)]
        if pair.ours is not None:
            ours = _send(pair.ours, req)
            problems += [f"{where}: {p}" for p in compare(req, azure, ours)]
    assert not problems, f"{case.name} ({case.script}):\n" + "\n".join(problems)


def _send(server: Server, req: Req) -> Reply:
    try:
        return send(server.port, req)
    except (OSError, http.client.HTTPException) as exc:
        tail = "\n".join(server.log_text().splitlines()[-30:])
        pytest.fail(f"{server.name}: {req.label()} got no answer ({exc!r})\n--- log tail ---\n{tail}")


def _wait_exit(procs: list, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(p.poll() is None for p in procs):
        time.sleep(0.05)


@pytest.mark.parametrize("case", [c for c in CASES if c.startup_failure], ids=lambda c: c.name)
def test_same_startup_failure(case: Case, servers: Servers) -> None:
    servers.close()
    started = servers.start(case)
    try:
        _wait_exit([s.proc for s in started], STARTUP_TIMEOUT_S)
        problems = []
        statuses = {s.name: s.proc.poll() for s in started}
        if statuses["azure"] != 3:
            problems.append(f"Azure's server exit status {statuses['azure']}, the contract documents 3")
        for server in started:
            if statuses[server.name] is None:
                problems.append(f"{server.name} still running {STARTUP_TIMEOUT_S:.0f} s after a broken start")
            elif statuses[server.name] != statuses["azure"]:
                problems.append(f"exit status: Azure {statuses['azure']} != {server.name} {statuses[server.name]}")
            log = server.log_text()
            missing = [cause for cause in case.startup_failure if cause not in log]
            if missing:
                tail = "\n".join(log.splitlines()[-15:])
                problems.append(f"{server.name}'s log does not name the cause {missing}:\n{tail}")
    finally:
        for server in started:
            server.stop()
    assert not problems, f"{case.name}:\n" + "\n".join(problems)


def test_table() -> None:
    names = [c.name for c in CASES]
    assert len(names) >= 25 and len(set(names)) == len(names)
    for case in CASES:
        assert (FIXTURES / case.script / "score.py").is_file(), case.script
        assert bool(case.requests) != bool(case.startup_failure), case.name
        for req in case.requests:
            assert req.compare in ("json", "bytes", "status"), (case.name, req.compare)
            assert set(differences_of(req)) <= set(DIFFERENCES), (case.name, req.differences)


def test_differences_documented() -> None:
    headings = set(re.findall(r"^### `([a-z0-9-]+)`", DOC.read_text(encoding="utf-8"), re.MULTILINE))
    assert set(DIFFERENCES) <= headings, f"undocumented in {DOC.name}: {sorted(set(DIFFERENCES) - headings)}"
    assert headings <= set(DIFFERENCES), f"documented but never checked: {sorted(headings - set(DIFFERENCES))}"

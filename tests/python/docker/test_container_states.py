"""How a container's state reads as a v1 service state (``ops/states.container_state``): one table."""

from __future__ import annotations

import pytest

from amldeploy.ops.states import State, container_state

CASES = [
    # status, exit code, OOM killed, health, answers GET /, restarts exhausted -> state, words in the reason
    ("running", 0, False, "healthy", True, False, State.HEALTHY, None),
    ("running", 0, False, "starting", True, False, State.HEALTHY, None),
    ("running", 0, False, "starting", False, False, State.TRANSITIONING, None),
    ("running", 0, False, "unhealthy", False, False, State.UNHEALTHY, "does not answer GET /"),
    ("running", 0, False, None, False, False, State.UNHEALTHY, "does not answer GET /"),
    ("created", 0, False, None, False, False, State.TRANSITIONING, None),
    ("restarting", 3, False, None, False, False, State.TRANSITIONING, "restarting after the service crashed"),
    ("restarting", 3, False, None, False, True, State.FAILED, "init() raised"),
    ("exited", 3, False, None, False, True, State.FAILED, "exit status 3): score.py failed to load or its init()"),
    ("exited", 137, True, None, False, True, State.FAILED, "ran out of memory"),
    ("exited", 137, False, None, False, True, State.FAILED, "killed by signal 9"),
    ("exited", 0, False, None, False, True, State.FAILED, "it stopped (exit status 0)"),
    ("dead", 1, False, None, False, True, State.FAILED, "exited with status 1"),
    ("paused", 0, False, "healthy", False, False, State.UNHEALTHY, "docker unpause"),
]


@pytest.mark.parametrize(("status", "code", "oom", "health", "answering", "exhausted", "state", "words"), CASES)
def test_container_state(
    status: str,
    code: int,
    oom: bool,
    health: str | None,
    answering: bool,
    exhausted: bool,
    state: State,
    words: str | None,
) -> None:
    got, why = container_state(status, code, oom, health, answering, exhausted)
    assert got is state
    if words is None:
        assert why is None
    else:
        assert why is not None and words in why

"""The v1 service states, one vocabulary for every target.

Azure ML v1 reported a service as ``Transitioning``, ``Healthy``, ``Unhealthy``, ``Unschedulable`` or ``Failed``
(``Webservice.state``); each target derives one of these from its engine's own signals.
"""

from __future__ import annotations

from enum import Enum


class State(str, Enum):
    TRANSITIONING = "Transitioning"
    HEALTHY = "Healthy"
    UNHEALTHY = "Unhealthy"
    UNSCHEDULABLE = "Unschedulable"
    FAILED = "Failed"

    def __str__(self) -> str:
        return self.value

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]

    @property
    def is_running(self) -> bool:
        """Whether something still runs (and may serve or recover): everything except Failed."""
        return self is not State.FAILED

    @classmethod
    def parse(cls, text: str) -> State:
        """A state from its name, case-insensitively; ``ValueError`` names the accepted ones."""
        for state in cls:
            if state.value.lower() == text.strip().lower():
                return state
        raise ValueError(f"unknown state {text!r}: use one of {', '.join(s.value for s in cls)}")


_DESCRIPTIONS = {
    State.TRANSITIONING: "starting or updating: the scoring server does not answer yet",
    State.HEALTHY: "running, and the scoring server answers its health check",
    State.UNHEALTHY: "running, but the scoring server does not answer its health check",
    State.UNSCHEDULABLE: "cannot be placed: the target lacks the resources the deployment config asks for",
    State.FAILED: "not running: it crashed, failed to start or could not be built",
}

# The states of v1's LocalWebservice (a container on the developer's machine), in this vocabulary.
V1_LOCAL_STATES = {
    "deploying": State.TRANSITIONING,
    "running": State.HEALTHY,
    "failed": State.FAILED,
}


def process_state(alive: bool, answering: bool, starting: bool) -> State:
    """The state of a service behind a process: ``alive`` is the pid check, ``answering`` the health check
    (``GET /`` → 200), ``starting`` whether its deploy is still waiting for the first answer."""
    if not alive:
        return State.FAILED
    if answering:
        return State.HEALTHY
    return State.TRANSITIONING if starting else State.UNHEALTHY


# ``amldeploy serve`` exits 3 when score.py fails to load or its init() raises (see runtime/command.py).
INIT_FAILED_EXIT = 3


def container_state(
    status: str,
    exit_code: int,
    oom_killed: bool,
    health: str | None,
    answering: bool,
    restart_exhausted: bool = False,
) -> tuple[State, str | None]:
    """The state of a service behind a container, from what the engine says of it (``State.Status``,
    ``ExitCode``, ``OOMKilled``, ``Health.Status``) and ``answering``, our own ``GET /`` through the published
    port (the image's HEALTHCHECK first runs 10 s after the start, so its "starting" says little). Returns the
    state and, when it is not Healthy, why."""
    if status in ("exited", "dead") or (status == "restarting" and restart_exhausted):
        return State.FAILED, container_exit_reason(exit_code, oom_killed)
    if status in ("created", "restarting", "removing"):
        why = None if status != "restarting" else f"restarting after {container_exit_reason(exit_code, oom_killed)}"
        return State.TRANSITIONING, why
    if status == "paused":
        return State.UNHEALTHY, "the container is paused ('docker unpause' resumes it)"
    if answering:
        return State.HEALTHY, None
    if health == "starting":
        return State.TRANSITIONING, None
    return State.UNHEALTHY, "the container runs, but the scoring server does not answer GET / with 200"


def container_exit_reason(exit_code: int, oom_killed: bool) -> str:
    """Why a container stopped, in words."""
    if oom_killed:
        return f"it ran out of memory and was killed (exit status {exit_code}): raise memoryInGB or use less"
    if exit_code == INIT_FAILED_EXIT:
        return "the service crashed (exit status 3): score.py failed to load or its init() raised"
    if exit_code == 0:
        return "it stopped (exit status 0)"
    if exit_code > 128:
        return f"it was killed by signal {exit_code - 128} (exit status {exit_code})"
    return f"it exited with status {exit_code}"

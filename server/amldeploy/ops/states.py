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

"""Failures of operations that the user can act on: a message naming the cause, a hint naming the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amldeploy.ops.service import Service

EXIT_FAILED, EXIT_USAGE = 1, 2


class OpsError(Exception):
    """``status`` is the exit status a command line gives it: 1 the operation failed, 2 a usage mistake."""

    def __init__(self, message: str, hint: str | None = None, status: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.status = status


class ServiceNotFound(OpsError):
    default_hint = "run 'amldeploy list' to see the services of this folder, or deploy one with 'amldeploy deploy'"

    def __init__(self, name: str, where: str) -> None:
        super().__init__(f"there is no service named '{name}' (looked in {where})", self.default_hint)
        self.name = name
        self.where = where


class DeployFailed(OpsError):
    """A deploy that started but did not become healthy; ``log_tail`` holds the last lines of its log."""

    def __init__(
        self, message: str, hint: str | None, service: Service | None, log_tail: list[str] | None = None
    ) -> None:
        super().__init__(message, hint)
        self.service = service
        self.log_tail = log_tail or []


class Cancelled(OpsError):
    """The caller gave up on the operation (an editor's cancel button); raised by its reporter at the next step,
    after which the target stops whatever it had started."""

    def __init__(self, message: str = "the operation was cancelled") -> None:
        super().__init__(message, "start it again when you want it")

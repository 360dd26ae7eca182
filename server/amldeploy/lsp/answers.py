"""What the custom requests answer when an operation fails: ``REQUEST_FAILED`` with the cause and the fix.

``OpsError`` → ``{message, hint}``; ``DeployFailed`` adds ``log`` (the last lines of the service) and
``service`` (what was left behind, as a ``ServiceView``); a config with errors adds ``problems``
(``{path, line, column, code, message}``, 1-based, the column in the position encoding negotiated at
``initialize``, as every position the server sends). Anything else is a fault of amldeploy: its traceback goes to
the client's log and the answer says so, and the server keeps serving.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcException

from amldeploy.lsp.params import request_failed

if TYPE_CHECKING:
    from amldeploy.lsp.server import AmlLanguageServer


@contextmanager
def answer_errors(ls: AmlLanguageServer, method: str) -> Iterator[None]:
    """Turn whatever the body raises into the error answer of ``method``."""
    try:
        yield
    except JsonRpcException:
        raise
    except Exception as exc:
        raise error_answer(ls, method, exc) from None


def error_answer(ls: AmlLanguageServer, method: str, exc: Exception) -> JsonRpcException:
    from amldeploy.ops.errors import DeployFailed, OpsError

    if isinstance(exc, DeployFailed):
        extra: dict[str, Any] = {"log": exc.log_tail}
        if exc.service is not None:
            from amldeploy.ops.snapshot import service_view

            extra["service"] = service_view(exc.service)
        return request_failed(exc.message, exc.hint, **extra)
    if isinstance(exc, OpsError):
        return request_failed(exc.message, exc.hint)
    load = sys.modules.get("amldeploy.config.load")  # not imported: the error cannot be one of its ConfigErrors
    if load is not None and isinstance(exc, load.ConfigError):
        if not exc.problems:  # missing or unreadable
            return request_failed(str(exc), "check the inferenceConfig and deploymentConfig paths")
        return request_failed(
            f"{exc.path} has {len(exc.problems)} error(s): nothing was deployed",
            "fix them (the editor marks them), then try again",
            problems=load.positions(exc.path, exc.problems, exc.text, ls.position_encoding),
        )
    ls.feature_failed(method, exc)
    return request_failed(
        f"{method} failed unexpectedly: {type(exc).__name__}: {exc}",
        "amldeploy's log (the language server's output) has the traceback; please report it",
    )

"""``amldeploy/computeTargets``: the compute targets recorded by name (``amldeploy target add``, ``amldeploy ml
computetarget attach``), so that an editor offers the same names ``--ct NAME`` takes and shows their settings.
``amldeploy/deploy`` and ``amldeploy/package`` take ``computeTarget`` (``features/operations.py``).

``amldeploy/computeTargets``  ``{}`` → ``{"root": str, "computeTargets": [ComputeTargetView], "errors":
    [{"message": str, "hint": str}]}``: ``root`` is the records' folder; ``errors`` name the records that cannot
    be read (and the fix), without hiding the others.
    ``ComputeTargetView = {"name": str, "type": "kubernetes" | "aci" | "docker" | "process", "target": str,
    "computeType": str, "settings": {str: str}, "resourceId"?: str, "description"?: str, "created": str,
    "file": str}``; ``settings`` keys are the editor's target settings (``kubernetes.context``,
    ``aci.subscription``, ...) plus ``kubernetes.kubeconfig`` and ``docker.host``.
"""

from __future__ import annotations

from typing import Any

from amldeploy.lsp.answers import answer_errors
from amldeploy.lsp.background import run_blocking
from amldeploy.lsp.params import Params
from amldeploy.lsp.protocol import COMPUTE_TARGETS
from amldeploy.lsp.server import AmlLanguageServer

__all__ = ["COMPUTE_TARGETS", "compute_targets", "register"]


def compute_targets() -> dict[str, Any]:
    from amldeploy.ops.computetargets import ComputeTargets

    store = ComputeTargets()
    found, problems = store.list()
    return {
        "root": str(store.root),
        "computeTargets": [target.to_json() for target in found],
        "errors": [{"message": problem.message, "hint": problem.hint} for problem in problems],
    }


def register(server: AmlLanguageServer) -> None:
    @server.feature(COMPUTE_TARGETS)
    async def list_compute_targets(ls: AmlLanguageServer, params: Any) -> Any:
        Params(COMPUTE_TARGETS, params)  # an object (or nothing), as every request's
        with answer_errors(ls, COMPUTE_TARGETS):
            return await run_blocking(ls, compute_targets)

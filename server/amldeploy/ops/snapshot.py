"""The services of a workspace as an editor shows them: every registered target with its settings and services.

The shapes are the language server's ``ServicesSnapshot``, ``TargetView`` and ``ServiceView``
(``amldeploy.lsp.protocol``). Keys are never part of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import OpsError
from amldeploy.ops.service import Service
from amldeploy.ops.targets.base import (
    RecordProblem,
    can_package,
    make_target,
    merge_services,
    recorded_services,
    service_rows,
    target_info,
    target_names,
)

# Fields that must never reach a snapshot, whatever a target puts in a service's details.
SECRET_KEYS = frozenset({"primaryKey", "secondaryKey", "keys", "authorization"})
# Fields a target may add that change on every look without the service changing (when it was last checked,
# how long it has run): a watcher compares snapshots without them. The process target has none.
VOLATILE_KEYS = frozenset({"checkedAt", "uptime"})


def service_view(service: Service) -> dict[str, Any]:
    """``Service.to_json()`` plus ``rows``, the details in its target's words."""
    view: dict[str, Any] = _without(service.to_json(), SECRET_KEYS)
    view["rows"] = [{"label": label, "value": value} for label, value in service_rows(service)]
    return view


def target_view(
    name: str, root: Path, settings: Mapping[str, str | None], recorded: Sequence[Service] = ()
) -> dict[str, Any]:
    """One target: what it is, whether it can be used here (and why not), its settings and its services, with
    ``recorded``, those of its recorded compute targets that look elsewhere (listed whether or not it is)."""
    info = target_info(name)
    view: dict[str, Any] = {
        "name": info.name,
        "label": info.title,
        "description": info.description,
        "available": True,
        "canPackage": False,
        "settings": [s.to_json() for s in info.settings(root, settings)],
        "services": [service_view(s) for s in recorded],
    }
    if not info.available():
        view["available"] = False
        view["reason"] = info.reason() or f"the {name} target is not available on this machine"
        return view
    try:
        target = make_target(name, root, settings)
        view["canPackage"] = can_package(target)
        services = merge_services(target.list(), list(recorded))
        view["services"] = [service_view(s) for s in sorted(services, key=lambda s: s.name)]
    except OpsError as exc:  # an engine that stopped answering, credentials that expired, ...
        view["available"] = False
        view["reason"] = exc.message + (f" ({exc.hint})" if exc.hint else "")
    return view


def record_view(problem: RecordProblem, root: Path) -> dict[str, Any]:
    """A recorded compute target whose services cannot be listed, shown as a target that cannot be reached:
    ``name`` is ``computeTarget:NAME`` and ``computeTarget`` NAME (Deploy… on it deploys with that record),
    ``target`` the target it deploys to (absent when the record cannot be read), ``reason`` why."""
    error = problem.error
    view: dict[str, Any] = {
        "name": f"computeTarget:{problem.record}",
        "label": f"Compute target {problem.record}",
        "description": f"the services of the compute target {problem.record}",
        "available": False,
        "reason": error.message + (f" ({error.hint})" if error.hint else ""),
        "canPackage": False,
        "settings": [],
        "services": [],
        "computeTarget": problem.record,
    }
    if problem.target is not None:
        info = target_info(problem.target)
        view["label"] = f"{info.title} · compute target {problem.record}"
        view["description"] = f"{info.description}, recorded as the compute target {problem.record}"
        view["settings"] = [s.to_json() for s in info.settings(root, problem.settings)]
        view["target"] = info.name
    return view


def services_snapshot(root: Path, settings: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """Every registered target of the workspace ``root`` with its services; ``settings`` are the editor's
    target settings (``{"aci.subscription": ..., "kubernetes.context": ...}``). The services of the recorded
    compute targets whose settings look elsewhere (another context or namespace, another resource group) join
    their target's, each with its record's name (``computeTarget``, and a row); a record that cannot be listed
    or read is one more target, unavailable, saying why."""
    values = settings or {}
    recorded, problems = recorded_services(root, values)
    views = [target_view(name, root, values, [s for s in recorded if s.target == name]) for name in target_names()]
    views += [record_view(problem, root) for problem in problems]
    return {"root": str(root), "targets": views}


def snapshot_signature(snapshot: Mapping[str, Any]) -> str:
    """What two snapshots must share to show the same thing (volatile fields left out)."""
    return json.dumps(_without(snapshot, VOLATILE_KEYS), sort_keys=True, default=str)


def _without(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, Mapping):
        return {k: _without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_without(v, keys) for v in value]
    return value

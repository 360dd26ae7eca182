"""The services of a workspace as an editor shows them: every registered target with its settings and services.

The shapes are the language server's ``ServicesSnapshot``, ``TargetView`` and ``ServiceView``
(``amldeploy.lsp.protocol``). Keys are never part of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import OpsError
from amldeploy.ops.service import Service
from amldeploy.ops.targets.base import can_package, make_target, service_rows, target_info, target_names

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


def target_view(name: str, root: Path, settings: Mapping[str, str | None]) -> dict[str, Any]:
    """One target: what it is, whether it can be used here (and why not), its settings and its services."""
    info = target_info(name)
    view: dict[str, Any] = {
        "name": info.name,
        "label": info.title,
        "description": info.description,
        "available": True,
        "canPackage": False,
        "settings": [s.to_json() for s in info.settings(root, settings)],
        "services": [],
    }
    if not info.available():
        view["available"] = False
        view["reason"] = info.reason() or f"the {name} target is not available on this machine"
        return view
    try:
        target = make_target(name, root, settings)
        view["canPackage"] = can_package(target)
        view["services"] = [service_view(s) for s in target.list()]
    except OpsError as exc:  # an engine that stopped answering, credentials that expired, ...
        view["available"] = False
        view["reason"] = exc.message + (f" ({exc.hint})" if exc.hint else "")
    return view


def services_snapshot(root: Path, settings: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """Every registered target of the workspace ``root`` with its services; ``settings`` are the editor's
    target settings (``{"aci.subscription": ..., "kubernetes.context": ...}``)."""
    values = settings or {}
    return {"root": str(root), "targets": [target_view(name, root, values) for name in target_names()]}


def snapshot_signature(snapshot: Mapping[str, Any]) -> str:
    """What two snapshots must share to show the same thing (volatile fields left out)."""
    return json.dumps(_without(snapshot, VOLATILE_KEYS), sort_keys=True, default=str)


def _without(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, Mapping):
        return {k: _without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_without(v, keys) for v in value]
    return value

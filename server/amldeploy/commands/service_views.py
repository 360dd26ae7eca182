"""``amldeploy list``, ``show NAME``, ``keys NAME`` and ``delete NAME``."""

from __future__ import annotations

import os
from pathlib import Path

from amldeploy.commands.services import EXIT_OK, Output
from amldeploy.ops.service import Service
from amldeploy.ops.targets.base import all_services, find_service


def run_list(output: Output) -> int:
    services = all_services(Path.cwd())
    if output.json:
        output.document([s.to_json() for s in services])
        return EXIT_OK
    if not services:
        output.line(
            "No services in this folder. Deploy one with: amldeploy deploy NAME --ic FILE --dc FILE --model PATH"
        )
        return EXIT_OK
    rows = [("NAME", "STATE", "TARGET", "PID", "SCORING URI", "CREATED")]
    for s in services:
        uri = s.scoring_uri if s.state.is_running and s.scoring_uri else "-"
        rows.append((s.name, s.state.value, s.target, str(s.pid or "-"), uri, s.created or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        output.line("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


def run_show(name: str, output: Output) -> int:
    _, service = find_service(name, Path.cwd())
    if output.json:
        output.document(service.to_json())
        return EXIT_OK
    for label, value in describe(service):
        output.line(f"{label + ':':<14}{value}")
    return EXIT_OK


def describe(service: Service) -> list[tuple[str, str]]:
    models = ", ".join(f"{m.name}:{m.version} ({m.path})" for m in service.models) or "none"
    rows = [
        ("name", service.name),
        ("state", f"{service.state} ({service.state.description})"),
        ("target", f"{service.target} (computeType {service.compute_type})"),
        ("scoring URI", service.scoring_uri or "-"),
        ("swagger URI", service.swagger_uri or "-"),
        ("pid", str(service.pid or "-")),
        ("created", service.created or "-"),
        ("models", models),
        ("auth", "enabled (amldeploy keys " + service.name + ")" if service.auth_enabled else "disabled"),
        ("isolated", "yes (a venv of the environment's pip packages)" if service.isolated else "no"),
        ("log", _relative(service.log_path) if service.log_path else "-"),
    ]
    if service.error:
        rows.append(("error", service.error))
    return rows


def run_keys(name: str, output: Output) -> int:
    target, service = find_service(name, Path.cwd())
    keys = target.keys(name)
    if output.json:
        output.document({"name": name, "authEnabled": service.auth_enabled, **keys.to_json()})
        return EXIT_OK
    output.line(f"primaryKey:   {keys.primary}")
    output.line(f"secondaryKey: {keys.secondary}")
    if not service.auth_enabled:
        output.err.write(f"note: auth is disabled for {name}: it answers requests without a key\n")
    return EXIT_OK


def run_delete(name: str, output: Output) -> int:
    target, _ = find_service(name, Path.cwd())
    target.delete(name, output.reporter())
    if output.json:
        output.document({"name": name, "deleted": True})
    else:
        output.line(f"Deleted {name}.")
    return EXIT_OK


def _relative(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path

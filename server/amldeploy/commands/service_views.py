"""``amldeploy list``, ``show NAME``, ``keys NAME`` and ``delete NAME``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from amldeploy.commands.output import EXIT_OK, Output
from amldeploy.ops.errors import EXIT_USAGE, OpsError
from amldeploy.ops.service import Service
from amldeploy.ops.targets.base import all_services, find_service, merge_services, recorded_services, service_rows

Settings = Mapping[str, str | None]


def run_list(output: Output, settings: Settings | None = None, records: bool = True) -> int:
    services = all_services(Path.cwd(), settings, records=False)
    if records:  # the services of the recorded compute targets that look elsewhere; a note for those that fail
        found, problems = recorded_services(Path.cwd(), settings)
        services = merge_services(services, found)
        for problem in problems:
            output.err.write(f"note: compute target {problem.record} is not listed: {problem.error.message}\n")
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


def run_show(name: str, output: Output, settings: Settings | None = None, records: bool = True) -> int:
    _, service = find_service(name, Path.cwd(), settings, records=records)
    if output.json:
        output.document(service.to_json())
        return EXIT_OK
    rows = describe(service)
    width = max([14, *(len(label) + 2 for label, _ in rows)])
    for label, value in rows:
        output.line(f"{label + ':':<{width}}{value}")
    return EXIT_OK


def describe(service: Service) -> list[tuple[str, str]]:
    """The rows of ``show``: the service's details as its target words them (an editor's tree shows the same)."""
    rows = [("name", service.name), ("target", f"{service.target} (computeType {service.compute_type})")]
    for label, value in service_rows(service):
        if label == "Log" and value != "-":
            value = _relative(value)
        elif label == "Auth" and service.auth_enabled:
            value += f"; 'amldeploy keys {service.name}' prints them"
        rows.append((_lower(label), value))
    return rows


def _lower(label: str) -> str:
    """``Scoring URI`` → ``scoring URI``; acronyms (``PID``) stay."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def run_keys(name: str, output: Output, settings: Settings | None = None, records: bool = True) -> int:
    target, service = find_service(name, Path.cwd(), settings, records=records)
    keys = target.keys(name)
    if output.json:
        output.document({"name": name, "authEnabled": service.auth_enabled, **keys.to_json()})
        return EXIT_OK
    output.line(f"primaryKey:   {keys.primary}")
    output.line(f"secondaryKey: {keys.secondary}")
    if not service.auth_enabled:
        output.err.write(f"note: auth is disabled for {name}: it answers requests without a key\n")
    return EXIT_OK


def run_delete(
    name: str, output: Output, purge: bool = False, settings: Settings | None = None, records: bool = True
) -> int:
    target, _ = find_service(name, Path.cwd(), settings, records=records)
    if purge:
        from amldeploy.ops.targets.docker.target import DockerTarget

        if not isinstance(target, DockerTarget):
            message = f"--purge removes a service's image; the {target.name} target has none"
            raise OpsError(message, "delete without --purge", EXIT_USAGE)
        target.delete(name, output.reporter(), purge=True)
    else:
        target.delete(name, output.reporter())
    from amldeploy.ops.registry import note_deleted

    note_deleted(name, target.name, Path.cwd())
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

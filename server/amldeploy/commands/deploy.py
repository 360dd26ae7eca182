"""``amldeploy deploy NAME --ic FILE --dc FILE [--model PATH[:NAME[:VERSION]]]...``; without ``--ic`` a model
with a framework is deployed with a generated entry script and environment (no-code deployment)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from amldeploy.commands.output import EXIT_OK, EXIT_USAGE, Output
from amldeploy.commands.target_flags import deploy_fields, settings_from
from amldeploy.config.load import ConfigError
from amldeploy.ops.errors import DeployFailed, OpsError
from amldeploy.ops.prepare import Prepared, prepare_deploy
from amldeploy.ops.registry import note_deployed
from amldeploy.ops.reporter import Reporter
from amldeploy.ops.service import Service
from amldeploy.ops.targets.base import DryRunner, Target, make_target


def run_deploy(args: argparse.Namespace, output: Output, adjust: Callable[[Prepared], None] | None = None) -> int:
    """``adjust`` (for ``amldeploy ml``) changes the prepared request in memory before it is deployed: keys given
    on its command line, which must never be written to a file."""
    try:
        prepared = prepare_deploy(
            args.name,
            Path(args.ic) if args.ic else None,
            Path(args.dc) if args.dc else None,
            args.models,
            Path.cwd(),
            args.target,
            args.port,
            args.isolated,
            dry_run=args.dry_run,
            model_framework=getattr(args, "model_framework", None),  # absent from parsers without the flags
            model_framework_version=getattr(args, "model_framework_version", None),
        )
    except ConfigError as exc:
        return _config_error(exc, output, args)
    if adjust is not None:
        adjust(prepared)
    settings = settings_from(args)
    request = prepared.request
    request.settings.update(settings)
    for key, value in deploy_fields(args).items():
        setattr(request, key, value)
    if request.registry_username and not args.dry_run:
        from amldeploy.commands.package import registry_password

        request.registry_password = registry_password(request.registry_username, output)
    reporter = output.reporter()
    if not output.json:
        for note in prepared.notes:
            output.err.write(f"note: {note}\n")
    for line in prepared.warning_lines:
        reporter.warning(line)
    target = make_target(prepared.target, Path.cwd(), settings)
    if args.dry_run:
        return _dry_run(target, prepared, output, reporter)
    service = target.deploy(request, reporter)
    note_deployed(service, Path.cwd())
    if output.json:
        warnings = prepared.warnings + _messages(reporter, prepared.warning_lines)
        document: dict[str, Any] = {"service": service.to_json(), "warnings": warnings}
        if prepared.notes:
            document["notes"] = prepared.notes
        if service.generated_keys is not None:  # shown this once (the target keeps no readable copy)
            document["keys"] = service.generated_keys.to_json()
        output.document(document)
        return EXIT_OK
    where = _where(service)
    output.line(f"Service {service.name} is {service.state} ({prepared.target} target, {where})")
    if service.scoring_uri is None and service.state.is_running:
        output.line(f"Scoring URI: none outside the cluster; 'amldeploy score {service.name}' opens a port-forward")
    else:
        output.line(f"Scoring URI: {service.scoring_uri}")
        output.line(f"Swagger URI: {service.swagger_uri}")
    if service.generated_keys is not None:
        keys = service.generated_keys
        output.line("Auth: enabled, with new keys. They are shown this once: the target keeps no readable copy")
        output.line(f"  primary key:   {keys.primary}")
        output.line(f"  secondary key: {keys.secondary}")
        output.line("  (keys.primaryKey / keys.secondaryKey in the deployment config keep them across deploys)")
    elif service.auth_enabled:
        output.line(f"Auth: enabled; 'amldeploy keys {service.name}' prints the keys, 'amldeploy score' sends them")
    return EXIT_OK


def _dry_run(target: Target, prepared: Prepared, output: Output, reporter: Reporter) -> int:
    if not isinstance(target, DryRunner):
        raise OpsError(
            f"the {target.name} target has no dry run: it creates nothing to review",
            "use --dry-run with a target that creates objects (--target kubernetes)",
            EXIT_USAGE,
        )
    objects = target.dry_run(prepared.request, reporter)
    if output.json:
        document: dict[str, Any] = {"target": target.name, "objects": objects, "warnings": prepared.warnings}
        if prepared.notes:
            document["notes"] = prepared.notes
        output.document(document)
        return EXIT_OK
    import yaml

    output.line(yaml.safe_dump_all(objects, sort_keys=False, default_flow_style=False).rstrip("\n"))
    return EXIT_OK


def _where(service: Service) -> str:
    if service.pid is not None:
        return f"pid {service.pid}"
    if service.details.get("container"):
        return f"container {service.details['container']}"
    if service.details.get("deployment"):
        return f"deployment {service.details['deployment']} in namespace {service.details.get('namespace')}"
    if service.details.get("containerGroup"):
        return f"container group {service.details['containerGroup']} in {service.details.get('resourceGroup')}"
    return "-"


def report_failure(exc: DeployFailed, output: Output) -> int:
    service = exc.service
    if output.json:
        extra: dict[str, Any] = {"log": exc.log_tail}
        if service is not None:
            extra["service"] = service.to_json()
        return output.error(exc.message, exc.hint, exc.status, **extra)
    if exc.log_tail:
        where = _shown(service) if service is not None else "the build"
        output.err.write(f"--- last {len(exc.log_tail)} lines of {where} ---\n")
        output.err.write("\n".join(exc.log_tail) + "\n---\n")
    if service is not None:
        output.err.write(f"Service {service.name} is {service.state}.\n")
    return output.error(exc.message, exc.hint, exc.status)


def _shown(service: Service) -> str:
    path = service.log_path or "the log"
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path


_FLAGS = {
    "ic": ("--ic", "inference config", "inferenceconfig.json"),
    "dc": ("--dc", "deployment config", "deploymentconfig.json"),
}


def _config_error(exc: ConfigError, output: Output, args: argparse.Namespace) -> int:
    if not exc.problems:  # missing: the command line named something wrong, and the user wants to know which flag
        for dest, (flag, what, example) in _FLAGS.items():
            if getattr(args, dest) and exc.path == Path(getattr(args, dest)):
                return output.error(
                    f"{flag} {exc.path}: there is no such file",
                    f"give the path of the {what}, e.g. {flag} {example}",
                    EXIT_USAGE,
                )
        return output.error(str(exc), "check the --ic and --dc paths", EXIT_USAGE)
    return output.config_errors(exc, "deploy", "deployed")


def _messages(reporter: Any, config_warnings: list[str]) -> list[dict[str, Any]]:
    """Warnings the operation itself raised (front-end settings a process cannot reproduce, ...)."""
    shown = set(config_warnings)
    return [{"message": text} for text in getattr(reporter, "warnings", []) if text not in shown]

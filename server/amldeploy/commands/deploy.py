"""``amldeploy deploy NAME --ic FILE --dc FILE [--model PATH[:NAME[:VERSION]]]...``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from amldeploy.commands.output import EXIT_OK, EXIT_USAGE, Output
from amldeploy.config.load import ConfigError
from amldeploy.ops.errors import DeployFailed
from amldeploy.ops.prepare import prepare_deploy
from amldeploy.ops.service import Service
from amldeploy.ops.targets.base import make_target


def run_deploy(args: argparse.Namespace, output: Output) -> int:
    try:
        prepared = prepare_deploy(
            args.name, Path(args.ic), Path(args.dc), args.models, Path.cwd(), args.target, args.port, args.isolated
        )
    except ConfigError as exc:
        return _config_error(exc, output, args)
    reporter = output.reporter()
    for line in prepared.warning_lines:
        reporter.warning(line)
    target = make_target(prepared.target, Path.cwd())
    service = target.deploy(prepared.request, reporter)
    if output.json:
        warnings = prepared.warnings + _messages(reporter, prepared.warning_lines)
        output.document({"service": service.to_json(), "warnings": warnings})
        return EXIT_OK
    where = f"pid {service.pid}" if service.pid is not None else f"container {service.details.get('container', '-')}"
    output.line(f"Service {service.name} is {service.state} ({prepared.target} target, {where})")
    output.line(f"Scoring URI: {service.scoring_uri}")
    output.line(f"Swagger URI: {service.swagger_uri}")
    if service.auth_enabled:
        output.line(f"Auth: enabled; 'amldeploy keys {service.name}' prints the keys, 'amldeploy score' sends them")
    return EXIT_OK


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
            if exc.path == Path(getattr(args, dest)):
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

"""``amldeploy deploy NAME --ic FILE --dc FILE [--model PATH[:NAME[:VERSION]]]...``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from amldeploy.commands.services import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Output
from amldeploy.config.load import ConfigError, Loaded, load_deployment_config, load_inference_config
from amldeploy.language.problems import Problem
from amldeploy.language.sources import read_source
from amldeploy.language.text import TextIndex
from amldeploy.ops.errors import DeployFailed
from amldeploy.ops.model_specs import parse_model_specs
from amldeploy.ops.naming import service_name_problem
from amldeploy.ops.service import Service
from amldeploy.ops.targets.base import DeployRequest, choose_target, make_target


def run_deploy(args: argparse.Namespace, output: Output) -> int:
    problem = service_name_problem(args.name)
    if problem:
        return output.error(problem, "choose a name like 'sklearn-demo'", EXIT_USAGE)
    reporter = output.reporter()
    try:
        inference = load_inference_config(Path(args.ic))
        deployment = load_deployment_config(Path(args.dc))
    except ConfigError as exc:
        return _config_error(exc, output)
    except ValueError as exc:  # the typed model refused what the rules let through: still the config's fault
        return output.error(f"the config cannot be used: {exc}", "run 'amldeploy validate' on it", EXIT_FAILED)
    warnings = _positioned(inference) + _positioned(deployment)
    for warning in warnings:
        reporter.warning(
            f"{warning['path']}:{warning['line']}:{warning['column']}: {warning['code']} {warning['message']}"
        )
    models = parse_model_specs(args.models, Path.cwd())
    target_name = choose_target(deployment.config.compute_type, args.target)
    target = make_target(target_name, Path.cwd())
    request = DeployRequest(args.name, inference, deployment, models, args.port, args.isolated)
    service = target.deploy(request, reporter)
    if output.json:
        output.document({"service": service.to_json(), "warnings": warnings + _messages(reporter, warnings)})
        return EXIT_OK
    output.line(f"Service {service.name} is {service.state} ({target_name} target, pid {service.pid})")
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


def _config_error(exc: ConfigError, output: Output) -> int:
    if not exc.problems:  # missing or unreadable: the command line named something wrong
        return output.error(str(exc), "check the --ic/--dc paths", EXIT_USAGE)
    if output.json:
        return output.error(
            f"{exc.path} has {len(exc.problems)} error(s)",
            f"fix them, then deploy again ('amldeploy validate {exc.path}' checks it)",
            EXIT_FAILED,
            problems=_positions(exc.path, exc.problems),
        )
    output.err.write(str(exc) + "\n")
    return output.error("the config has errors: nothing was deployed", "fix them, then deploy again", EXIT_FAILED)


def _positioned(loaded: Loaded[Any]) -> list[dict[str, Any]]:
    return _positions(loaded.path, loaded.warnings)


def _positions(path: Path, problems: list[Problem]) -> list[dict[str, Any]]:
    index = TextIndex(read_source(path).text) if problems else None
    items = []
    for p in problems:
        assert index is not None
        pos = index.position(p.start)
        items.append(
            {"path": str(path), "line": pos.line + 1, "column": pos.character + 1, "code": p.code, "message": p.message}
        )
    return items


def _messages(reporter: Any, config_warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Warnings the operation itself raised (front-end settings a process cannot reproduce, ...)."""
    shown = {f"{w['path']}:{w['line']}:{w['column']}: {w['code']} {w['message']}" for w in config_warnings}
    return [{"message": text} for text in getattr(reporter, "warnings", []) if text not in shown]

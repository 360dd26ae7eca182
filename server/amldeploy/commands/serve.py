"""``amldeploy serve``: the scoring host, with ``--ic``/``--dc`` read here through the typed config loader (the
v1 rules need the language core, which the runtime never imports)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from amldeploy.runtime.command import EXIT_SETTINGS, run
from amldeploy.runtime.config import FromConfigs

PROG = "amldeploy serve"


class _Refused(Exception):
    """A config the scoring host cannot start from; the message names it and the fix."""


def _inference(path: Path, into: FromConfigs) -> None:
    from amldeploy.config.load import ConfigError, load_inference_config
    from amldeploy.language.files import resolve

    try:
        loaded = load_inference_config(path)
    except ConfigError as e:
        raise _Refused(str(e)) from None
    ic = loaded.config
    config_dir = path.resolve().parent
    source = ic.source_directory
    base = resolve(config_dir, source) if source and source.strip() else config_dir
    into.source_dir = base
    into.entry_script = resolve(base, ic.entry_script)
    if ic.environment is not None and ic.environment.environment_variables:
        into.environment.update(ic.environment.environment_variables)
    into.warnings += [f"{path}: warning {p.code} {p.message}" for p in loaded.warnings]


def _front_end(path: Path, into: FromConfigs) -> None:
    """The front-end values the config's compute type defines (its defaults included), plus its local port."""
    from amldeploy.config.load import ConfigError, load_deployment_config
    from amldeploy.config.models import AciDeploymentConfig, LocalDeploymentConfig

    try:
        loaded = load_deployment_config(path)
    except ConfigError as e:
        raise _Refused(str(e)) from None
    dc = loaded.config
    into.deployment_config = str(path)
    into.warnings += [f"{path}: warning {p.code} {p.message}" for p in loaded.warnings]
    values: dict[str, Any]
    if isinstance(dc, LocalDeploymentConfig):
        values = {"port": dc.port} if dc.port is not None else {}
    elif isinstance(dc, AciDeploymentConfig):
        values = {"auth_enabled": dc.auth_enabled}
    else:
        values = {
            "auth_enabled": dc.auth_enabled,
            "max_concurrent": dc.max_concurrent_requests_per_container,
            "max_queue_wait_ms": dc.max_queue_wait_ms,
            "scoring_timeout_ms": dc.scoring_timeout_ms,
        }
    into.front_end = values


def _registered_models(values: list[str] | None) -> list[str] | None:
    """``--model NAME[:VERSION]`` naming a registered model becomes its stored ``PATH:NAME:VERSION`` (a value
    that is a path is left to the runtime's parser, as before)."""
    if not values:
        return values
    from amldeploy.ops.errors import OpsError
    from amldeploy.ops.model_specs import parse_model_spec
    from amldeploy.runtime.model_specs import ModelSpecError
    from amldeploy.runtime.model_specs import parse_model_spec as parse_path

    resolved: list[str] = []
    for value in values:
        try:
            parse_path(value, Path.cwd())
        except ModelSpecError:
            try:
                value = parse_model_spec(value, Path.cwd()).argument
            except OpsError as exc:
                raise _Refused(f"{exc.message}: {exc.hint}" if exc.hint else exc.message) from None
        resolved.append(value)
    return resolved


def run_serve(args: argparse.Namespace) -> int:
    configs = FromConfigs()
    try:
        args.model = _registered_models(args.model)
        if args.ic:
            _inference(Path(args.ic), configs)
        if args.dc:
            _front_end(Path(args.dc), configs)
    except _Refused as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return EXIT_SETTINGS
    except ImportError as e:
        # An isolated venv holds the runtime alone: reading a config needs the rest of amldeploy's dependencies.
        print(
            f"{PROG}: --ic and --dc need amldeploy's own dependencies ({e.name or e} is missing): install amldeploy "
            "with its dependencies, or give --entry-script and the AMLDEPLOY_* variables",
            file=sys.stderr,
        )
        return EXIT_SETTINGS
    return run(args, configs, PROG)

"""The operations of ``amldeploy.lsp.protocol``: deploy, package, delete, score, keys and choices.

Each runs in an operations thread (``background.run_blocking``): the server keeps answering, and diagnostics keep
flowing, during a deploy. Deploy, package and delete report ``$/progress`` under the client's ``workDoneToken``
and stop when it is cancelled. ``amldeploy.ops`` is imported on first use, never at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from amldeploy.lsp import protocol
from amldeploy.lsp.answers import answer_errors
from amldeploy.lsp.background import run_blocking
from amldeploy.lsp.features.services import publish_services
from amldeploy.lsp.params import Params
from amldeploy.lsp.reporter import LspReporter
from amldeploy.lsp.server import AmlLanguageServer

if TYPE_CHECKING:
    from amldeploy.ops.computetargets import ComputeTarget
    from amldeploy.ops.prepare import Prepared


async def long_operation(
    ls: AmlLanguageServer, method: str, title: str, token: int | str | None, work: Callable[[LspReporter], Any]
) -> Any:
    """``work(reporter)`` with its progress under ``token``: begun before it starts, ended when it answers."""
    reporter = LspReporter(ls, token, title)
    reporter.begin()
    ending = "failed"
    try:
        with answer_errors(ls, method):
            result = await run_blocking(ls, lambda: work(reporter), reporter.cancel)
        ending = "done"
        return result
    except JsonRpcException as exc:
        ending = exc.message
        raise
    finally:
        reporter.end(ending)


def _cancelled(what: str) -> Exception:
    from amldeploy.ops.errors import Cancelled

    return Cancelled(f"{what} was cancelled")


# -- deploy and package -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeployArgs:
    """The parameters of deploy (and of package, which has no ``port``), checked before anything runs."""

    name: str
    inference_config: str | None  # None: a no-code deployment of a model with a framework (ops.nocode)
    deployment_config: str | None  # None: computeType local, for a no-code deployment
    models: list[str]
    target: str | None
    isolated: bool
    port: int | None
    image: str | None = None  # an image already pushed, deployed as is (Kubernetes target)
    registry: str | None = None  # where to push the service image (Kubernetes target)
    compute_target: str | None = None  # a recorded compute target (ops/computetargets.py), as --ct NAME

    @classmethod
    def read(cls, p: Params, with_port: bool = True) -> DeployArgs:
        return cls(
            p.text("name"),
            p.optional_text("inferenceConfig"),
            p.optional_text("deploymentConfig"),
            p.texts("models"),
            p.optional_text("target"),
            p.flag("isolated"),
            p.integer("port", 1, 65535) if with_port else None,
            p.optional_text("image"),
            p.optional_text("registry"),
            p.optional_text("computeTarget"),
        )


def _prepare(
    args: DeployArgs, root: Path, reporter: LspReporter, settings: Mapping[str, str | None]
) -> tuple[Prepared, dict[str, str | None]]:
    """The checked deploy and the target settings it uses: the editor's, under those of ``computeTarget``."""
    from amldeploy.ops.prepare import prepare_deploy

    reporter.step("Checking the configs")
    record = _compute_target(args.compute_target)
    prepared = prepare_deploy(
        args.name,
        root / args.inference_config if args.inference_config else None,
        root / args.deployment_config if args.deployment_config else None,
        args.models,
        root,
        args.target or (record.target if record else None),
        args.port,
        args.isolated,
    )
    merged: dict[str, str | None] = dict(settings)
    if record is not None:
        from amldeploy.ops.computetargets import check_compute_type

        check_compute_type(record, prepared.request.deployment.config.compute_type, args.target)
        merged.update(record.settings)
    prepared.request.settings.update(merged)
    prepared.request.image, prepared.request.registry = args.image, args.registry
    count = len(prepared.warnings)
    reporter.done(True, f"{count} warning{'s' * (count != 1)}" if count else "no problems")
    for line in prepared.warning_lines:
        reporter.warning(line)
    for note in prepared.notes:
        reporter.progress(note)
    return prepared, merged


def _compute_target(name: str | None) -> ComputeTarget | None:
    """The record ``name`` (``OpsError`` listing the known ones when there is none). A Docker engine other than
    the server's cannot be chosen per deploy: the server has one environment (``DOCKER_HOST``)."""
    if name is None:
        return None
    import os

    from amldeploy.ops.computetargets import DOCKER_HOST_SETTING, ComputeTargets
    from amldeploy.ops.errors import EXIT_USAGE, OpsError

    record = ComputeTargets().get(name)
    host = record.settings.get(DOCKER_HOST_SETTING)
    if host and host != os.environ.get("DOCKER_HOST"):
        raise OpsError(
            f"the compute target {name} names the Docker engine {host}, but the editor's server uses "
            f"{os.environ.get('DOCKER_HOST') or 'the default socket'}",
            f"start the editor with DOCKER_HOST={host}, or deploy from the command line with --ct {name}",
            EXIT_USAGE,
        )
    return record


def _deploy(ls: AmlLanguageServer, args: DeployArgs, reporter: LspReporter) -> dict[str, Any]:
    from amldeploy.ops.errors import Cancelled
    from amldeploy.ops.registry import note_deployed
    from amldeploy.ops.snapshot import service_view
    from amldeploy.ops.targets.base import make_target

    root = ls.root()
    prepared, settings = _prepare(args, root, reporter, ls.settings.target_settings)
    name = prepared.request.name
    try:
        service = make_target(prepared.target, root, settings).deploy(prepared.request, reporter)
        note_deployed(service, root)
    except Cancelled:
        raise _cancelled(f"deploy of {name}") from None
    finally:
        publish_services(ls)  # what was started, or what is left of it
    result = {"service": service_view(service), "warnings": reporter.warnings}
    return {**result, "notes": prepared.notes} if prepared.notes else result


def _package(ls: AmlLanguageServer, args: DeployArgs, reporter: LspReporter) -> dict[str, Any]:
    from amldeploy.ops.errors import Cancelled
    from amldeploy.ops.targets.base import Packager, cannot_package, make_target

    root = ls.root()
    prepared, settings = _prepare(args, root, reporter, ls.settings.target_settings)
    target = make_target(prepared.target, root, settings)
    if not isinstance(target, Packager):
        raise cannot_package(target, root)
    try:
        details = target.package(prepared.request, reporter)
    except Cancelled:
        raise _cancelled(f"package of {prepared.request.name}") from None
    return {"target": prepared.target, **details}


# -- the services ---------------------------------------------------------------------------------------------


def _delete(ls: AmlLanguageServer, name: str, target_name: str | None, reporter: LspReporter) -> dict[str, Any]:
    from amldeploy.ops.errors import Cancelled
    from amldeploy.ops.registry import note_deleted
    from amldeploy.ops.targets.base import find_service

    root = ls.root()
    # With the editor's settings, else on the recorded compute targets (of ``target_name``'s target, when given);
    # ServiceNotFound names every place it looked in.
    target, _ = find_service(name, root, ls.settings.target_settings, only=target_name)
    try:
        target.delete(name, reporter)
        note_deleted(name, target.name, root)
    except Cancelled:
        raise _cancelled(f"delete of {name}") from None
    finally:
        publish_services(ls)
    return {"name": name, "target": target.name}


def _score(ls: AmlLanguageServer, name: str, body: str, content_type: str | None) -> dict[str, Any]:
    from amldeploy.ops.scoring import DEFAULT_CONTENT_TYPE, answer_json, score

    answer = score(
        name, body.encode("utf-8"), ls.root(), content_type or DEFAULT_CONTENT_TYPE, ls.settings.target_settings
    )
    return answer_json(name, answer)


def _keys(ls: AmlLanguageServer, name: str) -> dict[str, str]:
    from amldeploy.ops.targets.base import find_service

    target, _ = find_service(name, ls.root(), ls.settings.target_settings)
    return target.keys(name).to_json()


def _choices(setting: str) -> dict[str, Any]:
    from amldeploy.ops.choices import choices_for

    return choices_for(setting).to_json()


def register(server: AmlLanguageServer) -> None:
    @server.feature(protocol.DEPLOY)
    async def deploy(ls: AmlLanguageServer, params: Any) -> Any:
        p = Params(protocol.DEPLOY, params)
        args = DeployArgs.read(p)
        title = f"Deploying {args.name}"
        return await long_operation(ls, protocol.DEPLOY, title, p.token(), lambda r: _deploy(ls, args, r))

    @server.feature(protocol.PACKAGE)
    async def package(ls: AmlLanguageServer, params: Any) -> Any:
        p = Params(protocol.PACKAGE, params)
        args = DeployArgs.read(p, with_port=False)
        title = f"Packaging {args.name}"
        return await long_operation(ls, protocol.PACKAGE, title, p.token(), lambda r: _package(ls, args, r))

    @server.feature(protocol.DELETE)
    async def delete(ls: AmlLanguageServer, params: Any) -> Any:
        p = Params(protocol.DELETE, params)
        name, target = p.text("name"), p.optional_text("target")
        return await long_operation(
            ls, protocol.DELETE, f"Deleting {name}", p.token(), lambda r: _delete(ls, name, target, r)
        )

    @server.feature(protocol.SCORE)
    async def score(ls: AmlLanguageServer, params: Any) -> Any:
        p = Params(protocol.SCORE, params)
        name, body, content_type = p.text("name"), p.body("body"), p.optional_text("contentType")
        with answer_errors(ls, protocol.SCORE):
            return await run_blocking(ls, lambda: _score(ls, name, body, content_type))

    @server.feature(protocol.KEYS)
    async def keys(ls: AmlLanguageServer, params: Any) -> Any:
        name = Params(protocol.KEYS, params).text("name")
        with answer_errors(ls, protocol.KEYS):
            return await run_blocking(ls, lambda: _keys(ls, name))

    @server.feature(protocol.CHOICES)
    async def choices(ls: AmlLanguageServer, params: Any) -> Any:
        setting = Params(protocol.CHOICES, params).text("setting")
        with answer_errors(ls, protocol.CHOICES):
            return await run_blocking(ls, lambda: _choices(setting))

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: AmlLanguageServer, params: Any) -> None:
        ls.background.stop_all()

    @server.feature(types.EXIT)
    def exit_(ls: AmlLanguageServer, params: Any) -> None:
        ls.background.stop_all(closed=True)

"""``ml service list | show | delete | get-logs | get-keys | run | get-access-token`` and ``ml model package |
profile``: the existing amldeploy operations, their results printed in v1's shape."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from amldeploy.commands.ml import configs
from amldeploy.commands.ml.common import Captured, emit, input_data, matches, note, refuse
from amldeploy.commands.ml.deploying import with_meta
from amldeploy.commands.ml.where import where
from amldeploy.ops.errors import EXIT_USAGE, OpsError

if TYPE_CHECKING:
    pass


def list_services(args: argparse.Namespace) -> int:
    from amldeploy.ops.targets.base import all_services

    root = Path.cwd()
    states = configs.all_states(root)
    rows = []
    for service in all_services(root):  # the default places and every recorded compute target's
        state = states.get(service.name) or {}
        data = with_meta(service.to_json(), state)
        if args.compute_type and str(service.compute_type).lower() != args.compute_type.lower():
            continue
        ids = [f"{m['name']}:{m['version']}" for m in data.get("models", []) if isinstance(m, dict)]
        if args.model_name and not any(i.rpartition(":")[0] == args.model_name for i in ids):
            continue
        if args.model_id and args.model_id not in ids:
            continue
        if not matches(data["tags"], args.tag) or not matches(data["properties"], args.property):
            continue
        rows.append(data)
    emit(args, rows)
    return 0


def show(args: argparse.Namespace) -> int:
    from amldeploy.ops.targets.base import find_service

    _, service = find_service(args.name, Path.cwd(), where(args.name))
    emit(args, with_meta(service.to_json(), configs.read_state(Path.cwd(), args.name)))
    return 0


def delete(args: argparse.Namespace) -> int:
    from amldeploy.commands.service_views import run_delete
    from amldeploy.ops.targets.base import find_service

    settings = where(args.name)
    find_service(args.name, Path.cwd(), settings)
    # the registry forgets the service's models too
    status = run_delete(args.name, Captured("ml service delete"), settings=settings)
    if status == 0:
        configs.drop_state(Path.cwd(), args.name)
        note(sys.stderr, f"deleted {args.name}")
    return status


def get_logs(args: argparse.Namespace) -> int:
    from amldeploy.ops.targets.base import find_service

    try:
        count = int(args.num_lines)
    except ValueError:
        raise OpsError(f"-l {args.num_lines}: expected a whole number of lines", None, EXIT_USAGE) from None
    target, _ = find_service(args.name, Path.cwd(), where(args.name))
    if args.init:
        note(
            sys.stderr,
            "--init: v1 showed the init container that downloaded the models; amldeploy has none (models are "
            "copied in before the start), so this is the log from the start, where init() runs",
        )
        lines = list(target.logs(args.name, follow=False, tail=None))[:count]
    else:
        lines = list(target.logs(args.name, follow=False, tail=count))
    if args.output in ("json", "jsonc") and not args.query:
        sys.stdout.write("\n".join(lines) + ("\n" if lines else ""))  # v1 printed the log's text
        sys.stdout.flush()
    else:
        emit(args, lines)
    return 0


def get_keys(args: argparse.Namespace) -> int:
    from amldeploy.ops.targets.base import find_service

    target, service = find_service(args.name, Path.cwd(), where(args.name))
    if not service.auth_enabled:
        note(sys.stderr, f"auth is disabled for {args.name}: it answers requests without a key")
    emit(args, target.keys(args.name).to_json())
    return 0


def run(args: argparse.Namespace) -> int:
    from amldeploy.ops.scoring import parsed_body, score

    body = input_data(args, "the request body").encode("utf-8")
    answer = score(args.name, body, Path.cwd(), settings=where(args.name))
    body = parsed_body(answer)
    if not answer.ok:
        text = body if isinstance(body, str) else json.dumps(body)
        raise OpsError(f"the service answered HTTP {answer.status} {answer.reason}: {text}", None, 1)
    emit(args, body)
    return 0


def get_access_token(args: argparse.Namespace) -> int:
    raise refuse(
        f"ml service get-access-token -n {args.name}",
        "amldeploy's services take keys, not Azure AD tokens (v1's token auth needed AKS and a workspace)",
        f"use the keys: amldeploy ml service get-keys -n {args.name}",
    )


def _inference(args: argparse.Namespace, name: str) -> Path | None:
    """The inference config of package/profile: ``--ic`` with the inference flags over it (generated)."""
    from amldeploy.commands.ml.deploying import _environment, _overrides

    _, inference = _overrides(args)
    base = Path(args.ic).resolve() if args.ic else None
    environment = _environment(args, base)
    if not inference and environment is None:
        return base
    if base is None and "entryScript" not in inference:
        raise OpsError("inference flags without an entry script", "give --ic FILE or --es FILE", EXIT_USAGE)
    doc = configs.inference_doc(base, inference, environment)
    return configs.write_generated(Path.cwd(), name, "inferenceconfig.json", doc)


def _models(args: argparse.Namespace) -> list[str]:
    from amldeploy.commands.ml.deploying import _models as models

    return models(args)


def package(args: argparse.Namespace) -> int:
    from amldeploy.commands.package import run_package

    if not args.output_path and not args.image_name:
        raise OpsError(
            "v1 built the package in the workspace's container registry; amldeploy has none",
            "give --output-path DIR (a Dockerfile and its context), or --in NAME [--il TAG] to build it with the "
            "local Docker engine",
            EXIT_USAGE,
        )
    if args.image_label and not args.image_name:
        raise OpsError("--il needs --in (the image's name)", None, EXIT_USAGE)
    ic = _inference(args, "package")
    if ic is None:
        raise OpsError("give --ic inferenceconfig.json", "the inference config of the package", EXIT_USAGE)
    image = f"{args.image_name}:{args.image_label}" if args.image_label else args.image_name
    ns = argparse.Namespace(
        ic=str(ic),
        models=_models(args),
        output_path=args.output_path,
        base_image=None,
        ca_bundle=None,
        name=None,
        output="json",
        image=image,
        push=False,
        registry=None,
        registry_username=None,
    )
    output = Captured("ml model package")
    status = run_package(ns, output)
    if status != 0:
        return status
    document = output.result() or {}
    emit(args, document)
    return 0


def profile(args: argparse.Namespace) -> int:
    """v1 deployed the model to a temporary service, sent it the input data and returned the recommended cpu
    and memory: amldeploy does the same on this machine (a local service named NAME, deleted afterwards)."""
    from amldeploy.commands.ml.deploying import deploy
    from amldeploy.commands.profile import run_profile
    from amldeploy.commands.service_views import run_delete

    body = input_data(args, "the input data to profile with")
    ns = argparse.Namespace(**vars(args))
    ns.overwrite, ns.dc, ns.compute_type = False, None, None
    ns.output, ns.query = "none", None
    deploy(ns, [], mode="deploy")
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as sample:
            sample.write(body)
        request = argparse.Namespace(
            name=args.name,
            samples=[sample.name],
            concurrency=2,
            duration=5.0,
            headroom=30,
            content_type="application/json",
            apply=None,
            output="json",
        )
        output = Captured("ml model profile")
        status = run_profile(request, output)
        Path(sample.name).unlink(missing_ok=True)
        if status != 0:
            return status
        result = output.result() or {}
    finally:
        run_delete(args.name, Captured("ml model profile"))
        configs.drop_state(Path.cwd(), args.name)
    recommendation = result.get("recommendation", {})
    data = {
        "name": args.name,
        "description": args.description,
        "state": "Succeeded",
        "recommendedCpu": recommendation.get("cpu"),
        "recommendedMemoryInGB": recommendation.get("memoryInGB"),
        "containerResourceRequirements": recommendation,
        "profile": result,
    }
    if args.output_metadata_file:
        Path(args.output_metadata_file).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    emit(args, data)
    return 0


COMMANDS = {
    "list": list_services,
    "show": show,
    "delete": delete,
    "get-logs": get_logs,
    "get-keys": get_keys,
    "run": run,
    "get-access-token": get_access_token,
}

"""``amldeploy target add | list | show | remove``: compute targets by name (``ops/computetargets.py``), which
``--ct NAME`` (``--compute-target``) of the service commands resolves.

Exit status: 0 success, 1 the operation failed (a record that cannot be read), 2 a usage mistake (an invalid or
unknown name, a setting the type does not have).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from amldeploy.commands.output import EXIT_FAILED, EXIT_OK, Output

_EPILOG = "Exit status: 0 success, 1 the operation failed, 2 usage error."
# The flags of ``target add``: dest → (flags, metavar, setting key, help).
SETTING_FLAGS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "context": (("--context",), "NAME", "kubernetes.context", "kubernetes: the kubeconfig context"),
    "namespace": (("--namespace",), "NAME", "kubernetes.namespace", "kubernetes: the namespace"),
    "kubeconfig": (("--kubeconfig",), "FILE", "kubernetes.kubeconfig", "kubernetes: the kubeconfig file"),
    "subscription": (("--subscription",), "ID", "aci.subscription", "aci: the Azure subscription"),
    "resource_group": (("--resource-group",), "NAME", "aci.resourceGroup", "aci: the container groups' group"),
    "region": (("--region", "--location"), "REGION", "aci.region", "aci: the Azure region (e.g. westeurope)"),
    "arm_endpoint": (("--arm-endpoint",), "URL", "aci.armEndpoint", "aci: the Resource Manager endpoint"),
    "docker_host": (("--docker-host",), "URL", "docker.host", "docker: the engine's address (as DOCKER_HOST)"),
}


def add_target_parser(sub: Any) -> None:
    """``amldeploy target ...`` (argparse only: nothing heavy is imported)."""
    target = sub.add_parser(
        "target",
        help="record compute targets by name (for --ct NAME)",
        description="Record where services go under a name, as v1's compute targets: a Kubernetes context and "
        "namespace, an ACI subscription, resource group and region, a Docker engine, or the local process. "
        "'amldeploy deploy ... --ct NAME' then uses the target and its settings; flags given as well win. "
        "Records are JSON files under $AMLDEPLOY_DATA_DIR (default ~/.local/share/amldeploy)/computetargets; "
        "no secret is recorded.",
        epilog=_EPILOG,
    )
    actions = target.add_subparsers(dest="target_command", metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="record a named target",
        description="Record the compute target NAME (letters, digits and '-', 2 to 16 characters, starting with "
        "a letter).",
        epilog=_EPILOG,
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--type", required=True, metavar="TYPE", help="kubernetes (or aks), aci, docker, process")
    for dest, (flags, metavar, _key, help_text) in SETTING_FLAGS.items():
        add.add_argument(*flags, dest=dest, metavar=metavar, help=help_text)
    add.add_argument("--registry", metavar="HOST[/NAMESPACE]", help="kubernetes, aci: where service images go")
    add.add_argument(
        "--resource-id",
        metavar="ID",
        help="kubernetes: the AKS cluster's resource id (the context defaults to the cluster's name, as "
        "'az aks get-credentials' names it)",
    )
    add.add_argument("--description", metavar="TEXT")
    add.add_argument("--overwrite", action="store_true", help="replace a record of the same name")
    for name, help_text in (("list", "list the recorded targets"), ("show", "show one"), ("remove", "remove one")):
        parser = actions.add_parser(name, help=help_text, description=help_text.capitalize() + ".", epilog=_EPILOG)
        if name != "list":
            parser.add_argument("name", metavar="NAME")
        parser.add_argument("--output", choices=("text", "json"), default="text")
    add.add_argument("--output", choices=("text", "json"), default="text")
    target.set_defaults(target_parser=target)


def run_target(args: argparse.Namespace) -> int:
    from amldeploy.ops.errors import OpsError

    command = getattr(args, "target_command", None)
    if command is None:
        args.target_parser.print_help(sys.stderr)
        return 2
    output = Output(f"target {command}", args.output)
    try:
        if command == "add":
            return _add(args, output)
        if command == "list":
            return _list(output)
        if command == "show":
            return _show(args.name, output)
        return _remove(args.name, output)
    except OpsError as exc:
        return output.error(exc.message, exc.hint, exc.status)
    except BrokenPipeError:
        return EXIT_OK


def record_from_flags(
    name: str,
    type_: str,
    settings: dict[str, str | None],
    registry: str | None,
    resource_id: str | None,
    description: str | None,
) -> Any:
    """A checked ``ComputeTarget`` from ``target add``'s (or ``computetarget attach``'s) values."""
    from amldeploy.ops.computetargets import make_target, normal_type, parse_resource_id

    kind = normal_type(type_)
    settings = dict(settings)
    if registry:
        settings[f"{kind}.registry"] = registry
    if resource_id:
        cluster = parse_resource_id(resource_id)
        if kind == "kubernetes" and not settings.get("kubernetes.context"):
            settings["kubernetes.context"] = cluster.cluster  # the name az aks get-credentials gives the context
    return make_target(name, kind, settings, resource_id, description)


def _add(args: argparse.Namespace, output: Output) -> int:
    from amldeploy.ops.computetargets import ComputeTargets

    settings = {key: getattr(args, dest) for dest, (_f, _m, key, _h) in SETTING_FLAGS.items()}
    record = record_from_flags(args.name, args.type, settings, args.registry, args.resource_id, args.description)
    stored = ComputeTargets().add(record, overwrite=args.overwrite)
    if output.json:
        output.document(stored.to_json())
        return EXIT_OK
    output.line(f"Compute target {stored.name} recorded ({stored.type}): deploy to it with --ct {stored.name}")
    _rows(output, stored.rows()[2:])
    return EXIT_OK


def _list(output: Output) -> int:
    from amldeploy.ops.computetargets import ComputeTargets

    store = ComputeTargets()
    found, problems = store.list()
    if output.json:
        errors = [{"message": p.message, "hint": p.hint} for p in problems]
        output.document({"root": str(store.root), "computeTargets": [t.to_json() for t in found], "errors": errors})
    elif not found and not problems:
        output.line(f"No compute targets are recorded (in {store.root}); add one with 'amldeploy target add'.")
    else:
        table = [("NAME", "TYPE", "SETTINGS")]
        table += [(t.name, t.type, ", ".join(f"{k}={v}" for k, v in t.settings.items()) or "-") for t in found]
        width = [max(len(row[i]) for row in table) for i in range(2)]
        for row in table:
            output.line(f"{row[0]:<{width[0]}}  {row[1]:<{width[1]}}  {row[2]}".rstrip())
    for problem in problems:
        if not output.json:
            output.err.write(f"amldeploy target list: {problem.message}: {problem.hint}\n")
    return EXIT_FAILED if problems else EXIT_OK


def _show(name: str, output: Output) -> int:
    from amldeploy.ops.computetargets import ComputeTargets

    record = ComputeTargets().get(name)
    if output.json:
        output.document(record.to_json())
    else:
        _rows(output, record.rows())
    return EXIT_OK


def _remove(name: str, output: Output) -> int:
    from amldeploy.ops.computetargets import ComputeTargets

    removed = ComputeTargets().remove(name)
    if output.json:
        output.document({"removed": removed.name})
    else:
        output.line(f"Compute target {removed.name} removed (nothing in the cluster or in Azure was touched)")
    return EXIT_OK


def _rows(output: Output, rows: list[tuple[str, str]]) -> None:
    width = max((len(label) for label, _ in rows), default=0)
    for label, value in rows:
        output.line(f"  {label + ':':<{width + 1}} {value}")

"""``amldeploy ml computetarget ...``: v1's ``az ml computetarget`` argument lists, over the compute target
records of ``amldeploy target`` (``ops/computetargets.py``).

``add_computetarget_parser(ml_subparsers)`` adds the group to ``amldeploy ml``'s subparsers; the parsed
arguments carry ``ml_handler=run_computetarget`` (and ``computetarget_command``). What maps where:

* ``attach aks -n NAME -i RESOURCE_ID``: records a Kubernetes target; the kubeconfig context defaults to the
  cluster's name (what ``az aks get-credentials`` names it). amldeploy's own ``--context``, ``--namespace``,
  ``--kubeconfig`` and ``--registry`` may be added.
* ``attach kubernetes -n NAME -i RESOURCE_ID [--namespace NS]``: the same for an Arc-enabled (or AKS) cluster;
  ``--identity-type`` / ``--identity-ids`` are ignored (the kubeconfig's credentials are used).
* ``list``, ``show -n``, ``detach -n``, ``delete -n``: the records. ``delete`` removes the record only: amldeploy
  never deletes a cluster.
* ``attach remote`` and ``create ...`` are refused with the reason (amldeploy neither trains nor creates clusters).
* The workspace selectors (``-w``, ``-g``, ``--subscription-id``, ``--path``) and ``-v`` are accepted and reported
  as ignored on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from amldeploy.commands.output import EXIT_OK, EXIT_USAGE

# dest → (flags as v1 spelled them, why amldeploy ignores it)
_NO_WORKSPACE = "amldeploy needs no workspace"
IGNORED: dict[str, tuple[tuple[str, ...], str]] = {
    "workspace_name": (("-w", "--workspace-name"), _NO_WORKSPACE),
    "resource_group": (("-g", "--resource-group"), _NO_WORKSPACE),
    "subscription_id": (("--subscription-id",), _NO_WORKSPACE),
    "path": (("--path",), _NO_WORKSPACE + " (no folder is attached to one)"),
    "subscription": (("--subscription",), _NO_WORKSPACE + " (a Kubernetes target's subscription is in -i)"),
}
OUTPUTS = ("json", "jsonc", "table", "tsv", "yaml", "yamlc", "none")


def add_computetarget_parser(ml_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``computetarget`` to ``amldeploy ml``'s subparsers (argparse only: nothing heavy is imported)."""
    group: argparse.ArgumentParser = ml_subparsers.add_parser(
        "computetarget",
        help="compute targets by name (v1's az ml computetarget, recorded locally)",
        description="v1's compute target commands, recording named targets for --ct NAME (see also "
        "'amldeploy target'). Workspace selectors are accepted and reported as ignored.",
    )
    group.set_defaults(ml_handler=run_computetarget, computetarget_command=None, computetarget_parser=group)
    actions = group.add_subparsers(dest="computetarget_command", metavar="COMMAND")

    attach = actions.add_parser("attach", help="attach (record) a cluster")
    attach.set_defaults(attach_kind=None, computetarget_parser=attach)
    kinds = attach.add_subparsers(dest="attach_kind", metavar="KIND")
    for kind, help_text in (
        ("aks", "record an AKS cluster (-n NAME -i RESOURCE_ID)"),
        ("kubernetes", "record a Kubernetes (Arc-enabled or AKS) cluster (-n NAME -i RESOURCE_ID)"),
    ):
        parser = kinds.add_parser(kind, help=help_text, description=help_text)
        parser.add_argument("-n", "--name", required=True, help="the compute target name")
        parser.add_argument("-i", "--compute-resource-id", required=True, help="the cluster's resource id")
        parser.add_argument(
            "--context",
            help="amldeploy: the kubeconfig context (default: the cluster's name, as az aks get-credentials names it)",
        )
        parser.add_argument("--namespace", help="the namespace services go to")
        parser.add_argument("--kubeconfig", help="amldeploy: the kubeconfig file (default: KUBECONFIG, ~/.kube/config)")
        parser.add_argument("--registry", help="amldeploy: where service images are pushed (HOST[/NAMESPACE])")
        if kind == "kubernetes":
            parser.add_argument("--identity-type", help="ignored: the kubeconfig's credentials are used")
            parser.add_argument("--identity-ids", help="ignored: the kubeconfig's credentials are used")
        _common(parser)
    # Refused whatever their flags: "+" as the only prefix makes every word (-n, --address, ...) an argument.
    remote = kinds.add_parser(
        "remote", help="refused: amldeploy does not train on remote machines", prefix_chars="+", add_help=False
    )
    remote.add_argument("rest", nargs="*")
    create = actions.add_parser(
        "create", help="refused: amldeploy creates no clusters (attach one instead)", prefix_chars="+", add_help=False
    )
    create.add_argument("kind", nargs="?", help="aks, amlcompute, computeinstance, datafactory")
    create.add_argument("rest", nargs="*")

    listing = actions.add_parser("list", help="list the recorded compute targets")
    _common(listing)
    for name, help_text in (
        ("show", "show a compute target"),
        ("detach", "remove a compute target's record"),
        ("delete", "remove a compute target's record (the cluster itself is left alone)"),
    ):
        parser = actions.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("-n", "--name", required=True, help="the compute target name")
        if name != "detach":
            parser.add_argument("-v", "--verbose", action="store_true", help="ignored: amldeploy waits for nothing")
        _common(parser)
    return group


def _common(parser: argparse.ArgumentParser) -> None:
    for dest, (flags, _why) in IGNORED.items():
        parser.add_argument(*flags, dest=dest, help=f"ignored: {_why}")
    parser.add_argument("-o", "--output", choices=OUTPUTS, default="json", help="output format (default json)")


def report_ignored(args: argparse.Namespace, err: TextIO) -> None:
    """One stderr line per v1 flag given that amldeploy does not use."""
    for dest, (flags, why) in IGNORED.items():
        value = getattr(args, dest, None)
        if value is not None:
            err.write(f"ignored: {'/'.join(flags)} {value} — {why}\n")
    for dest, flag in (("identity_type", "--identity-type"), ("identity_ids", "--identity-ids")):
        value = getattr(args, dest, None)
        if value is not None:
            err.write(f"ignored: {flag} {value} — amldeploy uses the kubeconfig's credentials\n")
    if getattr(args, "verbose", False):
        err.write("ignored: -v/--verbose — amldeploy has no long-running compute operation to report on\n")


def run_computetarget(args: argparse.Namespace) -> int:
    """Run a parsed ``computetarget`` command; its exit status."""
    from amldeploy.ops.errors import OpsError

    command = args.computetarget_command
    err = sys.stderr
    try:
        if command is None or (command == "attach" and args.attach_kind is None):
            args.computetarget_parser.print_help(err)
            return EXIT_USAGE
        if command == "create":
            what = f"create {args.kind}" if args.kind and not args.kind.startswith("-") else "create"
            return _refuse(
                f"computetarget {what} is not supported: amldeploy creates no clusters or Azure ML computes",
                "create the cluster with 'az aks create' and 'az aks get-credentials', then record it with "
                "'amldeploy ml computetarget attach aks -n NAME -i RESOURCE_ID'",
            )
        if command == "attach" and args.attach_kind == "remote":
            return _refuse(
                "computetarget attach remote is not supported: amldeploy deploys services, it runs no training",
                "deploy to a Kubernetes cluster (attach aks), ACI or the local Docker engine "
                "('amldeploy target add NAME --type aci|docker')",
            )
        report_ignored(args, err)
        if command == "attach":
            return _attach(args)
        if command == "list":
            return _list(args.output)
        if command == "show":
            return _show(args.name, args.output)
        return _remove(args.name, args.output, command)
    except OpsError as exc:
        err.write(f"amldeploy ml computetarget {command}: {exc.message}")
        err.write(f": {exc.hint}\n" if exc.hint else "\n")
        return exc.status


def _refuse(message: str, hint: str) -> int:
    sys.stderr.write(f"amldeploy ml computetarget: {message}: {hint}\n")
    return EXIT_USAGE


def _attach(args: argparse.Namespace) -> int:
    from amldeploy.commands.targets import record_from_flags
    from amldeploy.ops.computetargets import ComputeTargets

    settings = {
        "kubernetes.context": args.context,
        "kubernetes.namespace": args.namespace,
        "kubernetes.kubeconfig": args.kubeconfig,
    }
    record = record_from_flags(args.name, "kubernetes", settings, args.registry, args.compute_resource_id, None)
    stored = ComputeTargets().add(record)
    _emit(stored.to_json(), args.output, [stored.to_json()])
    context = stored.settings.get("kubernetes.context")
    arc = "connectedclusters" in args.compute_resource_id.lower()
    creates = "'az connectedk8s proxy' gives one" if arc else "'az aks get-credentials' creates it"
    sys.stderr.write(
        f"Recorded {stored.name}: deploys with --ct {stored.name} go to the kubeconfig context '{context}' "
        f"({creates})\n"
    )
    return EXIT_OK


def _list(fmt: str) -> int:
    from amldeploy.ops.computetargets import ComputeTargets

    found, problems = ComputeTargets().list()
    rows = [_v1_row(t.to_json()) for t in found]
    _emit(rows, fmt, rows)
    for problem in problems:
        sys.stderr.write(f"amldeploy ml computetarget list: {problem.message}: {problem.hint}\n")
    return 1 if problems else EXIT_OK


def _show(name: str, fmt: str) -> int:
    from amldeploy.ops.computetargets import ComputeTargets

    data = ComputeTargets().get(name).to_json()
    _emit(data, fmt, [_v1_row(data)])
    return EXIT_OK


def _remove(name: str, fmt: str, command: str) -> int:
    from amldeploy.ops.computetargets import ComputeTargets

    removed = ComputeTargets().remove(name)
    _emit({"name": removed.name, "removed": True}, fmt, [{"name": removed.name, "removed": "true"}])
    if command == "delete" and removed.type == "kubernetes":
        sys.stderr.write(
            f"Removed the record {removed.name}; the cluster itself is left as it is (delete it with 'az aks "
            "delete' if you mean to)\n"
        )
    return EXIT_OK


def _v1_row(data: dict[str, Any]) -> dict[str, Any]:
    """A record as v1's ``computetarget list`` showed one (name and computeType first)."""
    return {"name": data["name"], "computeType": data["computeType"], **data}


def _emit(document: Any, fmt: str, rows: list[dict[str, Any]]) -> None:
    out = sys.stdout
    if fmt == "none":
        return
    if fmt in ("json", "jsonc"):
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt in ("yaml", "yamlc"):
        import yaml

        out.write(yaml.safe_dump(document, sort_keys=False, default_flow_style=False))
    else:
        columns = ["name", "computeType", "target"]
        if fmt == "table":
            table = [["Name", "ComputeType", "Target"]] + [[str(r.get(c, "")) for c in columns] for r in rows]
            width = [max(len(row[i]) for row in table) for i in range(len(columns))]
            for cells in table:
                out.write("  ".join(v.ljust(w) for v, w in zip(cells, width, strict=True)).rstrip() + "\n")
        else:  # tsv
            for row in rows:
                out.write("\t".join(str(row.get(c, "")) for c in columns) + "\n")
    out.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m amldeploy.commands.ml_computetarget ARGS`` (= ``amldeploy ml computetarget ARGS``)."""
    parser = argparse.ArgumentParser(prog="amldeploy ml")
    add_computetarget_parser(parser.add_subparsers(dest="ml_group"))
    args = parser.parse_args(["computetarget", *(sys.argv[1:] if argv is None else argv)])
    return run_computetarget(args)


if __name__ == "__main__":
    sys.exit(main())

"""``amldeploy ml …``: the ``az ml model|service …`` command lines of Azure ML's CLI v1, taken verbatim.

``amldeploy`` hands ``ml`` its argv before its own argparse runs (:func:`main`): v1's single-dash spellings
(``-ic``, ``-dc``, ``-ct``) are normalised first (:func:`.flags.normalise`), then this package's parser reads them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from amldeploy.commands.ml.flags import COMMANDS, IGNORE, REFUSE, REQUIRED, WORKSPACE, flags_of, normalise
from amldeploy.commands.ml.render import FORMATS

# v1 command -> what amldeploy does (the table of `amldeploy ml --help`).
MAPPING: dict[tuple[str, str], str] = {
    ("model", "register"): "copies the file or folder into the local model registry (new version per name)",
    ("model", "list"): "lists the local registry (--tag/--property filters)",
    ("model", "show"): "shows a registered version (JSON)",
    ("model", "download"): "copies a registered version into --target-dir",
    ("model", "update"): "changes tags, properties and description of a registered version",
    ("model", "delete"): "deletes a version; refused while a service of this folder uses it (--force)",
    ("model", "deploy"): "amldeploy deploy, the --ic/--dc files with the flags over them (.amldeploy/ml/NAME/)",
    ("model", "package"): "amldeploy package: --output-path DIR, or --in NAME [--il TAG] with local Docker",
    ("model", "profile"): "a temporary local service + amldeploy profile: recommended cpu and memoryInGB",
    ("service", "list"): "amldeploy list (JSON), v1's filters applied",
    ("service", "show"): "amldeploy show (JSON)",
    ("service", "delete"): "amldeploy delete",
    ("service", "get-logs"): "amldeploy logs --tail N (-l, default 5000); -i: the log from the start",
    ("service", "get-keys"): "amldeploy keys: {primaryKey, secondaryKey}",
    ("service", "regen-key"): "a new key (-s VALUE or random), by deploying the service again with it",
    ("service", "run"): "amldeploy score: POST -d to /score, print the answer",
    ("service", "update"): "deploys again from the recorded configs with the new flags and models",
    ("service", "get-access-token"): "refused: amldeploy's services take keys, not Azure AD tokens",
}
SHIM_DEFAULT = (
    "az-shim in the data folder: $AMLDEPLOY_DATA_DIR, else $XDG_DATA_HOME/amldeploy, else ~/.local/share/amldeploy"
)


def _special_lines(group: str) -> list[str]:
    """The flags used or refused by value (not by name)."""
    lines = [
        "  --token-auth-enabled true (deploy, update): amldeploy's services take keys, not Azure AD tokens",
        "  -e/--ev NAME (deploy, update, package, profile): unless it names the --ic file's own environment",
    ]
    if group == "model":
        lines.append("  --asset-path azureml://…, https://… (register): only local files and folders are registered")
        lines.append(
            "  --ct NAME (deploy): when no compute target of that name is recorded, or its type cannot take --dc"
        )
    return lines


def mapping_text(group: str | None = None) -> str:
    rows = [(f"az ml {g} {c}", text) for (g, c), text in MAPPING.items() if group in (None, g)]
    width = max(len(r[0]) for r in rows)
    lines = ["v1 command → what amldeploy does:"]
    lines += [f"  {left:<{width}}  {right}" for left, right in rows]
    if group in (None, "computetarget"):
        lines.append(
            f"  {'az ml computetarget …':<{width}}  records named targets for --ct (amldeploy ml computetarget)"
        )
    found: dict[tuple[str, str, str], list[str]] = {}
    for (g, c), flags in COMMANDS.items():
        if group not in (None, g):
            continue
        for flag in flags:
            if flag.handling in (IGNORE, REFUSE):
                found.setdefault((flag.handling, flag.shown, flag.reason), []).append(f"{g} {c}")
    for flag in WORKSPACE:
        found[(flag.handling, flag.shown, flag.reason)] = ["every command"]
    ignored = [f"  {shown} ({', '.join(where)}): {why}" for (h, shown, why), where in found.items() if h == IGNORE]
    refused = [f"  {shown} ({', '.join(where)}): {why}" for (h, shown, why), where in found.items() if h == REFUSE]
    lines += ["", "Accepted and ignored (each is reported on stderr as 'ignored: FLAG VALUE — reason'):", *ignored]
    lines += ["", "Refused (exit status 2, with the reason):", *refused, *_special_lines(group or "model")]
    lines += [
        "",
        "v1's single-dash spellings (-ic, -dc, -ct, -nr, …) are read as --ic, --dc, --ct, --nr.",
        "Output: -o/--output json (default) | jsonc | table | tsv | yaml | yamlc | none, and --query JMESPATH.",
        "Models: -m NAME:VERSION or NAME (latest) from the local registry (AMLDEPLOY_MODEL_REGISTRY), or a PATH.",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amldeploy ml",
        description="Azure ML CLI v1 ('az ml model|service …') command lines, run without a workspace.\n\n"
        + mapping_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    groups = parser.add_subparsers(dest="ml_group", metavar="GROUP")
    by_group: dict[str, Any] = {}
    for group, description in (("model", "Manage models (the local registry)."), ("service", "Manage services.")):
        sub = groups.add_parser(
            group,
            help=description,
            description=f"{description}\n\n{mapping_text(group)}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )
        by_group[group] = sub.add_subparsers(dest="ml_command", metavar="COMMAND")
    for (group, command), _ in COMMANDS.items():
        leaf = by_group[group].add_parser(
            command, help=MAPPING[(group, command)], description=MAPPING[(group, command)], allow_abbrev=False
        )
        _add_flags(leaf, group, command)
    _add_shim_parsers(groups)
    _add_computetarget(groups)
    return parser


def _add_flags(parser: argparse.ArgumentParser, group: str, command: str) -> None:
    required = REQUIRED.get((group, command), ())
    for flag in flags_of(group, command):
        kwargs: dict[str, Any] = {"dest": flag.dest, "help": flag.reason or None}
        if flag.kind == "switch":
            kwargs["action"] = "store_true"
        elif flag.kind == "bool":
            kwargs.update(nargs="?", const="true", metavar="true|false")
        elif flag.kind == "append":
            kwargs.update(action="append", metavar="VALUE")
        else:
            kwargs.update(metavar="VALUE", default=flag.default)
        if flag.dest in required:
            kwargs["required"] = True
        parser.add_argument(*flag.names, **kwargs)
    parser.add_argument("--output", "-o", choices=FORMATS, default="json", help="output format (default json)")
    parser.add_argument("--query", metavar="JMESPATH", help="a JMESPath query applied to the result")
    if (group, command) in (("model", "deploy"), ("service", "update"), ("model", "profile")):
        parser.add_argument(
            "--target",
            metavar="TARGET",
            help="(amldeploy) where to run it: process, docker, kubernetes, aci (default: from computeType)",
        )


def _add_shim_parsers(groups: Any) -> None:
    install = groups.add_parser(
        "install-shim",
        help="install an 'az' that runs 'az ml model|service|computetarget' with amldeploy",
        description="Write an executable 'az' into DIR: 'az ml model|service|computetarget …' runs 'amldeploy ml …' "
        "(this Python), every other 'az …' runs the real Azure CLI found on PATH after DIR. Put DIR first on PATH.",
    )
    install.add_argument("--dir", metavar="DIR", help=f"where (default: {SHIM_DEFAULT})")
    uninstall = groups.add_parser("uninstall-shim", help="remove the 'az' shim")
    uninstall.add_argument("--dir", metavar="DIR", help=f"where it was installed (default: {SHIM_DEFAULT})")


def _add_computetarget(groups: Any) -> None:
    """``amldeploy ml computetarget …``: v1's compute target commands (amldeploy.commands.ml_computetarget)."""
    from amldeploy.commands.ml_computetarget import add_computetarget_parser

    add_computetarget_parser(groups)


def main(argv: Sequence[str]) -> int:
    """``amldeploy ml ARGS...``."""
    from amldeploy.ops.errors import OpsError

    args_list = normalise(list(argv))
    parser = build_parser()
    args = parser.parse_args(args_list)
    group = getattr(args, "ml_group", None)
    command = getattr(args, "ml_command", None)
    if group is None or (group in ("model", "service") and command is None):
        parser.parse_args([*([group] if group else []), "--help"])
        return 2
    try:
        return _dispatch(args, group, command, args_list)
    except OpsError as exc:
        text = f"amldeploy ml {group} {command or ''}".rstrip() + f": {exc.message}"
        if exc.hint:
            text += f" ({exc.hint})"
        sys.stderr.write(text + "\n")
        return exc.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _dispatch(args: argparse.Namespace, group: str, command: str | None, argv: list[str]) -> int:
    if group in ("install-shim", "uninstall-shim"):
        from amldeploy.commands.ml import shim

        return shim.install(args.dir) if group == "install-shim" else shim.uninstall(args.dir)
    if group not in ("model", "service"):
        handler = getattr(args, "ml_handler", None)
        if handler is None:
            return 2
        result: int = handler(args)
        return result
    assert command is not None
    from amldeploy.commands.ml.common import report_flags

    report_flags(args, flags_of(group, command), argv, sys.stderr)
    return _handler(group, command)(args, argv)


def _handler(group: str, command: str) -> Callable[[argparse.Namespace, list[str]], int]:
    from amldeploy.commands.ml import deploying, models, services

    if group == "model" and command == "deploy":
        return lambda args, argv: deploying.deploy(args, argv, mode="deploy")
    if group == "service" and command == "update":
        return lambda args, argv: deploying.deploy(args, argv, mode="update")
    if group == "service" and command == "regen-key":
        return deploying.regen_key
    if group == "model" and command in ("package", "profile"):
        run = services.package if command == "package" else services.profile
        return lambda args, argv: run(args)
    table: Mapping[str, Callable[[argparse.Namespace], int]] = (
        models.COMMANDS if group == "model" else services.COMMANDS
    )
    one = table[command]
    return lambda args, argv: one(args)

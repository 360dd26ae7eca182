"""The ``amldeploy`` command line. Each subcommand lives in :mod:`amldeploy.commands`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from amldeploy import __version__

if TYPE_CHECKING:
    import argparse


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="amldeploy",
        description="Understand and deploy Azure ML v1 inference/deployment configs without an Azure ML workspace.",
    )
    parser.add_argument("--version", action="version", version=f"amldeploy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = sub.add_parser(
        "validate",
        help="check inference configs, deployment configs and entry scripts",
        description="Check inference/deployment configs (JSON or YAML) and score.py entry scripts against "
        "the v1 rules. Folders are searched for configs; an inference config also checks the entry script it "
        "names. Exit status: 0 clean (warnings allowed), 1 errors found, 2 usage error or unreadable input.",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    validate.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lsp = sub.add_parser(
        "lsp",
        help="run the language server (stdio by default)",
        description="Run amldeploy's language server for any LSP editor: diagnostics, completion, hover, "
        "quick fixes, links and outline for inference/deployment configs and score.py.",
    )
    lsp.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    lsp.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP address instead, for debugging")
    _add_serve(sub)
    from amldeploy.commands.services import add_service_parsers

    add_service_parsers(sub)
    from amldeploy.commands.targets import add_target_parser  # compute targets by name

    add_target_parser(sub)
    sub.add_parser(
        "ml", help="Azure ML CLI v1 command lines: ml model|service … (see 'amldeploy ml --help')", add_help=False
    )
    return parser


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from amldeploy.runtime.command import DESCRIPTION, add_arguments

    serve = sub.add_parser(
        "serve",
        help="serve an entry script locally, as an Azure ML v1 scoring container would",
        description=DESCRIPTION,
    )
    add_arguments(serve)


def _run_lsp(tcp: str | None) -> int:
    import gc

    # Importing lsprotocol creates several hundred thousand objects; left alone, the collector walks them all
    # again and again during start-up. Collect never while importing, then park them out of its way.
    gc.disable()
    from amldeploy.lsp.start import create_server

    server = create_server()
    gc.freeze()
    gc.enable()
    if tcp:
        host, _, port = tcp.rpartition(":")
        if not host or not port.isdigit():
            print(f"amldeploy lsp: --tcp needs HOST:PORT, not {tcp!r}", file=sys.stderr)
            return 2
        server.start_tcp(host, int(port))
    else:
        server.start_io()
    return 0


def _lsp_fast_path(argv: Sequence[str]) -> int | None:
    """``amldeploy lsp [--stdio | --tcp HOST:PORT]`` without argparse: editors start the server often and
    wait for it, and argparse with its imports costs tens of milliseconds there (bench/lsp.py)."""
    if not argv or argv[0] != "lsp":
        return None
    rest = list(argv[1:])
    if rest in ([], ["--stdio"]):
        return _run_lsp(None)
    if len(rest) == 2 and rest[0] == "--tcp":
        return _run_lsp(rest[1])
    return None


def main(argv: Sequence[str] | None = None) -> int:
    fast = _lsp_fast_path(sys.argv[1:] if argv is None else argv)
    if fast is not None:
        return fast
    rest = sys.argv[1:] if argv is None else list(argv)
    if rest[:1] == ["ml"]:  # v1's `az ml` argument lists: parsed inside amldeploy.commands.ml
        from amldeploy.commands.ml import main as ml_main

        return ml_main(rest[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "validate":
        from amldeploy.commands.validate import run_validate

        try:
            return run_validate(args.paths, args.format)
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:
            return 0
    if args.command == "lsp":
        return _run_lsp(args.tcp)
    if args.command == "serve":
        from amldeploy.commands.serve import run_serve

        return run_serve(args)
    if args.command == "target":
        from amldeploy.commands.targets import run_target

        return run_target(args)
    if getattr(args, "service_command", None):
        from amldeploy.commands.services import run_service_command

        return run_service_command(args)
    parser.print_help(sys.stderr)
    return 2

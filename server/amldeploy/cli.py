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
    return parser


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve an entry script locally, as an Azure ML v1 scoring container would",
        description="Serve score.py with the routes, input modes, headers and errors of Azure's "
        "azureml-inference-server-http, plus the v1 front end (keys, queue, timeout) from a deployment config. "
        "Without --entry-script or --ic it reads Azure's environment variables (AZUREML_ENTRY_SCRIPT, "
        "AML_APP_ROOT, AZUREML_MODEL_DIR, SERVER_PORT, WORKER_COUNT, ...), as an image entrypoint. Keys come "
        "only from AMLDEPLOY_PRIMARY_KEY/AMLDEPLOY_SECONDARY_KEY or AMLDEPLOY_KEYS_FILE. Exit status: 0 after "
        "SIGTERM/SIGINT, 1 cannot listen, 2 bad settings, 3 the script failed to load or init() raised.",
    )
    source = serve.add_mutually_exclusive_group()
    source.add_argument("--entry-script", metavar="FILE", help="the score.py to serve")
    source.add_argument("--ic", metavar="FILE", help="an inferenceconfig.json naming the entry script")
    serve.add_argument(
        "--source-dir",
        metavar="DIR",
        help="folder added to sys.path (default: AZUREML_SOURCE_DIRECTORY, else the script's)",
    )
    serve.add_argument(
        "--model",
        action="append",
        metavar="PATH[:NAME[:VERSION]]",
        help="a model file or folder, laid out as azureml-models/NAME/VERSION/ (repeatable)",
    )
    serve.add_argument("--dc", metavar="FILE", help="a deploymentconfig.json for the front end (auth, queue, timeout)")
    serve.add_argument("--port", type=int, help="port to listen on (default: SERVER_PORT or 5001; 0 picks one)")
    serve.add_argument("--host", help="address to listen on (default: AMLDEPLOY_HOST or 127.0.0.1)")
    serve.add_argument(
        "--threads", type=int, metavar="N", help="run() calls allowed at once per worker (default 1, like Azure)"
    )


def _run_serve(args: argparse.Namespace) -> int:
    from amldeploy.runtime.config import ConfigProblem, config_from_environ
    from amldeploy.runtime.serve import serve

    if args.threads is not None and args.threads < 1:
        print("amldeploy serve: --threads must be at least 1", file=sys.stderr)
        return 2
    try:
        cfg = config_from_environ(args)
    except ConfigProblem as e:
        print(f"amldeploy serve: {e}", file=sys.stderr)
        return 2
    return serve(cfg)


def _run_lsp(tcp: str | None) -> int:
    import gc

    # Importing lsprotocol creates several hundred thousand objects; left alone, the collector walks them all
    # again and again during start-up. Collect never while importing, then park them out of its way.
    gc.disable()
    from amldeploy.lsp.server import create_server

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
        return _run_serve(args)
    if getattr(args, "service_command", None):
        from amldeploy.commands.services import run_service_command

        return run_service_command(args)
    parser.print_help(sys.stderr)
    return 2

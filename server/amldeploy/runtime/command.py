"""The scoring host's command line: its options (shared with ``amldeploy serve``) and ``python -m
amldeploy.runtime``, the entrypoint of an image where only this package and the standard library are there.

``--ic`` and ``--dc`` are read by ``amldeploy serve`` (every v1 rule, which needs the language core); here they
are refused with the way to get the same settings.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from amldeploy.runtime.config import HTTP_CHOICES, LOOP_CHOICES, ConfigProblem, FromConfigs, config_from_environ

DESCRIPTION = (
    "Serve score.py with the routes, input modes, headers and errors of Azure's azureml-inference-server-http, "
    "plus the v1 front end (keys, queue, timeout) from a deployment config. Without --entry-script or --ic it "
    "reads Azure's environment variables (AZUREML_ENTRY_SCRIPT, AML_APP_ROOT, AZUREML_MODEL_DIR, SERVER_PORT, "
    "WORKER_COUNT, ...), as an image entrypoint. Keys come only from AMLDEPLOY_PRIMARY_KEY/AMLDEPLOY_SECONDARY_KEY "
    "or AMLDEPLOY_KEYS_FILE. Exit status: 0 after SIGTERM/SIGINT, 1 cannot listen, 2 bad settings, 3 the script "
    "failed to load or init() raised."
)
EXIT_SETTINGS = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--entry-script", metavar="FILE", help="the score.py to serve")
    source.add_argument("--ic", metavar="FILE", help="an inferenceconfig.json naming the entry script")
    parser.add_argument(
        "--source-dir",
        metavar="DIR",
        help="folder added to sys.path (default: AZUREML_SOURCE_DIRECTORY, else the script's)",
    )
    parser.add_argument(
        "--model",
        action="append",
        metavar="PATH[:NAME[:VERSION]]",
        help="a model file or folder, laid out as azureml-models/NAME/VERSION/ (repeatable)",
    )
    parser.add_argument("--dc", metavar="FILE", help="a deploymentconfig.json for the front end (auth, queue, timeout)")
    parser.add_argument("--port", type=int, help="port to listen on (default: SERVER_PORT or 5001; 0 picks one)")
    parser.add_argument("--host", help="address to listen on (default: AMLDEPLOY_HOST or 127.0.0.1)")
    parser.add_argument(
        "--threads", type=int, metavar="N", help="run() calls allowed at once per worker (default 1, like Azure)"
    )
    tls = parser.add_argument_group("HTTPS (v1's sslEnabled, sslCertificate, sslKey)")
    tls.add_argument("--ssl-certfile", metavar="PEM", help="serve HTTPS with this certificate (AMLDEPLOY_SSL_CERTFILE)")
    tls.add_argument("--ssl-keyfile", metavar="PEM", help="the certificate's unencrypted key (AMLDEPLOY_SSL_KEYFILE)")
    server = parser.add_argument_group("HTTP server (uvicorn)")
    server.add_argument("--http", choices=HTTP_CHOICES, help="HTTP parser (AMLDEPLOY_HTTP; auto: httptools, else h11)")
    server.add_argument("--loop", choices=LOOP_CHOICES, help="event loop (AMLDEPLOY_LOOP; auto: uvloop, else asyncio)")
    limits = parser.add_argument_group("limits (each also an AMLDEPLOY_ variable)")
    limits.add_argument(
        "--max-body-bytes", type=int, metavar="N", help="larger request bodies get 413 (default 100 MiB)"
    )
    limits.add_argument(
        "--max-header-bytes", type=int, metavar="N", help="larger request heads get 431 (default 65536)"
    )
    limits.add_argument("--max-headers", type=int, metavar="N", help="more request headers get 431 (default 100)")
    limits.add_argument(
        "--read-timeout", type=float, metavar="S", help="a request must arrive in full within S seconds (default 60)"
    )
    limits.add_argument(
        "--keep-alive", type=float, metavar="S", help="idle connections are closed after S seconds (default 75)"
    )
    limits.add_argument(
        "--graceful-timeout",
        type=float,
        metavar="S",
        help="on SIGTERM, in-flight requests get S seconds to finish (default 30)",
    )


def run(args: argparse.Namespace, configs: FromConfigs | None = None, prog: str = "amldeploy serve") -> int:
    """Serve until a signal with the parsed options and what the configs say; the exit status."""
    from amldeploy.runtime.serve import serve

    if args.threads is not None and args.threads < 1:
        print(f"{prog}: --threads must be at least 1", file=sys.stderr)
        return EXIT_SETTINGS
    try:
        cfg = config_from_environ(args, configs)
    except ConfigProblem as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return EXIT_SETTINGS
    return serve(cfg)


def main(argv: Sequence[str] | None = None) -> int:
    prog = "python -m amldeploy.runtime"
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    add_arguments(parser)
    args = parser.parse_args(argv)
    for flag, value in (("--ic", args.ic), ("--dc", args.dc)):
        if value:
            print(
                f"{prog}: {flag} is read by the full amldeploy, which checks the config with the v1 rules: run "
                f"'amldeploy serve {flag} {value}' instead, or give the entry script with --entry-script (or "
                "AZUREML_ENTRY_SCRIPT) and the front-end settings with the AMLDEPLOY_* variables",
                file=sys.stderr,
            )
            return EXIT_SETTINGS
    return run(args, prog=prog)

"""The service commands: ``deploy``, ``list``, ``show``, ``logs``, ``score``, ``keys``, ``delete`` (and
``package``, ``export``).

Exit status, as for ``validate``: 0 success, 1 the operation failed (a config with errors, a service that is
missing or failed, a non-2xx answer), 2 a usage mistake or unreadable input. ``--output json`` prints one JSON
document on stdout (progress goes to stderr as JSON lines); errors then come as ``{"error": {...}}``.
"""

from __future__ import annotations

import argparse
from typing import Any

from amldeploy.commands.output import EXIT_INTERRUPTED, EXIT_OK, Output

SERVICE_COMMANDS = ("deploy", "list", "show", "logs", "score", "keys", "delete")

_OUTPUT_HELP = "text for people (default) or one JSON document for programs"
_EPILOG = "Exit status: 0 success, 1 the operation failed, 2 usage error or unreadable input, 130 interrupted."


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"port must be a whole number from 1 to 65535, not {text!r}")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of lines, not {text!r}")
    return int(text)


def add_service_parsers(sub: Any) -> None:
    """Add the service commands to the ``amldeploy`` subparsers (argparse only: nothing heavy is imported)."""
    from amldeploy.commands.target_flags import add_azure_arguments, add_cluster_arguments, add_deploy_arguments

    def add(name: str, help_text: str, description: str, with_name: bool = True) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=description, epilog=_EPILOG)
        if with_name:
            parser.add_argument("name", metavar="NAME", help="the service name")
        parser.add_argument("--output", choices=("text", "json"), default="text", help=_OUTPUT_HELP)
        parser.set_defaults(service_command=name)
        if name != "deploy":
            add_cluster_arguments(parser)
            add_azure_arguments(parser)
        return parser

    deploy = add(
        "deploy",
        "deploy a service from an inference config and a deployment config",
        "Start the scoring service NAME from inferenceconfig.json + deploymentconfig.json and wait until it "
        "answers (v1: 30 health checks 1 s apart). computeType local runs as a Docker container when an engine "
        "answers (DOCKER_HOST or the default socket), else as a local process; --target docker|process runs an "
        "ACI or AKS config locally with its front-end settings (auth keys, queue, timeout). computeType AKS or "
        "AKSENDPOINT goes to the Kubernetes cluster of the kubeconfig (--target kubernetes sends any config "
        "there). Deploying an existing NAME replaces it once the new configs are valid.",
    )
    from amldeploy.commands.config_flags import add_config_arguments, add_model_argument

    add_config_arguments(deploy, no_code=True)
    add_model_argument(
        deploy,
        "a model file or folder (repeatable); it lands in azureml-models/NAME/VERSION (default: the file's stem, "
        "version 1)",
    )
    deploy.add_argument(
        "--target", metavar="TARGET", help="where to run it (default: from computeType): process, docker, kubernetes"
    )
    deploy.add_argument("--port", type=_port, help="the local port (default: the config's 'port', else a free one)")
    deploy.add_argument(
        "--isolated",
        action="store_true",
        help="run in a cached venv holding only the environment's pip packages (built on first use)",
    )
    add_deploy_arguments(deploy)
    add("list", "list the services of this folder", "List the services deployed from this folder.", with_name=False)
    add("show", "show one service", "Show a service: state, URIs, process, models, last error.")
    logs = add("logs", "print a service's log", "Print the log of a service (its stdout and stderr).")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines until Ctrl-C")
    logs.add_argument("--tail", "-n", type=_count, metavar="N", help="only the last N lines")
    logs.add_argument(
        "--previous",
        action="store_true",
        help="the log of the container before its last restart (what a crashed one printed; Kubernetes target)",
    )
    score = add(
        "score",
        "send a request to a service",
        "POST a request body to the service's /score and print the answer (status, run time, body). The "
        "service's key is sent when its auth is enabled.",
    )
    body = score.add_mutually_exclusive_group(required=True)
    body.add_argument("--data", "-d", metavar="JSON", help="the request body")
    body.add_argument("--file", metavar="FILE", help="a file holding the request body ('-' for stdin)")
    add("keys", "print a service's keys", "Print the primary and secondary keys of a running service.")
    delete = add(
        "delete", "stop and remove a service", "Stop a service (SIGTERM, SIGKILL after 10 s) and remove its state."
    )
    delete.add_argument(
        "--purge", action="store_true", help="remove the service's image too (Docker target; default: kept as cache)"
    )
    from amldeploy.commands.package import add_package_parser

    add_package_parser(sub, _EPILOG, _OUTPUT_HELP)
    from amldeploy.commands.profile import add_profile_parser

    add_profile_parser(sub, _EPILOG, _OUTPUT_HELP)
    from amldeploy.commands.export import add_export_parser

    add_export_parser(sub, _EPILOG, _OUTPUT_HELP)


def run_service_command(args: argparse.Namespace) -> int:
    from amldeploy.ops.errors import DeployFailed, OpsError

    output = Output(args.service_command, args.output)
    try:
        return _dispatch(args, output)
    except DeployFailed as exc:
        from amldeploy.commands.deploy import report_failure

        return report_failure(exc, output)
    except OpsError as exc:
        return output.error(exc.message, exc.hint, exc.status)
    except KeyboardInterrupt:
        output.error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


def _dispatch(args: argparse.Namespace, output: Output) -> int:
    from amldeploy.commands.target_flags import apply_compute_target, settings_from

    apply_compute_target(args)  # --ct NAME: a recorded target supplies the target and its settings
    # Without --ct a service is looked for on the recorded compute targets too; with it, there only.
    records = not getattr(args, "compute_target", None)
    command = args.service_command
    if command == "deploy":
        from amldeploy.commands.deploy import run_deploy

        return run_deploy(args, output)
    if command == "package":
        from amldeploy.commands.package import run_package

        return run_package(args, output)
    if command == "profile":
        from amldeploy.commands.profile import run_profile

        return run_profile(args, output)
    if command == "export":
        from amldeploy.commands.export import run_export

        return run_export(args, output)
    if command == "logs":
        from amldeploy.commands.service_logs import run_logs

        return run_logs(args.name, args.follow, args.tail, output, settings_from(args), args.previous, records)
    if command == "score":
        from amldeploy.commands.score import run_score

        return run_score(args.name, args.data, args.file, output, settings_from(args), records)
    from amldeploy.commands import service_views

    settings = settings_from(args)
    if command == "list":
        return service_views.run_list(output, settings, records)
    if command == "show":
        return service_views.run_show(args.name, output, settings, records)
    if command == "keys":
        return service_views.run_keys(args.name, output, settings, records)
    return service_views.run_delete(args.name, output, args.purge, settings, records)

"""``amldeploy export v2|iot-edge --ic FILE --dc FILE [--model PATH[:NAME[:VERSION]]]... --output-dir DIR``: a v1
service moved to Azure ML v2 (endpoint + deployment YAML) or to Azure IoT Edge (a deployment manifest), offline.

Every key the configs set is reported as mapped or dropped (with the reason), on the console and in the
MIGRATION.md written beside the files. DIR must be new, empty, or an earlier export (then replaced).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amldeploy.commands.config_flags import add_config_arguments, add_model_argument
from amldeploy.commands.output import EXIT_OK, Output

if TYPE_CHECKING:
    from amldeploy.ops.export.run import Exported


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"port must be a whole number from 1 to 65535, not {text!r}")
    return int(text)


def add_export_parser(sub: Any, epilog: str, output_help: str) -> None:
    export: argparse.ArgumentParser = sub.add_parser(
        "export",
        help="export a service to Azure ML v2 YAML or an Azure IoT Edge manifest",
        description="Move a v1 service to what Azure supports now, from the two config files alone (offline). "
        "Every key the configs set is reported as mapped or dropped, with the reason, here and in the "
        "MIGRATION.md written beside the files.",
        epilog=epilog,
    )
    kinds = export.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    v2 = kinds.add_parser(
        "v2",
        help="an Azure ML v2 online endpoint and deployment",
        description="Write an Azure ML v2 online endpoint (endpoint.yml) and deployment (deployment.yml), the "
        "environment (conda file on a base image, or the base Dockerfile) and the code configuration, so that "
        "the same score.py runs. ACI and local become a managed deployment, AKS and AKSENDPOINT a Kubernetes one.",
        epilog=epilog,
    )
    _common(v2, output_help)
    v2.add_argument("--endpoint", metavar="NAME", help="the endpoint's name (default: made from the config's folder)")
    v2.add_argument("--deployment", metavar="NAME", help="the deployment's name (default: versionName, else blue)")
    v2.add_argument(
        "--compute", metavar="NAME", help="the Kubernetes compute of an AKS config (default: computeTargetName)"
    )
    edge = kinds.add_parser(
        "iot-edge",
        help="an Azure IoT Edge deployment manifest",
        description="Write an IoT Edge deployment manifest (deployment.json): $edgeAgent, $edgeHub and one "
        "module running the service image, its scoring port published. The image is the one 'amldeploy "
        "package' builds (tagged with its content hash); nothing is built here.",
        epilog=epilog,
    )
    _common(edge, output_help)
    edge.add_argument("--name", metavar="NAME", help="the module (and image) name (default: the config's folder)")
    edge.add_argument("--registry", metavar="HOST[/NS]", help="the registry the device pulls the image from")
    edge.add_argument("--image", metavar="REF", help="the whole image reference (TAG default: the content hash)")
    edge.add_argument("--port", type=_port, help="the device's port for the scoring endpoint (default 5001)")


def _common(parser: argparse.ArgumentParser, output_help: str) -> None:
    add_config_arguments(parser)
    add_model_argument(parser)
    parser.add_argument("--output-dir", required=True, metavar="DIR", help="where to write (new, empty, or an export)")
    parser.add_argument("--output", choices=("text", "json"), default="text", help=output_help)
    parser.set_defaults(service_command="export")


def run_export(args: argparse.Namespace, output: Output) -> int:
    from amldeploy.config.load import ConfigError
    from amldeploy.ops.export.run import export_iot_edge_files, export_v2_files

    ic, dc, dest = Path(args.ic), Path(args.dc), Path(args.output_dir)
    try:
        if args.export_kind == "v2":
            exported = export_v2_files(
                ic, dc, args.models, Path.cwd(), dest, args.endpoint, args.deployment, args.compute
            )
        else:
            exported = export_iot_edge_files(
                ic, dc, args.models, Path.cwd(), dest, Path.cwd(), args.name, args.registry, args.image, args.port
            )
    except ConfigError as exc:
        return output.config_errors(exc, "export", "written")
    if output.json:
        output.document(exported.to_json())
        return EXIT_OK
    _show(exported, output)
    return EXIT_OK


def _show(exported: Exported, output: Output) -> None:
    for warning in exported.warnings:
        output.err.write(f"warning: {warning}\n")
    for fate in exported.fates:
        if not fate.dropped:
            output.line(f"  mapped   {fate.file}: {fate.line()}")
    for fate in exported.dropped:
        output.line(f"  dropped  {fate.file}: {fate.key}: {fate.note}")
    for note in exported.notes:
        output.line(f"  note     {note}")
    names = ", ".join(p.relative_to(exported.output_dir).as_posix() for p in exported.files[:4])
    more = f" and {len(exported.files) - 4} more" if len(exported.files) > 4 else ""
    what = "Azure ML v2" if exported.kind == "v2" else "IoT Edge"
    output.line(f"Wrote the {what} export to {exported.output_dir}: {names}{more}")
    output.line(
        f"{len(exported.fates) - len(exported.dropped)} keys mapped, {len(exported.dropped)} dropped; "
        "MIGRATION.md says what each became and why"
    )

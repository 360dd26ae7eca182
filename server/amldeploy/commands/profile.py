"""``amldeploy profile NAME --sample FILE [--concurrency N] [--duration S] [--apply deploymentconfig.json]``: a
bounded load on a running service, what it used, and the size it needs (v1's ``Model.profile``, without a
workspace)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amldeploy.commands.output import EXIT_OK, EXIT_USAGE, Output

if TYPE_CHECKING:
    from amldeploy.ops.profile.run import Profile

MAX_CONCURRENCY = 64  # ops/profile/load.py's bound, kept here so that the parser imports nothing
MAX_DURATION_S = 600.0
MAX_SAMPLE_BYTES = 100 * 1024 * 1024


def _bounded(kind: type, low: float, high: float, what: str) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            message = f"{what} must be a number from {low:g} to {high:g}, not {text!r}"
            raise argparse.ArgumentTypeError(message) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be from {low:g} to {high:g}, not {text}")
        return value

    return parse


def add_profile_parser(sub: Any, epilog: str, output_help: str) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "profile",
        help="measure a running service under load and recommend its size",
        description="Send the sample request(s) to a running service from --concurrency connections for "
        "--duration seconds, then report latency (p50/p90/p99), throughput, errors, CPU and memory (at rest, "
        "steady and peak: the Docker engine's stats, or /proc for a process), and the containerResourceRequirements "
        "that fit with --headroom to spare (cpu, memoryInGB; for AKS configs cpuLimit and memoryInGBLimit too). "
        "--apply writes them into a deployment config, changing nothing else in it.",
        epilog=epilog,
    )
    parser.add_argument("name", metavar="NAME", help="the service name (Healthy, on the docker or process target)")
    parser.add_argument(
        "--sample",
        dest="samples",
        action="append",
        required=True,
        metavar="FILE",
        help="a request body to send (repeatable: they are sent in turn)",
    )
    parser.add_argument(
        "--concurrency",
        "-c",
        type=_bounded(int, 1, MAX_CONCURRENCY, "--concurrency"),
        default=4,
        help="connections sending at once (default 4)",
    )
    parser.add_argument(
        "--duration",
        type=_bounded(float, 1, MAX_DURATION_S, "--duration"),
        default=15.0,
        metavar="SECONDS",
        help="how long the load lasts (default 15)",
    )
    parser.add_argument(
        "--headroom",
        type=_bounded(int, 0, 400, "--headroom"),
        default=30,
        metavar="PERCENT",
        help="how much more than measured to recommend (default 30)",
    )
    parser.add_argument("--content-type", default="application/json", help="of the samples (default JSON)")
    parser.add_argument("--apply", metavar="FILE", help="write the recommendation into this deployment config")
    parser.add_argument("--output", choices=("text", "json"), default="text", help=output_help)
    parser.set_defaults(service_command="profile")


def run_profile(args: argparse.Namespace, output: Output) -> int:
    from amldeploy.ops.errors import OpsError
    from amldeploy.ops.profile.run import ProfileRequest, profile_service

    bodies = [_sample(path) for path in args.samples]
    target_file = Path(args.apply) if args.apply else None
    if target_file is not None and not target_file.is_file():
        raise OpsError(f"--apply {args.apply}: no such file", "give the deployment config to update", EXIT_USAGE)
    request = ProfileRequest(args.name, bodies, args.content_type, args.concurrency, args.duration, args.headroom / 100)
    profile = profile_service(request, Path.cwd(), output.reporter())
    if target_file is not None:
        profile.applied = _apply(profile, target_file)
    if output.json:
        output.document(profile.to_json())
    else:
        _show(profile, output, args)
    return EXIT_OK


def _sample(path: str) -> bytes:
    from amldeploy.ops.errors import OpsError

    try:
        if os.path.getsize(path) > MAX_SAMPLE_BYTES:
            too_big = f"--sample {path} is over {MAX_SAMPLE_BYTES // 2**20} MiB"
            raise OpsError(too_big, "use a smaller sample", EXIT_USAGE)
        return Path(path).read_bytes()
    except OSError as exc:
        unreadable = f"cannot read --sample {path}: {exc.strerror or exc}"
        raise OpsError(unreadable, "give a readable file", EXIT_USAGE) from exc


def _apply(profile: Profile, path: Path) -> dict[str, Any]:
    """Write the recommendation for ``path``'s computeType into it (atomically; untouched when nothing changes)."""
    from amldeploy.ops.errors import OpsError
    from amldeploy.ops.profile.apply import apply_recommendation, compute_type_of
    from amldeploy.ops.profile.sizing import recommend

    try:
        with path.open(encoding="utf-8", newline="") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        unreadable = f"cannot read --apply {path}: {exc}"
        raise OpsError(unreadable, "give a readable UTF-8 deployment config", EXIT_USAGE) from exc
    values = recommend(profile.measured, compute_type_of(text) or profile.compute_type, profile.headroom)
    updated = apply_recommendation(text, values, str(path))
    if updated != text:
        temporary = path.with_name(f".{path.name}.amldeploy-tmp")
        with temporary.open("w", encoding="utf-8", newline="") as f:
            f.write(updated)
        os.replace(temporary, path)
    return {"file": str(path), "values": values, "changed": updated != text}


def _show(profile: Profile, output: Output, args: argparse.Namespace) -> None:
    load, m = profile.load, profile.measured
    statuses = ", ".join(f"{status} ×{n}" for status, n in sorted(load.statuses.items())) or "none"
    output.line(
        f"Profiled {profile.name} ({profile.target} target) for {load.seconds:.1f} s from {profile.concurrency} "
        f"connection{'s' if profile.concurrency > 1 else ''}"
    )
    output.line(
        f"  requests    {load.requests} ({profile.throughput:.1f}/s); answers: {statuses}; errors {load.errors}"
    )
    for error in load.first_errors:
        output.line(f"              {error}")
    p50, p90, p99 = (profile.latency(f) for f in (0.5, 0.9, 0.99))
    output.line(f"  latency     p50 {p50} ms · p90 {p90} ms · p99 {p99} ms")
    output.line(f"  CPU         at rest {m.idle_cpu:.2f} · steady {m.steady_cpu:.2f} · peak {m.peak_cpu:.2f} cores")
    output.line(
        f"  memory      at rest {_mb(m.idle_memory)} · steady {_mb(m.steady_memory)} · peak {_mb(m.peak_memory)}"
    )
    values = ", ".join(f"{k} {v:g}" for k, v in profile.recommendation.items())
    output.line(f"Recommended containerResourceRequirements ({profile.headroom:.0%} headroom): {values}")
    if profile.applied is not None:
        applied = ", ".join(f"{k} {v:g}" for k, v in profile.applied["values"].items())
        verb = "written into" if profile.applied["changed"] else "already in"
        output.line(f"  {verb} {profile.applied['file']}: {applied}")
    else:
        output.line("  to write them into a deployment config: add --apply deploymentconfig.json")


def _mb(size: int) -> str:
    return f"{size / 1e6:.0f} MB"

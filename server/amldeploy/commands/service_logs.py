"""``amldeploy logs NAME [--follow] [--tail N]``: the service's stdout and stderr."""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from pathlib import Path

from amldeploy.commands.output import EXIT_OK, Output
from amldeploy.ops.errors import EXIT_USAGE, OpsError
from amldeploy.ops.targets.base import find_service


def run_logs(
    name: str,
    follow: bool,
    tail: int | None,
    output: Output,
    settings: Mapping[str, str | None] | None = None,
    previous: bool = False,
    records: bool = True,
) -> int:
    target, service = find_service(name, Path.cwd(), settings, records=records)
    if previous:
        if "previous" not in inspect.signature(target.logs).parameters:
            raise OpsError(f"--previous: the {target.name} target keeps no earlier container", None, EXIT_USAGE)
        lines = target.logs(name, follow=False, tail=tail, previous=True)  # type: ignore[call-arg]
    else:
        lines = target.logs(name, follow=follow, tail=tail)
    if output.json and not follow:
        output.document({"name": name, "state": service.state.value, "lines": list(lines)})
        return EXIT_OK
    try:
        for line in lines:
            # Following in JSON: one object per line (JSON lines), so a reader can act on each as it comes.
            output.line(json.dumps({"name": name, "line": line}, ensure_ascii=False) if output.json else line)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how one stops following
    finally:
        close = getattr(lines, "close", None)
        if close is not None:
            close()
    return EXIT_OK

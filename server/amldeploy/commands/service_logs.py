"""``amldeploy logs NAME [--follow] [--tail N]``: the service's stdout and stderr."""

from __future__ import annotations

import json
from pathlib import Path

from amldeploy.commands.output import EXIT_OK, Output
from amldeploy.ops.targets.base import find_service


def run_logs(name: str, follow: bool, tail: int | None, output: Output) -> int:
    target, service = find_service(name, Path.cwd())
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

"""Where a service command's results, progress and errors go, and the exit statuses they end with."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class Output:
    """Where a command's results, progress and errors go, by ``--output``."""

    def __init__(self, command: str, fmt: str, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.command = command
        self.json = fmt == "json"
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def reporter(self) -> Any:
        from amldeploy.ops.reporter import ConsoleReporter, JsonLinesReporter

        return JsonLinesReporter(self.err) if self.json else ConsoleReporter(self.err)

    def document(self, data: Any) -> None:
        json.dump(data, self.out, indent=2, ensure_ascii=False)
        self.out.write("\n")
        self.out.flush()

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def config_errors(self, exc: Any, verb: str, nothing: str) -> int:
        """A config with errors (``ConfigError``): its problems, and that nothing was ``nothing`` (deployed...)."""
        if self.json:
            return self.error(
                f"{exc.path} has {len(exc.problems)} error(s)",
                f"fix them, then {verb} again ('amldeploy validate {exc.path}' checks it)",
                EXIT_FAILED,
                problems=exc.positions,
            )
        self.err.write(str(exc) + "\n")
        return self.error(f"the config has errors: nothing was {nothing}", f"fix them, then {verb} again", EXIT_FAILED)

    def error(self, message: str, hint: str | None = None, status: int = EXIT_FAILED, **extra: Any) -> int:
        if self.json:
            self.document({"error": {"message": message, "hint": hint, "status": status, **extra}})
        else:
            text = f"amldeploy {self.command}: {message}"
            if hint:
                text += (" " if message.endswith((".", "?", "!")) else ": ") + hint
            self.err.write(text + "\n")
            self.err.flush()
        return status

"""What every ``ml`` command shares: the report of ignored and refused flags, and output in v1's shape."""

from __future__ import annotations

import argparse
import io
import sys
from typing import Any, TextIO

from amldeploy.commands.ml.flags import IGNORE, REFUSE, Flag
from amldeploy.commands.ml.render import render
from amldeploy.commands.output import Output
from amldeploy.ops.errors import EXIT_USAGE, OpsError


class Captured(Output):
    """An ``Output`` for the commands ``ml`` runs: their JSON document is kept (``ml`` prints it in v1's shape,
    ``-o`` and ``--query`` applied), their progress and errors go to stderr as text."""

    def __init__(self, command: str, err: TextIO | None = None) -> None:
        super().__init__(command, "json", io.StringIO(), err or sys.stderr)

    def reporter(self) -> Any:
        from amldeploy.ops.reporter import ConsoleReporter

        return ConsoleReporter(self.err)

    def error(self, message: str, hint: str | None = None, status: int = 1, **extra: Any) -> int:
        self.json = False
        try:
            return super().error(message, hint, status)
        finally:
            self.json = True

    def config_errors(self, exc: Any, verb: str, nothing: str) -> int:
        self.json = False
        try:
            return super().config_errors(exc, verb, nothing)
        finally:
            self.json = True

    def result(self) -> Any:
        import json

        assert isinstance(self.out, io.StringIO)
        text = self.out.getvalue()
        return json.loads(text) if text.strip() else None


def given(args: argparse.Namespace, flag: Flag) -> bool:
    value = getattr(args, flag.dest, None)
    return value not in (None, False, []) and value != flag.default


def spelled(flag: Flag, argv: list[str]) -> str:
    """The spelling of ``flag`` the command line used."""
    for token in argv:
        name = token.split("=", 1)[0]
        if name in flag.names:
            return name
    return flag.names[0]


def value_text(args: argparse.Namespace, flag: Flag) -> str:
    value = getattr(args, flag.dest, None)
    if flag.kind == "switch" or value is True:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def report_flags(args: argparse.Namespace, flags: list[Flag], argv: list[str], err: TextIO) -> None:
    """``ignored: FLAG VALUE — reason`` on ``err`` for each ignored flag given; ``OpsError`` (exit 2) for the
    first refused one."""
    for flag in flags:
        if not given(args, flag):
            continue
        shown = f"{spelled(flag, argv)} {value_text(args, flag)}".rstrip()
        if flag.handling == REFUSE:
            raise OpsError(f"{shown}: not supported: {flag.reason}", "leave it out", EXIT_USAGE)
        if flag.handling == IGNORE:
            err.write(f"ignored: {shown} — {flag.reason}\n")
    err.flush()


def refuse(shown: str, reason: str, hint: str | None = "leave it out") -> OpsError:
    return OpsError(f"{shown}: not supported: {reason}", hint, EXIT_USAGE)


def note(err: TextIO, text: str) -> None:
    err.write(f"note: {text}\n")
    err.flush()


def emit(args: argparse.Namespace, data: Any) -> None:
    render(data, args.output, args.query, sys.stdout)


def key_values(values: list[str] | None, flag: str) -> dict[str, str]:
    """``["k=v", ...]`` as a mapping (v1's ``--tag``/``--property`` form)."""
    result: dict[str, str] = {}
    for item in values or []:
        key, eq, value = item.partition("=")
        if not key or not eq:
            raise OpsError(f"{flag} {item}: expected key=value", f"e.g. {flag} area=mnist", EXIT_USAGE)
        result[key] = value
    return result


def matches(data: dict[str, str], filters: list[str] | None) -> bool:
    """v1's ``--tag``/``--property`` filters: ``key`` (present) or ``key=value``."""
    for item in filters or []:
        key, eq, value = item.partition("=")
        if key not in data or (eq and data[key] != value):
            return False
    return True


def input_data(args: argparse.Namespace, what: str) -> str:
    """``-d/--input-data``: the text itself, or ``@FILE`` for a file's content (as ``az`` reads any ``@`` value)."""
    value: str | None = args.input_data
    if value is None:
        raise OpsError(f"give {what}", "-d '{\"data\": [[...]]}' or -d @request.json", EXIT_USAGE)
    if not value.startswith("@"):
        return value
    from pathlib import Path

    path = Path(value[1:]).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OpsError(
            f"cannot read the input data file '{path}': {reason}", "give a UTF-8 JSON file", EXIT_USAGE
        ) from None

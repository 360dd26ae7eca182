"""How operations talk while they work: steps, progress, log lines, warnings.

Operations only see the ``Reporter`` protocol. The command line uses ``ConsoleReporter`` (a rich spinner on a
terminal, plain lines otherwise) or ``JsonLinesReporter`` for ``--output json``; the language server maps the
same calls onto ``$/progress`` and its log notifications.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.status import Status


class Reporter(Protocol):
    """A reporter may stop the operation: ``step``, ``progress``, ``log`` and ``warning`` raise
    ``ops.errors.Cancelled`` once its caller gave up (``done`` never raises, so that clean-up can report)."""

    def step(self, title: str) -> None:
        """A new phase begins (ending the previous one, successfully)."""

    def progress(self, message: str, fraction: float | None = None) -> None:
        """News about the current phase; ``fraction`` in [0, 1] when the amount of work is known."""

    def log(self, line: str) -> None:
        """One line of output from the thing being run (build output, a service's log)."""

    def warning(self, message: str) -> None: ...

    def done(self, ok: bool = True, message: str | None = None) -> None:
        """The current phase ends; ``message`` says how."""


@dataclass(slots=True)
class Event:
    kind: str
    text: str
    fraction: float | None = None
    ok: bool | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"event": self.kind, "text": self.text}
        if self.fraction is not None:
            data["fraction"] = round(self.fraction, 3)
        if self.ok is not None:
            data["ok"] = self.ok
        return data


@dataclass(slots=True)
class RecordingReporter:
    """Keeps every call; silent. For tests, and for callers that report at the end."""

    events: list[Event] = field(default_factory=list)

    def step(self, title: str) -> None:
        self.events.append(Event("step", title))

    def progress(self, message: str, fraction: float | None = None) -> None:
        self.events.append(Event("progress", message, fraction))

    def log(self, line: str) -> None:
        self.events.append(Event("log", line))

    def warning(self, message: str) -> None:
        self.events.append(Event("warning", message))

    def done(self, ok: bool = True, message: str | None = None) -> None:
        self.events.append(Event("done", message or "", ok=ok))

    @property
    def warnings(self) -> list[str]:
        return [e.text for e in self.events if e.kind == "warning"]


class JsonLinesReporter(RecordingReporter):
    """One JSON object per call on ``stream`` (stderr for ``--output json``, so stdout holds one document)."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self.stream = stream

    def _emit(self) -> None:
        if self.stream is not None:
            self.stream.write(json.dumps(self.events[-1].to_json(), ensure_ascii=False) + "\n")
            self.stream.flush()

    def step(self, title: str) -> None:
        super().step(title)
        self._emit()

    def progress(self, message: str, fraction: float | None = None) -> None:
        super().progress(message, fraction)
        self._emit()

    def log(self, line: str) -> None:
        super().log(line)
        self._emit()

    def warning(self, message: str) -> None:
        super().warning(message)
        self._emit()

    def done(self, ok: bool = True, message: str | None = None) -> None:
        super().done(ok, message)
        self._emit()


class ConsoleReporter:
    """Human output on ``stream`` (stderr by default): a spinner per step on a terminal, plain lines otherwise."""

    def __init__(self, stream: TextIO | None = None, fancy: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.fancy = _is_terminal(self.stream) if fancy is None else fancy
        self._title: str | None = None
        self._started = 0.0
        self._last_progress = ""
        # Plain lines: what follows the step's title. "open": nothing yet (its outcome ends the same line);
        # "news": only its progress lines (an indented outcome follows them); "other": log lines or warnings came
        # in between, so the outcome names the step again.
        self._after_title = ""
        self._console: Console | None = None
        self._status: Status | None = None
        if self.fancy:
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False)

    def step(self, title: str) -> None:
        if self._title is not None:
            self.done()
        self._title, self._started, self._last_progress = title, time.monotonic(), ""
        if self._console is not None:
            self._status = self._console.status(_escape(title) + " …")
            self._status.start()
        else:
            self._write(f"{title} …", end="")
            self._after_title = "open"

    def progress(self, message: str, fraction: float | None = None) -> None:
        if self._status is not None and self._title is not None:
            text = message if fraction is None else f"{message} ({fraction:.0%})"
            self._status.update(f"{_escape(self._title)} … [dim]{_escape(_shorten(text))}[/]")
        elif message != self._last_progress:
            # Plain lines are for logs and CI: news once, not a line per percent.
            self._end_line()
            self._write(f"  {message}")
            if self._after_title == "open":
                self._after_title = "news"
        self._last_progress = message

    def log(self, line: str) -> None:
        if self._console is not None:
            self._console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            self._interrupt()
            self._write(line)

    def warning(self, message: str) -> None:
        if self._console is not None:
            self._console.print(f"[yellow]warning:[/] {_escape(message)}", soft_wrap=True)
        else:
            self._interrupt()
            self._write(f"warning: {message}")

    def done(self, ok: bool = True, message: str | None = None) -> None:
        if self._title is None:
            return
        seconds = time.monotonic() - self._started
        outcome = message or ("done" if ok else "failed")
        if self._status is not None:
            self._status.stop()
            self._status = None
        if self._console is not None:
            mark = "[green]✓[/]" if ok else "[red]✗[/]"
            self._console.print(f"{mark} {_escape(self._title)} [dim]({_escape(outcome)}, {seconds:.1f} s)[/]")
        elif self._after_title == "open":
            self._write(f" {outcome} ({seconds:.1f} s)")
        elif self._after_title == "news":
            self._write(f"  {'✓' if ok else '✗'} {outcome} ({seconds:.1f} s)")
        else:
            self._write(f"{self._title}: {outcome} ({seconds:.1f} s)")
        self._title, self._after_title = None, ""

    def _interrupt(self) -> None:
        self._end_line()
        if self._after_title:
            self._after_title = "other"

    def _end_line(self) -> None:
        if self._after_title == "open":
            self._write("")

    def _write(self, text: str, end: str = "\n") -> None:
        self.stream.write(text + end)
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _shorten(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

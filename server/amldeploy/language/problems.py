"""Problems: what every rule produces, in offsets, converted to LSP ranges at the edge."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from operator import attrgetter
from typing import Any

from amldeploy.language.text import Range, TextIndex

SOURCE = "amldeploy"
_ORDER = attrgetter("start", "end", "severity", "code")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


class Severity(IntEnum):
    """LSP ``DiagnosticSeverity`` numbering."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding in one document. ``start``/``end`` are offsets into the document's ``str``."""

    start: int
    end: int
    severity: Severity
    code: str
    message: str
    data: Mapping[str, Any] | None = field(default=None, compare=False)
    source: str = SOURCE

    def __post_init__(self) -> None:
        # A document's strings may hold lone surrogates (JSON's "\ud800"), which no UTF-8 output can carry.
        # (``data`` is for programs: JSON writers escape it.)
        if _UNPRINTABLE.search(self.message):
            object.__setattr__(self, "message", printable(self.message))

    def range(self, index: TextIndex) -> Range:
        return index.range(self.start, self.end)

    def to_json(self, index: TextIndex) -> dict[str, Any]:
        out: dict[str, Any] = {
            "range": self.range(index).to_json(),
            "severity": self.severity.label,
            "code": self.code,
            "message": self.message,
            "source": self.source,
        }
        if self.data:
            out["data"] = dict(self.data)
        return out


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates written as escapes (``\\x00``, ``\\ud800``).

    Messages quote the document's strings: a lone surrogate cannot be written as UTF-8, and an escape
    sequence would reach the user's terminal.
    """
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=_ORDER)

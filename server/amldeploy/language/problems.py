"""Problems: what every rule produces, in offsets, converted to LSP ranges at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from amldeploy.language.text import Range, TextIndex

SOURCE = "amldeploy"


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


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.start, p.end, p.severity, p.code))

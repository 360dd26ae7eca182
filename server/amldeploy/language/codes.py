"""The catalogue of rule codes: one entry per code, with its default severity and documentation.

Codes are stable: ``JS###`` syntax and encoding, ``IC###`` inference config, ``DC###`` deployment config,
``SC###`` entry script. Rule modules declare their codes here at import time; ``docs/rules.md`` is generated
from this catalogue and a test keeps it fresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amldeploy.language.problems import Problem, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    title: str
    doc: str = ""

    def at(
        self,
        start: int,
        end: int,
        message: str,
        data: Mapping[str, Any] | None = None,
        severity: Severity | None = None,
    ) -> Problem:
        return Problem(start, end, severity or self.severity, self.code, message, data)


RULES: dict[str, Rule] = {}


def rule(code: str, severity: Severity, title: str, doc: str = "") -> Rule:
    if code in RULES:
        raise ValueError(f"rule code {code} declared twice")
    RULES[code] = Rule(code, severity, title, doc)
    return RULES[code]

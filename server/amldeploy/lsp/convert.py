"""Offsets and problems of the language core → LSP types, with the user's severity settings applied.

Positions are counted in the encoding negotiated at ``initialize`` (the ``TextIndex`` carries it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from amldeploy.lsp.settings import Settings

if TYPE_CHECKING:
    from amldeploy.language.problems import Problem
    from amldeploy.language.text import Encoding, TextIndex

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def lsp_range(index: TextIndex, start: int, end: int) -> types.Range:
    r = index.range(start, end)
    return types.Range(
        start=types.Position(line=r.start.line, character=r.start.character),
        end=types.Position(line=r.end.line, character=r.end.character),
    )


def to_diagnostics(
    text: str, problems: list[Problem], settings: Settings, encoding: Encoding
) -> list[types.Diagnostic]:
    from amldeploy.language.text import TextIndex

    index = TextIndex(text, encoding)
    out = []
    for p in problems:
        if p.code in settings.disabled_rules:
            continue
        override = settings.severity_overrides.get(p.code)
        if override == "off":
            continue
        severity = _SEVERITY[override] if override else types.DiagnosticSeverity(int(p.severity))
        tags = [types.DiagnosticTag.Unnecessary] if p.code in _UNNECESSARY else None
        out.append(
            types.Diagnostic(
                range=lsp_range(index, p.start, p.end),
                message=p.message,
                severity=severity,
                code=p.code,
                source=p.source,
                data=dict(p.data) if p.data else None,
                tags=tags,
            )
        )
    return out


# Keys v1 ignored: editors fade them out.
_UNNECESSARY = frozenset({"IC006", "IC007", "DC006", "DC007", "DC014", "IC020"})

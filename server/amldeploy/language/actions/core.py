"""Quick fixes: for the problems under a range, the edits that fix them.

Fixes come from the problems' ``data`` (the rules know what is wrong; this module only writes the edit).
Edits are minimal and keep the file valid; the ones that are obviously right are marked ``preferred`` so
that an editor can apply them with a single keystroke.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from amldeploy.language.actions.config import config_fixes
from amldeploy.language.actions.edits import ConfigEditor, Edit, Fix
from amldeploy.language.actions.script import script_fixes
from amldeploy.language.parse.documents import ParsedDocument, detect_language, parse_document
from amldeploy.language.problems import Problem
from amldeploy.language.validate import Kind

__all__ = ["Action", "Edit", "quick_fixes"]


@dataclass(frozen=True, slots=True)
class Action:
    title: str
    edits: list[Edit]
    problem: Problem
    preferred: bool = False


def quick_fixes(
    text: str, kind: Kind | Literal["entry-script"], problems: list[Problem], start: int, end: int
) -> list[Action]:
    """The fixes of every problem overlapping ``start``–``end``; never raises."""
    actions: list[Action] = []
    try:
        script = kind == Kind.ENTRY_SCRIPT or kind == "entry-script"
        document: ParsedDocument | None = None
        for problem in problems:
            if problem.start > end or problem.end < start:
                continue
            try:
                if script:
                    fixes = script_fixes(text, problem)
                else:
                    if document is None:
                        document = parse_document(text, detect_language(text))
                    fixes = _config(document, problem)
            except Exception:  # one broken fix must not hide the others
                continue
            actions += [Action(f.title, f.edits, problem, f.preferred) for f in fixes if _sound(f, text)]
    except Exception:
        return actions
    return actions


def _config(document: ParsedDocument, problem: Problem) -> list[Fix]:
    root = document.root
    if root is None or root.kind != "object":
        return []
    return config_fixes(problem, root, ConfigEditor(document.text, document.language))


def _sound(fix: Fix, text: str) -> bool:
    """Edits inside the text that do not overlap (what LSP requires of a workspace edit)."""
    spans = sorted((e.start, e.end) for e in fix.edits)
    if not spans or any(not 0 <= s <= e <= len(text) for s, e in spans):
        return False
    return all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(spans))

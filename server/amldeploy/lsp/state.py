"""What the server keeps of each open document: its last analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amldeploy.language.problems import Problem
    from amldeploy.language.validate import Kind


@dataclass(slots=True)
class Analysis:
    uri: str
    path: Path
    version: int | None
    kind: Kind
    text: str
    problems: list[Problem]
    entry_script: Path | None = None  # for an inference config: the script it names
    files: list[Path] = field(default_factory=list)

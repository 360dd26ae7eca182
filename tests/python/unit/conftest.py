from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from amldeploy.language.problems import Problem
from amldeploy.language.validate import Kind, validate_config
from tests.python.markers import marked, show

Check = Callable[..., tuple[str, list[tuple[int, int]], list[Problem]]]


@pytest.fixture
def check(tmp_path: Path) -> Check:
    """Validate a marked config text in a temporary folder holding ``files``; return text, spans, problems."""

    def run(
        source: str, kind: Kind, files: dict[str, str] | None = None, name: str = ""
    ) -> tuple[str, list[tuple[int, int]], list[Problem]]:
        text, spans = marked(source)
        for rel, content in (files or {}).items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        default = "inferenceconfig.json" if kind == Kind.INFERENCE else "deploymentconfig.json"
        config = tmp_path / (name or default)
        config.write_text(text, encoding="utf-8")
        return text, spans, validate_config(text, config, kind).problems

    return run


def only(problems: list[Problem], code: str) -> list[Problem]:
    return [p for p in problems if p.code == code]


def assert_at(text: str, problems: list[Problem], code: str, span: tuple[int, int], *words: str) -> Problem:
    """Exactly one problem ``code`` exists at ``span``, and its message holds ``words``."""
    found = only(problems, code)
    assert found, f"no {code} in {[(p.code, p.message) for p in problems]}"
    at = [p for p in found if (p.start, p.end) == span]
    assert at, f"{code} at {[show(text, p.start, p.end) for p in found]}, expected {show(text, *span)}"
    assert len(at) == 1, f"{len(at)} {code} at {show(text, *span)}: {[p.message for p in at]}"
    for word in words:
        assert word in at[0].message, at[0].message
    return at[0]

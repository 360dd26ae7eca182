"""The language core's schema pass gives every fixture the verdict of a standard Draft 7 validator.

``schema.py`` interprets the schemas itself (to get ranges, v1 wording and warnings for unknown keys); this
keeps it honest against ``jsonschema`` on the same fixtures as the schema/model drift test, and requires each
invalid fixture's problem to sit on the value (or key) its name says. The one deliberate difference: a whole
float such as ``3.0`` is an integer for Draft 7 but not for v1 (``isinstance(port, int)``); no fixture has one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from amldeploy.language.parse.documents import detect_language, parse_document
from amldeploy.language.problems import Severity
from amldeploy.language.validate import Kind, schema_validator
from tests.python.unit.test_schema_models_agree import INVALID, all_fixtures, load_fixture, schema_errors

KINDS = {"inference": Kind.INFERENCE, "deployment": Kind.DEPLOYMENT}


@pytest.mark.parametrize(("kind", "path"), all_fixtures(), ids=lambda v: getattr(v, "name", v))
def test_walker_verdict_equals_jsonschema(kind: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    document = parse_document(text, detect_language(text, path.name))
    assert [p.code for p in document.problems] in ([], ["JS006"])
    assert document.root is not None
    standard_errors = schema_errors(kind, load_fixture(path))
    if document.root.kind != "object":
        assert standard_errors, "a non-object document must be invalid for Draft 7 too"
        return
    problems = schema_validator(KINDS[kind]).validate(document.root)
    errors = [p for p in problems if p.severity == Severity.ERROR]
    assert bool(errors) == bool(standard_errors), [(p.code, p.message) for p in problems]
    expected = INVALID.get(path.name)
    if expected is not None:
        where = expected.split(":")[0]
        parts = [int(p) if p.isdigit() else p for p in where.split("/")] if where else []
        paths = [list(p.data["path"]) for p in errors if p.data and "path" in p.data]
        assert parts in paths or (not parts and errors), f"expected a problem at {where}: {paths}"

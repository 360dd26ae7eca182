"""Write a recommended size into a deployment config, changing nothing else: ``containerResourceRequirements``'s
keys are replaced or added in place (the language core's edits keep the file's formatting and comments, JSON and
YAML alike); the object itself is added when the config has none."""

from __future__ import annotations

import json
from collections.abc import Mapping

from amldeploy.language.actions.edits import ConfigEditor, Edit
from amldeploy.language.parse.documents import detect_language, parse_document
from amldeploy.language.problems import Problem, Severity
from amldeploy.ops.errors import OpsError

RESOURCES = "containerResourceRequirements"


def compute_type_of(text: str) -> str | None:
    """The ``computeType`` a deployment config's text names (None when it names none)."""
    document = parse_document(text, detect_language(text))
    root = document.root
    node = root.get("computeType") if root is not None and root.kind == "object" else None
    value = getattr(node, "value", None)
    return value if isinstance(value, str) else None


def apply_recommendation(text: str, values: Mapping[str, float], where: str) -> str:
    """``text`` with ``values`` as its ``containerResourceRequirements`` keys; ``OpsError`` when the file is not a
    config that can be edited safely (``where`` names it)."""
    for key, value in values.items():
        document = parse_document(text, detect_language(text))
        root = document.root
        if root is None or root.kind != "object" or _fatal(document.problems):
            raise OpsError(
                f"{where} is not a deployment config that can be edited (it does not parse as one object)",
                "fix it ('amldeploy validate'), or set containerResourceRequirements by hand",
            )
        editor = ConfigEditor(text, document.language)
        resources = root.member(RESOURCES)
        edit: Edit | None
        if resources is None or resources.value is None:
            edit = editor.insert_object(root, RESOURCES, [(k, json.dumps(v)) for k, v in values.items()])
            if edit is None:
                raise _cannot(where, values)
            return _applied(text, edit)
        if resources.value.kind != "object":
            raise OpsError(f"{where}: {RESOURCES} is not an object", f"make it one, e.g. {json.dumps(dict(values))}")
        edit = editor.set_member(resources.value, key, json.dumps(value))
        if edit is None:
            raise _cannot(where, values)
        text = _applied(text, edit)
    return text


def single_edit(old: str, new: str) -> Edit:
    """The one edit that turns ``old`` into ``new`` (what differs between their common start and end)."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return Edit(start, end_old, new[start:end_new])


def _applied(text: str, edit: Edit) -> str:
    return text[: edit.start] + edit.new_text + text[edit.end :]


def _fatal(problems: list[Problem]) -> bool:
    """A syntax error: edits around it could land anywhere."""
    return any(p.severity is Severity.ERROR for p in problems)


def _cannot(where: str, values: Mapping[str, float]) -> OpsError:
    return OpsError(
        f"cannot add {RESOURCES} to {where} without rewriting it",
        f'add it by hand: "{RESOURCES}": {json.dumps(dict(values))}',
    )

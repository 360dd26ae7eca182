"""Markdown documentation of a config key, written from its schemas (the single source of the formats).

A key's hover says what the key is (``markdownDescription``), its v1 default, what values are allowed
(bounds, enum with the description of each value, pattern) and what amldeploy does with it on each target
(``x-amldeploy``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from amldeploy.language.schema.validator import Schema

TARGETS = (("process", "process"), ("docker", "Docker"), ("aci", "ACI"), ("kubernetes", "Kubernetes"))
_BOUND_WORDS = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}


def merged(schemas: Iterable[tuple[Schema, str]]) -> dict[str, Any]:
    """The keywords of the schemas that apply to one value; the first schema that has one wins, except
    for ``x-amldeploy``, whose per-target notes are combined."""
    out: dict[str, Any] = {}
    targets: dict[str, str] = {}
    for schema, _ in schemas:
        for keyword, value in schema.items():
            if keyword == "x-amldeploy" and isinstance(value, Mapping):
                for target, note in value.items():
                    targets.setdefault(str(target), str(note))
            else:
                out.setdefault(keyword, value)
    if targets:
        out["x-amldeploy"] = targets
    return out


def show(value: Any) -> str:
    return f"`{json.dumps(value, default=str)}`"


def type_words(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    return ""


def key_docs(key: str, schema: Mapping[str, Any]) -> str:
    """The whole documentation of a key, from the merged keywords of its schemas."""
    title = f"**`{key}`**"
    words = type_words(schema)
    parts = [f"{title} · {words}" if words else title]
    description = schema.get("markdownDescription") or schema.get("description")
    if isinstance(description, str) and description:
        parts.append(description)
    # Most descriptions already state the v1 default in their own words; the others get it here.
    said = isinstance(description, str) and "default" in description.lower()
    facts = [line for line in ("" if said else _default(schema), _range(schema), _format(schema)) if line]
    if facts:
        parts.append("  \n".join(facts))
    values = allowed_values(schema)
    if values:
        parts.append(values)
    targets = target_notes(schema)
    if targets:
        parts.append(targets)
    return "\n\n".join(parts)


def _default(schema: Mapping[str, Any]) -> str:
    if "default" in schema:
        return f"**v1 default:** {show(schema['default'])}"
    described = schema.get("x-defaultDescription")
    return f"**v1 default:** {described}" if isinstance(described, str) else ""


def _number(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def _range(schema: Mapping[str, Any]) -> str:
    bounds = {k: _number(schema.get(k)) for k in _BOUND_WORDS if _number(schema.get(k))}
    if "minimum" in bounds and "maximum" in bounds:
        words = [f"{bounds.pop('minimum')} to {bounds.pop('maximum')}"]
    else:
        words = []
    words += [f"{_BOUND_WORDS[k]} {v}" for k, v in bounds.items()]
    if schema.get("minLength") == 1:
        words.append("not empty")
    elif isinstance(schema.get("minLength"), int):
        words.append(f"at least {schema['minLength']} characters")
    if isinstance(schema.get("maxLength"), int):
        words.append(f"at most {schema['maxLength']} characters")
    return f"**Allowed range:** {', '.join(words)}" if words else ""


def _format(schema: Mapping[str, Any]) -> str:
    pattern = schema.get("pattern")
    if not isinstance(pattern, str) or "x-enumCaseInsensitive" in schema:
        return ""  # a case-insensitive enum is shown as its values, not as the regex that checks it
    return f"**Format:** matches `{pattern}`"


def _enum(schema: Mapping[str, Any]) -> tuple[list[Any], list[str], bool]:
    """(values, descriptions, case-insensitive) of an enum-like schema."""
    if isinstance(schema.get("enum"), list):
        descriptions = schema.get("markdownEnumDescriptions")
        return list(schema["enum"]), list(descriptions) if isinstance(descriptions, list) else [], False
    if isinstance(schema.get("x-enumCaseInsensitive"), list):
        descriptions = schema.get("x-enumDescriptions")
        values = list(schema["x-enumCaseInsensitive"])
        return values, list(descriptions) if isinstance(descriptions, list) else [], True
    return [], [], False


def allowed_values(schema: Mapping[str, Any]) -> str:
    values, descriptions, any_case = _enum(schema)
    if not values:
        return ""
    lines = ["**Allowed values**" + (" (any case)" if any_case else "")]
    for i, value in enumerate(values):
        text = descriptions[i] if i < len(descriptions) and isinstance(descriptions[i], str) else ""
        lines.append(f"* {show(value)}" + (f": {text}" if text else ""))
    return "\n".join(lines)


def value_description(schema: Mapping[str, Any], value: Any) -> str:
    """The description of one enum value (``runtime: python``), or a note that it is not allowed."""
    values, descriptions, any_case = _enum(schema)
    if not values:
        return ""
    for i, allowed in enumerate(values):
        same = (
            isinstance(value, str) and isinstance(allowed, str) and value.lower() == allowed.lower()
            if any_case
            else value == allowed and type(value) is type(allowed)
        )
        if same:
            text = descriptions[i] if i < len(descriptions) and isinstance(descriptions[i], str) else ""
            return f"{show(value)}: {text}" if text else ""
    return f"{show(value)} is not one of the values v1 accepts."


def target_notes(schema: Mapping[str, Any]) -> str:
    notes = schema.get("x-amldeploy")
    if not isinstance(notes, Mapping) or not notes:
        return ""
    lines = ["**On each target**"]
    for target, label in TARGETS:
        if target in notes:
            lines.append(f"* **{label}**: {notes[target]}")
    return "\n".join(lines) if len(lines) > 1 else ""

"""How inserted text is written: scalars in JSON or YAML, snippet escapes, a key's value placeholder."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from amldeploy.language.complete.types import Style
from amldeploy.language.parse.documents import yaml_plain_scalar

_YAML_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def snippet_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _choice_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace("|", "\\|").replace("$", "\\$")


def types_of(schema: Mapping[str, Any]) -> tuple[str, ...]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(str(t) for t in declared)
    if "properties" in schema:
        return ("object",)
    return ()


def type_text(schema: Mapping[str, Any]) -> str:
    return " | ".join(types_of(schema))


def yaml_plain_ok(text: str) -> bool:
    """True when ``text`` written without quotes reads back as the same string (``yes``, ``10.0`` do not)."""
    if not text or text != text.strip() or text[0] in _YAML_INDICATORS or "\n" in text:
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    return bool(yaml_plain_scalar(text) == text)


def scalar_text(value: Any, style: Style, quote: str = "") -> str:
    """``value`` as it is written in the document: JSON, or YAML in the quotes the user started."""
    if style == "json" or not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if quote == "'":
        return "'" + value.replace("'", "''") + "'"
    if quote == '"' or not yaml_plain_ok(value):
        return json.dumps(value, ensure_ascii=False)
    return value


def _choices(values: Sequence[Any], style: Style, first: Any = None) -> str:
    ordered = sorted(values, key=lambda v: v != first) if first is not None else list(values)
    if all(isinstance(v, str) for v in ordered):
        quoted = style == "json" or not all(yaml_plain_ok(str(v)) for v in ordered)
        body = "${1|" + ",".join(_choice_escape(str(v)) for v in ordered) + "|}"
        return f'"{body}"' if quoted else body
    return "${1|" + ",".join(_choice_escape(scalar_text(v, style)) for v in ordered) + "|}"


def value_placeholder(schema: Mapping[str, Any], style: Style, indent: int) -> str:
    """What follows ``key:`` in a key's snippet (with its leading space or line break)."""
    types = types_of(schema)
    concrete = [t for t in types if t != "null"]
    default = schema.get("default")
    enum = schema.get("enum") or schema.get("x-enumCaseInsensitive")
    if isinstance(enum, list) and enum:
        if len(enum) == 1:
            return " " + snippet_escape(scalar_text(enum[0], style))
        return " " + _choices(enum, style, default)
    kind = concrete[0] if concrete else (types[0] if types else "")
    if kind == "boolean":
        return " " + _choices([True, False], style, default if isinstance(default, bool) else None)
    if kind in ("integer", "number"):
        guess = default if _is_number(default) else next((e for e in _examples(schema) if _is_number(e)), 0)
        return " ${1:" + snippet_escape(scalar_text(guess, style)) + "}"
    if kind == "string":
        if isinstance(default, str) and default:
            text = scalar_text(default, style)
            if text.startswith('"'):
                return ' "${1:' + snippet_escape(text[1:-1]) + '}"'
            return " ${1:" + snippet_escape(text) + "}"
        return ' "$1"' if style == "json" else " $1"
    if kind == "object":
        return "\n" + " " * (indent + 2) + "$1" if style == "yaml" else " {$1}"
    if kind == "array":
        return "\n" + " " * (indent + 2) + "- $1" if style == "yaml" else " [$1]"
    if kind == "null":
        return " null"
    return " $1"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _examples(schema: Mapping[str, Any]) -> list[Any]:
    examples = schema.get("examples")
    return list(examples) if isinstance(examples, list) else []

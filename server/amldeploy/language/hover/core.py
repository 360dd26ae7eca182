"""Hover over a config key or value, and over the names of the entry script's contract.

Over a key: its documentation from the schema (description, v1 default, allowed values, what amldeploy does
with it on each target) and what its current value means. Over a value: the value first (the enum value's
description, the compute type's branch, the resolved path, the conda environment, the ACI limit), then the
key's documentation. A key v1 does not read says so and names the closest key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amldeploy.language.files import FileAccess
from amldeploy.language.hover.docs import key_docs, merged
from amldeploy.language.hover.script import script_word
from amldeploy.language.hover.values import Context, value_blocks
from amldeploy.language.parse.documents import detect_language, parse_document
from amldeploy.language.parse.nodes import Member, Node, dotted
from amldeploy.language.schema.validator import Schema
from amldeploy.language.validate import Kind, schema_validator

__all__ = ["Hover", "hover_config", "hover_script"]
_RULE = "\n\n---\n\n"


@dataclass(frozen=True, slots=True)
class Hover:
    markdown: str
    start: int
    end: int


def hover_config(text: str, kind: Kind, offset: int, config_path: Path, files: FileAccess) -> Hover | None:
    """The hover at ``offset`` of an inference or deployment config; never raises."""
    try:
        return _hover_config(text, kind, offset, config_path, files)
    except Exception:
        return None


def hover_script(text: str, offset: int) -> Hover | None:
    """The hover over ``init``/``run`` definitions and the contract's names in ``score.py``; never raises."""
    try:
        found = script_word(text, offset)
    except Exception:
        return None
    return Hover(*found) if found is not None else None


def _hover_config(text: str, kind: Kind, offset: int, config_path: Path, files: FileAccess) -> Hover | None:
    if kind not in (Kind.INFERENCE, Kind.DEPLOYMENT) or not 0 <= offset <= len(text):
        return None
    root = parse_document(text, detect_language(text, config_path.name)).root
    if root is None or root.kind != "object":
        return None
    ctx = Context(text, kind, root, config_path, files)
    member = root.member_at(offset)
    if member is not None:
        markdown = _key(ctx, member)
        return Hover(markdown, member.key_start, member.key_end) if markdown else None
    node = root.node_at(offset)
    if node is root:
        return None
    markdown = _value(ctx, node)
    return Hover(markdown, node.start, node.end) if markdown else None


def _schemas(ctx: Context, member: Member) -> list[tuple[Schema, str]]:
    return schema_validator(ctx.kind).member_schemas(ctx.root, member)


def _key(ctx: Context, member: Member) -> str:
    schemas = _schemas(ctx, member)
    if not schemas:
        return _ignored(ctx, member)
    docs = key_docs(member.key, merged(schemas))
    about_value = value_blocks(ctx, member.value, schemas, enum_value=False) if member.value is not None else []
    return _RULE.join([docs, "\n\n".join(about_value)]) if about_value else docs


def _value(ctx: Context, node: Node) -> str:
    member = node.parent_member
    if member is not None:
        schemas = _schemas(ctx, member)
        if not schemas:
            return _ignored(ctx, member)
        name = member.key
    else:
        schemas = schema_validator(ctx.kind).node_schemas(ctx.root, node)
        name = dotted(node.path)
    about_value = "\n\n".join(value_blocks(ctx, node, schemas))
    if node.kind in ("object", "array") and not about_value:
        return ""  # inside an object or a list, between its members: nothing to say
    docs = key_docs(name, merged(schemas)) if schemas else ""
    return _RULE.join(part for part in (about_value, docs) if part)


def _ignored(ctx: Context, member: Member) -> str:
    """A key outside the schema: v1 ignored it; say which key was probably meant."""
    title = f"**`{member.key}`** · ignored by v1"
    found = next(
        (
            p
            for p in schema_validator(ctx.kind).validate(ctx.root)
            if (p.start, p.end) == (member.key_start, member.key_end) and p.code[2:] in ("006", "007")
        ),
        None,
    )
    if found is None:
        return f"{title}\n\nv1 did not read this key and ignored it silently; so does amldeploy."
    data = found.data or {}
    lines = [title, found.message]
    replacement = data.get("replacement")
    if isinstance(replacement, str):
        lines.append(f"Did you mean **`{replacement}`**?")
    return "\n\n".join(lines)

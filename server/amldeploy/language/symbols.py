"""The outline of a config: one symbol per member (duplicates included), nested like the document."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from amldeploy.language.parse.documents import detect_language, parse_document
from amldeploy.language.parse.nodes import Member, Node
from amldeploy.language.validate import Kind

SymbolKind = Literal["object", "array", "string", "number", "boolean", "null", "key"]
_PREVIEW = 40


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str
    detail: str
    kind: SymbolKind
    start: int
    end: int
    selection_start: int
    selection_end: int
    children: list[Symbol] = field(default_factory=list)


def document_symbols(text: str, kind: Kind, config_path: Path) -> list[Symbol]:
    """One root symbol (the file) holding the outline of the config; never raises."""
    try:
        return _symbols(text, kind, config_path)
    except Exception:
        return []


def _symbols(text: str, kind: Kind, config_path: Path) -> list[Symbol]:
    root = parse_document(text, detect_language(text, config_path.name)).root
    if root is None or root.kind != "object":
        return []
    if kind == Kind.DEPLOYMENT:
        compute = root.get("computeType")
        detail = str(compute.value) if compute is not None and compute.kind == "string" else "no computeType"
    elif kind == Kind.INFERENCE:
        script = root.get("entryScript")
        detail = str(script.value) if script is not None and script.kind == "string" else "no entryScript"
    else:
        detail = preview(text, root)
    start, end = root.start, _trimmed_end(text, root)
    selection = root.opening
    name = config_path.name or "config"
    return [Symbol(name, detail, "object", start, end, selection[0], selection[1], _children(text, root))]


def _trimmed_end(text: str, node: Node) -> int:
    """YAML blocks end after their last line break; the outline stops at the last character."""
    end = node.end
    while end > node.start and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _children(text: str, node: Node) -> list[Symbol]:
    # A YAML alias shares the members of its anchor, which lie elsewhere: a child must lie inside.
    if node.kind == "object":
        return [_member(text, m) for m in node.members if node.start <= m.key_start and m.end <= node.end]
    if node.kind == "array":
        items = enumerate(node.items)
        return [_item(text, i, item) for i, item in items if node.start <= item.start and item.end <= node.end]
    return []


def _member(text: str, member: Member) -> Symbol:
    value = member.value
    if value is None:
        return Symbol(member.key, "", "key", member.key_start, member.key_end, member.key_start, member.key_end)
    end = max(_trimmed_end(text, value), member.key_end)
    return Symbol(
        member.key,
        preview(text, value),
        value.kind,
        member.key_start,
        end,
        member.key_start,
        member.key_end,
        _children(text, value),
    )


def _item(text: str, index: int, item: Node) -> Symbol:
    end = _trimmed_end(text, item)
    return Symbol(f"[{index}]", preview(text, item), item.kind, item.start, end, item.start, end, _children(text, item))


def preview(text: str, node: Node) -> str:
    """A short preview of a value: ``AKS``, ``0.5``, ``true``, ``{3 keys}``, ``[2 items]``."""
    if node.kind == "object":
        count = len(node.members)
        return f"{{{count} key{'s' if count != 1 else ''}}}" if count else "{}"
    if node.kind == "array":
        count = len(node.items)
        return f"[{count} item{'s' if count != 1 else ''}]" if count else "[]"
    if node.kind == "boolean":
        return "true" if node.value else "false"
    if node.kind == "null":
        return "null"
    shown = text[node.start : node.end].strip() if node.kind == "number" else str(node.value)
    shown = " ".join(shown.split())
    return shown if len(shown) <= _PREVIEW else shown[: _PREVIEW - 1] + "…"

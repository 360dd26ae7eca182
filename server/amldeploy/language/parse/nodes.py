"""The value tree shared by validation, completion and hover: JSON and YAML look the same here.

Every node knows its range (offsets into the document's ``str``); object members also know their key's
range, so a rule can point at the key or at the value as the range conventions require.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["object", "array", "string", "number", "boolean", "null"]
PathPart = str | int


@dataclass(slots=True, eq=False)
class Member:
    """``key: value`` inside an object. ``value`` is None while the user is still typing it."""

    key: str
    key_start: int
    key_end: int
    value: Node | None
    parent: Node

    @property
    def start(self) -> int:
        return self.key_start

    @property
    def end(self) -> int:
        return self.value.end if self.value is not None else self.key_end


@dataclass(slots=True, eq=False)
class Node:
    kind: Kind
    start: int
    end: int
    value: Any = None  # the Python value of a scalar; None for objects and arrays
    members: list[Member] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)
    parent: Node | None = None
    parent_member: Member | None = None
    index: int = -1  # place in the parent's items: a path costs its depth, not the lengths of its lists

    # -- objects -------------------------------------------------------------------------------------------
    def member(self, key: str) -> Member | None:
        """The member v1 would read: with duplicate keys, json.loads and yaml.safe_load keep the last."""
        for m in reversed(self.members):
            if m.key == key:
                return m
        return None

    def get(self, key: str) -> Node | None:
        m = self.member(key)
        return m.value if m is not None else None

    def has(self, key: str) -> bool:
        return self.member(key) is not None

    @property
    def opening(self) -> tuple[int, int]:
        """Range of the opening token (``{``, ``[``) or, for a YAML block, of the first character."""
        return self.start, max(self.start, min(self.start + 1, self.end))

    # -- values --------------------------------------------------------------------------------------------
    def to_python(self) -> Any:
        if self.kind == "object":
            return {m.key: m.value.to_python() for m in self.members if m.value is not None}
        if self.kind == "array":
            return [item.to_python() for item in self.items]
        return self.value

    @property
    def is_integer(self) -> bool:
        return self.kind == "number" and isinstance(self.value, int) and not isinstance(self.value, bool)

    # -- navigation ----------------------------------------------------------------------------------------
    @property
    def path(self) -> tuple[PathPart, ...]:
        parts: list[PathPart] = []
        node: Node | None = self
        while node is not None and node.parent is not None:
            if node.parent_member is not None:
                parts.append(node.parent_member.key)
            else:
                items = node.parent.items
                at = node.index
                parts.append(at if 0 <= at < len(items) and items[at] is node else items.index(node))
            node = node.parent
        return tuple(reversed(parts))

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, in document order (a work list: no recursion)."""
        pending = [self]
        while pending:
            node = pending.pop()
            yield node
            if node.items:
                pending.extend(reversed(node.items))
            if node.members:
                pending.extend(m.value for m in reversed(node.members) if m.value is not None)

    def node_at(self, offset: int) -> Node:
        """The innermost node whose range holds ``offset`` (ends inclusive: a cursor at the end counts)."""
        for m in self.members:
            if m.value is not None and m.value.start <= offset <= m.value.end:
                return m.value.node_at(offset)
        for item in self.items:
            if item.start <= offset <= item.end:
                return item.node_at(offset)
        return self

    def member_at(self, offset: int) -> Member | None:
        """The member whose key contains ``offset`` anywhere below this node."""
        node = self.node_at(offset)
        while node is not None:
            for m in node.members:
                if m.key_start <= offset <= m.key_end:
                    return m
            node = node.parent  # type: ignore[assignment]
        return None


def describe(node: Node | None) -> str:
    """A short human name of a value's type, for messages: ``a string``, ``the number 10.0``…"""
    if node is None:
        return "nothing"
    if node.kind == "string":
        if isinstance(node.value, str):
            return "a string"
        return f"a {type(node.value).__name__} (YAML reads it so)"
    if node.kind == "number":
        return f"the number {node.value!r}"
    if node.kind == "boolean":
        return "true" if node.value else "false"
    if node.kind == "null":
        return "null"
    return "an object" if node.kind == "object" else "an array"


def dotted(path: tuple[PathPart, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(document)"

"""Plain data of completion: the items offered and the cursor context the text scanners find.

Completion works on text the user is typing, so the context comes from light scanners over the text
(``complete_json``, ``complete_yaml``) rather than from the parsed tree alone: while a key or a value is half
written, tree-sitter may fold the object around the cursor into an error, but the scanners still know the
path to the cursor, the keys already present and whether a key or a value is expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from amldeploy.language.parse.nodes import Member, Node, PathPart

CompletionKind = Literal["property", "value", "enum", "keyword", "file", "folder", "snippet", "function"]
Style = Literal["json", "flow", "yaml"]


@dataclass(frozen=True, slots=True)
class Completion:
    label: str
    kind: CompletionKind
    insert_text: str  # snippet syntax ($1, ${1:placeholder}, $0) when is_snippet
    is_snippet: bool
    start: int  # offsets of the text the completion replaces
    end: int
    detail: str = ""
    documentation: str = ""  # markdown
    sort_text: str | None = None
    filter_text: str | None = None
    preselect: bool = False


@dataclass(slots=True, eq=False)
class Frame:
    """One object or list on the way from the document's root to the cursor."""

    kind: Literal["object", "array"]
    path: tuple[PathPart, ...]
    col: int = 0  # YAML block: the column of the entries; JSON: unused
    keys: list[str] = field(default_factory=list)
    scalars: dict[str, Any] = field(default_factory=dict)
    count: int = 0  # items seen in a list
    pending: str | None = None  # the last key, while its value is still to come (YAML: a nested block)


@dataclass(slots=True)
class Context:
    """Where the cursor is: a key or a value to write, in which object, replacing which text."""

    mode: Literal["key", "value", "item"]  # item: a YAML ``- `` entry, a scalar or the first key of a mapping
    style: Style
    frames: list[Frame]  # root → the object (key mode) or the container of the value (value mode)
    start: int
    end: int
    key: PathPart | None = None  # value mode: the member key or item index whose value is written
    quote: str = ""  # the token under the cursor is a string in these quotes
    closed: bool = False  # … and its closing quote is there
    typed: str = ""  # the token's text before the cursor, without the opening quote
    separator: str = ""  # "," when another member follows and no comma is there
    colon_after: bool = False  # key mode: the key under the cursor already has its ":"
    indent: int = 0  # YAML block: column of the key being written
    prefix: str = ""  # text to put before the inserted value (a space after a bare YAML ``key:``)

    @property
    def container(self) -> Frame:
        return self.frames[-1]

    @property
    def content_start(self) -> int:
        return self.start + len(self.quote)

    @property
    def content_end(self) -> int:
        return self.end - (1 if self.quote and self.closed else 0)


def scalar_node(value: Any) -> Node:
    if value is None:
        return Node("null", 0, 0)
    if isinstance(value, bool):
        return Node("boolean", 0, 0, value)
    if isinstance(value, (int, float)):
        return Node("number", 0, 0, value)
    return Node("string", 0, 0, value)


def synthetic_tree(frames: list[Frame]) -> tuple[Node, Node] | None:
    """A small tree holding the frames' scalar members and the path between them: enough for the schema
    walker to pick ``if``/``then`` branches (computeType) and to find the cursor's object."""
    if not frames or frames[0].path:
        return None
    nodes: list[Node] = []
    for i, frame in enumerate(frames):
        node = Node(frame.kind, 0, 0)
        if frame.kind == "object":
            child_key = frames[i + 1].path[-1] if i + 1 < len(frames) else None
            for key, value in frame.scalars.items():
                if key != child_key:
                    _link(node, key, scalar_node(value))
        if nodes:
            parent = nodes[-1]
            if len(frame.path) != len(frames[i - 1].path) + 1:
                return None
            part = frame.path[-1]
            if parent.kind == "object" and isinstance(part, str):
                _link(parent, part, node)
            elif parent.kind == "array" and isinstance(part, int) and 0 <= part < 10_000:
                parent.items = [Node("null", 0, 0, parent=parent) for _ in range(part)]
                parent.items.append(node)
                node.parent = parent
            else:
                return None
        nodes.append(node)
    return nodes[0], nodes[-1]


def _link(parent: Node, key: str, child: Node) -> None:
    member = Member(key, 0, 0, child, parent)
    parent.members.append(member)
    child.parent = parent
    child.parent_member = member

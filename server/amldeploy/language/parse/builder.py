"""From tree-sitter's concrete syntax tree to the value tree: what the JSON and YAML builders share.

Offsets are converted once here (UTF-8 bytes → code points); error and missing nodes become ``JS###`` problems
at their place; every value passes the limits of :mod:`limits` (depth, count) before it is converted, so the
depth of the recursion that converts a document is bounded whatever the document.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any

import tree_sitter

from amldeploy.language.codes import Rule, rule
from amldeploy.language.parse.limits import (
    MAX_DEPTH,
    MAX_VALUES,
    NUMBER_TOO_LONG,
    TOO_DEEP,
    TOO_MANY_VALUES,
)
from amldeploy.language.parse.nodes import Member, Node
from amldeploy.language.problems import Problem, Severity

JS_SYNTAX = rule(
    "JS001",
    Severity.ERROR,
    "Syntax error",
    "The document is not valid JSON/YAML at this place. v1 stopped with *Error parsing --deploy-config-file. "
    "Must be valid JSON or YAML file.*; amldeploy keeps reading the parts that parse.",
)
JS_MISSING = rule("JS002", Severity.ERROR, "Missing token", "A closing bracket, quote or comma is missing.")
JS_EXTRA = rule(
    "JS004",
    Severity.ERROR,
    "More than one document",
    "The file holds more than one JSON value or YAML document; v1 read exactly one.",
)


class Offsets:
    """UTF-8 byte offsets (tree-sitter) → code-point offsets (everything else).

    ``removed`` lists where the parsed text lost lines of the document (positions in the parsed text, and the
    count of code points removed up to each): offsets are moved back to the document's.
    """

    __slots__ = ("_at", "_byte_ends", "_extra", "_total", "ascii", "direct")

    def __init__(self, text: str, removed: tuple[list[int], list[int]] = ([], [])) -> None:
        self.ascii = text.isascii()
        self._at, self._total = removed
        self.direct = self.ascii and not self._at  # byte offsets are the document's offsets
        self._byte_ends: list[int] = []
        self._extra: list[int] = []
        if not self.ascii:
            extra = 0
            for i, ch in enumerate(text):
                o = ord(ch)
                if o > 0x7F:
                    width = 2 if o <= 0x7FF else 3 if o <= 0xFFFF else 4
                    extra += width - 1
                    self._byte_ends.append(i + extra + 1)
                    self._extra.append(extra)

    def __call__(self, byte_offset: int) -> int:
        offset = byte_offset
        if not self.ascii:
            i = bisect.bisect_right(self._byte_ends, byte_offset) - 1
            offset -= self._extra[i] if i >= 0 else 0
        if self._at:
            j = bisect.bisect_right(self._at, offset) - 1
            offset += self._total[j] if j >= 0 else 0
        return offset


_STRUCTURAL = frozenset({"pair", "block_mapping_pair", "flow_pair", "object", "array", "block_node"})
_PUNCTUATION = frozenset({"{", ",", ":", "[", "comment"})


class Builder:
    lang_name = ""  # "JSON" or "YAML", for messages

    def __init__(
        self, text: str, source: bytes, parsed: str | None = None, removed: tuple[list[int], list[int]] = ([], [])
    ) -> None:
        """``text`` is the document (offsets are its), ``source`` the bytes of ``parsed``, what the parser saw."""
        self.text = text
        self.source = source
        self.base = 0  # byte offset of the piece being converted (see pieces.py)
        self.root: Node | None = None
        self.off = Offsets(text if parsed is None else parsed, removed)
        self.problems: list[Problem] = []
        self.skipped: list[tuple[int, int]] = []
        self.depth = 0  # collections entered above the node being converted
        self.values = 0
        self.full = False  # past MAX_VALUES: nothing more is converted

    def enter(self, ts: tree_sitter.Node, collection: bool) -> bool:
        """Count a value; False (with the problem reported) when a limit keeps it out of the tree."""
        if self.full:
            return False
        self.values += 1
        if self.values > MAX_VALUES:
            self.full = True
            start, end = self.span(ts)
            message = f"More than {MAX_VALUES:,} keys and list items: amldeploy ignores the rest of the file."
            self.skip(TOO_MANY_VALUES, start, len(self.text), message, end)
            return False
        if collection and self.depth >= MAX_DEPTH:
            start, end = self.span(ts)
            message = f"Nested more than {MAX_DEPTH} levels deep: amldeploy does not read this part."
            self.skip(TOO_DEEP, start, end, message, min(end, start + 1))
            return False
        return True

    def skip(self, code: Rule, start: int, end: int, message: str, shown_end: int | None = None) -> None:
        """Report ``code`` at ``start`` (to ``shown_end``, default ``end``) and keep ``start..end`` out."""
        self.problems.append(code.at(start, end if shown_end is None else shown_end, message))
        self.skipped.append((start, end))

    def span(self, ts: tree_sitter.Node) -> tuple[int, int]:
        base = self.base
        if self.off.direct:
            return base + ts.start_byte, base + ts.end_byte
        return self.off(base + ts.start_byte), self.off(base + ts.end_byte)

    def src(self, ts: tree_sitter.Node) -> str:
        return self.source[self.base + ts.start_byte : self.base + ts.end_byte].decode("utf-8", errors="replace")

    def error(self, ts: tree_sitter.Node) -> None:
        pending = [ts]  # errors nest as deep as the input: a work list, not recursion
        while pending:
            self.one_error(pending.pop(), pending)

    def one_error(self, ts: tree_sitter.Node, pending: list[tree_sitter.Node]) -> None:
        start, end = self.span(ts)
        if ts.is_missing:
            self.problems.append(JS_MISSING.at(start, end, f"Missing '{ts.type}'."))
            return
        children = ts.children
        if any(c.type in _STRUCTURAL for c in children):
            # tree-sitter wrapped good members in the error: report only the parts that did not parse.
            stray = [c for c in children if c.type not in _STRUCTURAL and c.type not in _PUNCTUATION]
            for c in stray:
                pending.append(c) if c.type == "ERROR" or c.is_missing else self.unexpected(c)
            if not stray:
                following = ts.next_sibling
                if following is not None and following.type not in ("}", "]"):
                    s, e = self.span(following)
                    self.problems.append(JS_MISSING.at(s, e, "Missing ',' before this member."))
                elif self.lang_name == "JSON" and self.base + ts.end_byte >= len(self.source.rstrip()):
                    self.problems.append(JS_MISSING.at(end, end, "Unexpected end of file: a closing '}' is missing."))
                elif self.lang_name == "JSON":
                    self.problems.append(JS_MISSING.at(end, end, "Missing ',' or closing bracket here."))
                else:
                    self.problems.append(
                        JS_SYNTAX.at(start, end, "Bad indentation or structure: this mapping does not parse.")
                    )
            return
        self.unexpected(ts)

    def unexpected(self, ts: tree_sitter.Node) -> None:
        start, end = self.span(ts)
        snippet = self.src(ts).strip()
        if snippet == ",":
            message = f"Trailing comma: not allowed in {self.lang_name}, and v1 rejected it."
        elif self.base + ts.end_byte >= len(self.source.rstrip()):
            message = "Unexpected end of file: a value or a closing bracket is missing."
        else:
            if len(snippet) > 30 or "\n" in snippet:
                snippet = snippet.splitlines()[0][:27] + "..." if snippet else snippet
            what = f"Unexpected '{snippet}'" if snippet else "Syntax error"
            message = f"{what}: this part is not valid {self.lang_name}."
        self.problems.append(JS_SYNTAX.at(start, end, message))

    def scan_errors(self, ts: tree_sitter.Node) -> None:
        """Report ERROR/MISSING nodes below ``ts`` that the conversion itself did not visit."""
        pending = [ts]
        while pending:
            node = pending.pop()
            if not node.has_error:
                continue
            for child in node.children:
                if child.is_missing or child.type == "ERROR":
                    self.error(child)
                else:
                    pending.append(child)

    def build(self, root: tree_sitter.Node) -> Node | None:  # pragma: no cover - overridden
        raise NotImplementedError

    collections: frozenset[str] = frozenset()
    wrappers = frozenset({"block_node", "flow_node"})  # YAML's anchors and tags around one value

    def value(self, ts: tree_sitter.Node) -> Node | None:
        """Convert one value within the limits; the depth of the recursion is bounded by ``MAX_DEPTH``."""
        if ts.type in self.wrappers:
            return self.convert(ts)
        collection = ts.type in self.collections
        if not self.enter(ts, collection):
            return None if self.full else new_node("null", *self.span(ts))
        if not collection:
            return self.convert(ts)
        self.depth += 1
        try:
            return self.convert(ts)
        finally:
            self.depth -= 1

    def convert(self, ts: tree_sitter.Node) -> Node | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def long_number(self, raw: str, start: int, end: int) -> Node:
        shown = raw[:20] + "..."
        message = f"Number of {len(raw):,} characters ({shown}): amldeploy does not read it as a number."
        self.skip(NUMBER_TOO_LONG, start, end, message)
        return new_node("string", start, end, raw)


def children(ts: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """The children of a collection one at a time: ``ts.children`` makes them all at once, millions for a huge
    list, when conversion stops after :data:`limits.MAX_VALUES`."""
    cursor = ts.walk()
    if not cursor.goto_first_child():
        return
    while True:
        node = cursor.node
        if node is not None:
            yield node
        if not cursor.goto_next_sibling():
            return


def new_node(kind: Any, start: int, end: int, value: Any = None) -> Node:
    return Node(kind, start, end, value)


def attach(parent: Node, key: str, key_span: tuple[int, int], value: Node | None) -> None:
    member = Member(key, key_span[0], key_span[1], value, parent)
    parent.members.append(member)
    if value is not None:
        value.parent = parent
        value.parent_member = member


def append(parent: Node, item: Node | None) -> None:
    if item is not None:
        item.parent = parent
        item.index = len(parent.items)
        parent.items.append(item)

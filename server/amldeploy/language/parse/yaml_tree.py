"""The YAML builder: mappings, sequences, scalars typed as PyYAML (YAML 1.1) types them, anchors and aliases.

Aliases share their anchor's lists, so walking the tree expands them: their expanded size and height are
measured and bounded (:data:`limits.MAX_ALIAS_VALUES`, :data:`limits.MAX_DEPTH`), as are merge-key chains.
"""

from __future__ import annotations

import re
from typing import Any

import tree_sitter
import yaml

from amldeploy.language.codes import rule
from amldeploy.language.parse.builder import JS_EXTRA, JS_SYNTAX, Builder, append, attach, children, new_node
from amldeploy.language.parse.limits import (
    ALIASES_TOO_LARGE,
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_MERGE_CHAIN,
    MAX_NUMBER_CHARS,
    MERGE_CHAIN,
    TOO_DEEP,
)
from amldeploy.language.parse.nodes import Node
from amldeploy.language.problems import Severity

JS_COLLECTION_KEY = rule(
    "JS016",
    Severity.ERROR,
    "A list or mapping as a key",
    "A YAML complex key (`? [a, b]` or `? {a: 1}`) is a list or mapping used as a key. v1 read YAML with PyYAML, "
    "which stops at it with *found unhashable key*. Use a plain string as the key.",
)

_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


# PyYAML's implicit resolvers by first character: ``Resolver.resolve`` without its generic steps (no path
# resolvers are registered), a third of the time of a big YAML document otherwise.
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = _RESOLVER.yaml_implicit_resolvers


def _implicit_tag(text: str) -> str:
    for tag, pattern in _IMPLICIT.get(text[0] if text else "", ()):
        if pattern.match(text):
            return tag
    for tag, pattern in _IMPLICIT.get(None, ()):
        if pattern.match(text):
            return tag
    return "tag:yaml.org,2002:str"


def yaml_plain_scalar(text: str) -> Any:
    """Type a plain scalar the way ``yaml.safe_load`` (YAML 1.1) does: ``yes`` → True, ``1_000`` → 1000.

    A number longer than ``MAX_NUMBER_CHARS`` stays text: no integer is built from an unbounded literal.
    """
    tag = _implicit_tag(text)
    if tag == "tag:yaml.org,2002:str" or (len(text) > MAX_NUMBER_CHARS and tag in _NUMBER_TAGS):
        return text
    constructor = _CONSTRUCTOR.yaml_constructors.get(tag)
    if constructor is None:
        return text
    try:
        return constructor(_CONSTRUCTOR, yaml.ScalarNode(tag, text))
    except (ValueError, yaml.YAMLError):
        return text


def _scalar_node(start: int, end: int, value: Any) -> Node:
    if value is None:
        return new_node("null", start, end)
    if isinstance(value, bool):
        return new_node("boolean", start, end, value)
    if isinstance(value, (int, float)):
        return new_node("number", start, end, value)
    # Timestamps (``2020-01-01``) stay what yaml.safe_load made of them: a date, which is no JSON string.
    return new_node("string", start, end, value)


class YamlBuilder(Builder):
    lang_name = "YAML"
    collections = frozenset({"block_mapping", "flow_mapping", "block_sequence", "flow_sequence", "ERROR"})

    def __init__(
        self, text: str, source: bytes, parsed: str | None = None, removed: tuple[list[int], list[int]] = ([], [])
    ) -> None:
        super().__init__(text, source, parsed, removed)
        self.anchors: dict[str, Node] = {}
        # Aliases share their anchor's lists, so walking the tree expands them: their expanded size and
        # height are measured once per node (by id) and bounded before an alias is accepted.
        self.measured: dict[int, tuple[int, int]] = {}
        self.chains: dict[int, int] = {}  # merge-key chain length below a mapping
        self.expanded = 0
        self.budget_spent = False

    def build(self, root: tree_sitter.Node) -> Node | None:
        documents = [c for c in root.children if c.type == "document"]
        result: Node | None = None
        for child in root.children:
            if child.type == "document":
                if child is documents[0]:
                    result = self.document(child)
                elif child.named_child_count:
                    s, e = self.span(child)
                    self.problems.append(
                        JS_EXTRA.at(s, e, "A second YAML document: v1 read a single document per file.")
                    )
            elif child.type == "ERROR":
                self.error(child)
                if result is None:
                    result = self.recover_mapping(child)
            elif child.is_missing:
                self.error(child)
        if root.type == "ERROR":
            self.error(root)
            result = self.recover_mapping(root)
        return result

    def document(self, ts: tree_sitter.Node) -> Node | None:
        result: Node | None = None
        for child in ts.children:
            if child.type in ("block_node", "flow_node") and result is None:
                result = self.value(child)
            elif child.type == "ERROR":
                self.error(child)
                if result is None:
                    result = self.recover_mapping(child)
            elif child.is_missing:
                self.error(child)
        return result

    def recover_mapping(self, ts: tree_sitter.Node) -> Node | None:
        pairs = [c for c in ts.children if c.type in ("block_mapping_pair", "flow_pair")]
        if not pairs:
            return None
        start, end = self.span(ts)
        node = new_node("object", start, end)
        for child in ts.children:
            if child.type in ("block_mapping_pair", "flow_pair"):
                self.pair(node, child)
        return node

    def convert(self, ts: tree_sitter.Node) -> Node | None:
        t = ts.type
        if t in ("block_node", "flow_node"):
            anchor: str | None = None
            tag: str | None = None
            result: Node | None = None
            for child in ts.children:
                if child.type == "anchor":
                    anchor = self.src(child)[1:]
                elif child.type == "tag":
                    tag = self.src(child)
                elif child.type == "comment":
                    continue
                elif child.type == "ERROR" or child.is_missing:
                    self.error(child)
                else:
                    result = self.value(child)
            if result is not None and tag in ("!!str", "!str") and result.kind != "string":
                result = new_node("string", result.start, result.end, self.text[result.start : result.end])
            if anchor and result is not None:
                self.anchors[anchor] = result
            return result
        start, end = self.span(ts)
        if t in ("block_mapping", "flow_mapping"):
            node = new_node("object", start, end)
            for child in children(ts):
                if self.full:
                    break
                if child.type in ("block_mapping_pair", "flow_pair"):
                    self.pair(node, child)
                elif child.type == "flow_node":  # `{a, b}`: keys without values
                    key = self.value(child)
                    if key is not None:
                        attach(node, _key_text(key), (key.start, key.end), new_node("null", key.end, key.end))
                elif child.type == "ERROR" or child.is_missing:
                    self.error(child)
            return node
        if t in ("block_sequence", "flow_sequence"):
            node = new_node("array", start, end)
            for child in children(ts):
                if self.full:
                    break
                if child.type == "block_sequence_item":
                    inner = next((c for c in child.children if c.type in ("block_node", "flow_node")), None)
                    item = self.value(inner) if inner is not None else None
                    append(node, item if item is not None else new_node("null", *self.span(child)))
                elif child.type == "flow_node":
                    append(node, self.value(child))
                elif child.type == "flow_pair":  # `[a: 1]` is a one-key mapping inside a sequence
                    s, e = self.span(child)
                    single = new_node("object", s, e)
                    self.pair(single, child)
                    append(node, single)
                elif child.type == "ERROR" or child.is_missing:
                    self.error(child)
            return node
        if t == "plain_scalar":
            raw = self.src(ts)
            if len(raw) > MAX_NUMBER_CHARS and _is_number(raw):
                return self.long_number(raw, start, end)
            return _scalar_node(start, end, yaml_plain_scalar(raw))
        if t in ("double_quote_scalar", "single_quote_scalar", "block_scalar"):
            self.scan_errors(ts)
            return new_node("string", start, end, self.quoted(ts))
        if t == "alias":
            return self.alias(ts, start, end)
        if t == "ERROR":
            self.error(ts)
            return self.recover_mapping(ts)
        self.scan_errors(ts)
        return None

    def alias(self, ts: tree_sitter.Node, start: int, end: int) -> Node | None:
        name = self.src(ts)
        target = self.anchors.get(name[1:])
        if target is None:
            self.problems.append(JS_SYNTAX.at(start, end, f"Unknown alias '{name}'."))
            return None
        size, height = self.measure(target)
        if self.depth + height > MAX_DEPTH:
            message = f"Alias '{name}' nests values more than {MAX_DEPTH} levels deep: amldeploy does not expand it."
            self.skip(TOO_DEEP, start, end, message)
            return None
        if self.expanded + size > MAX_ALIAS_VALUES:
            if self.budget_spent:  # one problem says it; the aliases after it are left out quietly
                self.skipped.append((start, end))
                return None
            self.budget_spent = True
            message = (
                f"Alias '{name}' would make the aliases of this file expand to more than {MAX_ALIAS_VALUES:,} "
                "values: amldeploy does not expand it, nor the aliases after it."
            )
            self.skip(ALIASES_TOO_LARGE, start, end, message)
            return None
        self.expanded += size
        copy = Node(target.kind, start, end, target.value, target.members, target.items)
        self.measured[id(copy)] = (size, height)
        self.chains[id(copy)] = self.chains.get(id(target), 0)
        return copy

    def measure(self, root: Node) -> tuple[int, int]:
        """(values, height) of ``root`` with its aliases expanded; iterative, each node measured once."""
        memo = self.measured
        pending: list[tuple[Node, bool]] = [(root, False)]
        while pending:
            node, children_done = pending.pop()
            if id(node) in memo:
                continue
            children = [m.value for m in node.members if m.value is not None] + node.items
            if not children_done:
                pending.append((node, True))
                pending.extend((c, False) for c in children if id(c) not in memo)
                continue
            memo[id(node)] = (
                1 + sum(memo[id(c)][0] for c in children),
                1 + max((memo[id(c)][1] for c in children if c.kind in ("object", "array")), default=0),
            )
        size, height = memo[id(root)]
        return size, height if root.kind in ("object", "array") else 0

    def merge_allowed(self, node: Node, value_ts: tree_sitter.Node) -> bool:
        """``<<: *name`` or ``<<: [*a, *b]``: follow merge chains up to ``MAX_MERGE_CHAIN`` links."""
        chain = 0
        worst: tree_sitter.Node | None = None
        for alias in self.merged_aliases(value_ts):
            target = self.anchors.get(self.src(alias)[1:])
            link = self.chains.get(id(target), 0) + 1 if target is not None else 0
            if link > chain:
                chain, worst = link, alias
        if worst is not None and chain > MAX_MERGE_CHAIN:
            start, end = self.span(worst)
            message = (
                f"'<<: {self.src(worst)}' is link {chain} of a chain of merge keys (at most {MAX_MERGE_CHAIN}): "
                "amldeploy does not follow it."
            )
            self.skip(MERGE_CHAIN, start, end, message)
            self.skipped.append(self.span(value_ts))
            return False
        self.chains[id(node)] = max(self.chains.get(id(node), 0), chain)
        return True

    def merged_aliases(self, value_ts: tree_sitter.Node) -> list[tree_sitter.Node]:
        """The aliases a merge value names: itself, or the items of a sequence of aliases."""
        inner = [c for c in value_ts.children if c.type not in ("anchor", "tag", "comment")]
        if len(inner) != 1:
            return []
        if inner[0].type == "alias":
            return inner
        if inner[0].type in ("flow_sequence", "block_sequence"):
            items = [c for c in inner[0].children if c.type in self.wrappers or c.type == "block_sequence_item"]
            nodes = [next((g for g in c.children if g.type in self.wrappers), c) for c in items]
            return [g for c in nodes for g in c.children if g.type == "alias"]
        return []

    def pair(self, node: Node, ts: tree_sitter.Node) -> None:
        key_ts = ts.child_by_field_name("key")
        value_ts = ts.child_by_field_name("value")
        for child in ts.children if ts.has_error else ():
            if child.type == "ERROR" or child.is_missing:
                self.error(child)
        if key_ts is None:
            if not any(c.type == "?" for c in ts.children):  # `: value` (YAML 1.2's empty key); `?` makes it explicit
                mark = next((c for c in ts.children if c.type == ":"), ts)
                start = self.off(self.base + mark.start_byte)
                message = "A key is missing before ':'; v1 read YAML with PyYAML, which stops here."
                self.problems.append(JS_SYNTAX.at(start, start + 1, message))
            return
        counted = self.values
        key = self.value(key_ts)
        self.values = counted  # a member counts once, as in JSON
        if key is None:
            return
        if key.kind in ("object", "array"):
            # PyYAML, which v1 read YAML with, refuses the whole file ("found unhashable key"); the member is left
            # out, so no key text is ever built from a collection (nested `? ? ?` keys grew it exponentially).
            kind = "list" if key.kind == "array" else "mapping"
            message = f"A {kind} as a key: v1 (PyYAML) stops here with 'found unhashable key'."
            inner = [p for p in self.problems if p.code == "JS016" and key.start <= p.start and p.end <= key.end]
            for p in inner:  # one problem for the outermost key of `? ? ?`
                self.problems.remove(p)
            self.problems.append(JS_COLLECTION_KEY.at(key.start, key.end, message))
            return
        merge = key.kind == "string" and key.value == "<<" and value_ts is not None
        if merge and value_ts is not None and not self.merge_allowed(node, value_ts):
            value_ts = None
        value = self.value(value_ts) if value_ts is not None else None
        if value is None:
            # `key:` with nothing after it is null in YAML; keep a zero-width null just after the colon.
            colon = next((c for c in ts.children if c.type == ":"), None)
            at = self.off(self.base + colon.end_byte) if colon is not None else key.end
            value = new_node("null", at, at)
        attach(node, _key_text(key), (key.start, key.end), value)

    def quoted(self, ts: tree_sitter.Node) -> str:
        raw = self.src(ts)
        if ts.type == "single_quote_scalar" and "\n" not in raw:
            return raw[1:-1].replace("''", "'") if len(raw) >= 2 else raw
        if ts.type == "double_quote_scalar" and "\\" not in raw and "\n" not in raw:
            return raw[1:-1] if len(raw) >= 2 else raw
        if ts.type == "block_scalar":
            # The block's lines keep their original indentation, which PyYAML detects on its own.
            col = ts.start_point.column
            raw = " " * col + raw
        try:
            value = yaml.safe_load(raw)
        except (yaml.YAMLError, ValueError, OverflowError):  # ValueError: "\U00110000" is no character
            return raw.strip("'\"")
        return value if isinstance(value, str) else raw.strip("'\"")


_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})


def _is_number(raw: str) -> bool:
    return _implicit_tag(raw) in _NUMBER_TAGS


def _key_text(key: Node) -> str:
    if key.kind == "string":
        return str(key.value)
    if key.kind == "boolean":
        return "True" if key.value else "False"
    if key.kind == "null":
        return "None"
    return str(key.value) if key.kind == "number" else str(key.to_python())

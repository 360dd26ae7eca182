"""Minimal text edits on a config's value tree: rename a key, replace a value, remove or add members.

The same operations work on JSON and on YAML, and keep the file valid: in JSON (and YAML flow mappings) a
removed member takes its comma with it, wherever it stands; in a YAML block mapping a member is removed
with its whole lines, and a mapping left without members becomes ``{}`` rather than ``null``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from amldeploy.language.parse.documents import Language
from amldeploy.language.parse.nodes import Member, Node
from amldeploy.language.text import TextIndex


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` by ``new_text`` (offsets into the document's ``str``)."""

    start: int
    end: int
    new_text: str


def literal(value: object) -> str:
    """A scalar as both JSON and YAML write it: ``true``, ``1``, ``"10.0"``."""
    return json.dumps(value)


class ConfigEditor:
    def __init__(self, text: str, language: Language) -> None:
        self.text = text
        self.yaml = language == "yaml"
        self.index = TextIndex(text)
        self.newline = "\r\n" if "\r\n" in text else "\n"

    # -- keys and values -----------------------------------------------------------------------------------
    def rename_key(self, member: Member, new_key: str) -> Edit:
        start, end = member.key_start, member.key_end
        raw = self.text[start:end]
        if len(raw) >= 2 and raw[0] in "\"'" and raw[-1] == raw[0]:
            return Edit(start + 1, end - 1, new_key)  # keep the quotes the key was written with
        return Edit(start, end, new_key)

    def replace_value(self, node: Node, new_text: str) -> Edit:
        if node.start == node.end and self.yaml:
            new_text = " " + new_text  # `key:` with no value: `key:true` would be one plain scalar
        return Edit(node.start, node.end, new_text)

    def set_member(self, obj: Node, key: str, value_text: str) -> Edit | None:
        """Give ``key`` the value ``value_text``: replace the value when the key exists, add it otherwise."""
        member = obj.member(key)
        if member is None:
            return self.insert_member(obj, key, value_text)
        if member.value is None:
            return None
        return self.replace_value(member.value, value_text)

    # -- members -------------------------------------------------------------------------------------------
    def _flow(self, obj: Node) -> bool:
        return not self.yaml or self.text[obj.start : obj.start + 1] == "{"

    def remove_members(self, obj: Node, members: Iterable[Member]) -> list[Edit] | None:
        """Edits removing ``members`` of ``obj``; None when the text around them is too broken to edit."""
        doomed = {id(m) for m in members}
        if not doomed:
            return []
        if self._flow(obj):
            return self._remove_flow(obj, doomed)
        return self._remove_block(obj, doomed)

    def _remove_flow(self, obj: Node, doomed: set[int]) -> list[Edit] | None:
        all_members = obj.members
        for a, b in pairwise(all_members):
            if a.value is None or self.text[a.end : b.start].strip() != ",":
                return None
        if all(id(m) in doomed for m in all_members):
            if self.text[obj.end - 1 : obj.end] != "}":
                return None
            return [Edit(obj.start + 1, obj.end - 1, "")]
        edits: list[Edit] = []
        i = 0
        while i < len(all_members):
            if id(all_members[i]) not in doomed:
                i += 1
                continue
            j = i
            while j + 1 < len(all_members) and id(all_members[j + 1]) in doomed:
                j += 1
            if j + 1 < len(all_members):  # a kept member follows: take the run up to it
                edits.append(Edit(all_members[i].start, all_members[j + 1].start, ""))
            else:  # the run ends the object: take the comma after the last kept member
                edits.append(Edit(all_members[i - 1].end, all_members[j].end, ""))
            i = j + 1
        return edits

    def lines_of(self, member: Member) -> tuple[int, int] | None:
        """The whole lines of a YAML block member (from its key's line start to after its last line)."""
        start = self.index.line_start(self.index.line_of(member.key_start))
        if self.text[start : member.key_start].strip():
            return None  # `- key: value`, or a flow mapping: the line holds more than this member
        return start, self._after_lines(member)

    def _after_lines(self, member: Member) -> int:
        last = max(member.end - 1, member.key_start)
        while last > member.key_start and self.text[last] in " \t\r\n":
            last -= 1
        line = self.index.line_of(last)
        return self.index.line_start(line + 1) if line + 1 < self.index.line_count else len(self.text)

    def _remove_block(self, obj: Node, doomed: set[int]) -> list[Edit] | None:
        spans = []
        for m in obj.members:
            if id(m) in doomed:
                span = self.lines_of(m)
                if span is None:
                    return None
                spans.append(span)
        if len(spans) < len(obj.members):
            return [Edit(s, e, "") for s, e in spans]
        owner = obj.parent_member
        if owner is None:
            return None
        colon = self.text.find(":", owner.key_end, spans[0][0])
        if colon < 0:
            return None
        end = spans[-1][1]
        tail = self.newline if self.text[end - 1 : end] == "\n" else ""
        return [Edit(colon + 1, end, " {}" + tail)]

    def insert_object(self, obj: Node, key: str, members: list[tuple[str, str]]) -> Edit | None:
        """Add ``key`` holding an object of ``members`` (key, value text): in a YAML block mapping as an indented
        block of its own lines, elsewhere as a flow object on the key's line."""
        if self.yaml and not self._flow(obj) and obj.members:
            last = obj.members[-1]
            if last.value is None:
                return None
            line_start = self.index.line_start(self.index.line_of(last.key_start))
            indent = self.text[line_start : last.key_start]
            if indent.strip():
                return None  # `- key: value`: the mapping is an item of a list
            end = self._after_lines(last)
            nl = self.newline
            lead = "" if self.text[end - 1 : end] == "\n" else nl
            block = "".join(f"{indent}  {k}: {v}{nl}" for k, v in members)
            return Edit(end, end, f"{lead}{indent}{key}:{nl}{block}")
        flow = ", ".join(f"{json.dumps(k) if not self.yaml else k}: {v}" for k, v in members)
        return self.insert_member(obj, key, "{" + flow + "}")

    def insert_member(self, obj: Node, key: str, value_text: str) -> Edit | None:
        """Add ``key: value_text`` after the last member of ``obj`` (or inside an empty ``{}``)."""
        if obj.kind != "object":
            return None
        flow = self._flow(obj)
        entry = f"{json.dumps(key) if not self.yaml else key}: {value_text}"
        if obj.members:
            last = obj.members[-1]
            if last.value is None:
                return None
            line_start = self.index.line_start(self.index.line_of(last.key_start))
            prefix = self.text[line_start : last.key_start]
            own_line = not prefix.strip()
            indent = prefix if own_line else " " * len(prefix)
            if flow:
                return Edit(last.end, last.end, "," + (self.newline + indent if own_line else " ") + entry)
            end = self._after_lines(last)
            lead = "" if self.text[end - 1 : end] == "\n" else self.newline
            return Edit(end, end, lead + indent + entry + self.newline)
        if self.text[obj.start : obj.start + 1] != "{" or self.text[obj.end - 1 : obj.end] != "}":
            return None
        inner = self.text[obj.start + 1 : obj.end - 1]
        if "\n" in inner:
            line_start = self.index.line_start(self.index.line_of(obj.start))
            outer = self.text[line_start : obj.start]
            outer = outer[: len(outer) - len(outer.lstrip())]
            text = self.newline + outer + "  " + entry + self.newline + outer
            return Edit(obj.start + 1, obj.end - 1, text)
        return Edit(obj.start + 1, obj.end - 1, entry)


def member_with_key(root: Node, start: int, end: int) -> Member | None:
    """The member whose key spans exactly ``start``–``end`` (duplicates included)."""
    for node in root.walk():
        for m in node.members:
            if m.key_start == start and m.key_end == end:
                return m
    return None


def node_with_range(root: Node, start: int, end: int) -> Node | None:
    """The innermost value spanning exactly ``start``–``end``."""
    found: Node | None = None
    for node in root.walk():
        if node.start == start and node.end == end:
            found = node
    return found


@dataclass(frozen=True, slots=True)
class Fix:
    """One way to fix a problem, before it is tied to the problem as an action."""

    title: str
    edits: list[Edit]
    preferred: bool = False

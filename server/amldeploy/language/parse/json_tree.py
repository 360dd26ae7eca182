"""The JSON builder: objects, arrays and scalars of tree-sitter-json, with the recovery of broken objects."""

from __future__ import annotations

import json
import re

import tree_sitter

from amldeploy.language.codes import rule
from amldeploy.language.parse.builder import JS_EXTRA, JS_MISSING, Builder, append, attach, children, new_node
from amldeploy.language.parse.limits import (
    MAX_NUMBER_CHARS,
)
from amldeploy.language.parse.nodes import Node
from amldeploy.language.problems import Severity

JS_COMMENT = rule(
    "JS003",
    Severity.ERROR,
    "Comment in JSON",
    "JSON has no comments; v1 read the file with `json.loads`/`yaml.safe_load`, which both reject `//` "
    "and `/* */`. Remove the comment, or write the file as YAML, where `#` starts a comment.",
)
JS_STRING = rule(
    "JS007", Severity.ERROR, "Invalid string", "A string has an invalid escape sequence or control character."
)


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)((?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)")


class JsonBuilder(Builder):
    lang_name = "JSON"
    collections = frozenset({"object", "array", "ERROR"})

    def build(self, root: tree_sitter.Node) -> Node | None:
        result: Node | None = None
        children = root.children
        for i, child in enumerate(children):
            if child.type == "comment":
                s, e = self.span(child)
                self.problems.append(JS_COMMENT.at(s, e, "Comments are not allowed in JSON files."))
            elif result is None:
                closed_early = child.type == "object" and child.children and child.children[-1].is_missing
                resumed = self.members_after_missing_comma(child, children[i + 1 :]) if closed_early else None
                if resumed is not None:
                    return resumed
                result = self.value(child)
            else:
                s, e = self.span(child)
                self.problems.append(JS_EXTRA.at(s, e, "Unexpected content after the end of the document."))
                break
        if result is None and root.type == "ERROR":
            result = self.value(root)
        return result

    def members_after_missing_comma(self, obj: tree_sitter.Node, rest: list[tree_sitter.Node]) -> Node | None:
        """``"a": 1\n "b": 2`` at the top level: tree-sitter closes the object early and leaves the
        remaining members loose in the document. Put them back and report the one missing comma."""
        tokens = [c for c in rest if c.type != "comment"]
        if len(tokens) < 3 or tokens[0].type != "string" or self.src(tokens[1]).strip() != ":":
            return None
        node = self.obj(obj)
        self.problems = [p for p in self.problems if p.code != JS_MISSING.code or p.start != node.end]
        s, e = self.span(tokens[0])
        self.problems.append(JS_MISSING.at(s, e, "Missing ',' before this member."))
        i = 0
        while i + 2 < len(tokens) and tokens[i].type == "string" and self.src(tokens[i + 1]).strip() == ":":
            attach(node, self.string(tokens[i]), self.span(tokens[i]), self.value(tokens[i + 2]))
            i += 3
            while i < len(tokens) and self.src(tokens[i]).strip() in (",", "}"):
                i += 1
        for leftover in tokens[i:]:
            self.unexpected(leftover)
        node.end = self.span(rest[-1])[1]
        return node

    def convert(self, ts: tree_sitter.Node) -> Node | None:
        t = ts.type
        start, end = self.span(ts)
        if t == "object":
            return self.obj(ts)
        if t == "array":
            node = new_node("array", start, end)
            for child in children(ts):
                if self.full:
                    break
                self.element(node, child)
            return node
        if t == "string":
            return new_node("string", start, end, self.string(ts))
        if t == "number":
            raw = self.src(ts)
            if len(raw) > MAX_NUMBER_CHARS:
                return self.long_number(raw, start, end)
            number = _JSON_NUMBER.fullmatch(raw)
            if number is not None:  # json.loads is ten times slower on one number
                return new_node("number", start, end, float(raw) if number.group(1) else int(raw))
            try:
                return new_node("number", start, end, json.loads(raw))
            except ValueError:
                self.error(ts)
                return new_node("string", start, end, raw)
        if t in ("true", "false"):
            return new_node("boolean", start, end, t == "true")
        if t == "null":
            return new_node("null", start, end)
        if t == "ERROR":
            return self.recover(ts)
        self.scan_errors(ts)
        return None

    def element(self, node: Node, child: tree_sitter.Node) -> None:
        if child.type in ("[", "]", ",") and not child.is_missing:
            return
        if child.type == "comment":
            s, e = self.span(child)
            self.problems.append(JS_COMMENT.at(s, e, "Comments are not allowed in JSON files."))
        elif child.is_missing:
            self.error(child)
        elif child.type == "ERROR":
            self.error(child)
            for grand in child.named_children:
                append(node, self.value(grand) if grand.type != "ERROR" else None)
        else:
            append(node, self.value(child))

    def obj(self, ts: tree_sitter.Node) -> Node:
        start, end = self.span(ts)
        node = new_node("object", start, end)
        for child in children(ts):
            if self.full:
                break
            self.object_child(node, child)
        return node

    def object_child(self, node: Node, child: tree_sitter.Node) -> None:
        t = child.type
        if t in ("{", "}", ",") and not child.is_missing:
            return
        if t == "pair":
            self.pair(node, child)
        elif t == "comment":
            s, e = self.span(child)
            self.problems.append(JS_COMMENT.at(s, e, "Comments are not allowed in JSON files."))
        elif child.is_missing:
            self.error(child)
        elif t == "ERROR":
            # Keep what the user meant: pairs inside the error, and a lone string as a key being typed.
            self.error(child)
            for grand in child.children:
                if grand.type == "pair":
                    self.pair(node, grand)
                elif grand.type == "string":
                    attach(node, self.string(grand), self.span(grand), None)
        elif t == "string":
            attach(node, self.string(child), self.span(child), None)

    def pair(self, node: Node, ts: tree_sitter.Node) -> None:
        key = ts.child_by_field_name("key")
        value = ts.child_by_field_name("value")
        if key is None:
            self.scan_errors(ts)
            return
        key_text = self.string(key) if key.type == "string" else self.src(key)
        converted = self.value(value) if value is not None else None
        for child in ts.children if ts.has_error else ():
            if child.is_missing or child.type == "ERROR":
                self.error(child)
        attach(node, key_text, self.span(key), converted)

    def recover(self, ts: tree_sitter.Node) -> Node | None:
        """A whole value tree-sitter could not parse: keep it as an object if it looks like one."""
        self.error(ts)
        first = ts.children[0] if ts.children else None
        if first is not None and first.type == "{":
            start, end = self.span(ts)
            node = new_node("object", start, end)
            for child in ts.children[1:]:
                if child.type == "pair":
                    self.pair(node, child)
                elif child.type == "string":
                    attach(node, self.string(child), self.span(child), None)
            return node
        return None

    def string(self, ts: tree_sitter.Node) -> str:
        raw = self.src(ts)
        if "\\" not in raw and raw.endswith('"') and len(raw) >= 2:
            return raw[1:-1]
        try:
            value = json.loads(raw)
            return value if isinstance(value, str) else raw.strip('"')
        except ValueError:
            if not ts.has_error:
                s, e = self.span(ts)
                self.problems.append(JS_STRING.at(s, e, "Invalid escape sequence or control character."))
            return raw[1:-1] if raw.endswith('"') and len(raw) >= 2 else raw[1:]

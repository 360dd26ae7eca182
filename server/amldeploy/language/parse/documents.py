"""Tolerant parsing of JSON and YAML config documents into :mod:`nodes` trees, with offsets.

tree-sitter does the parsing (it recovers from errors and keeps positions); this module turns its
concrete syntax tree into the value tree and its error and missing nodes into ``JS###`` problems. v1 read
both files with ``yaml.safe_load`` and then ``json.loads``, so YAML plain scalars are typed the way PyYAML
(YAML 1.1) types them: ``yes`` is a boolean there, as it was for the retired CLI.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal

import tree_sitter
import tree_sitter_json
import tree_sitter_yaml
import yaml

from amldeploy.language.parse import limits, pieces
from amldeploy.language.parse.limits import (
    ALIASES_TOO_LARGE,
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_MERGE_CHAIN,
    MAX_NUMBER_CHARS,
    MAX_VALUES,
    MERGE_CHAIN,
    NUMBER_TOO_LONG,
    TOO_DEEP,
    TOO_MANY_VALUES,
)
from amldeploy.language.parse.nodes import Member, Node
from amldeploy.language.problems import Problem, Severity
from amldeploy.language.rules.codes import Rule, rule

Language = Literal["json", "yaml"]

JS_SYNTAX = rule(
    "JS001",
    Severity.ERROR,
    "Syntax error",
    "The document is not valid JSON/YAML at this place. v1 stopped with *Error parsing --deploy-config-file. "
    "Must be valid JSON or YAML file.*; amldeploy keeps reading the parts that parse.",
)
JS_MISSING = rule("JS002", Severity.ERROR, "Missing token", "A closing bracket, quote or comma is missing.")
JS_COMMENT = rule(
    "JS003",
    Severity.ERROR,
    "Comment in JSON",
    "JSON has no comments; v1 read the file with `json.loads`/`yaml.safe_load`, which both reject `//` "
    "and `/* */`. Remove the comment, or write the file as YAML, where `#` starts a comment.",
)
JS_EXTRA = rule(
    "JS004",
    Severity.ERROR,
    "More than one document",
    "The file holds more than one JSON value or YAML document; v1 read exactly one.",
)
JS_DUPLICATE = rule(
    "JS005",
    Severity.WARNING,
    "Duplicate key",
    "The same key appears twice in one object. v1 kept the last one silently; the earlier one has no effect.",
)
JS_NOT_OBJECT = rule(
    "JS006",
    Severity.ERROR,
    "Document is not an object",
    "A config file must hold one object (`{...}` in JSON, a mapping in YAML).",
)
JS_STRING = rule(
    "JS007", Severity.ERROR, "Invalid string", "A string has an invalid escape sequence or control character."
)


@dataclass(slots=True)
class ParsedDocument:
    """A parsed document. Shared through a small cache: consumers read the tree and never change it."""

    text: str
    language: Language
    root: Node | None
    problems: list[Problem] = field(default_factory=list)
    # Parts a limit kept out of the tree: other problems found there only echo the limit's problem.
    skipped: list[tuple[int, int]] = field(default_factory=list)

    def outside_skipped(self, problems: list[Problem]) -> list[Problem]:
        """``problems`` without those lying inside a part a limit kept out of the tree."""
        if not self.skipped:
            return problems
        limit_codes = _LIMIT_CODES
        return [
            p
            for p in problems
            if p.code in limit_codes or not any(s <= p.start and p.end <= e for s, e in self.skipped)
        ]


def detect_language(text: str, filename: str = "") -> Language:
    """JSON for ``.json`` files that look like JSON; YAML for ``.yml``/``.yaml`` and for YAML content.

    v1 tried YAML first and JSON second for every file, so a ``.json`` file holding YAML worked.
    """
    lower = filename.lower()
    if lower.endswith((".yml", ".yaml")):
        return "yaml"
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped or stripped[0] in "{[/" or lower.endswith(".json"):
        if stripped and stripped[0] not in '{[/"' and lower.endswith(".json"):
            return "yaml"
        return "json"
    return "yaml"


# --------------------------------------------------------------------------------------------------------
_PARSERS: dict[str, tree_sitter.Parser] = {}


def _parser(language: Language) -> tree_sitter.Parser:
    parser = _PARSERS.get(language)
    if parser is None:
        grammar = tree_sitter_json.language() if language == "json" else tree_sitter_yaml.language()
        parser = _PARSERS[language] = tree_sitter.Parser(tree_sitter.Language(grammar))
    return parser


class _Offsets:
    """UTF-8 byte offsets (tree-sitter) → code-point offsets (everything else)."""

    __slots__ = ("_byte_ends", "_extra", "ascii")

    def __init__(self, text: str) -> None:
        self.ascii = text.isascii()
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
        if self.ascii:
            return byte_offset
        i = bisect.bisect_right(self._byte_ends, byte_offset) - 1
        return byte_offset - (self._extra[i] if i >= 0 else 0)


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)((?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)")
_RECENT: OrderedDict[tuple[Language, str], ParsedDocument] = OrderedDict()
_RECENT_SIZE = 8


def parse_document(text: str, language: Language) -> ParsedDocument:
    """Parse ``text``; never raises. Syntax problems come back in ``problems``, partial trees in ``root``.

    Validation, completion, hover, links and the outline of one editor state all ask for the same text: the
    last few parses are kept so that each text is parsed once.
    """
    key = (language, text)
    cached = _RECENT.get(key)
    if cached is not None:
        _RECENT.move_to_end(key)
        return cached
    parsed = _parse(text, language)
    _RECENT[key] = parsed
    if len(_RECENT) > _RECENT_SIZE:
        _RECENT.popitem(last=False)
    return parsed


def clear_cache() -> None:
    """Forget recent parses (benchmarks time the parse itself this way)."""
    _RECENT.clear()


_LIMIT_CODES = frozenset(
    {TOO_DEEP.code, ALIASES_TOO_LARGE.code, MERGE_CHAIN.code, NUMBER_TOO_LONG.code, TOO_MANY_VALUES.code}
)


def _parse(text: str, language: Language) -> ParsedDocument:
    # The parser never sees what nests too deep (tree-sitter-yaml crashes on deep block nesting).
    masked = limits.mask_limits(text, language)
    parsed_text, early, skipped = masked.text, masked.problems, masked.spans
    source = parsed_text.encode("utf-8", errors="surrogatepass")
    builder: _Builder | None = _yaml_in_pieces(parsed_text, source) if language == "yaml" else None
    if builder is None:
        builder = (_JsonBuilder if language == "json" else _YamlBuilder)(parsed_text, source)
        builder.root = builder.build(_parser(language).parse(source).root_node)
    root = builder.root
    problems = early + builder.problems
    skipped += builder.skipped
    if root is not None and root.kind != "object":
        problems.append(
            JS_NOT_OBJECT.at(root.start, root.end, f"The config must be an object, not {_kind_name(root)}.")
        )
    elif root is None and not builder.problems and text.strip(" \t\r\n\ufeff"):
        problems.append(JS_NOT_OBJECT.at(0, 0, "The config must be an object."))
    for node in root.walk() if root is not None else ():
        _report_duplicates(node, problems)
    unique: dict[tuple[int, int, str], Problem] = {}
    for p in problems:
        unique.setdefault((p.start, p.end, p.code), p)
    problems = list(unique.values())
    document = ParsedDocument(text, language, root, problems, skipped)
    document.problems = document.outside_skipped(problems)
    return document


def _yaml_in_pieces(text: str, source: bytes) -> _Builder | None:
    """A long YAML text parsed piece by piece (see :mod:`pieces`); None when it is short or does not split."""
    starts = pieces.piece_starts(text)
    if len(starts) == 1:
        return None
    builder = _YamlBuilder(text, source)
    bounds = [len(text[:s].encode("utf-8", errors="surrogatepass")) for s in starts] + [len(source)]
    for begin, end in itertools.pairwise(bounds):
        builder.base = begin
        part = builder.build(_parser("yaml").parse(source[begin:end]).root_node)
        if builder.root is None:
            builder.root = part
        elif part is None or not pieces.join_piece(text, builder.root, part):
            return None
    return builder


def _kind_name(node: Node) -> str:
    return {"array": "a list", "string": "a string", "number": "a number", "boolean": "a boolean"}.get(
        node.kind, "null"
    )


def _report_duplicates(node: Node, problems: list[Problem]) -> None:
    if len(node.members) < 2:
        return
    last: dict[str, Member] = {}
    for m in node.members:
        last[m.key] = m
    for m in node.members:
        if last[m.key] is not m:
            problems.append(
                JS_DUPLICATE.at(
                    m.key_start,
                    m.key_end,
                    f"Duplicate key '{m.key}': v1 used the last one, so this one has no effect.",
                    {"key": m.key},
                )
            )


_STRUCTURAL = frozenset({"pair", "block_mapping_pair", "flow_pair", "object", "array", "block_node"})
_PUNCTUATION = frozenset({"{", ",", ":", "[", "comment"})


class _Builder:
    lang_name = ""  # "JSON" or "YAML", for messages

    def __init__(self, text: str, source: bytes) -> None:
        self.text = text
        self.source = source
        self.base = 0  # byte offset of the piece being converted (see pieces.py)
        self.root: Node | None = None
        self.off = _Offsets(text)
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
        if self.off.ascii:
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
            return None if self.full else _new("null", *self.span(ts))
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
        return _new("string", start, end, raw)


def _new(kind: Any, start: int, end: int, value: Any = None) -> Node:
    return Node(kind, start, end, value)


def _attach(parent: Node, key: str, key_span: tuple[int, int], value: Node | None) -> None:
    member = Member(key, key_span[0], key_span[1], value, parent)
    parent.members.append(member)
    if value is not None:
        value.parent = parent
        value.parent_member = member


def _append(parent: Node, item: Node | None) -> None:
    if item is not None:
        item.parent = parent
        parent.items.append(item)


# -- JSON --------------------------------------------------------------------------------------------------
class _JsonBuilder(_Builder):
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
            _attach(node, self.string(tokens[i]), self.span(tokens[i]), self.value(tokens[i + 2]))
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
            node = _new("array", start, end)
            for child in ts.children:
                if self.full:
                    break
                self.element(node, child)
            return node
        if t == "string":
            return _new("string", start, end, self.string(ts))
        if t == "number":
            raw = self.src(ts)
            if len(raw) > MAX_NUMBER_CHARS:
                return self.long_number(raw, start, end)
            number = _JSON_NUMBER.fullmatch(raw)
            if number is not None:  # json.loads is ten times slower on one number
                return _new("number", start, end, float(raw) if number.group(1) else int(raw))
            try:
                return _new("number", start, end, json.loads(raw))
            except ValueError:
                self.error(ts)
                return _new("string", start, end, raw)
        if t in ("true", "false"):
            return _new("boolean", start, end, t == "true")
        if t == "null":
            return _new("null", start, end)
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
                _append(node, self.value(grand) if grand.type != "ERROR" else None)
        else:
            _append(node, self.value(child))

    def obj(self, ts: tree_sitter.Node) -> Node:
        start, end = self.span(ts)
        node = _new("object", start, end)
        for child in ts.children:
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
                    _attach(node, self.string(grand), self.span(grand), None)
        elif t == "string":
            _attach(node, self.string(child), self.span(child), None)

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
        _attach(node, key_text, self.span(key), converted)

    def recover(self, ts: tree_sitter.Node) -> Node | None:
        """A whole value tree-sitter could not parse: keep it as an object if it looks like one."""
        self.error(ts)
        first = ts.children[0] if ts.children else None
        if first is not None and first.type == "{":
            start, end = self.span(ts)
            node = _new("object", start, end)
            for child in ts.children[1:]:
                if child.type == "pair":
                    self.pair(node, child)
                elif child.type == "string":
                    _attach(node, self.string(child), self.span(child), None)
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


# -- YAML --------------------------------------------------------------------------------------------------
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
    """Type a plain scalar the way ``yaml.safe_load`` (YAML 1.1) does: ``yes`` → True, ``1_000`` → 1000."""
    tag = _implicit_tag(text)
    if tag == "tag:yaml.org,2002:str":
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
        return _new("null", start, end)
    if isinstance(value, bool):
        return _new("boolean", start, end, value)
    if isinstance(value, (int, float)):
        return _new("number", start, end, value)
    # Timestamps (``2020-01-01``) stay what yaml.safe_load made of them: a date, which is no JSON string.
    return _new("string", start, end, value)


class _YamlBuilder(_Builder):
    lang_name = "YAML"
    collections = frozenset({"block_mapping", "flow_mapping", "block_sequence", "flow_sequence", "ERROR"})

    def __init__(self, text: str, source: bytes) -> None:
        super().__init__(text, source)
        self.anchors: dict[str, Node] = {}
        # Aliases share their anchor's lists, so walking the tree expands them: their expanded size and
        # height are measured once per node (by id) and bounded before an alias is accepted.
        self.measured: dict[int, tuple[int, int]] = {}
        self.chains: dict[int, int] = {}  # merge-key chain length below a mapping
        self.expanded = 0

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
        node = _new("object", start, end)
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
                result = _new("string", result.start, result.end, self.text[result.start : result.end])
            if anchor and result is not None:
                self.anchors[anchor] = result
            return result
        start, end = self.span(ts)
        if t in ("block_mapping", "flow_mapping"):
            node = _new("object", start, end)
            for child in ts.children:
                if self.full:
                    break
                if child.type in ("block_mapping_pair", "flow_pair"):
                    self.pair(node, child)
                elif child.type == "flow_node":  # `{a, b}`: keys without values
                    key = self.value(child)
                    if key is not None:
                        _attach(node, _key_text(key), (key.start, key.end), _new("null", key.end, key.end))
                elif child.type == "ERROR" or child.is_missing:
                    self.error(child)
            return node
        if t in ("block_sequence", "flow_sequence"):
            node = _new("array", start, end)
            for child in ts.children:
                if self.full:
                    break
                if child.type == "block_sequence_item":
                    inner = next((c for c in child.children if c.type in ("block_node", "flow_node")), None)
                    item = self.value(inner) if inner is not None else None
                    _append(node, item if item is not None else _new("null", *self.span(child)))
                elif child.type == "flow_node":
                    _append(node, self.value(child))
                elif child.type == "flow_pair":  # `[a: 1]` is a one-key mapping inside a sequence
                    s, e = self.span(child)
                    single = _new("object", s, e)
                    self.pair(single, child)
                    _append(node, single)
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
            return _new("string", start, end, self.quoted(ts))
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
            message = (
                f"Alias '{name}' would make the aliases of this file expand to more than {MAX_ALIAS_VALUES:,} "
                "values: amldeploy does not expand it."
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
            return
        counted = self.values
        key = self.value(key_ts)
        self.values = counted  # a member counts once, as in JSON
        if key is None:
            return
        merge = key.kind == "string" and key.value == "<<" and value_ts is not None
        if merge and value_ts is not None and not self.merge_allowed(node, value_ts):
            value_ts = None
        value = self.value(value_ts) if value_ts is not None else None
        if value is None:
            # `key:` with nothing after it is null in YAML; keep a zero-width null just after the colon.
            colon = next((c for c in ts.children if c.type == ":"), None)
            at = self.off(self.base + colon.end_byte) if colon is not None else key.end
            value = _new("null", at, at)
        _attach(node, _key_text(key), (key.start, key.end), value)

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
        except yaml.YAMLError:
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

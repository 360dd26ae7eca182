"""Tolerant parsing of JSON and YAML config documents into :mod:`nodes` trees, with offsets.

tree-sitter does the parsing (it recovers from errors and keeps positions); :mod:`json_tree` and
:mod:`yaml_tree` turn its concrete syntax tree into the value tree and its error and missing nodes into
``JS###`` problems, after :mod:`limits` has kept what nests too deep away from the parser. v1 read
both files with ``yaml.safe_load`` and then ``json.loads``, so YAML plain scalars are typed the way PyYAML
(YAML 1.1) types them: ``yes`` is a boolean there, as it was for the retired CLI.
"""

from __future__ import annotations

import bisect
import gc
import itertools
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import tree_sitter
import tree_sitter_json
import tree_sitter_yaml

from amldeploy.language.codes import rule
from amldeploy.language.parse import limits, pieces
from amldeploy.language.parse.builder import Builder
from amldeploy.language.parse.json_tree import JsonBuilder
from amldeploy.language.parse.limits import (
    ALIASES_TOO_LARGE,
    MERGE_CHAIN,
    NUMBER_TOO_LONG,
    TOO_DEEP,
    TOO_MANY_VALUES,
)
from amldeploy.language.parse.nodes import Member, Node
from amldeploy.language.parse.yaml_tree import YamlBuilder, yaml_plain_scalar
from amldeploy.language.problems import Problem, Severity

Language = Literal["json", "yaml"]
__all__ = ["Language", "ParsedDocument", "clear_cache", "detect_language", "parse_document", "yaml_plain_scalar"]

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
        # The skipped parts as disjoint sorted spans: one bisection per problem (both can number thousands).
        starts: list[int] = []
        ends: list[int] = []
        for start, end in sorted(self.skipped):
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        kept = []
        for p in problems:
            i = bisect.bisect_right(starts, p.start) - 1
            if p.code in _LIMIT_CODES or i < 0 or p.end > ends[i]:
                kept.append(p)
        return kept


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
    with gc_paused():
        parsed = _parse(text, language)
    _RECENT[key] = parsed
    if len(_RECENT) > _RECENT_SIZE:
        _RECENT.popitem(last=False)
    return parsed


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one document is turned into trees and problems.

    A big document makes hundreds of thousands of objects that all live as long as its analysis; the
    collector would walk them again and again for nothing (a third of the time of a 50 000-key config).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


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
    seen, removed = pieces.squeeze_comments(parsed_text) if language == "yaml" else (parsed_text, ([], []))
    source = seen.encode("utf-8", errors="surrogatepass")
    builder: Builder | None = _yaml_in_pieces(parsed_text, seen, source, removed) if language == "yaml" else None
    if builder is None:
        builder = (JsonBuilder if language == "json" else YamlBuilder)(parsed_text, source, seen, removed)
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


def _yaml_in_pieces(text: str, seen: str, source: bytes, removed: tuple[list[int], list[int]]) -> Builder | None:
    """A long YAML text parsed piece by piece (see :mod:`pieces`); None when it is short or does not split.

    ``seen`` is the text the parser reads (``text`` without its long comment runs), ``source`` its bytes.
    """
    starts = pieces.piece_starts(seen)
    if len(starts) == 1:
        return None
    builder = YamlBuilder(text, source, seen, removed)
    bounds = [len(seen[:s].encode("utf-8", errors="surrogatepass")) for s in starts] + [len(source)]
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

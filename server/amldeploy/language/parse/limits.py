"""Limits on what a document may make the parser and the walkers do, checked before they run.

A v1 config is a handful of keys less than ten levels deep. A document far beyond that is a mistake or an
attack; reading it anyway would let the input pick the depth of recursion, the work of alias expansion or the
size of integers. Each limit is a ``JS###`` problem at the place it is hit, and the rest of the document is
still read.

tree-sitter-yaml keeps a stack of block indentations that overflows (a native crash) past ~255 entries. Its
entries sit at columns where a line's block collections start, at most two per column (a sequence may share
its mapping key's column). :func:`mask_deep_yaml_blocks` bounds that stack *before* the parse: a cheap search
proves most documents safe; otherwise every line is measured and the parts deeper than :data:`MAX_DEPTH` are
blanked out (offsets kept), so the parser never sees them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from amldeploy.language.codes import rule
from amldeploy.language.problems import Problem, Severity

MAX_DEPTH = 64
MAX_ALIAS_VALUES = 10_000
MAX_MERGE_CHAIN = 16
MAX_NUMBER_CHARS = 100
MAX_VALUES = 100_000

TOO_DEEP = rule(
    "JS011",
    Severity.ERROR,
    "Nesting too deep",
    f"Objects and lists nest more than {MAX_DEPTH} levels deep here; a v1 config is under ten. amldeploy does "
    "not read below that level (the rest of the file is still checked). Flatten the structure.",
)
ALIASES_TOO_LARGE = rule(
    "JS012",
    Severity.ERROR,
    "YAML aliases expand too much",
    f"The YAML aliases (`*name`) of this file expand to more than {MAX_ALIAS_VALUES:,} values (an alias that "
    "repeats an anchor which itself repeats others grows exponentially: the *billion laughs*). amldeploy does "
    "not expand this alias nor the ones after it (one problem says so). Write the values out, or use fewer "
    "levels of aliases.",
)
MERGE_CHAIN = rule(
    "JS013",
    Severity.ERROR,
    "YAML merge-key chain too long",
    f"This `<<: *name` merges a mapping that merges another, more than {MAX_MERGE_CHAIN} times in a chain. "
    "amldeploy does not follow the chain further. Merge the mappings you need directly.",
)
NUMBER_TOO_LONG = rule(
    "JS014",
    Severity.ERROR,
    "Number too long",
    f"A number written with more than {MAX_NUMBER_CHARS} characters is no config value (no port, count or "
    "size is that large) and converting it costs time. amldeploy does not read it as a number. Write the "
    "intended value, or quote it if it is meant as a string.",
)
TOO_MANY_VALUES = rule(
    "JS015",
    Severity.ERROR,
    "Too many keys and items",
    f"The document holds more than {MAX_VALUES:,} keys and list items; a v1 config holds a few dozen. amldeploy "
    "reads the first ones and ignores the rest. Is this file really a config?",
)


@dataclass(slots=True)
class Masked:
    """The text the parser may see (same length, same line breaks) and what was blanked out of it."""

    text: str
    problems: list[Problem] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)


# Below this many leading tokens on every line the stack holds at most 3 * 48 entries (two per indentation
# column, plus one line's run): the document needs no measuring.
_SAFE_LEAD = 48
# Where a line's block collections may start: its indentation, then the run of `- `, `? ` and `: ` indicators
# (anchors, tags and tabs included, so that nothing the parser could push is missed).
# Each token has one way to match (an anchor or tag runs to a blank): a run of them never backtracks.
_LEAD = r"(?:[ \t]|[-?:](?=[ \t\r\n]|$)|[&!][^ \t\r\n]*(?=[ \t\r\n]|$))"
_FAST = re.compile(rf"^{_LEAD}{{{_SAFE_LEAD}}}", re.MULTILINE)
_LINE = re.compile(rf"^({_LEAD}*)(.?)", re.MULTILINE)
_INDICATOR = re.compile(r"[-?:](?=[ \t\r\n]|$)")


def mask_deep_yaml_blocks(text: str) -> Masked:
    """Blank out the block collections nested deeper than :data:`MAX_DEPTH` (line by line, to the line end)."""
    if _FAST.search(text) is None:
        return Masked(text)
    out: list[str] = []
    masked = Masked(text)
    stack: list[tuple[int, bool]] = []  # (column, is a sequence) of the open block collections
    kept = 0
    in_run = False
    for match in _LINE.finditer(text):
        lead, first = match.group(1), match.group(2)
        line_start = match.start()
        content = first not in ("", "\n", "\r", "#")
        if not content and not _INDICATOR.search(lead):
            in_run = False
            continue
        starts = [(m.start(), True) for m in _INDICATOR.finditer(lead)]
        column = len(lead) - len(lead.lstrip(" \t"))
        if not starts or starts[0][0] != column:
            starts.insert(0, (column, False))
        if content and starts[-1][0] != len(lead):
            starts.append((len(lead), False))
        head_col, head_seq = starts[0]
        while stack and (stack[-1][0] > head_col or (stack[-1][0] == head_col and not (head_seq and not stack[-1][1]))):
            stack.pop()
        cut = None
        for col, is_seq in starts:
            if len(stack) >= MAX_DEPTH:
                cut = col
                break
            stack.append((col, is_seq))
        if cut is None:
            in_run = False
            continue
        begin = line_start + cut
        end = text.find("\n", begin)
        end = len(text) if end < 0 else end
        if end > begin and text[end - 1] == "\r":
            end -= 1
        out.append(text[kept:begin])
        out.append(" " * (end - begin))
        kept = end
        masked.spans.append((begin, end))
        if not in_run:
            message = (
                f"Nested more than {MAX_DEPTH} levels deep: amldeploy does not read this part "
                "(a v1 config is under ten levels deep)."
            )
            masked.problems.append(TOO_DEEP.at(begin, min(end, begin + 1), message))
        in_run = True
    out.append(text[kept:])
    masked.text = "".join(out)
    return masked


# Brackets outside strings and comments. In YAML a bracket opens a flow collection only where a value starts
# (after a space, an indicator or another bracket): ``a[0]`` is a plain scalar.
_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|//[^\n]*|/\*[\s\S]*?(?:\*/|\Z)|[\[\]{}]')
_YAML_TOKEN = re.compile(
    r"""(?:(?<=[\s\[{,:])|^)(?:"(?:[^"\\]|\\[\s\S])*"?|'(?:[^']|'')*'?)|(?:(?<=\s)|^)#[^\n]*|[\[\]{}]""",
    re.MULTILINE,
)


def mask_deep_flows(text: str, language: str) -> Masked:
    """Replace each bracketed collection opened deeper than :data:`MAX_DEPTH` by ``null`` (offsets kept)."""
    masked = Masked(text)
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return masked
    yaml = language == "yaml"
    depth = 0
    cut = -1  # where the part being left out starts
    for token in (_YAML_TOKEN if yaml else _JSON_TOKEN).finditer(text):
        char = token.group()[0]
        if char in "[{":
            at = token.start()
            if yaml and depth == 0 and at > 0 and text[at - 1] not in " \t\r\n-:?,":
                continue
            depth += 1
            if depth > MAX_DEPTH and cut < 0:
                cut = at
        elif char in "]}" and depth > 0:
            depth -= 1
            if depth == MAX_DEPTH and cut >= 0:
                _leave_out(masked, cut, token.end())
                cut = -1
    if cut >= 0:
        _leave_out(masked, cut, len(text))
    if masked.spans:
        pieces, kept = [], 0
        for start, end in masked.spans:
            blank = re.sub(r"[^\r\n]", " ", text[start:end])
            pieces += [text[kept:start], "null" + blank[4:] if len(blank) >= 4 else blank]
            kept = end
        pieces.append(text[kept:])
        masked.text = "".join(pieces)
    return masked


def _leave_out(masked: Masked, start: int, end: int) -> None:
    masked.spans.append((start, end))
    message = (
        f"Nested more than {MAX_DEPTH} levels deep: amldeploy does not read this part "
        "(a v1 config is under ten levels deep)."
    )
    masked.problems.append(TOO_DEEP.at(start, start + 1, message))


def mask_limits(text: str, language: str) -> Masked:
    """Every pre-parse limit: YAML block nesting first (the parser's crash), then bracket nesting."""
    blocks = mask_deep_yaml_blocks(text) if language == "yaml" else Masked(text)
    flows = mask_deep_flows(blocks.text, language)
    return Masked(flows.text, blocks.problems + flows.problems, blocks.spans + flows.spans)

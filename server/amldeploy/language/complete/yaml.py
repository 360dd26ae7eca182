"""Cursor context in a YAML block document, from its lines and their indentation.

Each line is read as ``- `` markers, then ``key: value`` or a bare word being typed. A stack of frames (one
per mapping or sequence, keyed by column) follows the indentation from the top of the file to the end, so the
frames on the way to the cursor also learn the keys written *below* the cursor. Flow collections
(``{...}``, ``[...]``) are handed to the JSON scanner; block scalars (``|``, ``>``) are text, not keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from amldeploy.language.complete.json import scan_json
from amldeploy.language.complete.types import Context, Frame
from amldeploy.language.parse.documents import yaml_plain_scalar
from amldeploy.language.parse.nodes import PathPart

# A key: quoted, or plain up to the first `:` followed by a blank (found by a search, not a lazy match that
# would retry the blanks before it from every character: quadratic on a long line).
_QUOTED_KEY = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')[ \t]*:(?=[ \t]|$)""")
_PLAIN_KEY_START = re.compile(r"""[^\s#'"{}\[\],&*!|>%@`-]|-(?=\S)""")
_MAPPING_COLON = re.compile(r":(?=[ \t]|$)")
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*\s*$")
_PROPERTY = re.compile(r"^[&!][^\s]*\s*")  # an anchor or a tag before the value


@dataclass(slots=True)
class _Line:
    start: int
    text: str
    indent: int
    col: int  # where the content starts, after the indentation and the "- " markers
    markers: list[int] = field(default_factory=list)
    key: str | None = None
    key_end: int = 0  # column after the key token
    colon: int = 0  # column after the ':'
    value_col: int = 0
    value_end: int = 0

    @property
    def value(self) -> str:
        return self.text[self.value_col : self.value_end]

    @property
    def content_end(self) -> int:
        return _strip_comment(self.text, self.col)


def _comment_at(text: str, start: int) -> int:
    """Column of the ``#`` that starts a comment after ``start`` (outside quotes), or the line's length."""
    i = start
    quote = ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'" and (i == start or text[i - 1] in " \t:[{,"):
            quote = ch
        elif ch == "#" and (i == start or text[i - 1] in " \t"):
            return i
        i += 1
    return i


def _strip_comment(text: str, start: int) -> int:
    """Column where the content starting at ``start`` ends (before a comment and trailing spaces)."""
    i = _comment_at(text, start)
    while i > start and text[i - 1] in " \t":
        i -= 1
    return i


def _parse_line(start: int, text: str) -> _Line:
    indent = len(text) - len(text.lstrip(" "))
    line = _Line(start, text, indent, indent)
    col = indent
    while col < len(text) and text[col] == "-" and (col + 1 == len(text) or text[col + 1] in " \t"):
        line.markers.append(col)
        col += 1
        while col < len(text) and text[col] in " \t":
            col += 1
    line.col = col
    found = _match_key(text, col)
    if found is not None:
        line.key = _key_text(text[col : found[0]])
        line.key_end, line.colon = found
        value_col = line.colon
        while value_col < len(text) and text[value_col] in " \t":
            value_col += 1
        prop = _PROPERTY.match(text, value_col)
        if prop is not None and text[value_col] == "&":
            value_col = prop.end()
        line.value_col = value_col
        line.value_end = max(value_col, _strip_comment(text, value_col))
    return line


def _match_key(text: str, col: int) -> tuple[int, int] | None:
    """(end of the key, end of its colon) for a key at ``col``; None when the line holds none there."""
    quoted = _QUOTED_KEY.match(text, col)
    if quoted is not None:
        return quoted.end(1), quoted.end()
    if _PLAIN_KEY_START.match(text, col) is None:
        return None
    colon = _MAPPING_COLON.search(text, col + 1)
    if colon is None or "#" in text[col + 1 : colon.start()]:
        return None
    end = colon.start()
    while end > col + 1 and text[end - 1] in " \t":
        end -= 1
    return end, colon.end()


def _key_text(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


class _Stack:
    def __init__(self) -> None:
        self.frames: list[Frame] = []

    def enter(self, col: int, kind: str) -> Frame:
        """The frame for an entry (``kind`` object: a key; array: a ``-`` item) at column ``col``."""
        frames = self.frames
        while frames and frames[-1].col > col:
            frames.pop()
        top = frames[-1] if frames else None
        if top is not None and top.col == col:
            if top.kind == kind:
                return top
            if top.kind == "array":  # a key at the column of a sequence: the sequence has ended
                frames.pop()
                top = frames[-1] if frames else None
                if top is not None and top.col == col and top.kind == "object":
                    return top
            else:  # `key:\n- item`: a sequence may sit at its parent key's column
                return self.push(col, "array", top)
        return self.push(col, kind, top)

    def push(self, col: int, kind: str, parent: Frame | None) -> Frame:
        path: tuple[PathPart, ...] = ()
        if parent is not None:
            part: PathPart = parent.pending or "?" if parent.kind == "object" else parent.count - 1
            path = (*parent.path, part)
        frame = Frame("array" if kind == "array" else "object", path, col)
        self.frames.append(frame)
        return frame


def scan_yaml(text: str, offset: int) -> Context | None:
    first = re.search(r"^[ \t]*[^\s#]", text, re.MULTILINE)
    if first is not None and text[first.end() - 1] in "{[":
        opening = first.end() - 1
        quoted = text[opening + 1 :].lstrip().startswith('"')
        return scan_json(text, offset, opening, "json" if quoted else "flow")
    stack = _Stack()
    ctx: Context | None = None
    block_col: int | None = None  # inside a block scalar that started at this column
    flow: tuple[int, int, list[Frame], tuple[PathPart, ...]] | None = None  # start, depth, frames, path
    pos = 0
    for raw in text.split("\n"):
        start, pos = pos, pos + len(raw) + 1
        body = raw[:-1] if raw.endswith("\r") else raw
        on_cursor = start <= offset <= start + len(body)
        if flow is not None:
            depth = flow[1] + _balance(body)
            if on_cursor:
                return scan_json(text, offset, flow[0], "flow", flow[2], flow[3])
            flow = None if depth <= 0 else (flow[0], depth, flow[2], flow[3])
            continue
        stripped = body.strip()
        if block_col is not None:
            if not stripped or len(body) - len(body.lstrip(" ")) > block_col:
                if on_cursor:
                    return None
                continue
            block_col = None
        if on_cursor:
            ctx = _at_cursor(text, offset, stack, _parse_line(start, body))
            if ctx is None or ctx.frames is not stack.frames:
                return ctx
            ctx.frames = list(stack.frames)
            continue
        if not stripped or stripped.startswith("#") or stripped in ("---", "...") or stripped[0] == "%":
            continue
        line = _parse_line(start, body)
        for m in line.markers:
            stack.enter(m, "array").count += 1
        if line.key is None:
            continue
        frame = stack.enter(line.col, "object")
        frame.keys.append(line.key)
        value = line.value
        frame.pending = None if value else line.key
        if not value:
            continue
        if _BLOCK_SCALAR.match(value):
            block_col = line.col
        elif value[0] in "{[":
            depth = _balance(body[line.value_col :])
            if depth > 0:
                flow = (start + line.value_col, depth, list(stack.frames), (*frame.path, line.key))
        else:
            frame.scalars[line.key] = _scalar(value)
    return ctx


def _balance(text: str) -> int:
    text = re.sub(r""""(?:[^"\\]|\\.)*"|'(?:[^']|'')*'""", "", text)
    return text.count("{") + text.count("[") - text.count("}") - text.count("]")


def _scalar(value: object) -> object:
    text = str(value)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return yaml_plain_scalar(text)


def _at_cursor(text: str, offset: int, stack: _Stack, line: _Line) -> Context | None:
    """The context on the cursor's line. Returns a Context whose ``frames`` is ``stack.frames`` when the
    scan must go on (to learn the keys below the cursor), or a finished Context from the flow scanner."""
    c = offset - line.start
    body = line.text
    if not body.strip():
        frame = stack.enter(c, "object")
        frame.pending = None
        return Context("key", "yaml", stack.frames, offset, offset, indent=c)
    if c < line.indent or _comment_at(body, line.indent) < c or body.strip() in ("---", "..."):
        return None
    for m in line.markers:
        if m >= c:
            return None
        stack.enter(m, "array").count += 1
    if c < line.col and body[line.col :].strip():
        return None  # between a "- " marker and the entry's text
    if line.key is None:
        end = max(line.col, line.content_end)
        start = line.start + min(line.col, c)
        ctx = Context("key", "yaml", stack.frames, start, line.start + max(end, c), indent=line.col)
        ctx.typed = text[start:offset]
        if line.markers:
            ctx.mode, ctx.key = "item", stack.frames[-1].count - 1
            ctx.prefix = " " if body[c - 1 : c] == "-" else ""
            return ctx
        stack.enter(line.col, "object").pending = None
        return ctx
    frame = stack.enter(line.col, "object")
    if c <= line.key_end:
        frame.pending = line.key
        ctx = Context("key", "yaml", stack.frames, line.start + line.col, line.start + line.key_end)
        ctx.typed, ctx.colon_after, ctx.indent = body[line.col : c], True, line.col
        return ctx
    if c < line.colon:
        return None
    frame.keys.append(line.key)
    frame.pending = line.key
    value = line.value
    if value and value[0] in "{[" and c > line.value_col:
        outer = list(stack.frames)
        return scan_json(text, offset, line.start + line.value_col, "flow", outer, (*frame.path, line.key))
    if _BLOCK_SCALAR.match(value) and c >= line.value_col:
        return None
    if value and c >= line.value_col:
        start, end = line.start + line.value_col, line.start + max(line.value_end, c)
    else:
        start = end = offset
    ctx = Context("value", "yaml", stack.frames, start, end, key=line.key, indent=line.col)
    if value and c >= line.value_col and value[0] in "\"'":
        ctx.quote, ctx.closed = value[0], len(value) >= 2 and value[-1] == value[0]
    ctx.typed = text[ctx.content_start : offset] if offset >= ctx.content_start else ""
    ctx.prefix = " " if c == line.colon and body[c - 1 : c] == ":" else ""
    return ctx

"""Cursor context in JSON (and in YAML flow collections ``{a: 1, b: [x]}``) from a tolerant token scan.

The scan keeps a stack of open objects and lists with what each expects next (a key, a colon, a value or a
comma), so it still knows where the cursor is when the document around it does not parse: a key half typed
(``"ent``), a value still missing after ``"key":``, a missing comma before the next member.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from amldeploy.language.complete.types import Context, Frame, Style
from amldeploy.language.parse.documents import yaml_plain_scalar
from amldeploy.language.parse.nodes import PathPart

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>//[^\n]*|/\*(?:.|\n)*?(?:\*/|\Z))
    |(?P<punct>[{}\[\]:,])
    |(?P<string>"(?:[^"\\\n]|\\[^\n])*(?P<dq>")?|'(?:[^'\n]|'')*(?P<sq>')?)
    |(?P<word>[^\s{}\[\]:,"']+)
    |(?P<other>.)""",
    re.VERBOSE,
)


@dataclass(slots=True)
class _Token:
    kind: Literal["punct", "string", "word", "comment"]
    start: int
    end: int
    text: str
    closed: bool = False

    def scalar(self, style: Style) -> Any:
        if self.kind == "string":
            return _unquote(self.text, self.closed)
        if style == "json":
            try:
                return json.loads(self.text)
            except ValueError:
                return self.text
        return yaml_plain_scalar(self.text)


def _unquote(raw: str, closed: bool) -> str:
    body = raw[1:-1] if closed else raw[1:]
    if raw.startswith("'"):
        return body.replace("''", "'")
    if "\\" in body:
        try:
            value = json.loads(f'"{body}"')
            return value if isinstance(value, str) else body
        except ValueError:
            return body
    return body


def _tokens(text: str, start: int) -> list[_Token]:
    out: list[_Token] = []
    for m in _TOKEN.finditer(text, start):
        group = m.lastgroup
        if group == "ws" or group is None:
            continue
        if group in ("dq", "sq"):
            group = "string"
        if group == "string":
            raw = m.group("string")
            closed = len(raw) >= 2 and (m.group("dq") is not None or m.group("sq") is not None)
            out.append(_Token("string", m.start(), m.end(), raw, closed))
        elif group == "other":
            out.append(_Token("word", m.start(), m.end(), m.group()))
        else:
            out.append(_Token(group, m.start(), m.end(), m.group()))  # type: ignore[arg-type]
    return out


@dataclass(slots=True, eq=False)
class _State:
    frame: Frame
    expect: Literal["key", "colon", "value", "comma"]
    last_string: str | None = None  # a value that may turn out to be the next key (missing comma)


def scan_json(
    text: str,
    offset: int,
    start: int = 0,
    style: Style = "json",
    outer: list[Frame] | None = None,
    base_path: tuple[PathPart, ...] = (),
) -> Context | None:
    """The context at ``offset``. ``start`` is where the scan begins: the document, or the ``{`` of a YAML
    flow collection at ``base_path`` inside the block frames ``outer``."""
    tokens = _tokens(text, start)
    base = outer or []
    stack: list[_State] = []
    ctx: Context | None = None
    started = False
    at_cursor = next((t for t in tokens if t.start < offset <= t.end and t.kind in ("string", "word", "comment")), None)
    if at_cursor is not None and at_cursor.kind == "comment":
        if at_cursor.text.startswith("//") or at_cursor.end != offset or not at_cursor.text.endswith("*/"):
            return None  # inside a comment (a line comment runs to the end of its line)
        at_cursor = None
    for i, tok in enumerate(tokens):
        if tok.kind == "comment":
            continue
        if ctx is None and (tok is at_cursor or tok.start >= offset):
            if not stack:
                return None
            ctx = _context(text, offset, stack, tokens, i, tok if tok is at_cursor else None, style, base)
            if ctx is None:
                return None
            if tok is at_cursor and ctx.mode == "key":
                _consume_cursor_key(stack[-1], tok, style)
                continue
        if not _step(stack, tok, style, base_path, started):
            break
        started = True
    if ctx is None and stack:
        ctx = _context(text, offset, stack, tokens, len(tokens), None, style, base)
    return ctx


def _consume_cursor_key(state: _State, tok: _Token, style: Style) -> None:
    """The key being typed is not 'already present'; its value (if any) still belongs to it."""
    state.frame.pending = str(tok.scalar(style))
    state.expect = "colon"


def _step(stack: list[_State], tok: _Token, style: Style, base_path: tuple[PathPart, ...], started: bool) -> bool:
    """Feed one token; False once the outermost collection has closed."""
    if not stack:
        if started:
            return False
        if tok.text not in ("{", "["):
            return True
        stack.append(_State(Frame("object" if tok.text == "{" else "array", base_path), _first(tok.text)))
        return True
    state = stack[-1]
    frame = state.frame
    if tok.kind == "punct":
        t = tok.text
        if t in "{[":
            part: PathPart
            if frame.kind == "array":
                part = frame.count
                frame.count += 1
            else:
                part = frame.pending if frame.pending is not None else "?"
            state.expect = "comma"
            kind: Literal["object", "array"] = "object" if t == "{" else "array"
            stack.append(_State(Frame(kind, (*frame.path, part)), _first(t)))
        elif t in "}]":
            want = "object" if t == "}" else "array"
            while stack:
                popped = stack.pop()
                if popped.frame.kind == want:
                    break
            if stack:
                stack[-1].expect = "comma"
            return bool(stack)
        elif t == ":":
            if state.expect == "colon":
                state.expect = "value"
            elif frame.kind == "object" and state.expect == "comma" and state.last_string is not None:
                # `"a": \n "b": 1` — what looked like a's value is the next key.
                frame.scalars.pop(frame.pending or "", None)
                frame.pending = state.last_string
                frame.keys.append(state.last_string)
                state.expect = "value"
        elif t == ",":
            state.expect = "key" if frame.kind == "object" else "value"
        state.last_string = None
        return True
    value = tok.scalar(style)
    if frame.kind == "array":
        frame.count += 1
        state.expect = "comma"
    elif state.expect in ("key", "comma") or (state.expect == "colon" and tok.kind == "string"):
        frame.pending = str(value)
        frame.keys.append(str(value))
        state.expect = "colon"
    elif state.expect == "value":
        if frame.pending is not None:
            frame.scalars[frame.pending] = value
        state.expect = "comma"
        state.last_string = str(value) if tok.kind == "string" else None
    return True


def _first(opening: str) -> Literal["key", "value"]:
    return "key" if opening == "{" else "value"


def _context(
    text: str,
    offset: int,
    stack: list[_State],
    tokens: list[_Token],
    index: int,
    tok: _Token | None,
    style: Style,
    outer: list[Frame],
) -> Context | None:
    state = stack[-1]
    frame = state.frame
    start, end = (tok.start, tok.end) if tok is not None else (offset, offset)
    after = index + 1 if tok is not None else index
    following = next((t for t in tokens[after:] if t.kind != "comment"), None)
    frames = [*outer, *(s.frame for s in stack)]
    quote = tok.text[0] if tok is not None and tok.kind == "string" else ""
    ctx = Context("key", style, frames, start, end, quote=quote, closed=bool(tok and tok.closed), typed="")
    ctx.typed = text[ctx.content_start : offset] if offset >= ctx.content_start else ""
    next_text = following.text if following is not None else ""
    ctx.separator = "" if following is None or next_text in ("}", "]", ",", ":") else ","
    if frame.kind == "array":
        ctx.mode, ctx.key = "value", frame.count
        return ctx
    expect = state.expect
    if expect == "colon" and tok is not None and tok.kind == "string":
        expect = "key"  # the previous key got no colon: the user moved on to a new key
    if expect in ("key", "comma"):
        ctx.mode = "key"
        ctx.colon_after = next_text == ":"
        if ctx.colon_after:
            ctx.separator = ""
        return ctx
    if expect == "value" and frame.pending is not None:
        ctx.mode, ctx.key = "value", frame.pending
        return ctx
    return None

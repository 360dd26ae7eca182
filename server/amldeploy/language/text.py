"""Offsets ⇄ LSP positions, in the position encoding the client negotiated.

Everything inside the language core speaks in *offsets*: indexes into the Python ``str`` of the document
(code points). LSP positions count code units of one encoding per line (UTF-16 unless the client negotiated
UTF-8 or UTF-32); the conversion happens only at the edge, through :class:`TextIndex`. Lines end at ``\\n``,
``\\r\\n`` or ``\\r`` as in the LSP specification (not at the other breaks ``str.splitlines`` knows).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SURROGATE = re.compile("[\ud800-\udfff]")

Encoding = Literal["utf-8", "utf-16", "utf-32"]
ENCODINGS: tuple[Encoding, ...] = ("utf-8", "utf-16", "utf-32")
DEFAULT_ENCODING: Encoding = "utf-16"


def encoding_named(name: object) -> Encoding:
    """The encoding called ``name`` (LSP's ``PositionEncodingKind`` values); anything else is LSP's default."""
    for encoding in ENCODINGS:
        if name == encoding:
            return encoding
    return DEFAULT_ENCODING


@dataclass(frozen=True, slots=True)
class Position:
    """A 0-based LSP position: ``character`` counts code units of the index's encoding."""

    line: int
    character: int

    def to_json(self) -> dict[str, int]:
        return {"line": self.line, "character": self.character}


@dataclass(frozen=True, slots=True)
class Range:
    start: Position
    end: Position

    def to_json(self) -> dict[str, dict[str, int]]:
        return {"start": self.start.to_json(), "end": self.end.to_json()}


def units(s: str, encoding: Encoding = DEFAULT_ENCODING) -> int:
    """Length of ``s`` in code units of ``encoding``.

    A lone surrogate (a Python ``str`` can hold one) counts as the unit(s) it would take if it were encoded on
    its own, never as an error: 1 in UTF-16, 3 in UTF-8, as :func:`_char_units` counts it."""
    if encoding == "utf-32" or s.isascii():
        return len(s)
    if encoding == "utf-8":
        return len(s.encode("utf-8", "surrogatepass"))
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def _char_units(code_point: int, encoding: Encoding) -> int:
    if encoding == "utf-16":
        return 2 if code_point > 0xFFFF else 1
    if encoding == "utf-8":
        return 1 if code_point < 0x80 else 2 if code_point < 0x800 else 3 if code_point < 0x10000 else 4
    return 1


def _code_points_before(content: str, character: int, encoding: Encoding) -> int:
    """How many code points of one line's ``content`` lie before its unit ``character``: all of them past the
    end (LSP's rule), and a unit inside a code point (half of a surrogate pair, the middle of a UTF-8 sequence)
    counts from that code point's start, so a position never moves past text the client did not point beyond."""
    character = max(character, 0)
    if encoding == "utf-32" or content.isascii():
        return min(character, len(content))
    if _SURROGATE.search(content) is not None:
        # Lone surrogates: UTF-16 decoding would pair them up, so count code point by code point.
        count = 0
        for i, ch in enumerate(content):
            count += _char_units(ord(ch), encoding)
            if count > character:
                return i
        return len(content)
    # Encoding and decoding run in C: a long minified line stays fast.
    if encoding == "utf-8":
        data = content.encode("utf-8")
        if character >= len(data):
            return len(content)
        while character > 0 and data[character] & 0xC0 == 0x80:  # a continuation byte
            character -= 1
        return len(data[:character].decode("utf-8"))
    data = content.encode("utf-16-le")
    at = 2 * character
    if at >= len(data):
        return len(content)
    if 0xDC <= data[at + 1] <= 0xDF:  # the second half of a surrogate pair
        at -= 2
    return len(data[:at].decode("utf-16-le"))


def offset_at(text: str, position: Position, encoding: Encoding = DEFAULT_ENCODING) -> int:
    """``TextIndex(text, encoding).offset(position)`` without the line table: for one conversion in a text about
    to change (an incremental edit), where building the table would cost more than finding one line."""
    if "\r" in text:
        return TextIndex(text, encoding).offset(position)
    line = max(position.line, 0)
    if line > len(text):  # more lines than the text could hold (and beyond what a regex repetition can count)
        return len(text)
    # Skipping ``line`` lines in the regex engine is several times faster than splitting the text into lines.
    skipped = re.match("(?:[^\n]*\n){" + str(line) + "}", text)
    if skipped is None:
        return len(text)
    start = skipped.end()
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return start + _code_points_before(text[start:end], position.character, encoding)


class TextIndex:
    """Line table of one text; converts between offsets, LSP positions (in ``encoding``) and UTF-8 columns."""

    __slots__ = ("_ascii", "_encoding", "_line_starts", "_text")

    def __init__(self, text: str, encoding: Encoding = DEFAULT_ENCODING) -> None:
        self._text = text
        self._encoding = encoding
        # Every unit is one code point in an ASCII text (or in UTF-32): columns are plain subtractions.
        self._ascii = encoding == "utf-32" or text.isascii()
        starts = [0]
        starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
        self._line_starts = starts

    @property
    def encoding(self) -> Encoding:
        return self._encoding

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_start(self, line: int) -> int:
        return self._line_starts[min(max(line, 0), len(self._line_starts) - 1)]

    def line_end(self, line: int) -> int:
        """Offset of the end of ``line``'s content (before its line break)."""
        line = min(max(line, 0), len(self._line_starts) - 1)
        end = self._line_starts[line + 1] if line + 1 < len(self._line_starts) else len(self._text)
        while end > self._line_starts[line] and self._text[end - 1] in "\r\n":
            end -= 1
        return end

    def line_of(self, offset: int) -> int:
        offset = min(max(offset, 0), len(self._text))
        return bisect.bisect_right(self._line_starts, offset) - 1

    def position(self, offset: int) -> Position:
        offset = min(max(offset, 0), len(self._text))
        line = self.line_of(offset)
        start = self._line_starts[line]
        if self._ascii:
            return Position(line, offset - start)
        return Position(line, units(self._text[start:offset], self._encoding))

    def range(self, start: int, end: int) -> Range:
        return Range(self.position(start), self.position(max(start, end)))

    def offset(self, position: Position) -> int:
        """Offset of an LSP position; a line past the end is the end of the text, a character past the line's end
        is the line's end, a character inside a code point is that code point's start."""
        if position.line >= len(self._line_starts):
            return len(self._text)
        line = max(position.line, 0)
        start = self._line_starts[line]
        if self._ascii:
            return min(start + max(position.character, 0), self.line_end(line))
        content = self._text[start : self.line_end(line)]
        return start + _code_points_before(content, position.character, self._encoding)

    def offset_from_utf8(self, line: int, utf8_column: int) -> int:
        """Offset of a (0-based line, UTF-8 byte column) pair, as Python's ``ast`` reports columns."""
        start = self.line_start(line)
        content = self._text[start : self.line_end(line)]
        if content.isascii():
            return start + min(utf8_column, len(content))
        prefix = content.encode("utf-8")[:utf8_column]
        return start + len(prefix.decode("utf-8", errors="ignore"))

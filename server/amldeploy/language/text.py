"""Offsets ⇄ LSP positions.

Everything inside the language core speaks in *offsets*: indexes into the Python ``str`` of the document
(code points). LSP positions count UTF-16 code units per line; the conversion happens only at the edge,
through :class:`TextIndex`. Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` as in the LSP specification.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Position:
    """A 0-based LSP position: ``character`` counts UTF-16 code units."""

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


def _utf16_len(s: str) -> int:
    # Code points above the BMP take two UTF-16 units (a surrogate pair).
    if s.isascii():
        return len(s)
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


class TextIndex:
    """Line table of one text; converts between offsets, LSP positions and UTF-8 columns."""

    __slots__ = ("_line_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        starts = [0]
        starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
        self._line_starts = starts

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
        return Position(line, _utf16_len(self._text[self._line_starts[line] : offset]))

    def range(self, start: int, end: int) -> Range:
        return Range(self.position(start), self.position(max(start, end)))

    def offset(self, position: Position) -> int:
        """Offset of an LSP position; a character past the line's end clamps to the end."""
        if position.line >= len(self._line_starts):
            return len(self._text)
        start = self._line_starts[max(position.line, 0)]
        end = self.line_end(position.line)
        units = 0
        for i in range(start, end):
            if units >= position.character:
                return i
            units += 2 if ord(self._text[i]) > 0xFFFF else 1
        return end

    def offset_from_utf8(self, line: int, utf8_column: int) -> int:
        """Offset of a (0-based line, UTF-8 byte column) pair, as Python's ``ast`` reports columns."""
        start = self.line_start(line)
        content = self._text[start : self.line_end(line)]
        if content.isascii():
            return start + min(utf8_column, len(content))
        prefix = content.encode("utf-8")[:utf8_column]
        return start + len(prefix.decode("utf-8", errors="ignore"))

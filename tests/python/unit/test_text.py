"""Offsets ⇄ LSP positions: UTF-16 columns, line breaks."""

from __future__ import annotations

import pytest

from amldeploy.language.text import Position, TextIndex


def test_ascii_positions() -> None:
    index = TextIndex('{\n  "a": 1\n}')
    assert index.position(0) == Position(0, 0)
    assert index.position(4) == Position(1, 2)
    assert index.position(11) == Position(2, 0)


def test_emoji_counts_two_utf16_units() -> None:
    text = '{"name": "🙂", "port": "x"}'
    index = TextIndex(text)
    port = text.index('"port"')
    # 🙂 is one code point in Python but two UTF-16 code units in LSP.
    assert index.position(port) == Position(0, port + 1)
    assert index.offset(Position(0, port + 1)) == port


def test_bmp_non_ascii_counts_one_unit() -> None:
    text = 'é: "ü"\nx'
    index = TextIndex(text)
    assert index.position(5) == Position(0, 5)
    assert index.position(7) == Position(1, 0)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_breaks(newline: str) -> None:
    text = f"a{newline}bc{newline}d"
    index = TextIndex(text)
    assert index.line_count == 3
    assert index.position(text.index("c")) == Position(1, 1)
    assert index.position(len(text)) == Position(2, 1)
    assert index.line_end(0) == 1


def test_offset_clamps_past_line_end() -> None:
    index = TextIndex("ab\ncd")
    assert index.offset(Position(0, 99)) == 2
    assert index.offset(Position(9, 0)) == 5


def test_utf8_column_to_offset() -> None:
    text = "x = '🙂'; y = 1"
    index = TextIndex(text)
    byte_col = len("x = '🙂'; ".encode())
    assert index.offset_from_utf8(0, byte_col) == text.index("y")

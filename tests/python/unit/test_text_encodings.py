"""``TextIndex`` in each position encoding a client can negotiate: UTF-8, UTF-16 and UTF-32 columns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amldeploy.language.text import ENCODINGS, Encoding, Position, TextIndex, encoding_named, offset_at

# 🙂 is astral (4 UTF-8 bytes, 2 UTF-16 units), 名 is CJK (3 bytes, 1 unit), "e\u0301" is an e and a combining
# acute accent (two code points: 1 + 2 bytes, 2 units).
LINE = 'port: "🙂🙂"  # 名前 e\u0301 tail'
UNIT_WIDTHS: dict[Encoding, dict[str, int]] = {
    "utf-8": {"🙂": 4, "名": 3, "前": 3, "\u0301": 2},
    "utf-16": {"🙂": 2},
    "utf-32": {},
}


def expected_units(prefix: str, encoding: Encoding) -> int:
    # Independent of the code under test: the length of the prefix encoded in full (a lone surrogate encoded alone).
    size = {"utf-8": 1, "utf-16": 2, "utf-32": 4}[encoding]
    codec = {"utf-8": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}[encoding]
    return len(prefix.encode(codec, "surrogatepass")) // size


@pytest.mark.parametrize(("encoding", "start", "end"), [("utf-8", 6, 16), ("utf-16", 6, 12), ("utf-32", 6, 10)])
def test_a_value_after_two_emoji(encoding: Encoding, start: int, end: int) -> None:
    text = 'computeType: local\nport: "🙂🙂"\n'
    index = TextIndex(text, encoding)
    value = text.index('"🙂🙂"')
    r = index.range(value, value + 4)
    assert (r.start, r.end) == (Position(1, start), Position(1, end))
    assert index.offset(Position(1, end)) == value + 4


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_columns_after_emoji_cjk_and_combining_characters(encoding: Encoding) -> None:
    text = "first\n" + LINE + "\nlast"
    index = TextIndex(text, encoding)
    tail = text.index("tail")
    column = expected_units(LINE[: LINE.index("tail")], encoding)
    assert column == LINE.index("tail") + sum(
        (UNIT_WIDTHS[encoding].get(ch, 1) - 1) for ch in LINE[: LINE.index("tail")]
    )
    assert index.position(tail) == Position(1, column)
    assert index.offset(Position(1, column)) == tail
    assert index.position(len(text)) == Position(2, 4)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_offset_round_trips(encoding: Encoding) -> None:
    text = "名前: x\r\n" + LINE + "\r🙂\n\n" + "e\u0301\u0301🙂名"
    index = TextIndex(text, encoding)
    for offset in range(len(text) + 1):
        if text[offset - 1 : offset + 1] == "\r\n":  # between \r and \n: no LSP position names it
            continue
        position = index.position(offset)
        line_start = index.line_start(position.line)
        assert position.character == expected_units(text[line_start:offset], encoding)
        assert index.offset(position) == offset


@pytest.mark.parametrize(
    ("encoding", "inside"),
    [("utf-16", [1]), ("utf-8", [1, 2, 3])],
)
def test_a_position_inside_an_emoji_is_its_start(encoding: Encoding, inside: list[int]) -> None:
    index = TextIndex('x: "🙂"', encoding)
    emoji = 4
    for units_in in inside:
        assert index.offset(Position(0, emoji + units_in)) == emoji
    assert index.offset(Position(0, emoji + inside[-1] + 1)) == emoji + 1


def test_a_position_inside_a_utf8_cjk_sequence_is_its_start() -> None:
    index = TextIndex("名前x", "utf-8")
    assert [index.offset(Position(0, c)) for c in range(9)] == [0, 0, 0, 1, 1, 1, 2, 3, 3]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_positions_past_the_end_clamp(encoding: Encoding) -> None:
    text = "🙂名\nab🙂"
    index = TextIndex(text, encoding)
    assert index.offset(Position(0, 99)) == 2
    assert index.offset(Position(1, 99)) == len(text)
    assert index.offset(Position(7, 0)) == len(text)
    assert index.offset(Position(0, -3)) == 0


@pytest.mark.parametrize(("encoding", "column"), [("utf-8", 4), ("utf-16", 2), ("utf-32", 2)])
def test_a_lone_surrogate_counts_as_encoded_alone(encoding: Encoding, column: int) -> None:
    text = "a\ud800b"
    index = TextIndex(text, encoding)
    assert index.position(2) == Position(0, column)
    assert index.offset(Position(0, column)) == 2


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_two_lone_surrogates_stay_two_code_points(encoding: Encoding) -> None:
    # Together they spell 🙂 in UTF-16, but the str holds them as two code points: each is its own column.
    text = "a\ud83d\ude42b"
    index = TextIndex(text, encoding)
    for offset in range(len(text) + 1):
        assert index.offset(index.position(offset)) == offset


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_long_minified_line(encoding: Encoding) -> None:
    text = "{" + "".join(f'"k{i}": "é 名 🙂 {i}", ' for i in range(2000)) + '"end": 1}'
    index = TextIndex(text, encoding)
    end = text.index('"end"')
    position = index.position(end)
    assert position == Position(0, expected_units(text[:end], encoding))
    assert index.offset(position) == end
    assert index.offset(Position(0, position.character - 1)) == end - 1


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_only_lsp_line_breaks_end_lines(encoding: Encoding) -> None:
    # U+2028, U+0085 and form feed end lines for str.splitlines, never for LSP.
    text = "a\u2028b\x85c\x0cd\ne"
    index = TextIndex(text, encoding)
    assert index.line_count == 2
    assert index.position(text.index("d")) == Position(0, expected_units(text[: text.index("d")], encoding))
    assert index.position(text.index("e")) == Position(1, 0)


def test_encoding_names() -> None:
    assert [encoding_named(n) for n in ("utf-8", "utf-32", "utf-16")] == ["utf-8", "utf-32", "utf-16"]
    assert encoding_named(None) == "utf-16"
    assert encoding_named("latin-1") == "utf-16"


TEXTS = st.lists(
    st.sampled_from(
        ["a", " ", "\n", "\r", "\r\n", "🙂", "名", "e\u0301", "\u0301", "é", "\u2028", "𝄞", "\x00", "\ud83d", "\ude42"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, encoding=st.sampled_from(ENCODINGS))
def test_positions_agree_with_the_encoded_length_of_the_line(text: str, encoding: Encoding) -> None:
    index = TextIndex(text, encoding)
    previous = Position(0, 0)
    for offset in range(len(text) + 1):
        if text[offset - 1 : offset + 1] == "\r\n":
            continue
        position = index.position(offset)
        assert position.character == expected_units(text[index.line_start(position.line) : offset], encoding)
        assert (position.line, position.character) >= (previous.line, previous.character)
        assert index.offset(position) == offset
        previous = position


@settings(max_examples=300, deadline=None)
@given(
    text=TEXTS | TEXTS.map(lambda t: t.replace("\r", "")),  # without \r, the conversion skips lines with a regex
    encoding=st.sampled_from(ENCODINGS),
    line=st.integers(-1, 12) | st.just(10**12),
    character=st.integers(-1, 30) | st.just(10**12),
)
def test_one_conversion_without_the_line_table_agrees(text: str, encoding: Encoding, line: int, character: int) -> None:
    position = Position(line, character)
    assert offset_at(text, position, encoding) == TextIndex(text, encoding).offset(position)

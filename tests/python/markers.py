"""Readable range notation for tests.

A fixture text marks expected ranges with ``«`` and ``»`` and the cursor with ``|``::

    text, spans = marked('{"port": «"8890"»}')
    assert spans == [(9, 15)]

``spans`` are offsets into the clean text (markers removed), in the order the ranges open.
"""

from __future__ import annotations

OPEN, CLOSE = "«", "»"


def marked(text: str) -> tuple[str, list[tuple[int, int]]]:
    out: list[str] = []
    stack: list[int] = []
    spans: list[tuple[int, int, int]] = []
    pos = 0
    for ch in text:
        if ch == OPEN:
            stack.append(pos)
            spans.append((pos, -1, len(spans)))
        elif ch == CLOSE:
            start = stack.pop()
            idx = max(i for i, s in enumerate(spans) if s[0] == start and s[1] == -1)
            spans[idx] = (start, pos, spans[idx][2])
        else:
            out.append(ch)
            pos += 1
    if stack:
        raise ValueError("unbalanced « » markers")
    return "".join(out), [(s, e) for s, e, _ in spans]


def show(text: str, start: int, end: int) -> str:
    """The text with one range marked, for assertion messages: ``show(t, 3, 5) == 'abc«de»f'``."""
    return text[:start] + OPEN + text[start:end] + CLOSE + text[end:]

"""Long YAML documents are parsed in pieces of at most :data:`PIECE_LINES` lines.

tree-sitter-yaml keeps line numbers in 16 bits: a block mapping whose keys run past line 32 767 does not parse
at all. Above that size the text is cut before a ``key:`` line (the next one after every ``PIECE_LINES``
lines), each piece is parsed on its own, and the mapping each piece starts with is joined to the mapping of
the same column that was open where the piece begins. A piece that starts indented ends where the text goes
back to a smaller indentation. When a piece does not fit (the cut fell inside a block
scalar, a flow collection or a list), the caller parses the whole text at once instead.
"""

from __future__ import annotations

import re

from amldeploy.language.parse.nodes import Node

PIECE_LINES = 30_000
# Runs of this many comment lines at column 0 are taken out of what the parser sees (their lines, whole): the
# parser spends more on a comment than on anything else, and no value can hold a line starting at column 0
# with `#` in a block. (A quoted string a hundred such lines long is the one thing this would misread.)
COMMENT_RUN = 100
_COMMENT_RUN = re.compile(rf"(?:^#[^\n]*\n){{{COMMENT_RUN},}}", re.MULTILINE)
# A line that holds a plain ``key:`` (no list dash, quote, comment, flow bracket or block indicator first).
_KEY_LINE = re.compile(r"^( *)[A-Za-z0-9_$.(/][^\n:#]*:(?=[ \t\r\n]|$)", re.MULTILINE)


def squeeze_comments(text: str) -> tuple[str, tuple[list[int], list[int]]]:
    """``text`` without its long runs of comment lines, and where they were (see :class:`builder.Offsets`)."""
    at: list[int] = []
    total: list[int] = []
    kept: list[str] = []
    last = removed = 0
    for run in _COMMENT_RUN.finditer(text):
        kept.append(text[last : run.start()])
        at.append(run.start() - removed)
        removed += run.end() - run.start()
        total.append(removed)
        last = run.end()
    if not at:
        return text, (at, total)
    kept.append(text[last:])
    return "".join(kept), (at, total)


def piece_starts(text: str) -> list[int]:
    """Offsets where the pieces of ``text`` start (``[0]`` when it is short enough to parse at once).

    A piece that starts indented ends where the text goes back left of it (a piece holds one mapping's keys).
    """
    starts = [0]
    if text.count("\n") <= PIECE_LINES:
        return starts
    newlines = [m.end() for m in re.finditer("\n", text)]
    begin, column = 0, 0
    while True:
        last_line = _line_at(newlines, begin) + PIECE_LINES
        limit = newlines[last_line - 1] if last_line <= len(newlines) else len(text)
        if column > 0:
            dedent = re.compile(rf"^ {{0,{column - 1}}}[^ \r\n#]", re.MULTILINE).search(text, begin + 1, limit)
            if dedent is not None:
                begin = dedent.start()
                column = len(dedent.group()) - 1
                starts.append(begin)
                continue
        if limit >= len(text):
            return starts
        found = _KEY_LINE.search(text, limit)
        if found is None:
            return starts
        begin, column = found.start(), len(found.group(1))
        starts.append(begin)


def _line_at(newlines: list[int], offset: int) -> int:
    low, high = 0, len(newlines)
    while low < high:
        mid = (low + high) // 2
        if newlines[mid] <= offset:
            low = mid + 1
        else:
            high = mid
    return low


def join_piece(text: str, root: Node, piece: Node) -> bool:
    """Append the members of ``piece`` (a mapping) to the mapping of their column open at the end of ``root``."""
    if root.kind != "object" or piece.kind != "object" or not piece.members:
        return False
    column = _column(text, piece.members[0].key_start)
    node: Node | None = root
    while node is not None and node.kind == "object" and node.members:
        if _column(text, node.members[0].key_start) == column:
            break
        last = node.members[-1].value
        node = last if last is not None and last.kind == "object" and last.start < piece.start else None
    if node is None or node.kind != "object" or not node.members:
        return False
    if _column(text, node.members[0].key_start) != column:
        return False
    for member in piece.members:
        member.parent = node
        if member.value is not None:
            member.value.parent = node
        node.members.append(member)
    target: Node | None = node
    while target is not None:
        target.end = max(target.end, piece.end)
        target = target.parent
    return True


def _column(text: str, offset: int) -> int:
    return offset - (text.rfind("\n", 0, offset) + 1)

"""Compiling ``score.py`` for the lint, fast enough to run again on every keystroke.

Compiling a 5 000-line script whole takes longer than the lint may, and a language server lints nearly the
same text after each edit. The script is therefore cut at the lines that start a top-level statement and
each piece is compiled on its own and remembered by its text, so that after an edit only the edited piece
is compiled again. Only the pieces the rules look at (those mentioning ``init``, ``run``, ``import``, …)
become ``ast`` trees; the others only have to compile, which ``symtable`` checks without building a Python
object for every node (the same parser, plus the scope checks that the server's ``import`` would fail on).

A piece that compiles ends in a clean tokenizer state (no open string, bracket or line continuation), so
pieces that all compile make a file that compiles. A cut inside a multi-line string or bracket makes its
piece fail at its end ("unterminated", "never closed", "EOF"); it is merged with the following pieces until
it compiles. Any other failure is the file's first error: the pieces before it are clean statements, so
compiling the file from that piece on reports what compiling the whole file would, and quickly (Python
stops parsing at the error and only tokenizes the rest, for a tokenizer error to report instead). Python
checks a module-level ``global`` against the whole module, so such a file is compiled whole.
"""

from __future__ import annotations

import ast
import gc
import re
import symtable
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

FILENAME = "score.py"

# A top-level statement starts at column 0 with neither a comment, a closing bracket, a string (usually the
# end of a multi-line string) nor a clause that continues the statement before it.
_CUT = re.compile(r"\n(?![\s#)\]}\"']|(?:else|elif|except|finally)\b)")
_LONE_CR = re.compile(r"\r(?!\n)")
# Failures a cut can cause: the piece ends inside a string, a bracket or a line continuation.
_CUT_FAILURES = (("string", re.compile("unterminated")), ("bracket", re.compile("never closed")))
_DEFINITIONS = ("def", "async", "class")
_STATEMENT_ONLY = re.compile(
    r"(?:async[ \t]+def|def|class|import|from|return|pass|raise|del|assert|try|while|with|global|nonlocal"
    r"|break|continue)\b"
)
# Words of the pieces the rules need as trees; the other pieces only have to compile.
_NEEDED_WORDS = ("init", "run", "import", "get_model_path", "externals")
_NEEDED = re.compile(r"\b(?:init|run|import|get_model_path|externals)\b")
_DEF_OR_CLASS = re.compile(r"\b(?:def|class)\b")
_DEF_OR_CLASS_NAME = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)", re.M)


@dataclass(frozen=True, slots=True)
class Piece:
    line0: int
    text: str
    # Top-level statements with line numbers of the whole file; empty when the rules don't need them.
    statements: tuple[ast.stmt, ...]


@dataclass(frozen=True, slots=True)
class Script:
    source: str  # the document without a leading byte order mark
    base: int  # document offset of ``source[0]``
    pieces: tuple[Piece, ...]
    # Names of the module-level functions and classes in the pieces that were not parsed.
    other_definitions: frozenset[str]


@dataclass(frozen=True, slots=True)
class Failure:
    """Why the script does not compile; ``line`` is 1-based, columns are 1-based in characters."""

    reason: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None


K = TypeVar("K")
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A least-recently-used cache bounded by the total length of the texts its entries stand for."""

    __slots__ = ("_budget", "_items", "_lock", "_total")

    def __init__(self, budget: int) -> None:
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._budget = budget
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            self._items.move_to_end(key)
            return entry[0]

    def put(self, key: K, value: V, size: int) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            self._total += size - (old[1] if old else 0)
            self._items[key] = (value, size)
            while self._total > self._budget and len(self._items) > 1:
                self._total -= self._items.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._total = 0


@dataclass(frozen=True, slots=True)
class _Verdict:
    compiles: bool
    skip: str | None = None  # for a piece that compiles: what :func:`_skippable` says
    # For a piece that fails: "string", "bracket" or "end" when the cut may be the cause, else "".
    failure: str = ""


# Keyed by text alone: whether a piece compiles does not depend on where it sits. Budgets in characters of
# script text: trees take some 20 times the memory of their text.
_PIECES: _Lru[str, _Verdict] = _Lru(4_000_000)
_TREES: _Lru[tuple[int, str], tuple[ast.stmt, ...]] = _Lru(1_000_000)


def clear_caches() -> None:
    """Forget every compiled piece (benchmarks measure the first lint of a text this way)."""
    _PIECES.clear()
    _TREES.clear()


def parse_script(text: str) -> Script | Failure:
    base = 1 if text.startswith("\ufeff") else 0
    source = text[base:]
    nul = source.find("\x00")
    if nul >= 0:
        line = source.count("\n", 0, nul)
        column = nul - (source.rfind("\n", 0, nul) + 1)
        return Failure("NUL", line + 1, column + 1, line + 1, column + 2)
    # The parser reports invalid escapes as warnings, which ``-W error`` would turn into exceptions.
    # Compiling allocates many short-lived objects: collecting garbage meanwhile only costs time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _parse(source, base)
    finally:
        if collecting:
            gc.enable()


def _parse(source: str, base: int) -> Script | Failure:
    cuts = _cuts(source)
    pieces: list[Piece] = []
    others: set[str] = set()
    line0 = 0
    i = 0
    while i < len(cuts):
        span = 1
        while True:
            j = min(i + span, len(cuts))
            text = source[cuts[i] : cuts[j] if j < len(cuts) else len(source)]
            verdict = _inspect(text)
            if verdict.compiles:
                break
            if j == len(cuts) or not _may_be_cut(verdict.failure, source, cuts[j]):
                return _first_error(source, base, line0, cuts[i])
            # Doubling keeps the work linear when a string spans many cuts.
            span *= 2
        if verdict.skip is not None and span == 1:
            if verdict.skip:
                others.add(verdict.skip)
            pieces.append(Piece(line0, text, ()))
        else:
            try:
                statements = _tree(line0, text)
            except Exception:
                return _whole_file(source, base, line0)
            if _declares_global(statements):
                # ``global`` at module level is checked against the whole module's assignments.
                return _whole_file(source, base, line0)
            pieces.append(Piece(line0, text, statements))
        line0 += text.count("\n")
        i = j
    return Script(source, base, tuple(pieces), frozenset(others))


def _may_be_cut(failure: str, source: str, next_cut: int) -> bool:
    """Whether a failure may come from cutting too early, so that merging the next piece could help."""
    if failure == "bracket":
        # These never continue an expression: the bracket is really left open.
        return not _STATEMENT_ONLY.match(source, next_cut)
    return bool(failure)


def _cuts(source: str) -> list[int]:
    if "\r" in source and _LONE_CR.search(source):
        # Python counts a lone CR as a line break; keeping such files whole keeps line numbers simple.
        return [0]
    cuts = [0]
    # A decorator belongs to the definition below it: no cut until that definition.
    decorating = source.startswith("@")
    for m in _CUT.finditer(source):
        at = m.end()
        if at >= len(source):
            break
        if decorating:
            decorating = not source.startswith(_DEFINITIONS, at)
            continue
        # Every function and class starts a piece; other statements only one in eight, picked by their text
        # so that the same ones are picked after an edit elsewhere: fewer pieces, at stable places.
        if source.startswith(_DEFINITIONS, at) or source.startswith("@", at) or not hash(source[at : at + 40]) & 7:
            cuts.append(at)
            decorating = source.startswith("@", at)
    return cuts


def _inspect(text: str) -> _Verdict:
    known = _PIECES.get(text)
    if known is None:
        try:
            symtable.symtable(text, FILENAME, "exec")
            known = _Verdict(True, _skippable(text))
        except SyntaxError as e:
            known = _Verdict(False, failure=_cut_failure(e.msg or "", text))
        except Exception:
            known = _Verdict(False)
        _PIECES.put(text, known, len(text))
    return known


def _cut_failure(message: str, text: str) -> str:
    for kind, pattern in _CUT_FAILURES:
        if pattern.search(message):
            return kind
    # A line continuation cut from its line fails at EOF; a decorator cut from its definition fails with a
    # plain "invalid syntax".
    return "end" if "EOF" in message or text.startswith("@") else ""


def _declares_global(statements: tuple[ast.stmt, ...]) -> bool:
    todo: list[ast.AST] = list(statements)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Global):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                todo.extend(getattr(node, name, ()))
    return False


def _skippable(text: str) -> str | None:
    """``None`` when the rules need the piece's tree, else the function or class name it defines (or "")."""
    # ``in`` is much faster than the regex, which only has to confirm whole words.
    if any(w in text for w in _NEEDED_WORDS) and _NEEDED.search(text):
        return None
    if "global" in text:  # a module-level ``global`` is checked against the whole module
        return None
    if not _DEF_OR_CLASS.search(text):
        return ""
    if text.startswith((*_DEFINITIONS, "@")):
        m = _DEF_OR_CLASS_NAME.search(text)
        # The statements after the definition must not define anything either.
        tail = _CUT.search(text, m.end()) if m else None
        if m and not (tail and _DEF_OR_CLASS.search(text, tail.end())):
            return m.group(1)
    return None


def _tree(line0: int, text: str) -> tuple[ast.stmt, ...]:
    key = (line0, text)
    tree = _TREES.get(key)
    if tree is None:
        # Leading newlines give the nodes the line numbers they have in the whole file.
        tree = tuple(ast.parse("\n" * line0 + text, FILENAME).body)
        _TREES.put(key, tree, len(text))
    return tree


def statements_of(piece: Piece) -> tuple[ast.stmt, ...]:
    """The piece's statements, parsing it now if it was skipped (it compiles, so this rarely fails)."""
    if piece.statements or not piece.text.strip():
        return piece.statements
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _tree(piece.line0, piece.text)
    except Exception:
        return ()


def _first_error(source: str, base: int, line0: int, start: int) -> Script | Failure:
    """The file's first error, from the failing piece at ``start`` on.

    The pieces before it are clean statements, so Python reports for the rest of the file (with the lines
    it has in the file) what it reports for the whole file, and that rest is usually short to parse: the
    parser stops at the error and only tokenizes what follows, looking for a tokenizer error to report
    instead.
    """
    try:
        symtable.symtable("\n" * line0 + source[start:], FILENAME, "exec")
    except SyntaxError as e:
        return _failure(e)
    except (RecursionError, MemoryError):
        return Failure("NESTING", line0 + 1)
    except Exception as e:
        return Failure(str(e) or type(e).__name__, line0 + 1)
    return _whole_file(source, base, line0)


def _failure(e: SyntaxError) -> Failure:
    return Failure(e.msg or "invalid syntax", e.lineno, e.offset, e.end_lineno, e.end_offset)


def _whole_file(source: str, base: int, failing_line0: int) -> Script | Failure:
    """The slow path: the whole file compiled, then parsed as one piece if it compiles."""
    try:
        symtable.symtable(source, FILENAME, "exec")
    except SyntaxError as e:
        return _failure(e)
    except (RecursionError, MemoryError):
        return Failure("NESTING", failing_line0 + 1)
    except Exception as e:
        return Failure(str(e) or type(e).__name__, failing_line0 + 1)
    # It compiles: the pieces were cut wrongly, or it has a module-level ``global``.
    try:
        body = _tree(0, source)
    except (RecursionError, MemoryError):
        return Failure("NESTING", failing_line0 + 1)
    except Exception as e:
        return Failure(str(e) or type(e).__name__, failing_line0 + 1)
    return Script(source, base, (Piece(0, source, body),), frozenset())

"""What ``score.py`` defines at module level, where ``init``/``run`` live, and offsets of ``ast`` nodes.

Only statements are walked here (never expressions), once, over the pieces the parser kept as trees.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from enum import Enum

from amldeploy.language.entry_script.parse import Script, statements_of
from amldeploy.language.text import TextIndex

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
ENTRY_POINTS = ("init", "run")

_DEF_NAME = re.compile(r"(?:async\b[\s\\]*)?(?:def|class)\b[\s\\]*(\w+)")
_IMPORT_FAILURES = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_TRY_TYPES: tuple[type[ast.stmt], ...] = (ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


class Where(Enum):
    MODULE = "module"  # runs when the server imports the script
    NEVER = "never"  # at module level, but under a guard that is false on import
    NESTED = "nested"  # inside a class or a function


@dataclass(frozen=True, slots=True)
class DefSite:
    node: FunctionNode
    where: Where
    container: str  # for messages: "class `Scorer`", "`if __name__ == \"__main__\":`"


@dataclass(slots=True)
class ModuleFacts:
    sites: dict[str, list[DefSite]] = field(default_factory=lambda: {name: [] for name in ENTRY_POINTS})
    # Names bound at module level on import: complete for init and run, which are always in parsed pieces;
    # for other names see :func:`binds`.
    bound: set[str] = field(default_factory=set)
    definitions: set[str] = field(default_factory=set)  # of those, bound by def, class or import
    star_import: bool = False
    aliases: dict[str, str] = field(default_factory=dict)  # local name → dotted origin
    imports: list[tuple[ast.Import | ast.ImportFrom, bool]] = field(default_factory=list)  # (node, guarded)

    def module_defs(self, name: str) -> list[FunctionNode]:
        return [s.node for s in self.sites[name] if s.where is Where.MODULE]


class Locator:
    """Document offsets of nodes: ``ast`` gives 1-based lines and UTF-8 byte columns."""

    __slots__ = ("_index", "base", "source")

    def __init__(self, source: str, base: int) -> None:
        self.source = source
        self.base = base
        self._index: TextIndex | None = None

    @property
    def index(self) -> TextIndex:
        if self._index is None:
            self._index = TextIndex(self.source)
        return self._index

    def offset(self, lineno: int, col: int) -> int:
        return self.base + self.index.offset_from_utf8(lineno - 1, col)

    def span(self, node: ast.AST) -> tuple[int, int]:
        lineno: int = getattr(node, "lineno", 1)
        col: int = getattr(node, "col_offset", 0)
        end_lineno: int | None = getattr(node, "end_lineno", None)
        end_col: int | None = getattr(node, "end_col_offset", None)
        start = self.offset(lineno, col)
        if end_lineno is None or end_col is None:
            return start, start
        return start, max(start, self.offset(end_lineno, end_col))

    def text(self, start: int, end: int) -> str:
        return self.source[start - self.base : end - self.base]

    def segment(self, node: ast.AST) -> str:
        return self.text(*self.span(node))

    def name_span(self, fn: FunctionNode | ast.ClassDef) -> tuple[int, int]:
        start = self.span(fn)[0]
        m = _DEF_NAME.match(self.source, start - self.base)
        if m is None:
            return start, start + 3
        return self.base + m.start(1), self.base + m.end(1)

    def with_prefix(self, start: int, chars: str) -> int:
        """``start`` moved back over blanks and then over the ``chars`` before it (``*``, ``@``)."""
        i = start - self.base
        j = i
        while j > 0 and self.source[j - 1] in " \t":
            j -= 1
        k = j
        while k > 0 and self.source[k - 1] in chars:
            k -= 1
        return self.base + (k if k < j else i)


def dotted(expr: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def qualified(expr: ast.expr, aliases: dict[str, str]) -> str | None:
    """``np.asarray`` → ``numpy.asarray`` through the script's imports; unknown heads stay as written."""
    name = dotted(expr)
    if name is None:
        return None
    head, dot, rest = name.partition(".")
    origin = aliases.get(head)
    return f"{origin}{dot}{rest}" if origin else name


def scan_module(script: Script) -> ModuleFacts:
    facts = ModuleFacts()
    facts.definitions.update(script.other_definitions)
    facts.bound.update(script.other_definitions)
    scan_statements(facts, [s for piece in script.pieces for s in piece.statements])
    return facts


def binds(script: Script, facts: ModuleFacts, name: str) -> bool:
    """Whether the module binds ``name`` on import, looking into the pieces that were not parsed if needed."""
    if name in facts.bound:
        return True
    word = re.compile(rf"\b{re.escape(name)}\b")
    extra = ModuleFacts()
    for piece in script.pieces:
        if not piece.statements and word.search(piece.text):
            scan_statements(extra, list(statements_of(piece)))
    return name in extra.bound


def scan_statements(facts: ModuleFacts, statements: list[ast.stmt]) -> None:
    stack: list[tuple[ast.stmt, Where, str, bool]] = [(s, Where.MODULE, "", False) for s in reversed(statements)]
    while stack:
        node, where, container, guarded = stack.pop()
        children: list[ast.stmt] = []
        inner, inner_container = where, container
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if where is Where.MODULE:
                facts.bound.add(node.name)
                facts.definitions.add(node.name)
            if node.name in ENTRY_POINTS and not isinstance(node, ast.ClassDef):
                facts.sites[node.name].append(DefSite(node, where, container))
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            inner, inner_container = Where.NESTED, f"{kind} `{node.name}`"
            children = node.body
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            _add_import(facts, node, where, guarded)
        elif isinstance(node, ast.If):
            guard = _false_on_import(node.test)
            if guard is not None and where is Where.MODULE:
                negated, label = guard
                body_where, else_where = (Where.MODULE, Where.NEVER) if negated else (Where.NEVER, Where.MODULE)
                stack.extend((s, else_where, f"the `else:` of {label}", guarded) for s in reversed(node.orelse))
                stack.extend((s, body_where, label, guarded) for s in reversed(node.body))
                continue
            children = [*node.body, *node.orelse]
        elif isinstance(node, _TRY_TYPES):
            handlers: list[ast.ExceptHandler] = getattr(node, "handlers", [])
            catches = any(_catches_import_error(h) for h in handlers)
            stack.extend((s, where, container, guarded) for s in reversed(getattr(node, "finalbody", [])))
            stack.extend((s, where, container, guarded) for s in reversed(getattr(node, "orelse", [])))
            for h in reversed(handlers):
                stack.extend((s, where, container, guarded) for s in reversed(h.body))
            stack.extend((s, where, container, guarded or catches) for s in reversed(getattr(node, "body", [])))
            continue
        elif isinstance(node, ast.Match):
            children = [s for case in node.cases for s in case.body]
        else:
            if where is Where.MODULE:
                _add_bindings(facts.bound, node)
            children = [*getattr(node, "body", ()), *getattr(node, "orelse", ())]
        stack.extend((s, inner, inner_container, guarded) for s in reversed(children))


def _add_import(facts: ModuleFacts, node: ast.Import | ast.ImportFrom, where: Where, guarded: bool) -> None:
    facts.imports.append((node, guarded))
    module = ""
    if isinstance(node, ast.ImportFrom):
        module = "." * node.level + (node.module or "")
    for alias in node.names:
        if alias.name == "*":
            facts.star_import = facts.star_import or where is Where.MODULE
            continue
        if module:
            local, origin = alias.asname or alias.name, f"{module}.{alias.name}"
        else:
            local = alias.asname or alias.name.partition(".")[0]
            origin = alias.name if alias.asname else local
        if where is Where.MODULE:
            facts.bound.add(local)
            facts.definitions.add(local)
            facts.aliases[local] = origin
        else:
            facts.aliases.setdefault(local, origin)


def _add_bindings(bound: set[str], node: ast.stmt) -> None:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    while targets:
        t = targets.pop()
        if isinstance(t, ast.Name):
            bound.add(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)):
            targets.extend(t.elts)
        elif isinstance(t, ast.Starred):
            targets.append(t.value)


def _false_on_import(test: ast.expr) -> tuple[bool, str] | None:
    """(negated, label) for a test that is false when the server imports the script, else ``None``."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.Eq, ast.NotEq))
        and {_name_or_str(test.left), _name_or_str(test.comparators[0])} == {"name:__name__", "str:__main__"}
    ):
        negated = isinstance(test.ops[0], ast.NotEq)
        return negated, f'`if __name__ {"!=" if negated else "=="} "__main__":`'
    if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    ):
        return False, "`if TYPE_CHECKING:`"
    if isinstance(test, ast.Constant) and not test.value and not isinstance(test.value, str):
        return False, f"`if {test.value!r}:`"
    return None


def _name_or_str(expr: ast.expr) -> str:
    if isinstance(expr, ast.Name):
        return f"name:{expr.id}"
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return f"str:{expr.value}"
    return ""


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((dotted(t) or "").rpartition(".")[2] in _IMPORT_FAILURES for t in types)

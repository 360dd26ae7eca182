"""What the ``score.py`` rules share: the facts of one lint run and small helpers about ``init``/``run``."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from amldeploy.language.entry_script.function import FunctionFacts
from amldeploy.language.entry_script.parse import Script
from amldeploy.language.entry_script.scan import FunctionNode, Locator, ModuleFacts, binds, qualified
from amldeploy.language.problems import Problem

SCHEMA_DECORATORS = frozenset({"rawhttp", "input_schema", "output_schema"})
_SNIPPET = 48


@dataclass(slots=True)
class Context:
    script: Script
    loc: Locator
    module: ModuleFacts
    inits: list[FunctionFacts]
    runs: list[FunctionFacts]
    out: list[Problem] = field(default_factory=list)

    def binds(self, name: str) -> bool:
        return binds(self.script, self.module, name)

    def qualified(self, expr: ast.expr) -> str | None:
        return qualified(expr, self.module.aliases)

    def callee(self, call: ast.Call) -> tuple[str, str]:
        """(qualified name, last part) of what is called; ("", "") when it is not a dotted name."""
        name = self.qualified(call.func) or ""
        return name, name.rpartition(".")[2]

    def decorators(self, fn: FunctionNode) -> list[tuple[str, ast.expr]]:
        """The ``rawhttp``/``input_schema``/``output_schema`` decorators of ``fn``, with their kind."""
        found = []
        for dec in fn.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            kind = (self.qualified(target) or "").rpartition(".")[2]
            if kind in SCHEMA_DECORATORS:
                found.append((kind, dec))
        return found

    def is_rawhttp(self, fn: FunctionNode) -> bool:
        return any(kind == "rawhttp" for kind, _ in self.decorators(fn))

    def snippet(self, node: ast.AST) -> str:
        text = " ".join(self.loc.segment(node).split())
        return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"

    def body_insertion(self, fn: FunctionNode) -> tuple[int, str]:
        """Offset of the first statement of ``fn``'s body after its docstring, and the body's indentation.

        The indentation is "" when the body shares the ``def`` line.
        """
        body = fn.body
        first = body[1] if len(body) > 1 and _is_docstring(body[0]) else body[0]
        start = self.loc.span(first)[0]
        index = self.loc.index
        line_start = self.loc.base + index.line_start(index.line_of(start - self.loc.base))
        prefix = self.loc.text(line_start, start)
        return start, prefix if not prefix.strip() else ""


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def references(expr: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(expr))

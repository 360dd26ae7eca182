"""One walk over the body of ``init`` or ``run``, gathering what every rule about that body needs.

"Own scope" is the function itself; nested functions, lambdas, classes and comprehensions have their own
scopes: what they bind is not a local of the function, and what they return is not its result.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from amldeploy.language.entry_script.scan import FunctionNode

_NEW_SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}

Position = tuple[int, int]
# (node, inside a nested scope, innermost enclosing handler, enclosing tests, innermost own statement)
_Item = tuple[ast.AST, bool, ast.ExceptHandler | None, tuple[ast.expr, ...], ast.stmt]


@dataclass(frozen=True, slots=True)
class Binding:
    name: str
    target: ast.AST  # a Name, an import alias or a nested def: something with a position
    statement: ast.stmt


@dataclass(frozen=True, slots=True)
class ReturnSite:
    node: ast.Return
    handler: ast.ExceptHandler | None  # the innermost ``except`` block around it


@dataclass(frozen=True, slots=True)
class CallSite:
    node: ast.Call
    tests: tuple[ast.expr, ...]  # conditions of the ``if``/``while`` blocks around it


@dataclass(slots=True)
class FunctionFacts:
    node: FunctionNode
    params: list[ast.arg]
    globals: set[str] = field(default_factory=set)
    bindings: list[Binding] = field(default_factory=list)  # own scope, in walk order
    # ``name = value`` in the own scope, by the position of the statement
    values: dict[str, list[tuple[Position, ast.expr]]] = field(default_factory=dict)
    loads: set[str] = field(default_factory=set)  # names read anywhere, nested scopes included
    nested_bound: set[str] = field(default_factory=set)  # names bound in nested scopes, or by ``except … as``
    returns: list[ReturnSite] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    yields: list[ast.expr] = field(default_factory=list)
    # ``name[...]`` and ``name.method(...)`` in the own scope: (name, Subscript or Call)
    uses: list[tuple[str, ast.expr]] = field(default_factory=list)

    @property
    def param_names(self) -> list[str]:
        return [a.arg for a in self.params]

    @property
    def local_names(self) -> set[str]:
        return {b.name for b in self.bindings} | set(self.param_names)

    def value_before(self, name: str, at: Position) -> ast.expr | None:
        """The value last assigned to ``name`` by a statement before ``at``, if it was a plain assignment."""
        best: tuple[Position, ast.expr] | None = None
        for pos, value in self.values.get(name, ()):
            if pos < at and (best is None or pos > best[0]):
                best = (pos, value)
        return best[1] if best else None


def all_params(args: ast.arguments) -> list[ast.arg]:
    params = [*args.posonlyargs, *args.args]
    if args.vararg:
        params.append(args.vararg)
    params.extend(args.kwonlyargs)
    if args.kwarg:
        params.append(args.kwarg)
    return params


def position(node: ast.AST) -> Position:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def scan_function(fn: FunctionNode) -> FunctionFacts:
    facts = FunctionFacts(fn, all_params(fn.args))
    stack: list[_Item] = [(s, False, None, (), s) for s in reversed(fn.body)]
    while stack:
        node, nested, handler, tests, stmt = stack.pop()
        if not nested and isinstance(node, ast.stmt):
            stmt = node
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                facts.loads.add(node.id)
            elif isinstance(node.ctx, ast.Store):
                if nested:
                    facts.nested_bound.add(node.id)
                else:
                    facts.bindings.append(Binding(node.id, node, stmt))
            continue
        if isinstance(node, _NEW_SCOPES):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if nested:
                    facts.nested_bound.add(node.name)
                else:
                    facts.bindings.append(Binding(node.name, node, node))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                facts.nested_bound.update(a.arg for a in all_params(node.args))
            nested = True
        elif isinstance(node, ast.Global):
            if not nested:
                facts.globals.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    continue
                local = alias.asname or alias.name.partition(".")[0]
                if nested:
                    facts.nested_bound.add(local)
                else:
                    facts.bindings.append(Binding(local, alias, stmt))
        elif isinstance(node, ast.ExceptHandler):
            if node.name:
                facts.nested_bound.add(node.name)
            if node.type is not None:
                stack.append((node.type, nested, handler, tests, stmt))
            stack.extend((s, nested, node, tests, s) for s in reversed(node.body))
            continue
        elif isinstance(node, (ast.If, ast.While)):
            inner = (*tests, node.test)
            stack.extend((s, nested, handler, tests, s) for s in reversed(node.orelse))
            stack.extend((s, nested, handler, inner, s) for s in reversed(node.body))
            stack.append((node.test, nested, handler, tests, stmt))
            continue
        elif not nested:
            _own_scope_facts(facts, node, handler, tests)
        _push_children(stack, node, nested, handler, tests, stmt)
    return facts


def _own_scope_facts(
    facts: FunctionFacts, node: ast.AST, handler: ast.ExceptHandler | None, tests: tuple[ast.expr, ...]
) -> None:
    if isinstance(node, ast.Return):
        facts.returns.append(ReturnSite(node, handler))
    elif isinstance(node, (ast.Yield, ast.YieldFrom)):
        facts.yields.append(node)
    elif isinstance(node, ast.Call):
        facts.calls.append(CallSite(node, tests))
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            facts.uses.append((node.func.value.id, node))
    elif isinstance(node, ast.Subscript):
        if isinstance(node.value, ast.Name):
            facts.uses.append((node.value.id, node))
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            _record_values(facts, target, node.value, position(node))
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        _record_values(facts, node.target, node.value, position(node))


def _record_values(facts: FunctionFacts, target: ast.expr, value: ast.expr, pos: Position) -> None:
    if isinstance(target, ast.Name):
        facts.values.setdefault(target.id, []).append((pos, value))
    elif (
        isinstance(target, (ast.Tuple, ast.List))
        and isinstance(value, (ast.Tuple, ast.List))
        and len(target.elts) == len(value.elts)
        and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
    ):
        for t, v in zip(target.elts, value.elts, strict=True):
            _record_values(facts, t, v, pos)


def _push_children(
    stack: list[_Item],
    node: ast.AST,
    nested: bool,
    handler: ast.ExceptHandler | None,
    tests: tuple[ast.expr, ...],
    stmt: ast.stmt,
) -> None:
    kind = type(node)
    names = _CHILD_FIELDS.get(kind)
    if names is None:
        names = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f != "ctx")
    for name in reversed(names):
        value = getattr(node, name, None)
        if isinstance(value, list):
            stack.extend((v, nested, handler, tests, stmt) for v in reversed(value) if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            stack.append((value, nested, handler, tests, stmt))

"""Rules on the model's life cycle: loaded once by ``init`` into globals that ``run`` reads (SC015, SC016)."""

from __future__ import annotations

import ast

from amldeploy.language.entry_script import codes as codes
from amldeploy.language.entry_script.context import Context, references
from amldeploy.language.entry_script.function import Binding, FunctionFacts

_LOADERS = frozenset(
    {
        "joblib.load",
        "sklearn.externals.joblib.load",
        "pickle.load",
        "dill.load",
        "cloudpickle.load",
        "torch.load",
        "torch.jit.load",
        "tensorflow.saved_model.load",
        "spacy.load",
        "pandas.read_pickle",
    }
)
# Loaders recognised by their last name: Keras/MLflow/fastText/CatBoost ``load_model``, fastai,
# Hugging Face ``from_pretrained``, ONNX Runtime sessions.
_LOADER_NAMES = frozenset({"load_model", "load_learner", "load_weights", "from_pretrained", "InferenceSession"})


def check_state(ctx: Context) -> None:
    _check_init_locals(ctx)
    for facts in ctx.runs:
        _check_loads_in_run(ctx, facts)


def is_get_model_path(ctx: Context, call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "get_model_path":
        return False
    owner = ctx.qualified(func.value) or ""
    return owner.rpartition(".")[2] == "Model"


def _is_loader(ctx: Context, call: ast.Call) -> bool:
    name, last = ctx.callee(call)
    if name in _LOADERS or last in _LOADER_NAMES:
        return True
    if last == "Booster":  # xgboost / lightgbm
        return any(k.arg == "model_file" for k in call.keywords)
    return is_get_model_path(ctx, call)


def _check_loads_in_run(ctx: Context, facts: FunctionFacts) -> None:
    for site in facts.calls:
        if not _is_loader(ctx, site.node):
            continue
        # ``if model is None: model = load(...)`` with ``global model`` loads once: a lazy init, not a bug.
        if facts.globals and any(references(t, g) for t in site.tests for g in facts.globals):
            continue
        start, end = ctx.loc.span(site.node)
        callee = ctx.loc.segment(site.node.func)
        ctx.out.append(
            codes.LOAD_IN_RUN.at(
                start,
                end,
                f"`{' '.join(callee.split())}(...)` runs on every request because it is inside `run()`: "
                "loading the model each time makes every call slow and can hit the scoring timeout. Load it "
                "once in `init()` into a global (`global model`, then `model = ...`) and use that global in "
                "`run()`.",
            )
        )


def _check_init_locals(ctx: Context) -> None:
    if not ctx.inits or not ctx.runs:
        return
    read: set[str] = set()
    for run in ctx.runs:
        own = {b.name for b in run.bindings} | set(run.param_names)
        read |= (run.loads - own - run.nested_bound) | (run.loads & run.globals)
    # A module-level import, function or class already gives the global a real value.
    read -= ctx.module.definitions
    for init in ctx.inits:
        groups: dict[int, list[Binding]] = {}
        seen: set[str] = set()
        for b in init.bindings:
            if b.name in read and b.name not in init.globals and b.name not in seen:
                seen.add(b.name)
                groups.setdefault(id(b.statement), []).append(b)
        for bindings in groups.values():
            _report_local(ctx, init, bindings)


def _report_local(ctx: Context, init: FunctionFacts, bindings: list[Binding]) -> None:
    spans = [_target_span(ctx, b) for b in bindings]
    names = [b.name for b in bindings]
    listed = ", ".join(names)
    unset = [n for n in names if not ctx.binds(n)]
    if unset:
        effect = f"which is never set, so `run()` fails with a NameError on `{unset[0]}`"
    else:
        effect = "which keeps its module-level value (often `None`), so every request fails"
    insert, indent = ctx.body_insertion(init.node)
    plural = "are local variables" if len(names) > 1 else "is a local variable"
    ctx.out.append(
        codes.LOCAL_IN_INIT.at(
            min(s for s, _ in spans),
            max(e for _, e in spans),
            f"`{listed}` {plural} of `init()`: without `global {listed}` the assignment is lost when "
            f"`init()` returns, and `run()` reads the module-level `{names[0]}`, {effect}. Add "
            f"`global {listed}` as the first statement of `init()`.",
            data={"names": names, "insertOffset": insert, "indent": indent},
        )
    )


def _target_span(ctx: Context, b: Binding) -> tuple[int, int]:
    if isinstance(b.target, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return ctx.loc.name_span(b.target)
    return ctx.loc.span(b.target)

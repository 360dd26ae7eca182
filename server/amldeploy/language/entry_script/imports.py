"""Rules on what the script needs installed in the image (SC013, SC014)."""

from __future__ import annotations

import ast

from amldeploy.language.entry_script import codes as codes
from amldeploy.language.entry_script.context import Context
from amldeploy.language.entry_script.state import is_get_model_path

_OLD_JOBLIB = "sklearn.externals.joblib"


def check_imports(ctx: Context) -> None:
    for node, guarded in ctx.module.imports:
        # ``try: from sklearn.externals import joblib`` / ``except ImportError: import joblib`` works.
        if not guarded and _imports_old_joblib(node):
            _report_old_joblib(ctx, node)
    for piece in ctx.script.pieces:
        if "get_model_path" not in piece.text:
            continue
        for stmt in piece.statements:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Call) and is_get_model_path(ctx, sub):
                    _report_get_model_path(ctx, sub)


def _renamed(name: str) -> str | None:
    if name == _OLD_JOBLIB or name.startswith(_OLD_JOBLIB + "."):
        return "joblib" + name[len(_OLD_JOBLIB) :]
    return None


def _imports_old_joblib(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.Import):
        return any(_renamed(a.name) for a in node.names)
    if node.level or not node.module:
        return False
    return _renamed(node.module) is not None or (
        node.module == "sklearn.externals" and any(a.name == "joblib" for a in node.names)
    )


def _replacement(node: ast.Import | ast.ImportFrom) -> str | None:
    def alias(name: str, asname: str | None) -> str:
        return f"{name} as {asname}" if asname else name

    if isinstance(node, ast.Import):
        return "import " + ", ".join(alias(_renamed(a.name) or a.name, a.asname) for a in node.names)
    module = node.module or ""
    new_module = _renamed(module)
    if new_module is not None:
        return f"from {new_module} import " + ", ".join(alias(a.name, a.asname) for a in node.names)
    if len(node.names) == 1:
        return "import " + alias("joblib", node.names[0].asname)
    # ``from sklearn.externals import joblib, six``: six is gone too; no one-line replacement.
    return None


def _report_old_joblib(ctx: Context, node: ast.Import | ast.ImportFrom) -> None:
    start, end = ctx.loc.span(node)
    replacement = _replacement(node)
    ctx.out.append(
        codes.SKLEARN_EXTERNALS.at(
            start,
            end,
            "`sklearn.externals.joblib` was removed in scikit-learn 0.23: this import fails with "
            "ModuleNotFoundError and the service crashes at startup. Use `import joblib` and add `joblib` "
            "to the conda dependencies; models saved before still load with `joblib.load`.",
            data={"replacement": replacement} if replacement else None,
        )
    )


def _report_get_model_path(ctx: Context, call: ast.Call) -> None:
    start, end = ctx.loc.span(call)
    ctx.out.append(
        codes.GET_MODEL_PATH.at(
            start,
            end,
            "`Model.get_model_path(...)` needs the azureml-core SDK in the image (and often a workspace "
            "connection) just to find a file that Azure has already placed in the folder named by the "
            "`AZUREML_MODEL_DIR` environment variable. Use "
            '`os.path.join(os.getenv("AZUREML_MODEL_DIR"), "<file>")` with the model\'s file name instead.',
        )
    )

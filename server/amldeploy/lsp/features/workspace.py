"""``amldeploy/configs``, ``amldeploy/checkName`` and ``amldeploy/swagger``: the questions an editor would
otherwise answer with a copy of the server's logic (file patterns, excluded folders, the v1 name rule, a
request with the service's key), answered by the server so that the editor and the command line agree."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from amldeploy.lsp import protocol
from amldeploy.lsp.answers import answer_errors
from amldeploy.lsp.background import run_blocking
from amldeploy.lsp.params import Params
from amldeploy.lsp.server import AmlLanguageServer

if TYPE_CHECKING:
    from amldeploy.language.problems import Problem
    from amldeploy.language.validate import Kind
    from amldeploy.ops.workspace import Checked

_VIEW_KIND = dict(zip(("inference-config", "deployment-config", "entry-script"), protocol.CONFIG_KINDS, strict=True))


def _counts(problems: list[Problem], ls: AmlLanguageServer) -> tuple[int, int]:
    shown = [ls.settings.severity_of(p.code, int(p.severity)) for p in problems]
    return shown.count(1), shown.count(2)


def _view(ls: AmlLanguageServer, checked: Checked) -> dict[str, Any]:
    errors, warnings = _counts(checked.problems, ls)
    view: dict[str, Any] = {
        "path": str(checked.path),
        "kind": _VIEW_KIND[checked.kind.value],
        "errors": errors,
        "warnings": warnings,
    }
    if checked.entry_script is not None:
        view["entryScript"] = str(checked.entry_script)
    return view


def _configs(ls: AmlLanguageServer, texts: dict[Path, str], problems: dict[Path, list[Problem]]) -> dict[str, Any]:
    from amldeploy.language.files import DiskFiles
    from amldeploy.lsp.documents import kind_of
    from amldeploy.ops.workspace import exclude_globs, workspace_configs

    class OpenFirst(DiskFiles):
        """The disk, with the editor's unsaved text of the documents open when the request came."""

        def read_text(self, path: Path) -> str | None:
            return texts[path] if path in texts else super().read_text(path)

        def is_file(self, path: Path) -> bool:
            return path in texts or super().is_file(path)

    files = OpenFirst()
    settings = ls.settings

    def classify(path: Path) -> Kind | None:
        if settings.kind_by_name(path.name) is None and not settings.detect_by_content:
            return None
        return kind_of(ls, path, files.read_text(path) or "")

    root = ls.root()
    found = workspace_configs(root, classify, files, problems.get)
    return {
        "root": str(root),
        "files": [_view(ls, checked) for checked in found.files],
        "truncated": found.truncated,
        "exclude": exclude_globs(),
    }


def _check_name(name: str) -> dict[str, Any]:
    from amldeploy.ops.naming import service_name_problem
    from amldeploy.ops.workspace import suggest_service_name

    problem = service_name_problem(name)
    return {"problem": problem, "suggestion": name if problem is None else suggest_service_name(name)}


def _swagger(ls: AmlLanguageServer, name: str) -> dict[str, Any]:
    from amldeploy.ops.swagger import fetch_swagger

    return fetch_swagger(name, ls.root(), ls.settings.target_settings)


def register(server: AmlLanguageServer) -> None:
    @server.feature(protocol.CONFIGS)
    async def configs(ls: AmlLanguageServer, params: Any) -> Any:
        Params(protocol.CONFIGS, params)
        # What the editor holds now, taken on the event loop: the walk then runs in a thread and never touches
        # the documents while they change.
        texts = {Path(d.path): d.source for d in list(ls.workspace.text_documents.values()) if d.path}
        problems = {a.path: a.problems for a in list(ls.analyses.values())}
        with answer_errors(ls, protocol.CONFIGS):
            return await run_blocking(ls, lambda: _configs(ls, texts, problems))

    @server.feature(protocol.CHECK_NAME)
    def check_name(ls: AmlLanguageServer, params: Any) -> Any:
        p = Params(protocol.CHECK_NAME, params)
        name = p.body("name")
        with answer_errors(ls, protocol.CHECK_NAME):
            return _check_name(name)

    @server.feature(protocol.SWAGGER)
    async def swagger(ls: AmlLanguageServer, params: Any) -> Any:
        name = Params(protocol.SWAGGER, params).text("name")
        with answer_errors(ls, protocol.SWAGGER):
            return await run_blocking(ls, lambda: _swagger(ls, name))

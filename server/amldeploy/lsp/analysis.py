"""Analysis of open documents: which kind each one is, and its problems (the language core, lazily imported).

The editor's unsaved text wins over the disk for every file a rule reads, so editing ``score.py`` re-checks
the inference config that names it before anything is saved.
"""

from __future__ import annotations

from pathlib import Path

from amldeploy.language.files import DiskFiles
from amldeploy.language.rules.inference import resolve_paths
from amldeploy.language.validate import Kind, validate_config, validate_script
from amldeploy.lsp.documents import current
from amldeploy.lsp.server import AmlLanguageServer
from amldeploy.lsp.state import Analysis


class EditorFiles(DiskFiles):
    """Disk access where open documents override the files on disk."""

    def __init__(self, ls: AmlLanguageServer) -> None:
        self.ls = ls

    def read_text(self, path: Path) -> str | None:
        text = self.ls.open_text(path)
        return text if text is not None else super().read_text(path)

    def is_file(self, path: Path) -> bool:
        return self.ls.open_text(path) is not None or super().is_file(path)


def analyse(ls: AmlLanguageServer, uri: str) -> Analysis | None:
    """Analyse the open document ``uri`` now; None when it is not one of ours."""
    doc = current(ls, uri, fresh=True)
    if doc is None:
        return None
    if doc.kind == Kind.ENTRY_SCRIPT:
        return Analysis(uri, doc.path, doc.version, doc.kind, doc.text, validate_script(doc.text))
    result = validate_config(doc.text, doc.path, doc.kind, EditorFiles(ls))
    script = None
    root = result.document.root
    if doc.kind == Kind.INFERENCE and root is not None and root.kind == "object":
        script = resolve_paths(root, doc.path.parent).entry_script
    return Analysis(uri, doc.path, doc.version, doc.kind, doc.text, result.problems, script)


def warm_up() -> None:
    from amldeploy.language.parse.documents import parse_document

    parse_document('{"computeType": "local"}', "json")
    parse_document("computeType: local\n", "yaml")
    validate_config('{"computeType": "aks"}', Path("deploymentconfig.json"), Kind.DEPLOYMENT)
    validate_config('{"entryScript": "score.py"}', Path("inferenceconfig.json"), Kind.INFERENCE)
    validate_script("def init():\n    pass\n\n\ndef run(data):\n    return data\n")
    from amldeploy.language import links, symbols  # noqa: F401
    from amldeploy.language.actions import core as actions  # noqa: F401
    from amldeploy.language.complete import core as complete  # noqa: F401
    from amldeploy.language.hover import core as hover  # noqa: F401

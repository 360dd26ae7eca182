"""What an editor asks about the workspace: its configs with their problems, the folders no search looks
into, and a valid service name to offer. The answers come from here so that an editor and ``amldeploy validate``
find the same files and count the same problems."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from amldeploy.language.discover import SKIP_DIRS, config_candidates
from amldeploy.language.files import FileAccess
from amldeploy.language.problems import Problem
from amldeploy.language.rules.inference import resolve_paths
from amldeploy.language.validate import Kind, validate_config, validate_script
from amldeploy.ops.naming import service_name_problem

MAX_CONFIGS = 200
DEFAULT_SERVICE_NAME = "my-service"


@dataclass(slots=True)
class Checked:
    """One file and its problems: a config, or the entry script an inference config names."""

    path: Path
    kind: Kind
    problems: list[Problem]
    entry_script: Path | None = None


@dataclass(slots=True)
class WorkspaceConfigs:
    files: list[Checked] = field(default_factory=list)
    truncated: bool = False  # more than MAX_CONFIGS configs: the first ones (by path) are listed


def exclude_globs() -> list[str]:
    """The folders the walk skips, as globs for an editor's own file searches (dot folders included)."""
    return [f"**/{name}/**" for name in sorted(SKIP_DIRS)] + ["**/.*/**"]


def workspace_configs(
    root: Path,
    classify: Callable[[Path], Kind | None],
    files: FileAccess,
    checked: Callable[[Path], list[Problem] | None] = lambda path: None,
    limit: int = MAX_CONFIGS,
) -> WorkspaceConfigs:
    """The inference and deployment configs below ``root`` (``classify`` says which a file is), each with its
    problems, followed by the entry scripts the inference configs name. ``files`` reads every file (an editor's
    unsaved text first); ``checked`` gives the problems an editor already has for a path, if any."""
    found = WorkspaceConfigs()
    scripts: dict[Path, None] = {}
    for path in config_candidates(root):
        kind = classify(path)
        if kind not in (Kind.INFERENCE, Kind.DEPLOYMENT):
            continue
        if len(found.files) >= limit:
            found.truncated = True
            break
        text = files.read_text(path)
        result = validate_config(text or "", path, kind, files) if text is not None else None
        problems = checked(path)
        if problems is None:
            problems = result.problems if result is not None else []
        entry = None
        root_node = result.document.root if result is not None else None
        if kind == Kind.INFERENCE and root_node is not None and root_node.kind == "object":
            entry = resolve_paths(root_node, path.parent).entry_script
            if entry is not None and entry.suffix == ".py" and files.is_file(entry):
                scripts[entry] = None
        found.files.append(Checked(path, kind, problems, entry))
    for script in scripts:
        problems = checked(script)
        if problems is None:
            text = files.read_text(script)
            problems = validate_script(text) if text is not None else []
        found.files.append(Checked(script, Kind.ENTRY_SCRIPT, problems))
    return found


def suggest_service_name(source: str) -> str:
    """A name v1 accepts, made from ``source`` (a folder name): lowercase, dashes, 3 to 32 characters."""
    name = re.sub(r"[^a-z0-9-]+", "-", source.lower())
    name = re.sub(r"-+", "-", re.sub(r"^[^a-z]+", "", name))
    name = re.sub(r"[^a-z0-9]+$", "", name[:32])
    if len(name) < 3:
        name = f"{name}-service" if name else DEFAULT_SERVICE_NAME
    return name if service_name_problem(name) is None else DEFAULT_SERVICE_NAME

"""Finding configs in a folder: the one walk, and the one list of skipped folders, that ``amldeploy validate``
on a folder and the editor's list of configs share."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from amldeploy.language.validate import CONFIG_SUFFIXES, Kind, classify, kind_from_name

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".amldeploy",
        ".mypy_cache",
        ".tox",
    }
)


def config_candidates(folder: Path) -> Iterator[Path]:
    """The .json/.yml/.yaml files below ``folder`` that may be configs, in a stable order: the one walk (and the
    one list of skipped folders) that ``amldeploy validate`` on a folder and the editor's list of configs share."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.lower().endswith(CONFIG_SUFFIXES):
                yield Path(dirpath) / name


def find_configs(folder: Path) -> Iterator[tuple[Path, Kind]]:
    """Inference and deployment configs below ``folder``, by name first and by content second."""
    for path in config_candidates(folder):
        kind = kind_from_name(path)
        if kind is None:
            try:
                if path.stat().st_size > 1024 * 1024:
                    continue
                kind = classify(path, path.read_bytes().decode("utf-8", errors="replace"))
            except OSError:
                continue
        if kind in (Kind.INFERENCE, Kind.DEPLOYMENT):
            yield path, kind

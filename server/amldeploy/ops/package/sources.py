"""Which files of the source directory go into an image.

``.amlignore`` wins over ``.gitignore`` (as in Azure ML snapshots); only the one at the top of the source
directory is read, with gitignore semantics (``pathspec``). Never included, whatever the ignore file says: ``.git``,
``.amldeploy`` (the state of local services), ``__pycache__`` and virtual environments (folders holding
``pyvenv.cfg``): they are large, machine-specific and useless in an image.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pathspec

IGNORE_FILES = (".amlignore", ".gitignore")
NEVER = frozenset({".git", ".amldeploy", "__pycache__"})


def ignore_spec(source: Path) -> tuple[pathspec.GitIgnoreSpec | None, str | None]:
    """The ignore rules of ``source`` and the file they came from (None, None without one)."""
    for name in IGNORE_FILES:
        path = source / name
        if path.is_file():
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            return pathspec.GitIgnoreSpec.from_lines(lines), name
    return None, None


def source_files(source: Path, exclude: Iterable[Path] = ()) -> Iterator[tuple[str, Path]]:
    """``(relative posix path, path)`` of every file and folder to copy, folders before their contents.

    ``exclude`` holds files and folders to leave out (the output folder of ``package`` when it lies inside, an
    inference config that holds a registry password)."""
    spec, _ = ignore_spec(source)
    skipped = {os.path.realpath(p) for p in exclude}
    for folder, dirs, files in os.walk(source):
        base = Path(folder)
        rel_base = base.relative_to(source).as_posix()
        prefix = "" if rel_base == "." else rel_base + "/"
        kept_dirs = []
        for name in sorted(dirs):
            path = base / name
            rel = prefix + name
            if name in NEVER or (path / "pyvenv.cfg").is_file() or os.path.realpath(path) in skipped:
                continue
            if path.is_symlink():
                continue  # a linked folder may lead anywhere (or back here): left out
            if spec is not None and spec.match_file(rel + "/"):
                continue
            kept_dirs.append(name)
            yield rel, path
        dirs[:] = kept_dirs
        for name in sorted(files):
            path = base / name
            rel = prefix + name
            if spec is not None and spec.match_file(rel):
                continue
            if not path.exists() or os.path.realpath(path) in skipped:
                continue  # a dangling link
            yield rel, path

"""File access for rules that look at other files (entry script, conda file, certificates).

The CLI reads the disk; the language server overlays the documents open in the editor, so unsaved edits
count. Rules only see this protocol.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

MAX_READ_BYTES = 5 * 1024 * 1024


def resolve(base: Path, relative: str) -> Path:
    """``base / relative`` made absolute; never raises (a NUL byte or a symlink loop is the user's typing).

    A path the system refuses stays as typed, so that it names no file: dropping a NUL would name another.
    """
    try:
        return (base / relative).resolve()
    except (OSError, ValueError, RuntimeError):
        return Path(os.path.normpath(base / relative))


class FileAccess(Protocol):
    def read_text(self, path: Path) -> str | None:
        """The file's text, or None when it is missing, unreadable, too large or not UTF-8."""

    def is_file(self, path: Path) -> bool: ...

    def is_dir(self, path: Path) -> bool: ...

    def list_dir(self, path: Path) -> list[tuple[str, bool]]:
        """``(name, is_folder)`` of the entries of a folder, sorted by name; empty when unreadable."""


class DiskFiles:
    def read_text(self, path: Path) -> str | None:
        try:
            if path.stat().st_size > MAX_READ_BYTES:
                return None
            return path.read_bytes().decode("utf-8-sig")
        except (OSError, ValueError):
            return None

    def is_file(self, path: Path) -> bool:
        try:
            return path.is_file()
        except (OSError, ValueError):
            return False

    def is_dir(self, path: Path) -> bool:
        try:
            return path.is_dir()
        except (OSError, ValueError):
            return False

    def list_dir(self, path: Path) -> list[tuple[str, bool]]:
        try:
            with os.scandir(path) as entries:
                found = []
                for entry in entries:
                    try:
                        found.append((entry.name, entry.is_dir()))
                    except OSError:
                        continue
        except (OSError, ValueError):
            return []
        return sorted(found)

"""The build context: a set of files laid out as the Dockerfile expects, written as a deterministic tar or as a
plain folder.

Determinism is what makes the content hash (and so the default tag) mean something: entries are sorted, every
mtime is the same constant, owners are root, modes are 0644 or 0755 (executable when the source was), and the
tar format is fixed. Touching a file changes nothing; changing a byte changes the hash.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

MTIME = 0  # 1970-01-01: what a reproducible build (SOURCE_DATE_EPOCH=0) would use


@dataclass(frozen=True, slots=True)
class Entry:
    """A file (``source`` on disk, or ``data``) or a folder (neither) at ``name`` inside the context."""

    name: str
    source: Path | None = None
    data: bytes | None = None
    executable: bool = False

    @property
    def is_dir(self) -> bool:
        return self.source is None and self.data is None

    @property
    def mode(self) -> int:
        return 0o755 if self.is_dir or self.executable else 0o644


@dataclass(slots=True)
class BuildContext:
    entries: dict[str, Entry] = field(default_factory=dict)

    def add_bytes(self, name: str, data: bytes) -> None:
        self._add(Entry(name, data=data))

    def add_file(self, name: str, source: Path) -> None:
        mode = source.stat().st_mode
        self._add(Entry(name, source=source, executable=bool(mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))))

    def add_dir(self, name: str) -> None:
        self._add(Entry(name))

    def add_tree(self, prefix: str, files: list[tuple[str, Path]]) -> None:
        """``files`` (relative path, path) under ``prefix``; a path that is a folder adds a folder."""
        self.add_dir(prefix)
        for rel, path in files:
            name = f"{prefix}/{rel}"
            if path.is_dir():
                self.add_dir(name)
            else:
                self.add_file(name, path)

    def _add(self, entry: Entry) -> None:
        parts = entry.name.split("/")
        for i in range(1, len(parts)):  # every parent folder is an entry too, so that all have fixed modes
            parent = "/".join(parts[:i])
            self.entries.setdefault(parent, Entry(parent))
        self.entries[entry.name] = entry

    def names(self) -> list[str]:
        return sorted(self.entries)

    def write_tar(self, out: IO[bytes]) -> None:
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT, encoding="utf-8") as tar:
            for name in self.names():
                entry = self.entries[name]
                info = tarfile.TarInfo(name)
                info.mtime, info.uid, info.gid, info.uname, info.gname = MTIME, 0, 0, "", ""
                info.mode = entry.mode
                if entry.is_dir:
                    info.type = tarfile.DIRTYPE
                    tar.addfile(info)
                elif entry.data is not None:
                    info.size = len(entry.data)
                    tar.addfile(info, io.BytesIO(entry.data))
                else:
                    assert entry.source is not None
                    with entry.source.open("rb") as f:
                        info.size = os.fstat(f.fileno()).st_size
                        tar.addfile(info, f)

    def tar_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.write_tar(buffer)
        return buffer.getvalue()

    def digest(self) -> str:
        """sha256 of the tar, streamed (a context with large models is never held in memory)."""
        sink = _HashSink()
        self.write_tar(sink)  # type: ignore[arg-type]
        return sink.hash.hexdigest()

    def write_dir(self, dest: Path) -> list[Path]:
        """The context as plain files under ``dest`` (for ``docker build dest``); returns the files written."""
        written = []
        for name in self.names():
            entry = self.entries[name]
            target = dest / name
            if entry.is_dir:
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if entry.data is not None:
                target.write_bytes(entry.data)
            else:
                assert entry.source is not None
                shutil.copyfile(entry.source, target)
            target.chmod(entry.mode)
            written.append(target)
        return written


class _HashSink:
    """A write-only file that only hashes (what tarfile's stream mode needs of it)."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return len(data)

    def tell(self) -> int:  # pragma: no cover - stream mode does not ask
        return 0

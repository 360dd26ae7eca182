"""amldeploy's own wheel for an image, made from the package that is running (installed or editable).

The image must run the same runtime that ``amldeploy`` here would run, and building from the package itself
needs neither the network nor a build backend. The wheel is deterministic (sorted entries, fixed timestamps), so
the context hash changes only when amldeploy's files do.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

import amldeploy
from amldeploy import __version__

_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold
_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = (".pyc", ".pyo")


def wheel_name(version: str = __version__) -> str:
    return f"amldeploy-{version}-py3-none-any.whl"


def _package_files(package: Path) -> list[tuple[str, Path]]:
    files = []
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package.parent)
        if path.is_dir() or any(part in _SKIP_DIRS for part in rel.parts) or path.suffix in _SKIP_SUFFIXES:
            continue
        files.append((rel.as_posix(), path))
    return files


def wheel_bytes(package: Path | None = None, version: str = __version__) -> bytes:
    """The wheel ``wheel_name(version)`` of ``package`` (default: the running amldeploy). It holds the package's
    files only: the image installs it with ``--no-deps`` next to the pinned runtime libraries."""
    package = package or Path(amldeploy.__file__).parent
    info = f"amldeploy-{version}.dist-info"
    members: list[tuple[str, bytes]] = [(name, path.read_bytes()) for name, path in _package_files(package)]
    members.append((f"{info}/METADATA", f"Metadata-Version: 2.1\nName: amldeploy\nVersion: {version}\n".encode()))
    members.append(
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: amldeploy\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    )
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in members]
    record.append(f"{info}/RECORD,,")
    members.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            item = zipfile.ZipInfo(name, date_time=_DATE)
            item.external_attr = 0o644 << 16
            item.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(item, data)
    return buffer.getvalue()


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

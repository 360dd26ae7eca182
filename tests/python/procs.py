"""The live ``amldeploy serve`` processes of a project, read from ``/proc`` (for race tests and bench/races.py)."""

from __future__ import annotations

from pathlib import Path


def runtimes_of(project: Path) -> dict[int, Path]:
    """Every live ``amldeploy serve`` started from ``project``: pid → the app root its deploy gave it."""
    found: dict[int, Path] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"serve" not in args or b"amldeploy" not in args or state == "Z":
            continue
        roots = [item.partition(b"=")[2].decode() for item in environ if item.startswith(b"AML_APP_ROOT=")]
        if roots and Path(roots[0]).is_relative_to(project):
            found[int(entry.name)] = Path(roots[0])
    return found

"""The build context: which files go in, and a tar (and hash) that depends on content only."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

from amldeploy.ops.package.plan import plan_package
from amldeploy.ops.package.wheel import wheel_bytes

from .conftest import Project


def _app_files(project: Project, wheel: Path) -> set[str]:
    package = plan_package("svc", project.loaded(), [], wheel=wheel)
    return {name[len("app/") :] for name in package.context.entries if name.startswith("app/")}


def _tree(project: Project) -> None:
    root = project.root
    for rel in ["data/a.csv", "notes.tmp", "pkg/mod.py", "pkg/__pycache__/mod.cpython-311.pyc", ".git/HEAD"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    (root / "env").mkdir()
    (root / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (root / "env" / "lib.py").write_text("x")
    (root / ".amldeploy" / "services").mkdir(parents=True)


def test_gitignore_applies_and_some_folders_never_go_in(project: Project, wheel: Path) -> None:
    _tree(project)
    (project.root / ".gitignore").write_text("*.tmp\n/data/\n")
    files = _app_files(project, wheel)
    assert {"score.py", "pkg/mod.py", "inferenceconfig.json", ".gitignore"} <= files
    assert not {f for f in files if f.startswith(("data", ".git/", "env", ".amldeploy")) or "__pycache__" in f}
    assert "notes.tmp" not in files


def test_amlignore_wins_over_gitignore(project: Project, wheel: Path) -> None:
    _tree(project)
    (project.root / ".gitignore").write_text("*.tmp\n")
    (project.root / ".amlignore").write_text("pkg/\n!keep.tmp\n")
    (project.root / "keep.tmp").write_text("k")
    files = _app_files(project, wheel)
    assert "notes.tmp" in files and "keep.tmp" in files  # .gitignore is not read
    assert not any(f.startswith("pkg") for f in files)


def test_two_runs_give_the_same_bytes_and_only_content_changes_the_hash(project: Project, wheel: Path) -> None:
    _tree(project)
    (project.root / "run.sh").write_text("#!/bin/sh\n")
    (project.root / "run.sh").chmod(0o700)
    first = plan_package("svc", project.loaded(), [], wheel=wheel)
    second = plan_package("svc", project.loaded(), [], wheel=wheel)
    assert first.context.tar_bytes() == second.context.tar_bytes()
    assert first.digest == second.digest and first.tag == f"svc:{first.digest[:12]}"
    os.utime(project.root / "score.py", (1_000_000, 1_000_000))
    assert plan_package("svc", project.loaded(), [], wheel=wheel).digest == first.digest
    (project.root / "score.py").write_text("def init():\n    pass\n\n\ndef run(d):\n    return 1\n")
    assert plan_package("svc", project.loaded(), [], wheel=wheel).digest != first.digest

    with tarfile.open(fileobj=io.BytesIO(first.context.tar_bytes())) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert {(m.mtime, m.uid, m.gid) for m in members} == {(0, 0, 0)}
    modes = {m.name: m.mode for m in members}
    assert modes["app/run.sh"] == 0o755 and modes["app/score.py"] == 0o644 and modes["app/pkg"] == 0o755


def test_amldeploys_own_wheel_is_deterministic_and_holds_the_runtime() -> None:
    data = wheel_bytes()
    assert data == wheel_bytes()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "amldeploy/runtime/__main__.py" in names and "amldeploy-0.1.0.dist-info/RECORD" in names
    assert not any("__pycache__" in n for n in names)


def test_amldeploys_own_wheel_installs_with_pip(tmp_path: Path) -> None:
    import subprocess
    import sys

    from amldeploy.ops.package.wheel import wheel_name

    wheel = tmp_path / wheel_name()
    wheel.write_bytes(wheel_bytes())
    target = tmp_path / "site"
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target)]
    subprocess.run([*command, str(wheel)], check=True, capture_output=True)
    assert (target / "amldeploy" / "runtime" / "app.py").is_file()
    assert (target / "amldeploy-0.1.0.dist-info" / "METADATA").is_file()

"""``deploy --isolated``: a cached venv holding only the environment's pip packages.

The venv is keyed by the requirements and the interpreter, so redeploys (and other services with the same
environment) reuse it. The runtime itself needs only the standard library and its HTTP server: it runs from the
venv with ``PYTHONPATH`` pointing at a folder that holds nothing but the ``amldeploy`` package and the server's
libraries (uvicorn, h11, httptools, uvloop, click), linked from the interpreter running amldeploy.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from amldeploy.config.models import InferenceConfig, PipDependencies
from amldeploy.language.conda import read_conda
from amldeploy.language.files import resolve
from amldeploy.ops.errors import DeployFailed
from amldeploy.ops.reporter import Reporter

COMPLETE_MARK = ".amldeploy-complete"
_PIP_NEWS = re.compile(r"^(Collecting|Downloading|Installing|Successfully|Building|Requirement already)")


@dataclass(slots=True)
class Requirements:
    pip: list[str] = field(default_factory=list)
    python: str | None = None  # the conda spec's python version, if any
    conda: list[str] = field(default_factory=list)  # conda-only packages a venv cannot install
    source: str = "no environment"


def requirements_of(config: InferenceConfig, config_dir: Path) -> Requirements:
    """The pip packages of ``environment.python.condaDependencies`` or, else, of ``condaFile``."""
    env_python = config.environment.python if config.environment else None
    if env_python is not None and env_python.user_managed_dependencies:
        return Requirements(source="userManagedDependencies (nothing to install)")
    if env_python is not None and env_python.conda_dependencies is not None:
        req = Requirements(source="environment.python.condaDependencies")
        for dep in env_python.conda_dependencies.dependencies or []:
            if isinstance(dep, PipDependencies):
                req.pip.extend(dep.pip)
            else:
                _add_conda(req, dep)
        return req
    if config.conda_file:
        base = resolve(config_dir, config.source_directory) if config.source_directory else config_dir
        spec = read_conda(resolve(base, config.conda_file).read_text(encoding="utf-8"))
        req = Requirements(pip=list(spec.pip), source=f"condaFile {config.conda_file}")
        for dep in spec.conda:
            _add_conda(req, dep)
        return req
    return Requirements()


def _add_conda(req: Requirements, dep: str) -> None:
    head = re.split(r"[=<>!~ ]", dep.strip(), maxsplit=1)[0].lower()
    if head == "python":
        req.python = dep.strip()[len("python") :].lstrip("=<>!~ ") or None
    elif head != "pip":
        req.conda.append(dep)


def cache_root() -> Path:
    """``venvs`` in the user's cache folder (``ops.places.cache_dir``)."""
    from amldeploy.ops.places import cache_dir

    return cache_dir() / "venvs"


def venv_key(pip: list[str]) -> str:
    identity = {
        "requirements": pip,
        "python": sys.version,
        "implementation": sys.implementation.cache_tag,
        "base": os.path.realpath(sys.base_prefix),
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:20]


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(req: Requirements, reporter: Reporter, root: Path | None = None) -> Path:
    """The venv for ``req`` (built now, or found in the cache); returns its interpreter."""
    root = root or cache_root()
    root.mkdir(parents=True, exist_ok=True)
    venv = root / venv_key(req.pip)
    with _locked(root / f"{venv.name}.lock"):
        if (venv / COMPLETE_MARK).is_file():
            reporter.step(f"Using the cached environment ({_packages(req.pip)})")
            reporter.done(True, "cached")
            return venv_python(venv)
        shutil.rmtree(venv, ignore_errors=True)
        reporter.step(f"Building an isolated environment from {req.source} ({_packages(req.pip)})")
        try:
            _build(venv, req.pip, reporter)
        except BaseException:
            shutil.rmtree(venv, ignore_errors=True)
            reporter.done(False)
            raise
        (venv / COMPLETE_MARK).write_text(json.dumps({"requirements": req.pip}) + "\n", encoding="utf-8")
        reporter.done(True)
    return venv_python(venv)


def _packages(pip: list[str]) -> str:
    return f"{len(pip)} pip package{'s' * (len(pip) != 1)}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(venv: Path, pip: list[str], reporter: Reporter) -> None:
    import venv as venv_module

    outer_pip = _outer_pip()
    reporter.progress("creating the venv")
    venv_module.EnvBuilder(with_pip=not outer_pip and bool(pip), symlinks=True).create(venv)
    if not pip:
        return
    requirements = venv / "requirements.txt"
    requirements.write_text("\n".join(pip) + "\n", encoding="utf-8")
    if outer_pip:
        command = [sys.executable, "-m", "pip", "--python", str(venv_python(venv))]
    else:
        command = [str(venv_python(venv)), "-m", "pip"]
    command += [
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--progress-bar",
        "off",
        "-r",
        str(requirements),
    ]
    last: deque[str] = deque(maxlen=40)
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, errors="replace"
    )
    assert proc.stdout is not None
    with proc:
        try:
            for raw in proc.stdout:
                line = raw.rstrip()
                last.append(line)
                if _PIP_NEWS.match(line):
                    reporter.progress(line)
        except BaseException:  # cancelled or interrupted: pip stops too
            proc.kill()
            raise
    if proc.returncode != 0:
        raise DeployFailed(
            f"pip could not install the environment's packages (exit status {proc.returncode})",
            "fix the pip requirements of the environment (see pip's last lines above), or deploy without --isolated "
            "to use the packages of the interpreter running amldeploy",
            None,
            list(last),
        )


def _outer_pip() -> bool:
    """Whether this interpreter's pip can install into another interpreter (``pip --python``, pip ≥ 22.3):
    faster than bootstrapping pip into every venv."""
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    match = re.match(r"pip (\d+)\.(\d+)", out.stdout)
    return out.returncode == 0 and match is not None and (int(match[1]), int(match[2])) >= (22, 3)

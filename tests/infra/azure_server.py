"""The real Azure ML inference server (azureml-inference-server-http 1.5.1) in a cached venv, bound to 127.0.0.1.

    python tests/infra/azure_server.py ensure     # build .cache/azmlinfsrv-1.5.1/ (fast when already there)

The venv holds the server, inference-schema 1.8 and the model libraries (numpy, pandas, scikit-learn, joblib,
scipy) at the versions pinned in ``requirements/dev.lock``, so that Azure's server and ``amldeploy serve`` run the
same libraries. A stamp file holds the requirement list and the Python version; when it matches, nothing runs.
A failed ``pip install`` raises :class:`SetupError` carrying pip's own output.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
SERVER_VERSION = "1.5.1"
VENV = ROOT / ".cache" / f"azmlinfsrv-{SERVER_VERSION}"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / "amldeploy-requirements.txt"
LOCK = ROOT / "requirements" / "dev.lock"
WRAPPER = Path(__file__).resolve().with_name("azml_local.py")
HOST = "127.0.0.1"
PIP_TIMEOUT_S = 1200
# Model libraries taken from the project's lockfile; inference-schema is pinned by the contract (mission §2.4).
FROM_LOCK = ("numpy", "pandas", "scikit-learn", "scipy", "joblib")
# Variables of the calling environment that must not leak into a server process.
_SCRUB_PREFIXES = ("AZUREML_", "AML_", "AMLDEPLOY_", "SCORING_", "WORKER_", "SERVICE_", "SERVER_", "HTTP_X_MS")
_SCRUB = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "HEALTH_PORT", "SEPERATE_HEALTH_ENDPOINT", "PORT"}


class SetupError(RuntimeError):
    """The server venv could not be built (the message carries pip's output)."""


def _lock_pins(lock: Path = LOCK) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.split("[", 1)[0].strip().lower().replace("_", "-")] = version.strip()
    return pins


def requirements(lock: Path = LOCK) -> list[str]:
    pins = _lock_pins(lock)
    missing = [name for name in FROM_LOCK if name not in pins]
    if missing:
        raise SetupError(f"{lock.name} pins no version for {', '.join(missing)}")
    return [
        f"azureml-inference-server-http=={SERVER_VERSION}",
        "inference-schema[numpy-support,pandas-support]==1.8",
        *(f"{name}=={pins[name]}" for name in FROM_LOCK),
    ]


def _stamp_text(reqs: list[str]) -> str:
    return "\n".join([f"python {sys.version_info.major}.{sys.version_info.minor}", *reqs]) + "\n"


def is_ready() -> bool:
    try:
        return PYTHON.exists() and STAMP.read_text(encoding="utf-8") == _stamp_text(requirements())
    except OSError:
        return False


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / f"{VENV.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # one builder at a time (pytest and the bench may start together)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(cmd: list[str], what: str, timeout: float) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise SetupError(f"{what} took longer than {timeout:.0f} s: {' '.join(cmd)}") from exc
    if done.returncode != 0:
        output = "\n".join(part for part in (done.stdout.strip(), done.stderr.strip()) if part)
        tail = "\n".join(output.splitlines()[-60:])
        raise SetupError(f"{what} failed (exit status {done.returncode}): {' '.join(cmd)}\n{tail}")


def ensure(log: IO[str] | None = None) -> Path:
    """Build the server venv unless its stamp matches; return its Python. Raises :class:`SetupError`."""
    if is_ready():
        return PYTHON
    reqs = requirements()
    with _build_lock():
        if is_ready():
            return PYTHON
        if log:
            print(f"building {VENV.relative_to(ROOT)} ({', '.join(reqs)}) ...", file=log, flush=True)
        shutil.rmtree(VENV, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(VENV)], "creating the venv", 300)
        pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet"]
        _run([*pip, *reqs], "pip install", PIP_TIMEOUT_S)
        probe = "import azureml_inference_server_http, inference_schema, sklearn, pandas, joblib, gunicorn"
        _run([str(PYTHON), "-c", probe], "importing the installed server", 300)
        STAMP.write_text(_stamp_text(reqs), encoding="utf-8")
    return PYTHON


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The calling environment without server settings of its own, plus ``env``."""
    clean = {k: v for k, v in os.environ.items() if k not in _SCRUB and not k.startswith(_SCRUB_PREFIXES)}
    clean["PYTHONUNBUFFERED"] = "1"
    clean.update(env or {})
    return clean


def start_azure(
    entry_script: Path | str,
    model_dir: Path | str | None,
    port: int,
    env: Mapping[str, str] | None = None,
    *,
    cwd: Path | str | None = None,
    log: IO[bytes] | int | None = subprocess.DEVNULL,
) -> subprocess.Popen[bytes]:
    """Start azmlinfsrv on 127.0.0.1:``port`` (in its own process group; stop it with :func:`stop`)."""
    if not is_ready():
        ensure()
    entry = Path(entry_script).resolve()
    cmd = [str(PYTHON), str(WRAPPER), "--entry_script", str(entry), "--port", str(port)]
    if model_dir is not None:
        cmd += ["--model_dir", str(Path(model_dir).resolve())]
    workdir = Path(cwd) if cwd else entry.parent
    return subprocess.Popen(
        cmd, cwd=workdir, env=server_env(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def health(port: int, timeout: float = 2.0) -> int | None:
    """Status of ``GET /`` on 127.0.0.1:``port``, or None when nothing answers."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


def wait_healthy(port: int, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> float:
    """Wait for 200 on ``GET /``; return the seconds waited. Raises when ``proc`` exits or time runs out."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if health(port, timeout=1.0) == 200:
            return time.monotonic() - start
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with status {proc.returncode} before it was healthy")
        time.sleep(0.01)
    raise TimeoutError(f"server on port {port} not healthy after {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes], grace: float = 5.0) -> int:
    """Stop a server started here (its whole process group: gunicorn's master and workers)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
            proc.wait(grace)
    return proc.returncode


def main(argv: list[str]) -> int:
    if argv[:1] != ["ensure"]:
        print("usage: python tests/infra/azure_server.py ensure", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        python = ensure(log=sys.stderr)
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{python.relative_to(ROOT)} ready ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

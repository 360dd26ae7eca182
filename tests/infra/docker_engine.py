"""The real Docker engine of the tests: ``tests/infra/docker/ensure.sh`` run once per process.

``ensure()`` returns what the script prints (``DOCKER_HOST``, ``AMLDEPLOY_TEST_REGISTRY``,
``AMLDEPLOY_TEST_BASE_IMAGE``, ``AMLDEPLOY_TEST_NOPY_IMAGE``). The first call of a machine installs the Debian
packages and builds the base images (about a minute); later calls find everything running and take well under a
second. ``read_env()`` reads the same values from the file the script writes, without running it.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from pathlib import Path

ENSURE = Path(__file__).resolve().parent / "docker" / "ensure.sh"
KEYS = ("DOCKER_HOST", "AMLDEPLOY_TEST_REGISTRY", "AMLDEPLOY_TEST_BASE_IMAGE", "AMLDEPLOY_TEST_NOPY_IMAGE")
TIMEOUT_S = 900
_EXPORT = re.compile(r"^export ([A-Z_]+)=(.*)$")
_lock = threading.Lock()
_env: dict[str, str] | None = None


def cache_dir() -> Path:
    """Where ensure.sh keeps the engine, the registry and the images (outside the clone)."""
    root = os.environ.get("AMLDEPLOY_TEST_CACHE")
    if not root:
        root = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "amldeploy-tests")
    return Path(root) / "docker"


def _parse(text: str) -> dict[str, str]:
    env = {m[1]: m[2] for line in text.splitlines() if (m := _EXPORT.match(line.strip()))}
    missing = [key for key in KEYS if not env.get(key)]
    if missing:
        raise RuntimeError(f"ensure.sh did not give {', '.join(missing)}")
    return env


def ensure() -> dict[str, str]:
    """Start (or find) the engine, the registry and the base images; return their settings."""
    global _env
    with _lock:
        if _env is None:
            proc = subprocess.run(
                ["bash", str(ENSURE)], capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL
            )
            if proc.returncode != 0:
                tail = "\n".join(proc.stderr.splitlines()[-30:])
                raise RuntimeError(f"{ENSURE} failed with exit code {proc.returncode}:\n{tail}")
            _env = _parse(proc.stdout)
        return dict(_env)


def read_env() -> dict[str, str]:
    """The settings of the last ensure.sh run, from its env file (the engine may have been stopped since)."""
    return _parse((cache_dir() / "env").read_text())

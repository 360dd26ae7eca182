"""Start ``amldeploy serve`` (the project's own scoring runtime) the same way as Azure's server, on 127.0.0.1."""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from tests.infra.azure_server import HOST, ROOT, server_env


@functools.cache
def serve_available() -> bool:
    """True when this checkout has the ``amldeploy serve`` command."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "amldeploy", "serve", "--help"], capture_output=True, cwd=ROOT, timeout=60
        )
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def start_amldeploy(
    entry_script: Path | str,
    port: int,
    env: Mapping[str, str] | None = None,
    *,
    args: Sequence[str] = (),
    entry_via_env: bool = False,
    cwd: Path | str | None = None,
    log: IO[bytes] | int | None = subprocess.DEVNULL,
) -> subprocess.Popen[bytes]:
    """``python -m amldeploy serve --entry-script S --port P --host 127.0.0.1 [args]`` in its own process group.

    With ``entry_via_env`` the script is not passed on the command line: ``AZUREML_ENTRY_SCRIPT`` in ``env`` names
    it, as when the runtime is an image's entrypoint.
    """
    entry = Path(entry_script).resolve()
    cmd = [sys.executable, "-m", "amldeploy", "serve"]
    if not entry_via_env:
        cmd += ["--entry-script", str(entry)]
    cmd += ["--port", str(port), "--host", HOST, *args]
    return subprocess.Popen(
        cmd,
        cwd=Path(cwd) if cwd else entry.parent,
        env=server_env(env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

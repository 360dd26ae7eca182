"""The user's amldeploy folders, one rule for every part that keeps something between runs.

* ``cache_dir()``: what can be made again (isolated venvs, no-code files, shared lock files):
  ``$AMLDEPLOY_CACHE_DIR``, else ``$XDG_CACHE_HOME/amldeploy``, else ``~/.cache/amldeploy``.
* ``data_dir()``: what the user made (the model registry, named compute targets, the ``az`` shim):
  ``$AMLDEPLOY_DATA_DIR``, else ``$XDG_DATA_HOME/amldeploy``, else ``~/.local/share/amldeploy``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

CACHE_DIR_ENV = "AMLDEPLOY_CACHE_DIR"
DATA_DIR_ENV = "AMLDEPLOY_DATA_DIR"


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(CACHE_DIR_ENV):
        return Path(env[CACHE_DIR_ENV]).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "amldeploy"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(DATA_DIR_ENV):
        return Path(env[DATA_DIR_ENV]).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "amldeploy"

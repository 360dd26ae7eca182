"""The opt-in ``az`` shim: an executable ``az`` (POSIX shell) in a folder the user puts first on PATH.

``az ml model|service|computetarget …`` (v1's verbs: v2's ``az ml model create|archive|…`` are not amldeploy's)
runs ``PYTHON -m amldeploy ml …`` with the Python amldeploy is installed in; every other ``az …`` runs the real
Azure CLI: the first ``az`` on PATH that is not in the shim's own folder. Without one, the shim says so and
exits 127 (the shell's "command not found")."""

from __future__ import annotations

import shlex
import stat
import sys
from pathlib import Path

from amldeploy.ops.errors import EXIT_USAGE, OpsError

MARK = "# amldeploy az shim"

_SCRIPT = """#!/bin/sh
{mark}: written by 'amldeploy ml install-shim', removed by 'amldeploy ml uninstall-shim'.
# 'az ml model|service|computetarget ...' runs amldeploy; any other 'az ...' runs the Azure CLI found on PATH
# after this folder.
# v1 and the Azure CLI's v2 'ml' extension share 'az ml model list|show|delete|update|download|package': those, and
# v1's own verbs, come here; v2's other model verbs (create, archive, share, ...) go to the Azure CLI.
if [ "$1" = ml ]; then
  case "$2 $3" in
    "model register"*|"model deploy"*|"model package"*|"model download"*|"model list"*|"model show"*|\\
    "model delete"*|"model update"*|"model profile"*|"model "|"model -h"*|"model --help"*|\\
    "service "*|"computetarget "*)
      shift
      exec {python} -m amldeploy ml "$@"
      ;;
  esac
fi
shim_dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
old_ifs=$IFS
IFS=:
for dir in $PATH; do
  IFS=$old_ifs
  [ -n "$dir" ] || dir=.
  real=$(CDPATH= cd -- "$dir" 2>/dev/null && pwd -P) || continue
  if [ "$real" != "$shim_dir" ] && [ -f "$dir/az" ] && [ -x "$dir/az" ]; then
    exec "$dir/az" "$@"
  fi
done
IFS=$old_ifs
echo "az: the Azure CLI is not installed (no 'az' on PATH besides the amldeploy shim in $shim_dir)." >&2
echo "az: only 'az ml model|service|computetarget' work without it; install the Azure CLI for the rest." >&2
exit 127
"""


def default_dir() -> Path:
    """``az-shim`` in the user's amldeploy data folder (``$AMLDEPLOY_DATA_DIR``, else the XDG data folder)."""
    from amldeploy.ops.places import data_dir

    return data_dir() / "az-shim"


def install(directory: str | None) -> int:
    folder = Path(directory) if directory else default_dir()
    path = folder / "az"
    if path.exists() and MARK not in _read(path):
        raise OpsError(f"{path} exists and is not amldeploy's shim", "choose another --dir", EXIT_USAGE)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(_SCRIPT.format(mark=MARK, python=shlex.quote(sys.executable)), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    print(f"installed {path}")
    print(f'put its folder first on PATH, e.g. in ~/.profile: export PATH="{folder}:$PATH"')
    return 0


def uninstall(directory: str | None) -> int:
    folder = Path(directory) if directory else default_dir()
    path = folder / "az"
    if not path.exists():
        print(f"no shim in {folder}")
        return 0
    if MARK not in _read(path):
        raise OpsError(f"{path} is not amldeploy's shim: left alone", None, EXIT_USAGE)
    path.unlink()
    print(f"removed {path}")
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""

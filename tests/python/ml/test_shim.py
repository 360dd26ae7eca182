"""The opt-in ``az`` shim: first on PATH, it sends ``az ml model|service|computetarget`` to amldeploy and every
other ``az`` command to the real Azure CLI later on PATH (here a stand-in that echoes its arguments)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.python.ml.conftest import base_env

SCRIPT = """\
set -e
az ml model register -n shimmed --asset-path outputs/model.joblib --tag area=mnist -o none
az ml model list --tag area=mnist --query '[].id' -o tsv
az account show --output json
az ml workspace list -g rg
az ml model create --name v2model --path outputs
"""


def _run(script: str, cwd: Path, path: str, registry: Path) -> subprocess.CompletedProcess[str]:
    env = base_env(registry)
    env["PATH"] = path
    return subprocess.run(["sh", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_shim_forwards_ml_to_amldeploy_and_the_rest_to_the_real_az(project: Path, tmp_path: Path) -> None:
    shim, real = tmp_path / "shim", tmp_path / "real-bin"
    real.mkdir()
    (real / "az").write_text('#!/bin/sh\necho "real az: $*"\n', encoding="utf-8")
    (real / "az").chmod(0o755)
    installed = subprocess.run(
        [sys.executable, "-m", "amldeploy", "ml", "install-shim", "--dir", str(shim)],
        capture_output=True, text=True, timeout=60, env=base_env(tmp_path / "registry"),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    assert os.access(shim / "az", os.X_OK)

    system = os.environ.get("PATH", "/usr/bin:/bin")
    done = _run(SCRIPT, project, f"{shim}:{real}:{system}", tmp_path / "registry")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "shimmed:1",
        "real az: account show --output json",
        "real az: ml workspace list -g rg",
        "real az: ml model create --name v2model --path outputs",  # v2's verb: the Azure CLI's
    ]

    alone = _run("az account show", project, f"{shim}:/usr/bin:/bin", tmp_path / "registry")
    assert alone.returncode == 127
    assert "the Azure CLI is not installed" in alone.stderr
    assert _run("az ml service list", project, f"{shim}:/usr/bin:/bin", tmp_path / "registry").stdout == "[]\n"

    removed = subprocess.run(
        [sys.executable, "-m", "amldeploy", "ml", "uninstall-shim", "--dir", str(shim)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert removed.returncode == 0 and not (shim / "az").exists()


def test_the_shim_leaves_a_foreign_az_alone(tmp_path: Path) -> None:
    (tmp_path / "az").write_text("#!/bin/sh\n", encoding="utf-8")
    for command in ("install-shim", "uninstall-shim"):
        proc = subprocess.run(
            [sys.executable, "-m", "amldeploy", "ml", command, "--dir", str(tmp_path)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 2 and "not amldeploy's shim" in proc.stderr
    assert (tmp_path / "az").read_text() == "#!/bin/sh\n"

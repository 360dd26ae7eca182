"""The wheel ships the schemas as package data and the console script; the installed package finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_wheel_ships_schemas_and_console_script(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("amldeploy-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for schema in ("inferenceconfig", "deploymentconfig", "environment"):
        assert f"amldeploy/schemas/{schema}.schema.json" in names
    assert "amldeploy/py.typed" in names
    assert not any(n.startswith(("tests/", "examples/", "amldeploy/tests")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "amldeploy = amldeploy.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()

    # Installed without the checkout next to it, the package reads its schemas from package data.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert not (tmp_path / "schemas").exists()
    code = (
        "import amldeploy; from amldeploy.language.schema.store import load_schema;"
        "print(amldeploy.__file__); print(load_schema('deploymentconfig.schema.json')['$id'])"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path[:0] = [{str(site)!r}]; " + code],
        capture_output=True,
        text=True,
        check=True,
    )
    first, second = proc.stdout.splitlines()
    assert first.startswith(str(site)) and second == "deploymentconfig.schema.json"

"""``deploy --isolated``: a cached venv with only the environment's pip packages (offline: a local wheel)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.python.ops.conftest import SAMPLE, Cli

SCORE = """import sys


def init():
    print("init in", sys.prefix)


def run(data):
    import tinypkg

    try:
        import numpy  # noqa: F401 -- present where amldeploy runs, absent from the isolated venv
        numpy_found = True
    except ImportError:
        numpy_found = False
    return {"prefix": sys.prefix, "tiny": tinypkg.VALUE, "numpy": numpy_found}
"""


def make_wheel(folder: Path) -> Path:
    """A minimal pure-Python wheel, so that pip installs without an index."""
    wheel = folder / "tinypkg-1.0-py3-none-any.whl"
    files = {
        "tinypkg.py": "VALUE = 42\n",
        "tinypkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n",
        "tinypkg-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in files) + "tinypkg-1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        archive.writestr("tinypkg-1.0.dist-info/RECORD", record)
    return wheel


def inference(project: Path, pip: list[str]) -> None:
    config = {
        "entryScript": "score.py",
        "environment": {"python": {"condaDependencies": {"dependencies": ["python=3.11", "pip", {"pip": pip}]}}},
    }
    (project / "inferenceconfig.json").write_text(json.dumps(config))
    (project / "score.py").write_text(SCORE)


def test_isolated_venv_holds_only_the_environment(cli: Cli, project: Path) -> None:
    cache = project / "cache"
    inference(project, [str(make_wheel(project))])
    deploy = ["deploy", "sk-iso", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--isolated"]
    first = cli(*deploy, AMLDEPLOY_CACHE_DIR=str(cache))
    assert first.status == 0, first.both
    assert "Building an isolated environment" in first.err and "Successfully installed tinypkg" in first.err
    answer = cli("score", "sk-iso", "--data", "{}", "--output", "json").json()["body"]
    assert answer["tiny"] == 42 and answer["numpy"] is False
    assert Path(answer["prefix"]).parent == cache / "venvs"
    assert cli("show", "sk-iso", "--output", "json").json()["isolated"] is True

    again = cli(*deploy, AMLDEPLOY_CACHE_DIR=str(cache))
    assert again.status == 0 and "Using the cached environment (1 pip package)" in again.err
    assert cli("score", "sk-iso", "--data", "{}", "--output", "json").json()["body"]["prefix"] == answer["prefix"]


def test_pip_failure_is_failed_with_pip_lines(cli: Cli, project: Path) -> None:
    inference(project, ["./no-such-wheel-1.0-py3-none-any.whl"])
    deploy = ["deploy", "sk-pip", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--isolated"]
    failed = cli(*deploy, AMLDEPLOY_CACHE_DIR=str(project / "cache"))
    assert failed.status == 1 and "pip could not install" in failed.err
    assert "no-such-wheel" in failed.err and "Traceback" not in failed.err
    shown = cli("show", "sk-pip", "--output", "json").json()
    assert shown["state"] == "Failed" and shown["pid"] is None
    assert "no-such-wheel" in cli("logs", "sk-pip").out


def test_isolated_example_from_the_index(cli: Cli, project: Path) -> None:
    # Installs numpy and scikit-learn from the package index into a venv cached in the checkout's .cache/
    # (about 15 s warm, longer on a fresh machine), like a user's first --isolated deploy.
    cache = Path(__file__).resolve().parents[3] / ".cache" / "isolated-venvs"
    deploy = ["deploy", "sk-iso-example", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json"]
    deployed = cli(*deploy, "--model", "model.joblib", "--isolated", timeout=600, AMLDEPLOY_CACHE_DIR=str(cache))
    assert deployed.status == 0, deployed.both
    answer = cli("score", "sk-iso-example", "--data", SAMPLE, "--output", "json").json()
    assert answer["status"] == 200 and isinstance(answer["body"][0], float)

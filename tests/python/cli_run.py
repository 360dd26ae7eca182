"""What the tests that run ``amldeploy`` as a user runs it share: a command's result, and the example's model
trained once (examples/sklearn/train.py)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sklearn"


@dataclass
class Result:
    status: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err

    def json(self) -> Any:
        return json.loads(self.out)


Cli = Callable[..., Result]


def run_amldeploy(
    args: tuple[str, ...], cwd: Path, env: Mapping[str, str], timeout: float, stdin: str | None = None
) -> Result:
    """``python -m amldeploy ARGS...`` in ``cwd`` with exactly ``env``, as a user runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "amldeploy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
        env=dict(env),
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def train_example(folder: Path) -> Path:
    """``folder/model.joblib``: the example's Ridge model, trained by its own train.py."""
    spec = importlib.util.spec_from_file_location("example_train", EXAMPLE / "train.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = folder / "model.joblib"
    module.main(path)
    return path


def example_project(folder: Path, configs: Mapping[str, Any]) -> Path:
    """A v1 project as scripts find it: the example's score.py and inferenceconfig.json, the model trained into
    ``outputs/model.joblib``, and each of ``configs`` (file name → content) written as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("score.py", "inferenceconfig.json"):
        shutil.copy(EXAMPLE / name, folder / name)
    for name, content in configs.items():
        (folder / name).write_text(json.dumps(content), encoding="utf-8")
    (folder / "outputs").mkdir()
    train_example(folder / "outputs")
    return folder

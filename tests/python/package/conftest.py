from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from amldeploy.config.load import Loaded, load_inference_config
from amldeploy.config.models import InferenceConfig

SCORE = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"


class Project:
    """A folder with score.py and an inference config written from a dict."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "score.py").write_text(SCORE)

    def config(self, **keys: Any) -> Path:
        path = self.root / "inferenceconfig.json"
        path.write_text(json.dumps({"entryScript": "score.py", **keys}))
        return path

    def loaded(self, **keys: Any) -> Loaded[InferenceConfig]:
        return load_inference_config(self.config(**keys))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    root.mkdir()
    return Project(root)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small stand-in for amldeploy's wheel (making the real one is tested once, in test_context)."""
    path = tmp_path_factory.mktemp("wheel") / "amldeploy-0.1.0-py3-none-any.whl"
    path.write_bytes(b"not a real wheel")
    return path

"""A v1 project written from dicts: score.py, the two configs and a model file, for ``amldeploy export``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from amldeploy.config.load import Loaded, load_deployment_config, load_inference_config
from amldeploy.config.models import DeploymentConfig, InferenceConfig
from amldeploy.ops.model_specs import ModelSpec

SCORE = "import os\n\n\ndef init():\n    pass\n\n\ndef run(data):\n    return data\n"


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "score.py").write_text(SCORE)
        self.model = root / "model.pkl"
        self.model.write_bytes(b"model")

    def ic(self, **keys: Any) -> Path:
        path = self.root / "inferenceconfig.json"
        path.write_text(json.dumps({"entryScript": "score.py", **keys}))
        return path

    def dc(self, **keys: Any) -> Path:
        path = self.root / "deploymentconfig.json"
        path.write_text(json.dumps(keys))
        return path

    def loaded(
        self, ic: dict[str, Any], dc: dict[str, Any]
    ) -> tuple[Loaded[InferenceConfig], Loaded[DeploymentConfig]]:
        return load_inference_config(self.ic(**ic)), load_deployment_config(self.dc(**dc))

    def spec(self) -> ModelSpec:
        return ModelSpec(self.model, "clf", 2)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    root.mkdir()
    return Project(root)

"""Typed loading for operations: errors stop the load with positions; warnings travel with the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from amldeploy.config import AciDeploymentConfig, AksDeploymentConfig, LocalDeploymentConfig
from amldeploy.config.load import ConfigError, load_deployment_config, load_inference_config

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "sklearn"


def test_example_configs_load_typed() -> None:
    inference = load_inference_config(EXAMPLE / "inferenceconfig.json").config
    assert inference.entry_script == "score.py"
    assert inference.environment is not None
    local = load_deployment_config(EXAMPLE / "deploymentconfig.json").config
    assert isinstance(local, LocalDeploymentConfig) and local.port == 8890
    aci = load_deployment_config(EXAMPLE / "deploymentconfig.aci.json").config
    assert isinstance(aci, AciDeploymentConfig)
    aks = load_deployment_config(EXAMPLE / "deploymentconfig.aks.yml").config
    assert isinstance(aks, AksDeploymentConfig)


def test_errors_stop_the_load_with_positions(tmp_path: Path) -> None:
    path = tmp_path / "deploymentconfig.json"
    path.write_text('{\n  "computeType": "local",\n  "port": "8890"\n}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_deployment_config(path)
    assert f"{path}:3:11: DC002" in str(info.value)


def test_warnings_come_with_the_model(tmp_path: Path) -> None:
    path = tmp_path / "deploymentconfig.yml"
    path.write_text("computeType: local\nprot: 1\n", encoding="utf-8")
    loaded = load_deployment_config(path)
    assert [w.code for w in loaded.warnings] == ["DC006"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_inference_config(tmp_path / "nope.json")

"""One table of file names: `amldeploy validate` and the language server's default associations give every name
the same kind, so that the CLI and the editor can never disagree about which files are configs."""

from __future__ import annotations

from pathlib import Path

import pytest

from amldeploy.language.validate import Kind, kind_from_name
from amldeploy.lsp.settings import Settings

NAMES = {
    "inferenceconfig.json": Kind.INFERENCE,
    "InferenceConfig.YML": Kind.INFERENCE,
    "prod.inference_config.yaml": Kind.INFERENCE,
    "inference-config.json": Kind.INFERENCE,
    "deploymentconfig.json": Kind.DEPLOYMENT,
    "deploymentconfig.aks.yml": Kind.DEPLOYMENT,
    "deployment-config.yaml": Kind.DEPLOYMENT,
    "deploy_config.json": Kind.DEPLOYMENT,
    "deploy-config.json": Kind.DEPLOYMENT,
    "aci-deployconfig.yml": Kind.DEPLOYMENT,
    "config.json": None,
    "inferenceconfig.txt": None,
    "deployment.json": None,
    "inference.json": None,
}


@pytest.mark.parametrize(("name", "kind"), NAMES.items())
def test_cli_and_editor_give_a_name_the_same_kind(name: str, kind: Kind | None) -> None:
    assert kind_from_name(Path(name)) == kind
    assert Settings().kind_by_name(name) == (kind.value if kind is not None else None)


def test_score_py_is_an_entry_script_for_both() -> None:
    assert kind_from_name(Path("score.py")) == Kind.ENTRY_SCRIPT
    assert Settings().kind_by_name("score.py") == Kind.ENTRY_SCRIPT.value

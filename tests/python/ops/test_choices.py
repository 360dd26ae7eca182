"""The values of target settings from the Azure CLI's profile and the kubeconfig, read from files in tmp."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from amldeploy.ops.choices import (
    SETTINGS,
    azure_config_dir,
    azure_subscriptions,
    choices_for,
    kube_contexts,
    kubeconfig_paths,
)
from amldeploy.ops.errors import OpsError


def write_profile(folder: Path, subscriptions: list[dict[str, object]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "azureProfile.json"
    # The Azure CLI writes its profile with a byte order mark.
    path.write_bytes(json.dumps({"installationId": "x", "subscriptions": subscriptions}).encode("utf-8-sig"))
    return path


SUBSCRIPTIONS: list[dict[str, object]] = [
    {"id": "sub-1", "name": "Dev", "isDefault": False, "tenantId": "t-1", "user": {"name": "me@example.com"}},
    {"id": "sub-2", "name": "Prod", "isDefault": True, "tenantId": "t-2", "user": {"name": "me@example.com"}},
    {"id": "sub-3", "name": "", "isDefault": False},
    {"name": "no id"},
    "junk",
]


def test_subscriptions_from_the_azure_profile(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "azure", SUBSCRIPTIONS)
    found = azure_subscriptions(tmp_path / "azure")
    assert [c.to_json() for c in found.choices] == [
        {"value": "sub-1", "label": "Dev", "description": "tenant t-1"},
        {"value": "sub-2", "label": "Prod", "description": "default · tenant t-2"},
        {"value": "sub-3", "label": "sub-3"},
    ]
    assert str(path) in found.source
    assert "me@example.com" not in json.dumps(found.to_json())


def test_missing_or_broken_profile_is_an_empty_answer_that_says_what_to_do(tmp_path: Path) -> None:
    missing = azure_subscriptions(tmp_path / "nowhere")
    assert missing.choices == [] and "az login" in missing.source
    assert str(tmp_path / "nowhere" / "azureProfile.json") in missing.source
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "azureProfile.json").write_text("{not json", encoding="utf-8")
    broken = azure_subscriptions(tmp_path / "broken")
    assert broken.choices == [] and "unreadable" in broken.source and "az login" in broken.source
    write_profile(tmp_path / "empty", [])
    assert "lists no subscription" in azure_subscriptions(tmp_path / "empty").source


def test_where_the_files_are_looked_for(tmp_path: Path) -> None:
    assert azure_config_dir({"AZURE_CONFIG_DIR": "/x/azure"}) == Path("/x/azure")
    assert azure_config_dir({}, home=tmp_path) == tmp_path / ".azure"
    joined = os.pathsep.join(["/a/config", "", "/b/config"])
    assert kubeconfig_paths({"KUBECONFIG": joined}) == [Path("/a/config"), Path("/b/config")]
    assert kubeconfig_paths({}, home=tmp_path) == [tmp_path / ".kube" / "config"]


KUBECONFIG_A = """\
apiVersion: v1
kind: Config
current-context: aks-dev
contexts:
  - name: aks-dev
    context: {cluster: aks-dev-cluster, namespace: ml, user: dev-user}
  - name: kind-local
    context: {cluster: kind-kind, user: kind-user}
"""
KUBECONFIG_B = """\
current-context: other
contexts:
  - name: kind-local
    context: {cluster: shadowed, user: u}
  - name: prod
    context: {cluster: prod-cluster, namespace: serving, user: p}
"""


def test_contexts_merged_like_kubectl(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(KUBECONFIG_A, encoding="utf-8")
    b.write_text(KUBECONFIG_B, encoding="utf-8")
    found = kube_contexts([tmp_path / "missing.yaml", a, b])
    assert [c.to_json() for c in found.choices] == [
        {"value": "aks-dev", "label": "aks-dev", "description": "current · cluster aks-dev-cluster · namespace ml"},
        {"value": "kind-local", "label": "kind-local", "description": "cluster kind-kind"},
        {"value": "prod", "label": "prod", "description": "cluster prod-cluster · namespace serving"},
    ]
    assert str(a) in found.source and str(b) in found.source


def test_missing_or_broken_kubeconfig(tmp_path: Path) -> None:
    missing = kube_contexts([tmp_path / "config"])
    assert missing.choices == [] and f"no kubeconfig at {tmp_path / 'config'}" in missing.source
    assert "KUBECONFIG" in missing.source
    broken = tmp_path / "broken"
    broken.write_text("contexts: [\n", encoding="utf-8")
    answer = kube_contexts([broken])
    assert answer.choices == [] and "unreadable" in answer.source
    empty = tmp_path / "empty"
    empty.write_text("apiVersion: v1\n", encoding="utf-8")
    assert "no context" in kube_contexts([empty]).source


def test_choices_for_each_setting(tmp_path: Path) -> None:
    write_profile(tmp_path / "azure", SUBSCRIPTIONS)
    (tmp_path / "kube").write_text(KUBECONFIG_A, encoding="utf-8")
    env = {"AZURE_CONFIG_DIR": str(tmp_path / "azure"), "KUBECONFIG": str(tmp_path / "kube")}
    assert [c.value for c in choices_for("aci.subscription", env).choices] == ["sub-1", "sub-2", "sub-3"]
    assert [c.value for c in choices_for("kubernetes.context", env).choices] == ["aks-dev", "kind-local"]
    assert SETTINGS == ("aci.subscription", "kubernetes.context")
    with pytest.raises(OpsError, match=r"aci\.region") as raised:
        choices_for("aci.region", env)
    assert raised.value.hint is not None and "kubernetes.context" in raised.value.hint

"""Where the Kubernetes target looks for its cluster, offline: settings and flags over the environment, the
kubeconfig loading rules, and the messages when there is no cluster to talk to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from amldeploy.ops.errors import OpsError
from amldeploy.ops.targets.base import choose_target, make_target
from amldeploy.ops.targets.kubernetes.cluster import (
    ApiError,
    Cluster,
    ClusterOptions,
    api_failure,
    configured,
    connect,
    in_cluster,
    kubeconfig_files,
)
from amldeploy.ops.targets.kubernetes.target import KubernetesTarget

KUBECONFIG = """\
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: dev-user
  user: {token: not-a-real-token}
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-dev}
- name: other
  context: {cluster: dev-cluster, user: dev-user}
"""


def test_settings_and_flags_come_before_the_environment() -> None:
    env = {"AMLDEPLOY_KUBERNETES_CONTEXT": "from-env", "AMLDEPLOY_KUBERNETES_NAMESPACE": "env-ns"}
    assert ClusterOptions.from_settings({}, env) == ClusterOptions("from-env", None, "env-ns")
    given = {"kubernetes.context": "flag", "kubernetes.namespace": None, "kubernetes.kubeconfig": "/k"}
    assert ClusterOptions.from_settings(given, env) == ClusterOptions("flag", "/k", "env-ns")


def test_kubeconfig_files_follow_kubectls_rules(tmp_path: Path) -> None:
    assert kubeconfig_files(ClusterOptions(kubeconfig=str(tmp_path / "k")), {"KUBECONFIG": "/a"}) == [tmp_path / "k"]
    assert kubeconfig_files(ClusterOptions(), {"KUBECONFIG": f"/a{os.pathsep}/b"}) == [
        Path("/a"),
        Path("/b"),
    ]
    assert kubeconfig_files(ClusterOptions(), {})[0].name == "config"


def test_inside_a_pod_without_a_kubeconfig_the_service_account_is_used(tmp_path: Path) -> None:
    options = ClusterOptions()
    env = {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBECONFIG": str(tmp_path / "none")}
    assert in_cluster(options, env)
    assert not in_cluster(ClusterOptions(context="dev"), env)
    assert not in_cluster(options, {"KUBECONFIG": str(tmp_path / "none")})


def test_no_kubeconfig_says_how_to_connect(tmp_path: Path) -> None:
    options = ClusterOptions(kubeconfig=str(tmp_path / "missing"))
    assert configured(options) == f"no kubeconfig at {tmp_path / 'missing'}"
    with pytest.raises(OpsError) as caught:
        connect(options)
    assert caught.value.hint is not None and "az aks get-credentials" in caught.value.hint


def test_the_contexts_namespace_and_an_unknown_context(tmp_path: Path) -> None:
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    cluster = connect(ClusterOptions(kubeconfig=str(path)))
    try:
        assert (cluster.context, cluster.context_namespace, cluster.host) == ("dev", "team-dev", "https://127.0.0.1:1")
        assert cluster.namespace_for(None) == "team-dev"
        assert cluster.namespace_for("from-config") == "from-config"
    finally:
        cluster.close()
    other = connect(ClusterOptions(context="other", kubeconfig=str(path), namespace="flagged"))
    assert other.namespace_for(None) == "flagged"
    other.close()
    with pytest.raises(OpsError) as caught:
        connect(ClusterOptions(context="prod", kubeconfig=str(path)))
    assert "has no context 'prod' (it has: dev, other)" in caught.value.message


def test_an_unreachable_cluster_is_named_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    cluster = connect(ClusterOptions(kubeconfig=str(path)))
    with pytest.raises(OpsError) as caught:
        cluster.request("GET", "/version", timeout=2)
    cluster.close()
    assert "the cluster https://127.0.0.1:1 (context dev) does not answer" in caught.value.message
    assert caught.value.hint is not None and "kubectl cluster-info" in caught.value.hint


def test_forbidden_and_unauthorized_name_the_verb_resource_and_fix() -> None:
    cluster = Cluster(
        api=None, host="https://k8s.example", context="dev", context_namespace=None, options=ClusterOptions()
    )
    message = 'deployments.apps is forbidden: User "ann" cannot create resource "deployments" in API group "apps"'
    forbidden = api_failure(cluster, ApiError(403, "Forbidden", {"message": message}), "create", "deployments", "ml")
    assert "forbids to create deployments in the namespace ml" in forbidden.message
    assert 'User "ann" cannot create' in forbidden.message
    assert forbidden.hint is not None and "'create' on 'deployments'" in forbidden.hint
    unauthorized = api_failure(cluster, ApiError(401, "Unauthorized"), "get", "secrets", "ml")
    assert "refused the credentials" in unauthorized.message
    assert unauthorized.hint is not None and "az aks get-credentials" in unauthorized.hint


def test_make_target_hands_the_settings_to_the_target(tmp_path: Path) -> None:
    target = make_target("kubernetes", tmp_path, {"kubernetes.context": "dev", "kubernetes.namespace": "ml"})
    assert isinstance(target, KubernetesTarget)
    assert (target.options.context, target.options.namespace) == ("dev", "ml")


def test_an_aks_config_without_a_cluster_names_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(OpsError) as caught:
        choose_target("AKS")
    assert "the kubernetes target: no kubeconfig at" in caught.value.message
    assert choose_target("AKS", available_only=False) == "kubernetes"
    assert choose_target("aksendpoint", available_only=False) == "kubernetes"

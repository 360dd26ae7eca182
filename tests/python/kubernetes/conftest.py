"""A real Kubernetes v1.20.2 on 127.0.0.1 (tests/infra/kubernetes/), started on demand and left running.

* ``kube_api`` (session): etcd and kube-apiserver only (a few seconds once built); a ``KubeCluster`` with
  ``kubeconfig`` (an admin kubeconfig), ``context``, ``full``, ``env`` and ``api_client()`` (a new
  ``kubernetes.client.ApiClient``; close it). Objects can be created and read; nothing schedules or runs pods.
* ``kube_cluster`` (session): the same cluster with the controller-manager, the scheduler and a kubelet whose
  node is Ready: pods run on the test Docker engine (``kube_cluster.env`` holds its ``DOCKER_HOST``,
  ``AMLDEPLOY_TEST_REGISTRY`` and ``AMLDEPLOY_TEST_BASE_IMAGE``), logs, exec and port-forward work.
* ``namespace`` (function): the name of a fresh namespace for one test, deleted afterwards (without waiting for it
  to go); its ``default`` service account and its token secret exist, so pods can be created in it at once (with
  the API server alone too: they then stay Pending).

The first run on a machine fetches and builds Kubernetes from Debian's source package (about 5 minutes on 2
cores); later sessions find it running. A cluster that does not start is an error of the tests that need it, with
the tail of the script's log, not a skip. ``tests/infra/kubernetes/stop.sh`` stops it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from kubernetes import client

from tests.infra import kube_cluster as infra
from tests.infra.kube_cluster import KubeCluster

SERVICE_ACCOUNT_TIMEOUT_S = 60


@pytest.fixture(scope="session")
def kube_api() -> KubeCluster:
    return KubeCluster.from_env(infra.ensure(full=False))


@pytest.fixture(scope="session")
def kube_cluster() -> KubeCluster:
    return KubeCluster.from_env(infra.ensure(full=True))


@pytest.fixture
def namespace(kube_api: KubeCluster) -> Iterator[str]:
    name = f"t-{uuid.uuid4().hex[:10]}"
    with kube_api.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
        try:
            _default_service_account(core, name)
            yield name
        finally:
            core.delete_namespace(name, propagation_policy="Background", _preload_content=False).release_conn()


def _default_service_account(core: client.CoreV1Api, namespace: str) -> None:
    """Pods are refused until the namespace's service account exists and, in 1.20, refers to its token secret.

    The controller-manager makes both within a second or so of the namespace. Without it (the API server alone)
    they are made here, the secret without a token (nothing signs one), so that pods can at least be created.
    """
    if not _node_running():
        _make_default_service_account(core, namespace)
        return
    deadline = time.monotonic() + SERVICE_ACCOUNT_TIMEOUT_S
    while True:
        try:
            if core.read_namespaced_service_account("default", namespace).secrets:
                return
        except client.ApiException as e:
            if e.status != 404:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"no token for the default service account of {namespace} in {SERVICE_ACCOUNT_TIMEOUT_S} s"
            )
        time.sleep(0.1)


def _make_default_service_account(core: client.CoreV1Api, namespace: str) -> None:
    try:
        account = core.create_namespaced_service_account(
            namespace, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="default"))
        )
    except client.ApiException as e:
        if e.status != 409:
            raise
        return  # the controller-manager of a node started meanwhile made it
    annotations = {
        "kubernetes.io/service-account.name": "default",
        "kubernetes.io/service-account.uid": account.metadata.uid,
    }
    secret = client.V1Secret(
        metadata=client.V1ObjectMeta(name="default-token", annotations=annotations),
        type="kubernetes.io/service-account-token",
    )
    core.create_namespaced_secret(namespace, secret)
    core.patch_namespaced_service_account("default", namespace, {"secrets": [{"name": "default-token"}]})


def _node_running() -> bool:
    try:
        return infra.read_env().get("AMLDEPLOY_TEST_K8S_FULL") == "1"
    except (OSError, RuntimeError):
        return False

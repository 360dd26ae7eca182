"""A real Kubernetes v1.20.2 on 127.0.0.1 (tests/infra/kubernetes/), started on demand and left running.

* ``kube_api`` (session): etcd and kube-apiserver only (a few seconds once built); a ``KubeCluster`` with
  ``kubeconfig`` (an admin kubeconfig), ``context``, ``full``, ``env`` and ``api_client()`` (a new
  ``kubernetes.client.ApiClient``; close it). Objects can be created and read; nothing schedules or runs pods.
* ``kube_cluster`` (session): the same cluster with the controller-manager, the scheduler and a kubelet whose
  node is Ready: pods run on the test Docker engine (``kube_cluster.env`` holds its ``DOCKER_HOST``,
  ``AMLDEPLOY_TEST_REGISTRY`` and ``AMLDEPLOY_TEST_BASE_IMAGE``), logs, exec and port-forward work.
* ``namespace`` (function): a fresh namespace for one test, deleted afterwards (without waiting for it to go);
  its ``default`` service account exists, so pods can be created in it at once.

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
    """Pods are refused until their service account exists and, in 1.20, holds its token secret.

    The controller-manager makes both within a second or so of the namespace; without it (API server only) the
    account is made here, so that pods can at least be created.
    """
    deadline = time.monotonic() + SERVICE_ACCOUNT_TIMEOUT_S
    while True:
        try:
            account = core.read_namespaced_service_account("default", namespace)
        except client.ApiException as e:
            if e.status != 404:
                raise
            account = None
        if account is not None and account.secrets:
            return
        if not _node_running():
            if account is None:
                body = client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="default"))
                try:
                    core.create_namespaced_service_account(namespace, body)
                except client.ApiException as e:
                    if e.status != 409:
                        raise
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"no token for the default service account of {namespace} in {SERVICE_ACCOUNT_TIMEOUT_S} s"
            )
        time.sleep(0.1)


def _node_running() -> bool:
    try:
        return infra.read_env().get("AMLDEPLOY_TEST_K8S_FULL") == "1"
    except (OSError, RuntimeError):
        return False

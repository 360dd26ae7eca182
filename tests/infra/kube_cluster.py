"""The real Kubernetes of the tests: ``tests/infra/kubernetes/ensure.sh`` run once per process (and mode).

``ensure(full=False)`` starts (or finds) etcd and kube-apiserver v1.20.2 on 127.0.0.1; ``ensure(full=True)`` also
the controller-manager, the scheduler and a kubelet whose pods run on the test Docker engine, and waits for the
node to be Ready. Both return what the script prints: ``KUBECONFIG`` (an admin kubeconfig),
``AMLDEPLOY_TEST_K8S_CONTEXT``, ``AMLDEPLOY_TEST_K8S_FULL`` and, with the node, ``AMLDEPLOY_TEST_K8S_PAUSE_IMAGE``
and the engine's ``DOCKER_HOST``, ``AMLDEPLOY_TEST_REGISTRY``, ``AMLDEPLOY_TEST_BASE_IMAGE``... The first call of a
machine fetches and builds Kubernetes (about 5 minutes on 2 cores); later calls find it running in well under a
second. ``read_env()`` reads the same values from the file the script writes, without running it.
``KubeCluster`` is what the fixtures of tests/python/kubernetes/conftest.py yield.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

ENSURE = Path(__file__).resolve().parent / "kubernetes" / "ensure.sh"
KEYS = ("KUBECONFIG", "AMLDEPLOY_TEST_K8S_CONTEXT", "AMLDEPLOY_TEST_K8S_FULL")
FULL_KEYS = ("AMLDEPLOY_TEST_K8S_PAUSE_IMAGE", "DOCKER_HOST", "AMLDEPLOY_TEST_REGISTRY", "AMLDEPLOY_TEST_BASE_IMAGE")
# A cold build (fetch + build) takes about 5 minutes on 2 cores, up to 8 on a busy machine; then the node.
TIMEOUT_S = 1800
_EXPORT = re.compile(r"^export ([A-Z0-9_]+)=(.*)$")
_lock = threading.Lock()
_env: dict[bool, dict[str, str]] = {}


def cache_dir() -> Path:
    """Where ensure.sh keeps the build, the certificates and the run state (outside the clone)."""
    root = os.environ.get("AMLDEPLOY_TEST_CACHE")
    if not root:
        root = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "amldeploy-tests")
    return Path(root) / "kubernetes"


def _parse(text: str, full: bool) -> dict[str, str]:
    env = {m[1]: m[2] for line in text.splitlines() if (m := _EXPORT.match(line.strip()))}
    missing = [key for key in KEYS + (FULL_KEYS if full else ()) if not env.get(key)]
    if missing:
        raise RuntimeError(f"ensure.sh did not give {', '.join(missing)}")
    return env


def ensure(full: bool = False) -> dict[str, str]:
    """Start (or find) the API server, and with ``full`` the node; return the script's settings."""
    with _lock:
        env = _env.get(full)
        if env is None:
            proc = subprocess.run(
                ["bash", str(ENSURE), "full" if full else "api"],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
            if proc.returncode != 0:
                tail = "\n".join(proc.stderr.splitlines()[-30:])
                raise RuntimeError(
                    f"{ENSURE} {'full' if full else 'api'} failed with exit code {proc.returncode}:\n{tail}"
                )
            env = _env[full] = _parse(proc.stdout, full)
        return dict(env)


def read_env() -> dict[str, str]:
    """The settings of the last ensure.sh run, from its env file (the cluster may have been stopped since)."""
    text = (cache_dir() / "env").read_text()
    return _parse(text, "export AMLDEPLOY_TEST_K8S_FULL=1" in text.splitlines())


@dataclass(frozen=True)
class KubeCluster:
    """A running test cluster: its admin kubeconfig, its context, whether it runs pods, and the script's env."""

    kubeconfig: Path
    context: str
    full: bool
    env: dict[str, str] = field(repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str]) -> KubeCluster:
        return cls(
            kubeconfig=Path(env["KUBECONFIG"]),
            context=env["AMLDEPLOY_TEST_K8S_CONTEXT"],
            full=env["AMLDEPLOY_TEST_K8S_FULL"] == "1",
            env=env,
        )

    def api_client(self) -> ApiClient:
        """A new ``kubernetes.client.ApiClient`` for the admin (close it, or use it as a context manager)."""
        from kubernetes import config

        return config.new_client_from_config(config_file=str(self.kubeconfig), context=self.context)

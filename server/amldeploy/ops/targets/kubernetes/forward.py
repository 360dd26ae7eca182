"""A port-forward to a service without an outside address (a ClusterIP): a listener on 127.0.0.1 whose every
connection is carried to a ready pod's port 5001 through the API server (the client's own websocket
port-forward, as ``kubectl port-forward`` does)."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator
from typing import Any

from amldeploy.ops.errors import OpsError
from amldeploy.ops.package.dockerfile import PORT
from amldeploy.ops.targets.kubernetes.apply import labelled_pods
from amldeploy.ops.targets.kubernetes.cluster import Cluster

_BUFFER = 65536


def ready_pod(cluster: Cluster, namespace: str, service: str) -> str:
    pods = labelled_pods(cluster, namespace, service)
    for pod in pods:
        meta, status = pod.get("metadata") or {}, pod.get("status") or {}
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
        if ready and not meta.get("deletionTimestamp"):
            return str(meta["name"])
    raise OpsError(
        f"no pod of '{service}' is ready to take a request",
        f"see why with 'amldeploy show {service}' and 'amldeploy logs {service}'",
    )


def _pipe(a: Any, b: Any) -> None:
    """Copy bytes both ways until either side closes."""
    try:
        while True:
            readable, _, _ = select.select([a, b], [], [], 60)
            if not readable:
                continue
            for source in readable:
                data = source.recv(_BUFFER)
                if not data:
                    return
                (b if source is a else a).sendall(data)
    except OSError:
        return
    finally:
        for end in (a, b):
            with contextlib.suppress(OSError):
                end.close()


@contextlib.contextmanager
def port_forward(cluster: Cluster, namespace: str, service: str) -> Iterator[int]:
    """A local port carried to a ready pod of ``service``, open while the context is held."""
    from kubernetes import client as k8s_client
    from kubernetes.stream import portforward

    pod = ready_pod(cluster, namespace, service)
    core = k8s_client.CoreV1Api(cluster.api)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    closing = threading.Event()

    def serve() -> None:
        while not closing.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                forward = portforward(core.connect_get_namespaced_pod_portforward, pod, namespace, ports=str(PORT))
                remote = forward.socket(PORT)
            except Exception:
                conn.close()
                continue
            threading.Thread(target=_pipe, args=(conn, remote), name=f"forward-{pod}", daemon=True).start()

    threading.Thread(target=serve, name=f"forward-{service}", daemon=True).start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        closing.set()
        listener.close()

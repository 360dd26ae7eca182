"""The log of a service: every pod of it, each line prefixed with the pod's name. Following, the pods are looked
at again every few seconds, so the new pods of a rollout join the stream and the old ones leave it when they end.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from amldeploy.ops.targets.kubernetes import manifests as mf
from amldeploy.ops.targets.kubernetes.apply import labelled_pods
from amldeploy.ops.targets.kubernetes.cluster import ApiError, Cluster, chunks

POLL_S = 0.5
RESCAN_S = 2.0


def prefixed(pod: str, line: str) -> str:
    return f"[{pod}] {line}"


def _log_path(namespace: str, pod: str) -> str:
    return f"/api/v1/namespaces/{namespace}/pods/{pod}/log"


def _started(pod: Mapping[str, Any]) -> bool:
    """Whether the pod's container has started once (before that there is no log to read)."""
    for container in (pod.get("status") or {}).get("containerStatuses") or []:
        state = container.get("state") or {}
        if state.get("running") or state.get("terminated") or container.get("lastState", {}).get("terminated"):
            return True
    return False


def read(cluster: Cluster, namespace: str, service: str, tail: int | None = None, previous: bool = False) -> list[str]:
    """The log lines of every pod of ``service`` (the last ``tail`` of each); with ``previous``, of the container
    that ran before the last restart (what a crash printed)."""
    lines: list[str] = []
    for pod in labelled_pods(cluster, namespace, service):
        name = str(pod["metadata"]["name"])
        if not _started(pod):
            continue
        query = {"container": mf.CONTAINER, "tailLines": tail, "previous": "true" if previous else None}
        try:
            response = cluster.stream(_log_path(namespace, name), query, timeout=30)
            text = b"".join(chunks(response)).decode("utf-8", errors="replace")
        except ApiError as exc:
            if previous and exc.status == 400:  # it never restarted: no previous container
                continue
            raise
        lines += [prefixed(name, line) for line in text.splitlines()]
    return lines


def follow(cluster: Cluster, namespace: str, service: str, tail: int | None, stop: Callable[[], bool]) -> Iterator[str]:
    """Lines of every pod as they come, until ``stop()`` or the service's last pod is gone."""
    lines: queue.Queue[str] = queue.Queue()
    streams: dict[str, Any] = {}
    done: set[str] = set()
    first = True
    last_scan = 0.0
    try:
        while not stop():
            now = time.monotonic()
            if now - last_scan >= RESCAN_S:
                last_scan = now
                pods = labelled_pods(cluster, namespace, service)
                names = {str(p["metadata"]["name"]) for p in pods}
                for pod in pods:
                    name = str(pod["metadata"]["name"])
                    if name in streams or name in done or not _started(pod):
                        continue
                    # The pods there at the start show their last lines; a new pod, all of its own.
                    streams[name] = _open(cluster, namespace, name, tail if first else None, lines, done)
                first = False
                if not names and all(n in done for n in streams):
                    break
            try:
                yield lines.get(timeout=POLL_S)
            except queue.Empty:
                continue
        while not lines.empty():
            yield lines.get_nowait()
    finally:
        for response in streams.values():
            if response is not None:
                response.release_conn()
        cluster.close()


def _open(cluster: Cluster, namespace: str, pod: str, tail: int | None, lines: queue.Queue[str], done: set[str]) -> Any:
    query = {"container": mf.CONTAINER, "follow": "true", "tailLines": tail}
    try:
        response = cluster.stream(_log_path(namespace, pod), query, timeout=None)
    except (ApiError, Exception):
        done.add(pod)  # gone, or not started after all: the next scan tries the others
        return None

    def pump() -> None:
        pending = b""
        try:
            for chunk in chunks(response):
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for line in complete:
                    lines.put(prefixed(pod, line.decode("utf-8", errors="replace").rstrip("\r")))
            if pending:
                lines.put(prefixed(pod, pending.decode("utf-8", errors="replace")))
        except Exception:  # closed under us (stop, or the pod went)
            pass
        finally:
            done.add(pod)

    threading.Thread(target=pump, name=f"logs-{pod}", daemon=True).start()
    return response

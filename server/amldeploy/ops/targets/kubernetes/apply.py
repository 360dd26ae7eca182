"""Objects applied idempotently: each is created when missing, else replaced (keeping what the cluster owns:
a Service's cluster IP and node ports, an autoscaled Deployment's current replicas), so a redeploy is a rolling
update. Objects of the service that the new deploy no longer has (an autoscaler turned off, a TLS Secret) go;
``delete`` removes every object labelled with the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from amldeploy.ops.errors import OpsError
from amldeploy.ops.reporter import Reporter
from amldeploy.ops.targets.kubernetes import manifests as mf
from amldeploy.ops.targets.kubernetes.cluster import ApiError, Cluster, api_failure

# kind -> (plural, the version every server serves, for listing and deleting whatever version wrote it)
KINDS: dict[str, tuple[str, str]] = {
    "HorizontalPodAutoscaler": ("horizontalpodautoscalers", "autoscaling/v1"),
    "Service": ("services", "v1"),
    "Deployment": ("deployments", "apps/v1"),
    "Secret": ("secrets", "v1"),
}


def path(api_version: str, kind: str, namespace: str | None, name: str | None = None) -> str:
    plural = KINDS[kind][0]
    base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    where = f"{base}/namespaces/{namespace}/{plural}" if namespace else f"{base}/{plural}"
    return f"{where}/{name}" if name else where


def ensure_namespace(cluster: Cluster, namespace: str, reporter: Reporter) -> None:
    """Create ``namespace`` when it is missing; a user who may not read namespaces is trusted that it exists."""
    try:
        cluster.request("GET", f"/api/v1/namespaces/{namespace}")
        return
    except ApiError as exc:
        if exc.status == 403:
            return  # may deploy into it without seeing it: a missing one shows in the next request's error
        if exc.status != 404:
            raise api_failure(cluster, exc, "get", "namespaces", None) from None
    reporter.step(f"Creating the namespace {namespace}")
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": dict(mf.MANAGED_BY)}}
    try:
        cluster.request("POST", "/api/v1/namespaces", body)
    except ApiError as exc:
        reporter.done(False)
        if exc.status == 409:  # created meanwhile
            return
        if exc.status == 403:
            raise OpsError(
                f"the namespace {namespace} does not exist in {cluster.where}, and you may not create it: "
                f"{exc.message}",
                f"ask the cluster's admin to create it ('kubectl create namespace {namespace}') and to let you "
                "deploy there, or choose an existing namespace (the config's 'namespace', --namespace, or the "
                "setting amldeploy.kubernetes.namespace)",
            ) from None
        raise api_failure(cluster, exc, "create", "namespaces", None) from None
    reporter.done(True)


def get(cluster: Cluster, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = cluster.request("GET", path(api_version, kind, namespace, name))
        return found
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise api_failure(cluster, exc, "get", KINDS[kind][0], namespace) from None


def apply_objects(cluster: Cluster, items: Sequence[Mapping[str, Any]], reporter: Reporter) -> list[dict[str, Any]]:
    """Create or replace each object; returns what the server answered."""
    autoscaled = any(i["kind"] == "HorizontalPodAutoscaler" for i in items)
    applied = []
    for item in items:
        kind, meta = str(item["kind"]), item["metadata"]
        name, namespace, version = str(meta["name"]), str(meta["namespace"]), str(item["apiVersion"])
        existing = get(cluster, version, kind, namespace, name)
        body = dict(item)
        verb = "create" if existing is None else "update"
        reporter.step(f"{'Creating' if existing is None else 'Updating'} {kind} {name}")
        try:
            if existing is None:
                answer = cluster.request("POST", path(version, kind, namespace), body)
            else:
                body = _replacement(body, existing, autoscaled)
                answer = cluster.request("PUT", path(version, kind, namespace, name), body)
        except ApiError as exc:
            reporter.done(False)
            raise api_failure(cluster, exc, verb, KINDS[kind][0], namespace) from None
        reporter.done(True)
        applied.append(answer)
    return applied


def _replacement(body: dict[str, Any], existing: Mapping[str, Any], autoscaled: bool) -> dict[str, Any]:
    """``body`` made a valid replacement of ``existing``: its resourceVersion, and what the cluster assigned."""
    body = {**body, "metadata": {**body["metadata"], "resourceVersion": existing["metadata"]["resourceVersion"]}}
    old_spec = existing.get("spec") or {}
    if body["kind"] == "Service":
        spec = dict(body["spec"])
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if key in old_spec:
                spec[key] = old_spec[key]
        if spec.get("type") != "ClusterIP":  # node ports stay what they were, where a port stays
            ports = {p.get("name"): p for p in old_spec.get("ports") or []}
            spec["ports"] = [
                {**p, "nodePort": ports[p["name"]]["nodePort"]}
                if ports.get(p["name"], {}).get("nodePort") and old_spec.get("type") != "ClusterIP"
                else p
                for p in spec["ports"]
            ]
        body["spec"] = spec
    if body["kind"] == "Deployment" and autoscaled and old_spec.get("replicas") is not None:
        body["spec"] = {**body["spec"], "replicas": old_spec["replicas"]}  # the autoscaler's choice stands
    return body


def labelled(cluster: Cluster, kind: str, namespace: str | None, service: str | None) -> list[dict[str, Any]]:
    """The objects of ``kind`` labelled with ``service`` (any amldeploy service when None)."""
    version = KINDS[kind][1]
    selector = mf.selector(service) if service else mf.SERVICE_LABEL
    try:
        answer = cluster.request("GET", path(version, kind, namespace), query={"labelSelector": selector})
    except ApiError as exc:
        raise api_failure(cluster, exc, "list", KINDS[kind][0], namespace) from None
    return list((answer or {}).get("items") or [])


def delete_object(cluster: Cluster, kind: str, namespace: str, name: str) -> bool:
    """Delete one object (its pods follow a Deployment in the background); False when it was gone already."""
    body = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background"}
    try:
        cluster.request("DELETE", path(KINDS[kind][1], kind, namespace, name), body)
    except ApiError as exc:
        if exc.status == 404:
            return False
        raise api_failure(cluster, exc, "delete", KINDS[kind][0], namespace) from None
    return True


def prune(cluster: Cluster, items: Sequence[Mapping[str, Any]], service: str, namespace: str) -> list[str]:
    """Delete the objects of ``service`` that ``items`` no longer has; returns ``Kind/name`` of each."""
    keep = {(str(i["kind"]), str(i["metadata"]["name"])) for i in items}
    removed = []
    for kind in KINDS:
        for item in labelled(cluster, kind, namespace, service):
            name = str(item["metadata"]["name"])
            if (kind, name) not in keep and delete_object(cluster, kind, namespace, name):
                removed.append(f"{kind}/{name}")
    return removed


def delete_service(cluster: Cluster, service: str, namespace: str, reporter: Reporter) -> int:
    """Delete every object of ``service`` in ``namespace``, the autoscaler first; returns how many went."""
    count = 0
    for kind in KINDS:
        for item in labelled(cluster, kind, namespace, service):
            name = str(item["metadata"]["name"])
            reporter.step(f"Deleting {kind} {name}")
            gone = delete_object(cluster, kind, namespace, name)
            reporter.done(True, None if gone else "already gone")
            count += gone
    return count


def labelled_pods(cluster: Cluster, namespace: str | None, service: str | None) -> list[dict[str, Any]]:
    """The pods of ``service`` (of every amldeploy service when None)."""
    selector = mf.selector(service) if service else mf.SERVICE_LABEL
    where = f"/api/v1/namespaces/{namespace}/pods" if namespace else "/api/v1/pods"
    try:
        answer = cluster.request("GET", where, query={"labelSelector": selector})
    except ApiError as exc:
        raise api_failure(cluster, exc, "list", "pods", namespace) from None
    return list((answer or {}).get("items") or [])


def events(cluster: Cluster, namespace: str) -> list[dict[str, Any]]:
    """The events of ``namespace`` (for the reasons of a state); none when they may not be read."""
    try:
        answer = cluster.request("GET", f"/api/v1/namespaces/{namespace}/events")
    except ApiError:
        return []
    return list((answer or {}).get("items") or [])

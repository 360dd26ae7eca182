"""A Deployment, its pods and their events as a v1 state with its reason, and as a ``Service``. Pure functions
of the API's own dicts (camelCase, as ``kubectl get -o json`` prints them), so every rule has a test.

Rollout in progress → Transitioning; rolled out and available → Healthy; a crash loop or a failing readiness
probe → Unhealthy, Failed once the progress deadline has passed; an image that cannot be pulled → Failed; a
pod no node can take → Unschedulable. The reason comes from the pod's status and the message from its events.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.service import Service
from amldeploy.ops.states import State, container_exit_reason
from amldeploy.ops.targets.kubernetes import manifests as mf

TARGET = "kubernetes"
IMAGE_PULL_FAILURES = ("ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull")
CONFIG_FAILURES = ("CreateContainerConfigError", "CreateContainerError", "RunContainerError")


@dataclass(frozen=True, slots=True)
class Verdict:
    state: State
    reason: str | None = None  # the Kubernetes reason (CrashLoopBackOff, FailedScheduling, ...)
    message: str | None = None  # in words, with the cluster's own message

    @property
    def error(self) -> str | None:
        if self.state is State.HEALTHY:
            return None
        if self.reason and self.message:
            return f"{self.reason}: {self.message}"
        return self.message or self.reason


def _condition(obj: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    for item in (obj.get("status") or {}).get("conditions") or []:
        if item.get("type") == kind:
            return dict(item)
    return {}


def rollout(deployment: Mapping[str, Any]) -> tuple[bool, bool, bool]:
    """(in progress, available, deadline exceeded) of a Deployment's status. In progress: not every pod runs
    the current template yet, or the controller has not yet seen the new ReplicaSet become available."""
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    desired = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
    generation = int((deployment.get("metadata") or {}).get("generation") or 0)
    observed = int(status.get("observedGeneration") or 0)
    updated = int(status.get("updatedReplicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    total = int(status.get("replicas") or 0)
    progressing = _condition(deployment, "Progressing")
    rolled_out = observed >= generation and updated >= desired and total <= updated
    in_progress = not rolled_out or progressing.get("reason") != "NewReplicaSetAvailable"
    exceeded = progressing.get("status") == "False" and progressing.get("reason") == "ProgressDeadlineExceeded"
    return in_progress and not exceeded, available >= desired, exceeded


def _events_for(events: Sequence[Mapping[str, Any]], name: str) -> list[Mapping[str, Any]]:
    found = [e for e in events if (e.get("involvedObject") or e.get("regarding") or {}).get("name") == name]
    return sorted(found, key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))


def _last_event(
    events: Sequence[Mapping[str, Any]], name: str, reasons: Sequence[str], containing: str = ""
) -> str | None:
    for event in reversed(_events_for(events, name)):
        message = str(event.get("message") or event.get("note") or "").strip()
        if event.get("reason") in reasons and containing in message:
            return message or None
    return None


def _live(pods: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The pods that count: not being deleted, newest first."""
    alive = [p for p in pods if not (p.get("metadata") or {}).get("deletionTimestamp")]
    return sorted(alive, key=lambda p: str((p.get("metadata") or {}).get("creationTimestamp") or ""), reverse=True)


def pod_problem(pod: Mapping[str, Any], events: Sequence[Mapping[str, Any]]) -> Verdict | None:
    """What is wrong with one pod, if anything a rollout cannot outwait."""
    name = str((pod.get("metadata") or {}).get("name") or "")
    status = pod.get("status") or {}
    scheduled = _condition(pod, "PodScheduled")
    if status.get("phase") == "Pending" and scheduled.get("status") == "False":
        message = _last_event(events, name, ("FailedScheduling",)) or scheduled.get("message")
        return Verdict(State.UNSCHEDULABLE, "FailedScheduling", f"no node can run {name}: {message or 'unknown'}")
    for container in status.get("containerStatuses") or []:
        waiting = (container.get("state") or {}).get("waiting") or {}
        reason = waiting.get("reason")
        if reason in IMAGE_PULL_FAILURES:
            # "Failed to pull image ...: <why>" says why; the later "Error: ImagePullBackOff" only that it waits.
            detail = (
                _last_event(events, name, ("Failed",), "Failed to pull")
                or waiting.get("message")
                or _last_event(events, name, ("Failed",))
                or ""
            )
            image = container.get("image") or "the image"
            return Verdict(State.FAILED, str(reason), f"{image} cannot be pulled: {detail}".rstrip(": "))
        if reason in CONFIG_FAILURES:
            detail = waiting.get("message") or _last_event(events, name, ("Failed",)) or ""
            return Verdict(State.FAILED, str(reason), f"{name} cannot start its container: {detail}".rstrip(": "))
        terminated = (container.get("lastState") or {}).get("terminated") or (container.get("state") or {}).get(
            "terminated"
        )
        if reason == "CrashLoopBackOff" or (terminated and int(container.get("restartCount") or 0) > 0):
            why = "it crashed"
            if terminated:
                why = container_exit_reason(
                    int(terminated.get("exitCode") or 0), terminated.get("reason") == "OOMKilled"
                )
            restarts = int(container.get("restartCount") or 0)
            return Verdict(State.UNHEALTHY, str(reason or "Error"), f"{name}: {why} (restarted {restarts} times)")
    return None


def readiness_failure(pod: Mapping[str, Any], events: Sequence[Mapping[str, Any]]) -> Verdict | None:
    """A running pod whose readiness probe fails (after it had answered, or for good)."""
    name = str((pod.get("metadata") or {}).get("name") or "")
    if (pod.get("status") or {}).get("phase") != "Running" or _condition(pod, "Ready").get("status") == "True":
        return None
    message = _last_event(events, name, ("Unhealthy",))
    if message is None:
        return None
    return Verdict(State.UNHEALTHY, "Unhealthy", f"{name}: {message}")


def verdict(
    deployment: Mapping[str, Any], pods: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> Verdict:
    """The state of a service from its Deployment, pods and events."""
    in_progress, available, exceeded = rollout(deployment)
    live = _live(pods)
    problems = [p for p in (pod_problem(pod, events) for pod in live) if p is not None]
    failed = [p for p in problems if p.state is State.FAILED]
    if failed:
        return failed[0]
    unschedulable = [p for p in problems if p.state is State.UNSCHEDULABLE]
    if unschedulable and (in_progress or not available):
        return unschedulable[0]
    crashing = [p for p in problems if p.state is State.UNHEALTHY]
    not_ready = [v for v in (readiness_failure(pod, events) for pod in live) if v is not None]
    if exceeded:
        causes = crashing or not_ready or unschedulable
        worst = causes[0] if causes else None
        progressing = _condition(deployment, "Progressing")
        message = worst.message if worst else str(progressing.get("message") or "the rollout made no progress")
        return Verdict(State.FAILED, "ProgressDeadlineExceeded", message)
    if crashing:
        return crashing[0]
    if available and not in_progress:
        return Verdict(State.HEALTHY)
    if in_progress:
        return Verdict(State.TRANSITIONING, "RollingOut", _progress(deployment))
    if not_ready:
        return not_ready[0]
    return Verdict(State.UNHEALTHY, "Unavailable", "no pod of the service is ready")


def _progress(deployment: Mapping[str, Any]) -> str:
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    desired = spec.get("replicas", 1)
    return (
        f"{status.get('updatedReplicas') or 0} of {desired} pods updated, {status.get('availableReplicas') or 0} "
        "available"
    )


def endpoint(service_obj: Mapping[str, Any] | None) -> tuple[str | None, int | None]:
    """The address a client outside the cluster reaches: a load balancer's ingress, else none."""
    if not service_obj:
        return None, None
    spec = service_obj.get("spec") or {}
    ports = spec.get("ports") or [{}]
    if spec.get("type") == "LoadBalancer":
        for ingress in ((service_obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []:
            host = ingress.get("ip") or ingress.get("hostname")
            if host:
                return str(host), int(ports[0].get("port") or 80)
    return None, None


def describe(
    deployment: Mapping[str, Any],
    pods: Sequence[Mapping[str, Any]] = (),
    events: Sequence[Mapping[str, Any]] = (),
    service_obj: Mapping[str, Any] | None = None,
) -> Service:
    """The ``Service`` of a Deployment labelled by amldeploy."""
    meta = deployment.get("metadata") or {}
    labels, notes = meta.get("labels") or {}, meta.get("annotations") or {}
    name = str(labels.get(mf.SERVICE_LABEL) or meta.get("name") or "")
    result = verdict(deployment, pods, events)
    front_end = _json(notes.get(mf.FRONT_END), {})
    models = []
    for item in _json(notes.get(mf.MODELS), []):
        try:
            models.append(ModelSpec.from_json(item))
        except (KeyError, TypeError, ValueError):
            continue
    host, port = endpoint(service_obj)
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or [{}]
    restarts = sum(
        int(c.get("restartCount") or 0)
        for p in _live(pods)
        for c in (p.get("status") or {}).get("containerStatuses") or []
    )
    env = containers[0].get("env") or []
    tls = any(isinstance(e, Mapping) and e.get("name") == "AMLDEPLOY_SSL_CERTFILE" for e in env)
    return Service(
        name=name,
        target=TARGET,
        scheme="https" if tls else "http",
        state=result.state,
        compute_type=str(notes.get(mf.COMPUTE_TYPE) or "AKS"),
        host=host,
        port=port,
        created=notes.get(mf.CREATED),
        models=models,
        auth_enabled=bool(front_end.get("authEnabled")),
        error=result.error,
        details={
            "frontEnd": front_end,
            "namespace": meta.get("namespace"),
            "deployment": meta.get("name"),
            "image": containers[0].get("image"),
            "replicas": f"{status.get('readyReplicas') or 0}/{spec.get('replicas', 1)}",
            "serviceType": ((service_obj or {}).get("spec") or {}).get("type"),
            "reason": result.reason if result.state is not State.HEALTHY else None,
            "restartCount": restarts,
            "folder": notes.get(mf.FOLDER),
        },
    )


def _json(text: Any, default: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) and text else default
    except ValueError:
        return default

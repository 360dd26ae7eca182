"""A container group as a service: its v1 state from what ARM reports (provisioning state, the scoring
container's current state, restart count and events), and the ``Service`` every command shows. Pure functions of
the group's REST body (camelCase), so they are tested without Azure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from amldeploy.ops.package.dockerfile import MODELS_ROOT
from amldeploy.ops.service import Service
from amldeploy.ops.states import State
from amldeploy.ops.targets.aci import group as gr
from amldeploy.runtime.model_specs import ModelSpec

TRANSITIONING = ("Pending", "Creating", "Updating", "Repairing", "Accepted", "Deleting", "")
IMAGE_PULL = ("ImagePullBackOff", "ErrImagePull", "InaccessibleImage", "RegistryErrorResponse")
# Errors of a PUT that mean ACI has no room for the group (quota, regional capacity): v1's Unschedulable.
UNSCHEDULABLE_CODES = (
    "ContainerGroupQuotaReached",
    "ServiceUnavailable",
    "SkuNotAvailable",
    "ResourceRequestsNotAvailable",
    "ResourceNotAvailable",
    "StandardCoresQuotaExceeded",
)


@dataclass(frozen=True, slots=True)
class Verdict:
    state: State
    reason: str
    error: str | None = None


def container_of(group: Mapping[str, Any]) -> Mapping[str, Any]:
    containers = (group.get("properties") or {}).get("containers") or []
    for c in containers:
        if c.get("name") == gr.CONTAINER:
            return c.get("properties") or {}
    return (containers[0].get("properties") or {}) if containers else {}


def verdict(group: Mapping[str, Any]) -> Verdict:
    props = group.get("properties") or {}
    provisioning = str(props.get("provisioningState") or "")
    view = container_of(group).get("instanceView") or {}
    current = view.get("currentState") or {}
    state, detail = str(current.get("state") or ""), str(current.get("detailStatus") or "")
    restarts = int(view.get("restartCount") or 0)
    events = view.get("events") or []
    last_event = next((e for e in reversed(events) if e.get("type") == "Warning" or e.get("name") == "Failed"), None)
    said = f": {last_event.get('message')}" if last_event and last_event.get("message") else ""
    if (props.get("instanceView") or {}).get("state") == "Stopped":
        return Verdict(State.FAILED, "Stopped", "the container group is stopped ('az container start' starts it)")
    if provisioning == "Failed":
        if any(p in detail for p in IMAGE_PULL) or "pull" in said.lower():
            return Verdict(State.FAILED, "ImagePull", f"the image could not be pulled ({detail or 'Failed'}){said}")
        return Verdict(State.FAILED, "ProvisioningFailed", f"provisioning failed ({detail or 'Failed'}){said}")
    if provisioning in TRANSITIONING or not current:
        return Verdict(State.TRANSITIONING, provisioning or "Pending", f"provisioning: {provisioning or 'Pending'}")
    if state == "Running":
        return Verdict(State.HEALTHY, "Running")
    if state == "Waiting":
        if any(p in detail for p in IMAGE_PULL):
            return Verdict(State.FAILED, "ImagePull", f"the image could not be pulled ({detail}){said}")
        if "CrashLoopBackOff" in detail or restarts:
            exit_code = (view.get("previousState") or {}).get("exitCode")
            code = f", last exit code {exit_code}" if exit_code is not None else ""
            return Verdict(
                State.UNHEALTHY, "CrashLoopBackOff", f"the container keeps exiting ({restarts} restarts{code})"
            )
        return Verdict(State.TRANSITIONING, "Waiting", detail or "waiting to start")
    if state == "Terminated":
        exit_code = current.get("exitCode")
        message = f"the container exited (exit code {exit_code}, {detail or 'Terminated'})"
        if props.get("restartPolicy") == "Never" or (props.get("restartPolicy") == "OnFailure" and exit_code == 0):
            return Verdict(State.FAILED, "Terminated", message)
        return Verdict(State.UNHEALTHY, "Terminated", message + "; ACI restarts it")
    return Verdict(State.TRANSITIONING, state or "Unknown", detail or None)


def tags_of(group: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (group.get("tags") or {}).items()}


def is_service(group: Mapping[str, Any]) -> bool:
    return bool(tags_of(group).get(gr.SERVICE_TAG))


def describe(group: Mapping[str, Any], subscription: str, resource_group: str) -> Service:
    tags = tags_of(group)
    props = group.get("properties") or {}
    address = props.get("ipAddress") or {}
    ports = address.get("ports") or []
    port = int(ports[0]["port"]) if ports and ports[0].get("port") else None
    tls = tags.get(gr.TLS_TAG) == "true"
    # With TLS the certificate names the cname (v1's scoring URI was https://<cname>/score), else the FQDN.
    host = (tls and tags.get(gr.CNAME_TAG)) or address.get("fqdn") or address.get("ip") or None
    container = container_of(group)
    view = container.get("instanceView") or {}
    try:
        front_end = json.loads(tags.get(gr.FRONT_END_TAG) or "{}")
    except ValueError:
        front_end = {}
    judged = verdict(group)
    details: dict[str, Any] = {
        "subscription": subscription,
        "resourceGroup": resource_group,
        "containerGroup": group.get("name"),
        "location": group.get("location"),
        "fqdn": address.get("fqdn"),
        "ip": address.get("ip"),
        "ipType": address.get("type"),
        "image": container.get("image"),
        "provisioningState": props.get("provisioningState"),
        "restartCount": int(view.get("restartCount") or 0),
        "frontEnd": front_end,
        "tls": tls,
        "cname": tags.get(gr.CNAME_TAG),
    }
    return Service(
        name=tags.get(gr.SERVICE_TAG) or str(group.get("name")),
        target="aci",
        state=judged.state,
        compute_type=tags.get(gr.COMPUTE_TYPE_TAG) or "ACI",
        host=str(host) if host else None,
        port=port,
        created=tags.get(gr.CREATED_TAG),
        auth_enabled=bool(front_end.get("authEnabled")),
        error=judged.error if judged.state is not State.HEALTHY else None,
        details=details,
        scheme="https" if tls else "http",
        # Where each model is in the container: ARM keeps no path of the machine that deployed it.
        models=[
            ModelSpec(Path(PurePosixPath(MODELS_ROOT, name, str(version))), name, version)
            for name, version in gr.models_of(tags)
        ],
    )

"""The Kubernetes objects of a service, as plain dicts (the API's own camelCase shape): pure functions of what
the deployment config asks (``KubeSpec``), the image, the keys and the namespace. Nothing here talks to a
cluster, so ``deploy --dry-run`` prints exactly what a deploy applies.

Every object carries the labels that find the service again (``SERVICE_LABEL``); how it was deployed goes in
annotations. Keys and TLS keys go in Secrets only, never in a label, an annotation or an environment value.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from amldeploy import __version__
from amldeploy.ops.keys import ServiceKeys
from amldeploy.ops.package.dockerfile import PORT
from amldeploy.ops.targets.images import PullSecret
from amldeploy.ops.targets.kubernetes.spec import KubeSpec

PREFIX = "amldeploy/"
SERVICE_LABEL = "amldeploy/service"
MANAGED_BY = {"app.kubernetes.io/managed-by": "amldeploy"}
COMPUTE_TYPE = "amldeploy/compute-type"
CREATED = "amldeploy/created"
FRONT_END = "amldeploy/front-end"
MODELS = "amldeploy/models"
FOLDER = "amldeploy/folder"
IMAGE_DIGEST = "amldeploy/image-digest"
VERSION = "amldeploy/version"
DEPLOYED = "amldeploy/deployed"  # on the pod template: a new value rolls the pods, as every redeploy should

CONTAINER = "scoring"
PORT_NAME = "http"
KEY_VARIABLES = ("AMLDEPLOY_PRIMARY_KEY", "AMLDEPLOY_SECONDARY_KEY")
SECRET_KEYS = ("primaryKey", "secondaryKey")
TLS_DIR = "/etc/amldeploy/tls"
# The runtime finishes requests in flight for this long after SIGTERM; the pod's grace period is longer, so the
# kubelet's SIGKILL never cuts an answer short.
MIN_GRACEFUL_S = 30
GRACE_MARGIN_S = 10
MAX_GRACEFUL_S = 300
PROGRESS_DEADLINE_S = 600
READINESS = {"periodSeconds": 5, "timeoutSeconds": 2, "failureThreshold": 3, "successThreshold": 1}
HPA_VERSIONS = ("autoscaling/v2", "autoscaling/v2beta2", "autoscaling/v1")
SERVICE_TYPES = ("ClusterIP", "LoadBalancer", "NodePort")
REDACTED = "***"


@dataclass(frozen=True, slots=True)
class Inputs:
    name: str
    namespace: str
    image: str
    spec: KubeSpec
    keys: ServiceKeys
    service_type: str = "ClusterIP"
    hpa_version: str = HPA_VERSIONS[0]
    pull_secret: PullSecret | None = None
    tls: tuple[str, str] | None = field(default=None, repr=False)  # PEM certificate and key
    image_digest: str = ""
    created: str = ""
    deployed: str = ""
    models: Sequence[Mapping[str, Any]] = ()
    folder: str = ""


def names(service: str) -> dict[str, str]:
    """The object names of ``service``: the Deployment, Service and HPA share its name."""
    return {"keys": f"{service}-keys", "tls": f"{service}-tls", "pull": f"{service}-pull", "app": service}


def labels(service: str) -> dict[str, str]:
    return {SERVICE_LABEL: service, "app.kubernetes.io/name": service, **MANAGED_BY}


def selector(service: str) -> str:
    """The label selector of every object of ``service``."""
    return f"{SERVICE_LABEL}={service}"


def objects(inputs: Inputs) -> list[dict[str, Any]]:
    """Every object of the service, in the order they are applied: Secrets, Deployment, Service, HPA."""
    items = [keys_secret(inputs)]
    if inputs.pull_secret is not None:
        items.append(pull_secret(inputs))
    if inputs.tls is not None:
        items.append(tls_secret(inputs))
    items += [deployment(inputs), service(inputs)]
    if inputs.spec.autoscale is not None:
        items.append(autoscaler(inputs))
    return items


def _meta(inputs: Inputs, name: str, annotations: Mapping[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": inputs.namespace, "labels": labels(inputs.name)}
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def keys_secret(inputs: Inputs) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta(inputs, names(inputs.name)["keys"]),
        "type": "Opaque",
        "data": {SECRET_KEYS[0]: _b64(inputs.keys.primary), SECRET_KEYS[1]: _b64(inputs.keys.secondary)},
    }


def pull_secret(inputs: Inputs) -> dict[str, Any]:
    creds = inputs.pull_secret
    assert creds is not None
    auth = _b64(f"{creds.username}:{creds.password}")
    config = {"auths": {creds.registry: {"username": creds.username, "password": creds.password, "auth": auth}}}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta(inputs, names(inputs.name)["pull"]),
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": _b64(json.dumps(config))},
    }


def tls_secret(inputs: Inputs) -> dict[str, Any]:
    assert inputs.tls is not None
    cert, key = inputs.tls
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta(inputs, names(inputs.name)["tls"]),
        "type": "kubernetes.io/tls",
        "data": {"tls.crt": _b64(cert), "tls.key": _b64(key)},
    }


def quantity_cpu(cores: float) -> str:
    return f"{max(1, round(cores * 1000))}m"


def quantity_memory(gb: float) -> str:
    # v1 read memoryInGB as GiB (as the Docker target does): whole MiB.
    return f"{max(1, round(gb * 1024))}Mi"


def resources(spec: KubeSpec) -> dict[str, Any]:
    requests = {"cpu": quantity_cpu(spec.cpu), "memory": quantity_memory(spec.memory_gb)}
    limits: dict[str, str] = {}
    if spec.cpu_limit is not None:
        limits["cpu"] = quantity_cpu(spec.cpu_limit)
    if spec.memory_gb_limit is not None:
        limits["memory"] = quantity_memory(spec.memory_gb_limit)
    if spec.gpu:
        limits["nvidia.com/gpu"] = str(spec.gpu)  # an extended resource: its request follows its limit
    out: dict[str, Any] = {"requests": requests}
    if limits:
        out["limits"] = limits
    return out


def graceful_seconds(spec: KubeSpec) -> int:
    """How long the runtime lets requests in flight finish after SIGTERM: at least one scoring timeout."""
    timeout_s = math.ceil((spec.front_end.scoring_timeout_ms or 60000) / 1000)
    return min(MAX_GRACEFUL_S, max(MIN_GRACEFUL_S, timeout_s))


def environment(inputs: Inputs) -> list[dict[str, Any]]:
    """The runtime's settings: the front end from the config, the keys from their Secret."""
    plain = inputs.spec.front_end.environment(ServiceKeys("", ""))
    env: list[dict[str, Any]] = [
        {"name": name, "value": value} for name, value in plain.items() if name not in KEY_VARIABLES
    ]
    secret = names(inputs.name)["keys"]
    for variable, key in zip(KEY_VARIABLES, SECRET_KEYS, strict=True):
        env.append({"name": variable, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
    env.append({"name": "AMLDEPLOY_GRACEFUL_TIMEOUT_S", "value": str(graceful_seconds(inputs.spec))})
    if inputs.tls is not None:
        env.append({"name": "AMLDEPLOY_SSL_CERTFILE", "value": f"{TLS_DIR}/tls.crt"})
        env.append({"name": "AMLDEPLOY_SSL_KEYFILE", "value": f"{TLS_DIR}/tls.key"})
    return env


def _probe(inputs: Inputs) -> dict[str, Any]:
    # GET / answers without a key (as Azure's liveness route did), over HTTPS when the runtime serves it.
    return {"path": "/", "port": PORT_NAME, "scheme": "HTTPS" if inputs.tls is not None else "HTTP"}


def deploy_annotations(inputs: Inputs) -> dict[str, str]:
    """How the service was deployed, for ``show`` (never a key)."""
    return {
        COMPUTE_TYPE: inputs.spec.compute_type,
        CREATED: inputs.created,
        FRONT_END: json.dumps(inputs.spec.front_end.to_json(), sort_keys=True),
        MODELS: json.dumps(list(inputs.models)),
        FOLDER: inputs.folder,
        IMAGE_DIGEST: inputs.image_digest,
        VERSION: __version__,
    }


def deployment(inputs: Inputs) -> dict[str, Any]:
    spec = inputs.spec
    live = spec.liveness
    container: dict[str, Any] = {
        "name": CONTAINER,
        "image": inputs.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": PORT_NAME, "containerPort": PORT, "protocol": "TCP"}],
        "env": environment(inputs),
        "resources": resources(spec),
        "livenessProbe": {
            "httpGet": _probe(inputs),
            "periodSeconds": live.period_seconds,
            "initialDelaySeconds": live.initial_delay_seconds,
            "timeoutSeconds": live.timeout_seconds,
            # Kubernetes requires 1 for a liveness probe; v1 accepted others and meant 1.
            "successThreshold": 1,
            "failureThreshold": live.failure_threshold,
        },
        "readinessProbe": {"httpGet": _probe(inputs), **READINESS},
    }
    pod: dict[str, Any] = {
        "containers": [container],
        "terminationGracePeriodSeconds": graceful_seconds(spec) + GRACE_MARGIN_S,
    }
    if inputs.tls is not None:
        container["volumeMounts"] = [{"name": "tls", "mountPath": TLS_DIR, "readOnly": True}]
        pod["volumes"] = [{"name": "tls", "secret": {"secretName": names(inputs.name)["tls"], "defaultMode": 0o440}}]
    if inputs.pull_secret is not None:
        pod["imagePullSecrets"] = [{"name": names(inputs.name)["pull"]}]
    template_meta: dict[str, Any] = {"labels": labels(inputs.name)}
    if inputs.deployed:
        template_meta["annotations"] = {DEPLOYED: inputs.deployed}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(inputs, names(inputs.name)["app"], deploy_annotations(inputs)),
        "spec": {
            "replicas": spec.replicas,
            "selector": {"matchLabels": {SERVICE_LABEL: inputs.name}},
            # Keep serving through a redeploy: a new pod must be ready before an old one goes.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "progressDeadlineSeconds": max(PROGRESS_DEADLINE_S, live.initial_delay_seconds + 60),
            "template": {"metadata": template_meta, "spec": pod},
        },
    }


def service(inputs: Inputs) -> dict[str, Any]:
    port = 443 if inputs.tls is not None else 80
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(inputs, names(inputs.name)["app"]),
        "spec": {
            "type": inputs.service_type,
            "selector": {SERVICE_LABEL: inputs.name},
            "ports": [{"name": PORT_NAME, "port": port, "targetPort": PORT_NAME, "protocol": "TCP"}],
        },
    }


def autoscaler(inputs: Inputs) -> dict[str, Any]:
    scale = inputs.spec.autoscale
    assert scale is not None
    spec: dict[str, Any] = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": names(inputs.name)["app"]},
        "minReplicas": scale.min_replicas,
        "maxReplicas": scale.max_replicas,
    }
    if inputs.hpa_version == "autoscaling/v1":
        spec["targetCPUUtilizationPercentage"] = scale.target_utilization
    else:
        target = {"type": "Utilization", "averageUtilization": scale.target_utilization}
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": target}}]
    return {
        "apiVersion": inputs.hpa_version,
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(inputs, names(inputs.name)["app"]),
        "spec": spec,
    }


def newest_hpa_version(served: Sequence[str]) -> str:
    """The newest autoscaling version among the server's (``autoscaling/v2`` on today's clusters)."""
    for version in HPA_VERSIONS:
        if version in served:
            return version
    return HPA_VERSIONS[-1]


def redacted(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Copies of ``items`` with every Secret value replaced by ``***``: what may be printed."""
    out = []
    for item in items:
        copy = json.loads(json.dumps(item))
        if copy.get("kind") == "Secret":
            for section in ("data", "stringData"):
                if isinstance(copy.get(section), dict):
                    copy[section] = dict.fromkeys(copy[section], REDACTED)
        out.append(copy)
    return out


def to_yaml(items: Sequence[Mapping[str, Any]]) -> str:
    """A multi-document YAML stream of ``items`` (redact them first)."""
    import yaml

    return yaml.safe_dump_all([dict(i) for i in items], sort_keys=False, default_flow_style=False)

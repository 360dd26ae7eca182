"""A v1 service as an Azure IoT Edge deployment manifest, as v1's IoT Edge deployments were: ``$edgeAgent`` and
``$edgeHub`` plus one module running the service image, its scoring port published on the device.

The image is the one the Docker target packages (``name:<content hash>``, the same tag ``amldeploy package``
gives it), placed in ``--registry`` or named by ``--image``; nothing is built to write the manifest. Registry
credentials are references (``${CONTAINER_REGISTRY_USERNAME}``...), filled in at deployment time, never secrets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amldeploy.config.load import Loaded
from amldeploy.config.models import (
    AciDeploymentConfig,
    AksDeploymentConfig,
    AksEndpointDeploymentConfig,
    DeploymentConfig,
    InferenceConfig,
    LocalDeploymentConfig,
)
from amldeploy.ops.export.fates import Fate, Fates, set_keys
from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.package import dockerfile as df
from amldeploy.ops.targets.base import DeployRequest
from amldeploy.ops.targets.docker.push import split_ref
from amldeploy.ops.targets.docker.target import DockerTarget

MANIFEST_FILE = "deployment.json"
EDGE_VERSION = "1.5"  # the IoT Edge runtime's current LTS
EDGE_AGENT = f"mcr.microsoft.com/azureiotedge-agent:{EDGE_VERSION}"
EDGE_HUB = f"mcr.microsoft.com/azureiotedge-hub:{EDGE_VERSION}"
USERNAME_REF = "${CONTAINER_REGISTRY_USERNAME}"
PASSWORD_REF = "${CONTAINER_REGISTRY_PASSWORD}"
CREATE_OPTIONS_CHUNK = 512  # IoT Hub's limit per createOptions value; longer ones go on in createOptions01...
_PUBLIC = ("mcr.microsoft.com", "docker.io", "registry-1.docker.io")
_EDGE_HUB_PORTS = ("5671", "8883", "443")
_NO_FRONT_END = "an IoT Edge module is the container alone: no front end for auth, queueing or timeouts"


@dataclass(slots=True)
class EdgeExport:
    manifest: dict[str, Any]
    image: str
    content_tag: str  # what 'amldeploy package' tags the image (name:hash)
    fates: list[Fate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def image_reference(content_tag: str, registry: str | None, image: str | None) -> str:
    """``--image REF`` (its tag defaulting to the content hash), else the content tag in ``--registry HOST[/NS]``,
    else the content tag alone."""
    digest_tag = content_tag.rsplit(":", 1)[1]
    if image:
        repo, tag = split_ref(image)
        return f"{repo}:{tag or digest_tag}"
    if registry:
        return f"{re.sub(r'^[a-z]+://', '', registry).rstrip('/')}/{content_tag}"
    return content_tag


def registry_host(image: str) -> str | None:
    """The registry ``image`` is pulled from, when its first part names one."""
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return first
    return None


def export_iot_edge(
    name: str,
    inference: Loaded[InferenceConfig],
    deployment: Loaded[DeploymentConfig],
    models: list[ModelSpec],
    root: Path,
    registry: str | None = None,
    image: str | None = None,
    port: int | None = None,
) -> EdgeExport:
    """The manifest of module ``name``; ``port`` is the device's port (default: a local config's, else 5001)."""
    package = DockerTarget(root).plan(DeployRequest(name, inference, deployment, models))
    ref = image_reference(package.tag, registry, image)
    dc = deployment.config
    fates = Fates("deployment", set_keys(dc))
    notes: list[str] = []
    fates.mapped("computeType", "IoT Edge module", "the device runs the container itself")
    host_port = port or (dc.port if isinstance(dc, LocalDeploymentConfig) else None) or df.PORT
    fates.mapped("port", f"{MANIFEST_FILE}: createOptions HostConfig.PortBindings")
    host_config: dict[str, Any] = {"PortBindings": {f"{df.PORT}/tcp": [{"HostPort": str(host_port)}]}}
    cpu, memory = _limits(dc)
    if cpu:
        host_config["NanoCpus"] = int(cpu * 1e9)
    if memory:
        host_config["Memory"] = int(memory * 1024**3)
    fates.mapped("containerResourceRequirements", f"{MANIFEST_FILE}: createOptions HostConfig.NanoCpus/Memory")
    for key in (
        "authEnabled",
        "tokenAuthEnabled",
        "keys",
        "scoringTimeoutMs",
        "maxConcurrentRequestsPerContainer",
        "maxQueueWaitMs",
    ):
        fates.dropped(key, _NO_FRONT_END)
    for key in ("autoScaler", "numReplicas", "trafficPercentile", "versionName"):
        fates.dropped(key, "a device runs one instance of each module")
    for key in (
        "sslEnabled",
        "sslCertificate",
        "sslKey",
        "cname",
        "dnsNameLabel",
        "location",
        "vnetName",
        "subnetName",
        "vaultBaseUrl",
        "keyName",
        "keyVersion",
        "namespace",
        "computeTargetName",
    ):
        fates.dropped(key, "the device's own network and storage take the place of the Azure resource's")
    for key in ("appInsightsEnabled", "dataCollection"):
        fates.dropped(key, "module logs and data go through the device (edgeAgent logs, edgeHub routes)")
    fates.dropped("livenessProbeRequirements", "edgeAgent restarts the module when it exits (restartPolicy always)")
    fates.dropped("gpuCores", "GPUs on a device are given through createOptions (HostConfig.DeviceRequests) by hand")
    module: dict[str, Any] = {
        "version": "1.0",
        "type": "docker",
        "status": "running",
        "restartPolicy": "always",
        "settings": {
            "image": ref,
            **_create_options({"ExposedPorts": {f"{df.PORT}/tcp": {}}, "HostConfig": host_config}),
        },
    }
    variables = inference.config.environment.environment_variables if inference.config.environment else None
    if variables:
        module["env"] = {k: {"value": v} for k, v in variables.items()}
    credentials: dict[str, Any] = {}
    host = registry_host(ref)
    if host and host not in _PUBLIC:
        credentials[_credential_name(host)] = {"username": USERNAME_REF, "password": PASSWORD_REF, "address": host}
        notes.append(
            "the registry credentials are references: set CONTAINER_REGISTRY_USERNAME and CONTAINER_REGISTRY_PASSWORD "
            "and expand them (iotedgedev genconfig, or envsubst) before deploying"
        )
    elif host is None:
        notes.append(f"{ref} names no registry: a device cannot pull it; export with --registry HOST or --image REF")
    notes += package.warnings
    manifest = {
        "modulesContent": {
            "$edgeAgent": {
                "properties.desired": {
                    "schemaVersion": "1.1",
                    "runtime": {
                        "type": "docker",
                        "settings": {
                            "minDockerVersion": "v1.25",
                            "loggingOptions": "",
                            "registryCredentials": credentials,
                        },
                    },
                    "systemModules": {
                        "edgeAgent": {"type": "docker", "settings": {"image": EDGE_AGENT, "createOptions": "{}"}},
                        "edgeHub": {
                            "type": "docker",
                            "status": "running",
                            "restartPolicy": "always",
                            "settings": {"image": EDGE_HUB, **_create_options(_edge_hub_options())},
                        },
                    },
                    "modules": {_module_name(name): module},
                }
            },
            "$edgeHub": {
                "properties.desired": {
                    "schemaVersion": "1.1",
                    "routes": {},
                    "storeAndForwardConfiguration": {"timeToLiveSecs": 7200},
                }
            },
        }
    }
    return EdgeExport(manifest, ref, package.tag, fates.all(), notes)


def _limits(dc: DeploymentConfig) -> tuple[float | None, float | None]:
    """The container's limits, as the Docker target sets them (AKS: the limits when set, else the requests)."""
    if isinstance(dc, AciDeploymentConfig) and dc.container_resource_requirements is not None:
        return dc.container_resource_requirements.cpu, dc.container_resource_requirements.memory_in_gb
    if isinstance(dc, (AksDeploymentConfig, AksEndpointDeploymentConfig)) and dc.container_resource_requirements:
        r = dc.container_resource_requirements
        return r.cpu_limit or r.cpu, r.memory_in_gb_limit or r.memory_in_gb
    return None, None


def _edge_hub_options() -> dict[str, Any]:
    return {"HostConfig": {"PortBindings": {f"{p}/tcp": [{"HostPort": p}] for p in _EDGE_HUB_PORTS}}}


def _create_options(options: dict[str, Any]) -> dict[str, str]:
    """``createOptions`` as IoT Hub takes it: a JSON string, split into 512-character pieces when longer."""
    text = json.dumps(options, separators=(",", ":"), sort_keys=True)
    pieces = [text[i : i + CREATE_OPTIONS_CHUNK] for i in range(0, len(text), CREATE_OPTIONS_CHUNK)]
    return {("createOptions" if i == 0 else f"createOptions{i:02d}"): p for i, p in enumerate(pieces)}


def _module_name(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "-", name)


def _credential_name(host: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "", host.split(".", 1)[0]) or "registry"

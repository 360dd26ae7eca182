"""The container group of a service, as the ARM REST body (camelCase, API 2023-05-01): a pure function of what
the deployment config asks (``AciSpec``), the image, the keys and where it goes. Nothing here talks to Azure, so
``deploy --dry-run`` prints exactly the body a deploy sends.

Tags find the service again (``SERVICE_TAG``) and say how it was deployed; keys and the TLS key travel only as
``secureValue`` environment variables and a secret volume, which ARM never returns.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amldeploy import __version__
from amldeploy.config.models import AciDeploymentConfig, DeploymentConfig
from amldeploy.ops.errors import EXIT_USAGE, OpsError
from amldeploy.ops.frontend import FrontEnd, front_end_of
from amldeploy.ops.keys import ServiceKeys
from amldeploy.ops.package.dockerfile import PORT
from amldeploy.ops.targets.images import PullSecret

SERVICE_TAG = "amldeploy-service"
MANAGED_TAG = "amldeploy-managed-by"
COMPUTE_TYPE_TAG = "amldeploy-compute-type"
CREATED_TAG = "amldeploy-created"
FRONT_END_TAG = "amldeploy-front-end"
IMAGE_DIGEST_TAG = "amldeploy-image-digest"
VERSION_TAG = "amldeploy-version"
KEYS_TAG = "amldeploy-keys-sha256"  # a salted fingerprint of the keys (never the keys): whether known keys are current
CNAME_TAG = "amldeploy-cname"
TLS_TAG = "amldeploy-tls"
MODELS_TAG = "amldeploy-models"  # NAME:VERSION,... of the models it runs (omitted when the list does not fit)
CONFIG_TAG = "amldeploy-config"  # the deployment config's path (keys it names are read from there; never a key)
TAG_VALUE_MAX = 256  # ARM's limit

CONTAINER = "scoring"
TLS_PORT = 443
TLS_DIR = "/etc/amldeploy/tls"
KEY_VARIABLES = ("AMLDEPLOY_PRIMARY_KEY", "AMLDEPLOY_SECONDARY_KEY")
REDACTED = "***"
# ACI starts the probes right away; score.py's init() may take a while before GET / answers.
LIVENESS = {"initialDelaySeconds": 310, "periodSeconds": 10, "failureThreshold": 3, "timeoutSeconds": 2}
READINESS = {"initialDelaySeconds": 5, "periodSeconds": 5, "failureThreshold": 3, "timeoutSeconds": 2}
RESTART_POLICIES = ("Always", "OnFailure", "Never")


@dataclass(frozen=True, slots=True)
class AciSpec:
    """What a deployment config asks of ACI; an AKS or local config deployed with ``--target aci`` gets ACI's
    defaults for what it cannot say."""

    compute_type: str = "ACI"
    cpu: float = 0.1
    memory_gb: float = 0.5
    location: str | None = None
    dns_name_label: str | None = None
    front_end: FrontEnd = field(default_factory=FrontEnd)
    tls_files: tuple[Path, Path] | None = None
    cname: str | None = None
    encryption: tuple[str, str, str] | None = None  # vaultBaseUrl, keyName, keyVersion
    subnet: tuple[str, str] | None = None  # vnetName, subnetName


@dataclass(frozen=True, slots=True)
class Inputs:
    name: str
    image: str
    spec: AciSpec
    keys: ServiceKeys
    location: str
    subscription: str
    resource_group: str
    pull_secret: PullSecret | None = None
    tls: tuple[str, str] | None = field(default=None, repr=False)  # PEM certificate and key
    environment: Mapping[str, str] = field(default_factory=dict)  # the inference config's environmentVariables
    image_digest: str = ""
    created: str = ""
    restart_policy: str = "Always"
    config: str = ""  # the deployment config's path: where keys it names are read again (``CONFIG_TAG``)
    models: tuple[tuple[str, int], ...] = ()  # (name, version) of each model it runs (``MODELS_TAG``)


def spec_of(config: DeploymentConfig, config_dir: Path) -> tuple[AciSpec, list[str]]:
    """ACI's view of ``config`` and warnings about what it does not carry over."""
    front_end, _ = front_end_of(config)  # its warnings are about a local process
    if not isinstance(config, AciDeploymentConfig):
        return AciSpec(compute_type=config.compute_type, front_end=front_end), [
            f"computeType {config.compute_type} deployed to ACI: 0.1 CPU, 0.5 GB, one container group"
        ]
    warnings = []
    if config.app_insights_enabled:
        warnings.append("appInsightsEnabled is not carried over: the service logs to its container's output")
    tls = None
    if config.ssl_enabled:
        if not config.ssl_certificate or not config.ssl_key:
            raise OpsError(
                "sslEnabled is true, but sslCertificate or sslKey is missing",
                "give both PEM files (sslCertificate, sslKey), or set sslEnabled to false",
                EXIT_USAGE,
            )
        tls = (config_dir / config.ssl_certificate, config_dir / config.ssl_key)
    encryption = None
    cmk = (config.vault_base_url, config.key_name, config.key_version)
    if any(cmk):
        if not all(cmk):
            raise OpsError(
                "a customer-managed key needs vaultBaseUrl, keyName and keyVersion together",
                "give all three, or none (Azure then encrypts with its own key)",
                EXIT_USAGE,
            )
        encryption = (str(cmk[0]), str(cmk[1]), str(cmk[2]))
    subnet = None
    if config.vnet_name or config.subnet_name:
        if not (config.vnet_name and config.subnet_name):
            raise OpsError("vnetName and subnetName go together", "give both, or neither", EXIT_USAGE)
        subnet = (config.vnet_name, config.subnet_name)
        if config.dns_name_label:
            warnings.append("dnsNameLabel is ignored in a virtual network: the group has a private IP only")
    resources = config.container_resource_requirements
    return (
        AciSpec(
            compute_type=config.compute_type,
            cpu=resources.cpu if resources else 0.1,
            memory_gb=resources.memory_in_gb if resources else 0.5,
            location=config.location,
            dns_name_label=config.dns_name_label,
            front_end=front_end,
            tls_files=tls,
            cname=config.cname,
            encryption=encryption,
            subnet=subnet,
        ),
        warnings,
    )


def port_of(inputs: Inputs) -> int:
    """The port the runtime listens on inside the group, which is also the public one (ACI maps none)."""
    return TLS_PORT if inputs.tls is not None else PORT


FINGERPRINT_ROUNDS = 100_000  # a reader of the tags may not guess keys the config chose weakly at any speed


def keys_fingerprint(keys: ServiceKeys, salt: str | None = None) -> str:
    """``salt$hash``: which keys the group runs with, for telling the stored keys current; not the keys."""
    salt = salt or secrets.token_hex(8)
    material = f"{keys.primary}\n{keys.secondary}".encode()
    digest = hashlib.pbkdf2_hmac("sha256", material, salt.encode(), FINGERPRINT_ROUNDS).hex()[:32]
    return f"{salt}${digest}"


def fingerprint_matches(keys: ServiceKeys, fingerprint: str | None) -> bool:
    salt, _, _ = (fingerprint or "").partition("$")
    return bool(salt) and hmac.compare_digest(keys_fingerprint(keys, salt), fingerprint or "")


def tags(inputs: Inputs) -> dict[str, str]:
    """What identifies the service and how it was deployed; never a secret."""
    values = {
        SERVICE_TAG: inputs.name,
        MANAGED_TAG: "amldeploy",
        COMPUTE_TYPE_TAG: inputs.spec.compute_type,
        CREATED_TAG: inputs.created,
        FRONT_END_TAG: json.dumps(inputs.spec.front_end.to_json(), sort_keys=True, separators=(",", ":")),
        IMAGE_DIGEST_TAG: inputs.image_digest,
        VERSION_TAG: __version__,
        KEYS_TAG: keys_fingerprint(inputs.keys),
        TLS_TAG: "true" if inputs.tls is not None else "false",
    }
    if inputs.spec.cname:
        values[CNAME_TAG] = inputs.spec.cname
    if len(inputs.config) <= TAG_VALUE_MAX:  # a cut path would name another file
        values[CONFIG_TAG] = inputs.config
    models = ",".join(f"{name}:{version}" for name, version in inputs.models)
    if len(models) <= TAG_VALUE_MAX:  # a cut list would name other models
        values[MODELS_TAG] = models
    return {k: v[:TAG_VALUE_MAX] for k, v in values.items() if v}


def subnet_id(subscription: str, resource_group: str, vnet: str, subnet: str) -> str:
    return (
        f"/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network"
        f"/virtualNetworks/{vnet}/subnets/{subnet}"
    )


def environment(inputs: Inputs) -> list[dict[str, str]]:
    """The environment's variables, then the runtime's settings (the keys as ``secureValue``s)."""
    env = {**inputs.environment, **inputs.spec.front_end.environment(inputs.keys)}
    env["SERVER_PORT"] = str(port_of(inputs))
    if inputs.tls is not None:
        env["AMLDEPLOY_SSL_CERTFILE"] = f"{TLS_DIR}/tls.crt"
        env["AMLDEPLOY_SSL_KEYFILE"] = f"{TLS_DIR}/tls.key"
    out = []
    for name, value in env.items():
        kind = "secureValue" if name in KEY_VARIABLES else "value"
        out.append({"name": name, kind: value})
    return out


def _probe(inputs: Inputs, timing: Mapping[str, int]) -> dict[str, Any]:
    # GET / answers without a key (as Azure's liveness route did), over HTTPS when the runtime serves it.
    scheme = "https" if inputs.tls is not None else "http"
    return {"httpGet": {"path": "/", "port": port_of(inputs), "scheme": scheme}, **timing}


def body(inputs: Inputs) -> dict[str, Any]:
    """The container group PUT body."""
    spec = inputs.spec
    port = port_of(inputs)
    container: dict[str, Any] = {
        "image": inputs.image,
        "ports": [{"port": port, "protocol": "TCP"}],
        "environmentVariables": environment(inputs),
        "resources": {"requests": {"cpu": spec.cpu, "memoryInGB": spec.memory_gb}},
        "livenessProbe": _probe(inputs, LIVENESS),
        "readinessProbe": _probe(inputs, READINESS),
    }
    properties: dict[str, Any] = {
        "containers": [{"name": CONTAINER, "properties": container}],
        "osType": "Linux",
        "restartPolicy": inputs.restart_policy,
    }
    address: dict[str, Any] = {"ports": [{"port": port, "protocol": "TCP"}], "type": "Public"}
    if spec.subnet is not None:
        address["type"] = "Private"
        properties["subnetIds"] = [{"id": subnet_id(inputs.subscription, inputs.resource_group, *spec.subnet)}]
    elif spec.dns_name_label:
        address["dnsNameLabel"] = spec.dns_name_label
    properties["ipAddress"] = address
    if inputs.pull_secret is not None:
        secret = inputs.pull_secret
        properties["imageRegistryCredentials"] = [
            {"server": secret.registry, "username": secret.username, "password": secret.password}
        ]
    if inputs.tls is not None:
        cert, key = inputs.tls
        container["volumeMounts"] = [{"name": "tls", "mountPath": TLS_DIR, "readOnly": True}]
        properties["volumes"] = [{"name": "tls", "secret": {"tls.crt": _b64(cert), "tls.key": _b64(key)}}]
    if spec.encryption is not None:
        vault, key_name, key_version = spec.encryption
        properties["encryptionProperties"] = {"vaultBaseUrl": vault, "keyName": key_name, "keyVersion": key_version}
    return {"location": inputs.location, "tags": tags(inputs), "properties": properties}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def redacted(group: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``group`` with every secret (``secureValue``, registry passwords, secret volumes) as ``***``."""
    copy: dict[str, Any] = json.loads(json.dumps(group))
    properties = copy.get("properties") or {}
    for container in properties.get("containers") or []:
        for variable in (container.get("properties") or {}).get("environmentVariables") or []:
            if "secureValue" in variable:
                variable["secureValue"] = REDACTED
    for credential in properties.get("imageRegistryCredentials") or []:
        if "password" in credential:
            credential["password"] = REDACTED
    for volume in properties.get("volumes") or []:
        if isinstance(volume.get("secret"), dict):
            volume["secret"] = dict.fromkeys(volume["secret"], REDACTED)
    return copy


def default_label(name: str, resource_group: str, subscription: str) -> str:
    """A DNS name label when the config gives none: the service name and a short hash of where it lives, so two
    subscriptions' services of one name do not collide in a region's shared DNS zone."""
    digest = hashlib.sha256(f"{subscription}/{resource_group}".lower().encode()).hexdigest()[:6]
    return f"{name[:56]}-{digest}".lower()


def models_of(tags: Mapping[str, str]) -> list[tuple[str, int]]:
    """The (name, version) pairs of ``MODELS_TAG``; unreadable entries are left out."""
    found = []
    for item in (tags.get(MODELS_TAG) or "").split(","):
        name, _, version = item.rpartition(":")
        if name and version.isdigit():
            found.append((name, int(version)))
    return found

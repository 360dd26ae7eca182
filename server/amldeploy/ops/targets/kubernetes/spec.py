"""What a deployment config asks of a cluster, read once: replicas or the autoscaler, requests and limits, GPUs,
the liveness probe, the front end and TLS. AKS and AKSENDPOINT configs say it all; an ACI or local config
deployed with ``--target kubernetes`` gets AKS's defaults for what it cannot say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amldeploy.config.models import (
    AciDeploymentConfig,
    AksDeploymentConfig,
    AksEndpointDeploymentConfig,
    DeploymentConfig,
)
from amldeploy.ops.errors import EXIT_USAGE, OpsError
from amldeploy.ops.frontend import FrontEnd, front_end_of


@dataclass(frozen=True, slots=True)
class Autoscale:
    min_replicas: int = 1
    max_replicas: int = 10
    target_utilization: int = 70  # percent of the CPU request


@dataclass(frozen=True, slots=True)
class Liveness:
    """v1's ``livenessProbeRequirements`` with its defaults."""

    period_seconds: int = 10
    initial_delay_seconds: int = 310
    timeout_seconds: int = 2
    success_threshold: int = 1
    failure_threshold: int = 3


@dataclass(frozen=True, slots=True)
class KubeSpec:
    compute_type: str
    replicas: int
    autoscale: Autoscale | None
    cpu: float = 0.1
    memory_gb: float = 0.5
    cpu_limit: float | None = None
    memory_gb_limit: float | None = None
    gpu: int = 0
    liveness: Liveness = field(default_factory=Liveness)
    front_end: FrontEnd = field(default_factory=FrontEnd)
    namespace: str | None = None  # the config's ``namespace``
    # ``sslEnabled`` with ``sslCertificate``/``sslKey``: the files, relative to the config's folder.
    tls_files: tuple[Path, Path] | None = None


TOKEN_AUTH_REFUSED = (
    "tokenAuthEnabled asks for Azure ML workspace tokens (Azure AD), which only a workspace can issue; "
    "the Kubernetes target has no workspace"
)
TOKEN_AUTH_HINT = (
    'use key auth instead: set "tokenAuthEnabled": false and "authEnabled": true (the keys come from '
    "keys.primaryKey/secondaryKey or are generated; 'amldeploy keys NAME' prints them)"
)


def spec_of(
    config: DeploymentConfig, config_dir: Path, raw: Mapping[str, Any] | None = None
) -> tuple[KubeSpec, list[str]]:
    """The cluster's view of ``config`` and warnings about what it does not carry over; ``OpsError`` for what
    cannot be deployed at all (``tokenAuthEnabled``). ``raw`` is the config as written: AKS had TLS on the
    cluster, not in the config, so ``sslEnabled``/``sslCertificate``/``sslKey`` are read from it for any
    compute type."""
    warnings: list[str] = []
    tls = _tls_files(raw or {}, config_dir)
    if isinstance(config, (AksDeploymentConfig, AksEndpointDeploymentConfig)):
        if config.token_auth_enabled:
            raise OpsError(TOKEN_AUTH_REFUSED, TOKEN_AUTH_HINT, EXIT_USAGE)
        front_end, _ = front_end_of(config)  # its warnings are about a local process
        scaler = config.auto_scaler
        # v1: autoscaling is on unless numReplicas is given (or autoscaleEnabled says otherwise).
        enabled = scaler.autoscale_enabled if scaler and scaler.autoscale_enabled is not None else None
        if enabled is None:
            enabled = config.num_replicas is None
        autoscale = None
        if enabled:
            autoscale = (
                Autoscale(scaler.min_replicas, scaler.max_replicas, scaler.target_utilization)
                if scaler
                else Autoscale()
            )
        replicas = autoscale.min_replicas if autoscale else (config.num_replicas or 1)
        resources = config.container_resource_requirements
        probe = config.liveness_probe_requirements
        liveness = (
            Liveness(
                probe.period_seconds,
                probe.initial_delay_seconds,
                probe.timeout_seconds,
                probe.success_threshold,
                probe.failure_threshold,
            )
            if probe
            else Liveness()
        )
        if config.data_collection and config.data_collection.storage_enabled:
            warnings.append("dataCollection.storageEnabled is not carried over: model data is not collected")
        if config.app_insights_enabled:
            warnings.append("appInsightsEnabled is not carried over: the service logs to its pods' output")
        if isinstance(config, AksEndpointDeploymentConfig) and config.traffic_percentile is not None:
            warnings.append("trafficPercentile is not carried over: the service takes all of its traffic")
        return (
            KubeSpec(
                compute_type=config.compute_type,
                replicas=replicas,
                autoscale=autoscale,
                cpu=resources.cpu if resources else 0.1,
                memory_gb=resources.memory_in_gb if resources else 0.5,
                cpu_limit=resources.cpu_limit if resources else None,
                memory_gb_limit=resources.memory_in_gb_limit if resources else None,
                gpu=config.gpu_cores,
                liveness=liveness,
                front_end=front_end,
                namespace=config.namespace,
                tls_files=tls,
            ),
            warnings,
        )
    front_end, _ = front_end_of(config)
    cpu, memory = 0.1, 0.5
    if isinstance(config, AciDeploymentConfig) and config.container_resource_requirements is not None:
        cpu = config.container_resource_requirements.cpu
        memory = config.container_resource_requirements.memory_in_gb
    warnings.append(
        f"computeType {config.compute_type} deployed to Kubernetes: one replica, no autoscaler, AKS's probe defaults"
    )
    return (
        KubeSpec(
            compute_type=config.compute_type,
            replicas=1,
            autoscale=None,
            cpu=cpu,
            memory_gb=memory,
            # ACI's numbers are what a container may use: limits as well as requests.
            cpu_limit=cpu if isinstance(config, AciDeploymentConfig) else None,
            memory_gb_limit=memory if isinstance(config, AciDeploymentConfig) else None,
            front_end=front_end,
            tls_files=tls,
        ),
        warnings,
    )


def _tls_files(raw: Mapping[str, Any], config_dir: Path) -> tuple[Path, Path] | None:
    if raw.get("sslEnabled") is not True:
        return None
    cert, key = raw.get("sslCertificate"), raw.get("sslKey")
    if not isinstance(cert, str) or not cert or not isinstance(key, str) or not key:
        raise OpsError(
            "sslEnabled is true, but sslCertificate or sslKey is missing",
            "give both PEM files (sslCertificate, sslKey), or set sslEnabled to false",
            EXIT_USAGE,
        )
    return config_dir / cert, config_dir / key

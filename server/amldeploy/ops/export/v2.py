"""A v1 service as Azure ML v2 YAML: an online endpoint and its deployment, so that the same score.py runs.

``computeType`` ACI and local become a managed online deployment (one instance of the smallest instance type
holding the v1 CPU and memory); AKS and AKSENDPOINT a Kubernetes online deployment (requests and limits, the v1
autoscaler as ``scale_settings``). For AKS the v1 defaults of the front end (60 s timeout, one request at a time,
500 ms queue, the liveness probe) are written out, since v2's defaults differ. Every key of both configs gets a
``Fate``; what v2 does differently although no key says so becomes a note.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amldeploy.config.load import Loaded
from amldeploy.config.models import (
    AciDeploymentConfig,
    AksDeploymentConfig,
    AksEndpointDeploymentConfig,
    AksResources,
    AutoScaler,
    DeploymentConfig,
    InferenceConfig,
    LivenessProbeRequirements,
    LocalDeploymentConfig,
)
from amldeploy.language.files import resolve
from amldeploy.ops.errors import OpsError
from amldeploy.ops.export.environment import export_environment
from amldeploy.ops.export.fates import Fate, Fates, set_keys
from amldeploy.ops.export.instances import SOURCE, smallest_fit
from amldeploy.ops.model_specs import ModelSpec

SCHEMAS = "https://azuremlschemas.azureedge.net/latest"
ENDPOINT_FILE = "endpoint.yml"
DEPLOYMENT_FILE = "deployment.yml"
MODELS_DIR = "model"
DEFAULT_DEPLOYMENT = "blue"
DEFAULT_COMPUTE = "kubernetes-compute"
# The ACI defaults: what an ACI config without containerResourceRequirements got, and local is sized like it.
DEFAULT_CPU, DEFAULT_MEMORY_GB = 0.1, 0.5

_STOP = frozenset(
    {
        "environment.python.condaDependencies",
        "environment.docker.baseImageRegistry",
        "environment.docker.buildContext",
        "environment.docker.platform",
        "environment.spark",
        "environment.databricks",
        "environment.r",
        "baseImageRegistry",
    }
)
_KEYS = "v2 generates the endpoint's keys; read or regenerate them with 'az ml online-endpoint get-credentials' / "
_KEYS += "'regenerate-keys' (keys are never written into an export)"


@dataclass(slots=True)
class V2Export:
    kind: str  # "managed" or "kubernetes"
    endpoint: dict[str, Any]
    deployment: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)  # besides the two YAML files, by relative path
    copies: dict[str, Path] = field(default_factory=dict)  # files copied in (several models), by relative path
    fates: list[Fate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def dropped(self) -> list[Fate]:
        return [f for f in self.fates if f.dropped]


def export_v2(
    inference: Loaded[InferenceConfig],
    deployment: Loaded[DeploymentConfig],
    models: list[ModelSpec],
    output_dir: Path,
    endpoint: str,
    deployment_name: str | None = None,
    compute: str | None = None,
) -> V2Export:
    """The v2 files of a v1 service, to be written into ``output_dir`` (relative paths point from there)."""
    ic, dc = inference.config, deployment.config
    ic_fates = Fates("inference", set_keys(ic, _STOP))
    dc_fates = Fates("deployment", set_keys(dc))
    out = output_dir.resolve()
    config_dir = inference.path.parent
    source = resolve(config_dir, ic.source_directory) if ic.source_directory else config_dir
    entry = resolve(source, ic.entry_script)
    if not entry.is_file():
        raise OpsError(f"entry script {entry} doesn't exist", "fix 'entryScript' in the inference config")
    env = export_environment(inference, source, ic_fates)
    kind = "kubernetes" if isinstance(dc, (AksDeploymentConfig, AksEndpointDeploymentConfig)) else "managed"
    name = deployment_name or (
        dc.version_name if isinstance(dc, AksEndpointDeploymentConfig) and dc.version_name else DEFAULT_DEPLOYMENT
    )
    result = V2Export(
        kind,
        {"$schema": f"{SCHEMAS}/{kind}OnlineEndpoint.schema.json", "name": endpoint},
        {
            "$schema": f"{SCHEMAS}/{kind}OnlineDeployment.schema.json",
            "name": name,
            "endpoint_name": endpoint,
            "type": kind,
        },
        files=env.files,
        notes=env.notes,
    )
    dep = result.deployment
    if ic.description:
        dep["description"] = ic.description
        ic_fates.mapped("description", f"{DEPLOYMENT_FILE}: description")
    _models(models, out, result)
    dep["code_configuration"] = {
        "code": _rel(source, out),
        "scoring_script": _scoring_script(entry, source),
    }
    ic_fates.mapped("sourceDirectory", f"{DEPLOYMENT_FILE}: code_configuration.code")
    ic_fates.mapped("entryScript", f"{DEPLOYMENT_FILE}: code_configuration.scoring_script")
    dep["environment"] = env.section
    variables = ic.environment.environment_variables if ic.environment else None
    if variables:
        dep["environment_variables"] = dict(variables)
        ic_fates.mapped("environment.environmentVariables", f"{DEPLOYMENT_FILE}: environment_variables")
    if ic.enable_gpu:
        ic_fates.mapped(
            "enableGpu", f"{DEPLOYMENT_FILE}: instance_type / environment", "a GPU instance type, CUDA image"
        )
    if _inside(out, source):
        result.notes.append(
            f"the output folder is inside the code folder {source}: v2 uploads it with the code unless a "
            ".amlignore there leaves it out"
        )
    if isinstance(dc, (AksDeploymentConfig, AksEndpointDeploymentConfig)):
        _kubernetes(dc, dc_fates, result, compute)
    else:
        _managed(dc, dc_fates, result, ic.enable_gpu)
    result.fates = ic_fates.all() + dc_fates.all()
    return result


# --- managed (ACI, local) ---------------------------------------------------------------------------------


def _managed(dc: AciDeploymentConfig | LocalDeploymentConfig, fates: Fates, result: V2Export, gpu: bool) -> None:
    dep, endpoint = result.deployment, result.endpoint
    fates.mapped("computeType", "managed online deployment", f"computeType {dc.compute_type}")
    resources = dc.container_resource_requirements if isinstance(dc, AciDeploymentConfig) else None
    cpu = resources.cpu if resources else DEFAULT_CPU
    memory = resources.memory_in_gb if resources else DEFAULT_MEMORY_GB
    chosen = smallest_fit(cpu, memory, 1 if gpu else 0)
    if chosen is None:
        raise OpsError(
            f"no managed instance type holds {cpu} cores and {memory} GB",
            "lower containerResourceRequirements, or pick instance_type yourself in deployment.yml",
        )
    dep["instance_type"] = chosen.name
    dep["instance_count"] = 1
    sized = f"{chosen.name}: {chosen.cores} cores, {chosen.memory_gb:g} GB, the smallest that fits ({SOURCE})"
    fates.mapped("containerResourceRequirements", f"{DEPLOYMENT_FILE}: instance_type", sized)
    if resources is None:
        result.notes.append(f"no CPU or memory given: sized for the ACI defaults (0.1 cores, 0.5 GB) as {sized}")
    if chosen.cores <= 2:
        result.notes.append(
            f"{chosen.name} is small: Azure ML cautions that such sizes may be too small for big models (memory, "
            "disk, slow start), and Azure keeps part of each instance for itself"
        )
    auth = isinstance(dc, AciDeploymentConfig) and dc.auth_enabled
    endpoint["auth_mode"] = "key"
    fates.mapped(
        "authEnabled", f"{ENDPOINT_FILE}: auth_mode", "key" if auth else "key: v2 endpoints always authenticate"
    )
    if not auth:
        result.notes.append(
            "the v1 service took requests without a key; a v2 endpoint always asks for one (auth_mode key)"
        )
    result.notes.append(
        "ACI had no front-end timeout; a v2 managed deployment times a request out after request_timeout_ms "
        "(default 5000, at most 180000): add request_settings if run() takes longer"
    )
    if isinstance(dc, LocalDeploymentConfig):
        fates.dropped("port", "a v2 endpoint is reached at its scoring URI over HTTPS; no port is chosen")
        return
    if dc.app_insights_enabled or fates.has("appInsightsEnabled"):
        dep["app_insights_enabled"] = dc.app_insights_enabled
        fates.mapped("appInsightsEnabled", f"{DEPLOYMENT_FILE}: app_insights_enabled")
    fates.dropped("location", "a v2 endpoint lives in its workspace's region")
    tls = "v2 endpoints serve HTTPS with Azure's certificate on <endpoint>.<region>.inference.ml.azure.com; "
    fates.dropped("sslEnabled", tls + "TLS is always on")
    for key in ("sslCertificate", "sslKey", "cname"):
        fates.dropped(key, tls + "custom domains and certificates are not supported")
    fates.dropped(
        "dnsNameLabel", "the endpoint's name chooses its URI in v2 (<endpoint>.<region>.inference.ml.azure.com)"
    )
    for key in ("vaultBaseUrl", "keyName", "keyVersion"):
        fates.dropped(key, "customer-managed keys are set on the v2 workspace, not per deployment")
    for key in ("vnetName", "subnetName"):
        fates.dropped(
            key,
            "network isolation is the workspace's managed network in v2 (public_network_access, "
            "egress_public_network_access)",
        )
    fates.dropped("keys", _KEYS)


# --- Kubernetes (AKS, AKSENDPOINT) -------------------------------------------------------------------------


def _kubernetes(
    dc: AksDeploymentConfig | AksEndpointDeploymentConfig, fates: Fates, result: V2Export, compute: str | None
) -> None:
    dep, endpoint = result.deployment, result.endpoint
    fates.mapped("computeType", "Kubernetes online deployment", f"computeType {dc.compute_type}")
    target = compute or (dc.compute_target_name if isinstance(dc, AksDeploymentConfig) else None)
    if target is None:
        target = DEFAULT_COMPUTE
        result.notes.append(
            f"compute '{DEFAULT_COMPUTE}' is a placeholder: attach the cluster to the workspace as Kubernetes "
            "compute and put its name in endpoint.yml (or export with --compute NAME)"
        )
    endpoint["compute"] = f"azureml:{target}"
    fates.mapped("computeTargetName", f"{ENDPOINT_FILE}: compute")
    if dc.token_auth_enabled:
        endpoint["auth_mode"] = "aml_token"
    else:
        endpoint["auth_mode"] = "key"
        if not dc.auth_enabled:
            result.notes.append("the v1 service took requests without a key; a v2 endpoint always asks for one")
    fates.mapped("tokenAuthEnabled", f"{ENDPOINT_FILE}: auth_mode", endpoint["auth_mode"])
    fates.mapped("authEnabled", f"{ENDPOINT_FILE}: auth_mode", endpoint["auth_mode"])
    if isinstance(dc, AksEndpointDeploymentConfig):
        fates.mapped("versionName", f"{DEPLOYMENT_FILE}: name")
        if dc.traffic_percentile is not None:
            endpoint["traffic"] = {dep["name"]: round(dc.traffic_percentile)}
            fates.mapped("trafficPercentile", f"{ENDPOINT_FILE}: traffic")
    dep["resources"] = _resources(dc.container_resource_requirements or AksResources(), dc.gpu_cores)
    fates.mapped("containerResourceRequirements", f"{DEPLOYMENT_FILE}: resources", "requests and limits")
    fates.mapped("gpuCores", f"{DEPLOYMENT_FILE}: resources.requests.gpu / limits.gpu")
    _scale(dc, fates, dep)
    dep["request_settings"] = {
        "request_timeout_ms": dc.scoring_timeout_ms,
        "max_concurrent_requests_per_instance": dc.max_concurrent_requests_per_container,
        "max_queue_wait_ms": dc.max_queue_wait_ms,
    }
    fates.mapped("scoringTimeoutMs", f"{DEPLOYMENT_FILE}: request_settings.request_timeout_ms")
    fates.mapped(
        "maxConcurrentRequestsPerContainer", f"{DEPLOYMENT_FILE}: request_settings.max_concurrent_requests_per_instance"
    )
    fates.mapped("maxQueueWaitMs", f"{DEPLOYMENT_FILE}: request_settings.max_queue_wait_ms", "deprecated in v2")
    probe = dc.liveness_probe_requirements or LivenessProbeRequirements()
    dep["liveness_probe"] = _probe(probe, probe.initial_delay_seconds)
    # v1 had no readiness settings: the same checks, from v2's default delay, so traffic starts once init() is done.
    dep["readiness_probe"] = _probe(probe, 10)
    fates.mapped("livenessProbeRequirements", f"{DEPLOYMENT_FILE}: liveness_probe", "and readiness_probe")
    dep["app_insights_enabled"] = dc.app_insights_enabled
    fates.mapped("appInsightsEnabled", f"{DEPLOYMENT_FILE}: app_insights_enabled")
    fates.dropped(
        "dataCollection",
        "v2 collects model data with data_collector and the azureml-ai-monitoring collector called from score.py; "
        "v1's ModelDataCollector calls do not carry over",
    )
    fates.dropped("namespace", "the namespace is chosen when the cluster is attached to the workspace as compute")
    fates.dropped("keys", _KEYS)


def _resources(resources: AksResources, gpus: int) -> dict[str, Any]:
    requests: dict[str, str] = {"cpu": f"{resources.cpu:g}", "memory": f"{resources.memory_in_gb:g}Gi"}
    limits: dict[str, str] = {}
    if resources.cpu_limit is not None:
        limits["cpu"] = f"{resources.cpu_limit:g}"
    if resources.memory_in_gb_limit is not None:
        limits["memory"] = f"{resources.memory_in_gb_limit:g}Gi"
    if gpus:
        requests["gpu"] = limits["gpu"] = str(gpus)  # Kubernetes wants GPU requests equal to limits
    return {"requests": requests, "limits": limits} if limits else {"requests": requests}


def _scale(dc: AksDeploymentConfig | AksEndpointDeploymentConfig, fates: Fates, dep: dict[str, Any]) -> None:
    scaler = dc.auto_scaler or AutoScaler()
    autoscale = scaler.autoscale_enabled if scaler.autoscale_enabled is not None else dc.num_replicas is None
    if autoscale:
        dep["instance_count"] = scaler.min_replicas
        dep["scale_settings"] = {
            "type": "target_utilization",
            "min_instances": scaler.min_replicas,
            "max_instances": scaler.max_replicas,
            "polling_interval": scaler.refresh_period_in_seconds,
            "target_utilization_percentage": scaler.target_utilization,
        }
    else:
        dep["instance_count"] = dc.num_replicas or 1
        dep["scale_settings"] = {"type": "default"}
    to = f"{DEPLOYMENT_FILE}: scale_settings"
    fates.mapped("autoScaler.autoscaleEnabled", f"{to}.type")
    fates.mapped("autoScaler.minReplicas", f"{to}.min_instances", "and instance_count")
    fates.mapped("autoScaler.maxReplicas", f"{to}.max_instances")
    fates.mapped("autoScaler.refreshPeriodInSeconds", f"{to}.polling_interval")
    fates.mapped("autoScaler.targetUtilization", f"{to}.target_utilization_percentage")
    fates.mapped("numReplicas", f"{DEPLOYMENT_FILE}: instance_count")


def _probe(probe: LivenessProbeRequirements, initial_delay: int) -> dict[str, int]:
    return {
        "initial_delay": initial_delay,
        "period": probe.period_seconds,
        "timeout": probe.timeout_seconds,
        "success_threshold": probe.success_threshold,
        "failure_threshold": probe.failure_threshold,
    }


# --- models -------------------------------------------------------------------------------------------------


def _models(models: list[ModelSpec], out: Path, result: V2Export) -> None:
    if not models:
        result.notes.append("no --model was given: the deployment has no model")
        return
    if len(models) == 1:
        spec = models[0]
        result.deployment["model"] = {"name": spec.name, "version": str(spec.version), "path": _rel(spec.path, out)}
        return
    # v2 serves one model per deployment: the models go into one folder, laid out as v1's azureml-models.
    for spec in models:
        path = spec.path.resolve()
        folder = f"{MODELS_DIR}/{spec.name}/{spec.version}/{path.name}"
        files = [p for p in sorted(path.rglob("*")) if p.is_file()] if path.is_dir() else [path]
        for file in files:
            rel = file.relative_to(path).as_posix() if path.is_dir() else ""
            result.copies[f"{folder}/{rel}".rstrip("/")] = file
    result.deployment["model"] = {"name": f"{result.endpoint['name']}-models", "version": "1", "path": MODELS_DIR}
    result.notes.append(
        f"{len(models)} models: v2 takes one model per deployment, so they are copied into {MODELS_DIR}/ as "
        f"NAME/VERSION/FILE; v2 mounts that folder under AZUREML_MODEL_DIR as '{MODELS_DIR}', one level deeper "
        "than v1 put NAME/VERSION: join it in score.py"
    )


def _scoring_script(entry: Path, source: Path) -> str:
    try:
        return entry.resolve().relative_to(source.resolve()).as_posix()
    except ValueError:
        raise OpsError(
            f"entry script {entry} lies outside the source directory {source}",
            "move it into the source directory: v2 uploads that folder as the code",
        ) from None


def _rel(path: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), start)).as_posix()
    except ValueError:  # another drive (Windows): keep it absolute
        return path.resolve().as_posix()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True

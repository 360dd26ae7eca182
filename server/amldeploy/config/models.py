"""Typed models of the v1 files, for deploy operations.

The JSON Schemas in ``schemas/`` are the single source of the file formats; these models mirror them so that a
document the schema accepts is accepted here and vice versa (``tests/python/unit/test_schema_models_agree.py``
keeps the two in step). They check single values only: the rules that involve several keys (autoscaling
versus ``numReplicas``, limits versus requests, SSL needs certificate, key and cname, ...) live with the
language rules, which report them with positions.

Conventions:

* field names are snake_case; each ``alias`` is the exact JSON key, and both spellings are accepted;
* unknown keys are ignored, as v1 ignored them;
* validation is strict where v1 was strict: ``"8890"`` is not a port, ``"1"`` is not a CPU count and ``10.0``
  is not a CUDA version; booleans must be JSON booleans; an integer is fine where a number is expected, and
  ``3.0`` counts as an integer (as in JSON Schema);
* an optional key the schema does not mark nullable rejects an explicit ``null``;
* defaults are the v1 defaults where those are literal values, else ``None``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    TypeAdapter,
)

__all__ = [
    "COMPUTE_TYPE_PATTERNS",
    "DEPLOYMENT_CONFIG_ADAPTER",
    "AciDeploymentConfig",
    "AciResources",
    "AksDeploymentConfig",
    "AksEndpointDeploymentConfig",
    "AksResources",
    "AutoScaler",
    "BaseImageRegistry",
    "CondaDependencies",
    "DataCollection",
    "DatabricksSection",
    "DeploymentConfig",
    "DockerBuildContext",
    "DockerPlatform",
    "DockerRegistry",
    "DockerSection",
    "Environment",
    "InferenceConfig",
    "LivenessProbeRequirements",
    "LocalDeploymentConfig",
    "PipDependencies",
    "PythonSection",
    "RSection",
    "ServiceKeys",
    "SparkSection",
    "parse_deployment_config",
    "parse_inference_config",
]


def _reject_null(value: object) -> object:
    if value is None:
        raise ValueError("null is not allowed here; leave the key out to get the default")
    return value


def _integral(value: object) -> object:
    # JSON Schema counts 3.0 as an integer; keep the same verdict and hand out a real int.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_NotNull = BeforeValidator(_reject_null)
_Int = BeforeValidator(_integral)

PositiveInt = Annotated[int, _Int, Field(gt=0)]
PositiveNumber = Annotated[float, Field(gt=0)]

# Optional keys that reject an explicit null (the schema does not list "null" among their types).
OptStr = Annotated[str | None, _NotNull]
OptBool = Annotated[bool | None, _NotNull]
OptPositiveInt = Annotated[PositiveInt | None, _NotNull]
OptPositiveNumber = Annotated[PositiveNumber | None, _NotNull]
OptStrList = Annotated[list[str] | None, _NotNull]
OptList = Annotated[list[Any] | None, _NotNull]

Port = Annotated[int, _Int, Field(ge=1, le=65535)]
Percent = Annotated[int, _Int, Field(ge=1, le=100)]
NonNegativeInt = Annotated[int, _Int, Field(ge=0)]
TrafficPercent = Annotated[float, Field(ge=0, le=100)]
Namespace = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]

COMPUTE_TYPE_PATTERNS: dict[str, str] = {
    "local": r"^[Ll][Oo][Cc][Aa][Ll]$",
    "ACI": r"^[Aa][Cc][Ii]$",
    "AKS": r"^[Aa][Kk][Ss]$",
    "AKSENDPOINT": r"^[Aa][Kk][Ss][Ee][Nn][Dd][Pp][Oo][Ii][Nn][Tt]$",
}


class _Model(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="ignore",
        populate_by_name=True,
        # The same regex semantics as the jsonschema validator.
        regex_engine="python-re",
    )


# --- environment -------------------------------------------------------------------------------------------


class PipDependencies(_Model):
    """The ``{"pip": [...]}`` entry of conda ``dependencies``."""

    pip: list[str] = Field(alias="pip")


class CondaDependencies(_Model):
    """Inline conda environment (``python.condaDependencies``)."""

    name: OptStr = Field(default=None, alias="name")
    channels: OptStrList = Field(default=None, alias="channels")
    dependencies: Annotated[list[str | PipDependencies] | None, _NotNull] = Field(default=None, alias="dependencies")


class PythonSection(_Model):
    """``environment.python``: how the Python environment of the image is created."""

    user_managed_dependencies: bool = Field(default=False, alias="userManagedDependencies")
    interpreter_path: str = Field(default="python", alias="interpreterPath")
    conda_dependencies_file: str | None = Field(default=None, alias="condaDependenciesFile")
    base_conda_environment: str | None = Field(default=None, alias="baseCondaEnvironment")
    conda_dependencies: CondaDependencies | None = Field(default=None, alias="condaDependencies")


class DockerBuildContext(_Model):
    """``environment.docker.buildContext`` (newer SDKs)."""

    location_type: OptStr = Field(default=None, alias="locationType")
    location: OptStr = Field(default=None, alias="location")
    dockerfile_path: OptStr = Field(default=None, alias="dockerfilePath")


class DockerRegistry(_Model):
    """``environment.docker.baseImageRegistry``: the private registry of the base image."""

    address: str | None = Field(default=None, alias="address")
    username: str | None = Field(default=None, alias="username")
    password: str | None = Field(default=None, alias="password")
    registry_identity: dict[str, Any] | None = Field(default=None, alias="registryIdentity")


class DockerPlatform(_Model):
    """``environment.docker.platform`` (newer SDKs)."""

    os: str = Field(default="Linux", alias="os")
    architecture: str = Field(default="amd64", alias="architecture")


class DockerSection(_Model):
    """``environment.docker``: base image or base Dockerfile, and its registry."""

    enabled: bool = Field(default=False, alias="enabled")
    base_image: str | None = Field(default=None, alias="baseImage")
    base_dockerfile: str | None = Field(default=None, alias="baseDockerfile")
    build_context: DockerBuildContext | None = Field(default=None, alias="buildContext")
    shared_volumes: bool = Field(default=True, alias="sharedVolumes")
    shm_size: str | None = Field(default="2g", alias="shmSize")
    arguments: list[str] = Field(default_factory=list, alias="arguments")
    base_image_registry: DockerRegistry | None = Field(default=None, alias="baseImageRegistry")
    platform: DockerPlatform | None = Field(default=None, alias="platform")
    gpu_support: OptBool = Field(default=None, alias="gpuSupport")


class SparkSection(_Model):
    """``environment.spark`` (Spark runs only)."""

    repositories: list[str] = Field(default_factory=list, alias="repositories")
    packages: list[dict[str, Any]] = Field(default_factory=list, alias="packages")
    precache_packages: bool = Field(default=True, alias="precachePackages")


class DatabricksSection(_Model):
    """``environment.databricks`` (Databricks runs only)."""

    maven_libraries: list[dict[str, Any]] = Field(default_factory=list, alias="mavenLibraries")
    pypi_libraries: list[dict[str, Any]] = Field(default_factory=list, alias="pypiLibraries")
    rcran_libraries: list[dict[str, Any]] = Field(default_factory=list, alias="rcranLibraries")
    jar_libraries: list[dict[str, Any]] = Field(default_factory=list, alias="jarLibraries")
    egg_libraries: list[dict[str, Any]] = Field(default_factory=list, alias="eggLibraries")


class RSection(_Model):
    """``environment.r`` (R environments only)."""

    r_version: str | None = Field(default=None, alias="rVersion")
    user_managed: OptBool = Field(default=None, alias="userManaged")
    rscript_path: str | None = Field(default=None, alias="rscriptPath")
    snapshot_date: str | None = Field(default=None, alias="snapshotDate")
    cran_packages: OptList = Field(default=None, alias="cranPackages")
    github_packages: OptList = Field(default=None, alias="githubPackages")
    custom_url_packages: OptList = Field(default=None, alias="customUrlPackages")
    bioconductor_packages: OptList = Field(default=None, alias="bioconductorPackages")


class Environment(_Model):
    """An Azure ML Environment definition (the inference config's ``environment``)."""

    name: OptStr = Field(default=None, alias="name")
    version: str | None = Field(default=None, alias="version")
    environment_variables: Annotated[dict[str, str] | None, _NotNull] = Field(
        default=None, alias="environmentVariables"
    )
    python: Annotated[PythonSection | None, _NotNull] = Field(default=None, alias="python")
    docker: Annotated[DockerSection | None, _NotNull] = Field(default=None, alias="docker")
    spark: Annotated[SparkSection | None, _NotNull] = Field(default=None, alias="spark")
    databricks: Annotated[DatabricksSection | None, _NotNull] = Field(default=None, alias="databricks")
    r: RSection | None = Field(default=None, alias="r")
    inferencing_stack_version: Literal["latest"] | None = Field(default=None, alias="inferencingStackVersion")
    asset_id: str | None = Field(default=None, alias="assetId")


# --- inference config --------------------------------------------------------------------------------------


class BaseImageRegistry(_Model):
    """The legacy ``baseImageRegistry`` of the inference config (object form)."""

    address: str | None = Field(default=None, alias="address")
    username: str | None = Field(default=None, alias="username")
    password: str | None = Field(default=None, alias="password")


class InferenceConfig(_Model):
    """``inferenceconfig.json``: the entry script and the environment it runs in."""

    entry_script: Annotated[str, StringConstraints(min_length=1)] = Field(alias="entryScript")
    source_directory: str | None = Field(default=None, alias="sourceDirectory")
    runtime: Annotated[Literal["python", "spark-py", "python-slim"] | None, _NotNull] = Field(
        default=None, alias="runtime"
    )
    conda_file: str | None = Field(default=None, alias="condaFile")
    extra_dockerfile_steps: str | None = Field(default=None, alias="extraDockerfileSteps")
    enable_gpu: bool = Field(default=False, alias="enableGpu")
    cuda_version: Annotated[Literal["9.0", "9.1", "10.0"] | None, _NotNull] = Field(default=None, alias="cudaVersion")
    base_image: str | None = Field(default=None, alias="baseImage")
    base_image_registry: BaseImageRegistry | None = Field(default=None, alias="baseImageRegistry")
    description: OptStr = Field(default=None, alias="description")
    environment: Annotated[Environment | None, _NotNull] = Field(default=None, alias="environment")


# --- deployment config -------------------------------------------------------------------------------------


class ServiceKeys(_Model):
    """``keys``: the authentication keys of an ACI or AKS service."""

    primary_key: OptStr = Field(default=None, alias="primaryKey")
    secondary_key: OptStr = Field(default=None, alias="secondaryKey")


class LocalDeploymentConfig(_Model):
    """``computeType: local``: a local Docker deployment; only ``port`` is read."""

    compute_kind: ClassVar[str] = "local"

    compute_type: Annotated[str, StringConstraints(pattern=COMPUTE_TYPE_PATTERNS["local"])] = Field(alias="computeType")
    port: Annotated[Port | None, _NotNull] = Field(default=None, alias="port")


class AciResources(_Model):
    """ACI ``containerResourceRequirements``: CPU cores and memory (no GPU key)."""

    cpu: PositiveNumber = Field(default=0.1, alias="cpu")
    memory_in_gb: PositiveNumber = Field(default=0.5, alias="memoryInGB")


class AciDeploymentConfig(_Model):
    """``computeType: ACI``: an Azure Container Instances deployment."""

    compute_kind: ClassVar[str] = "ACI"

    compute_type: Annotated[str, StringConstraints(pattern=COMPUTE_TYPE_PATTERNS["ACI"])] = Field(alias="computeType")
    container_resource_requirements: Annotated[AciResources | None, _NotNull] = Field(
        default=None, alias="containerResourceRequirements"
    )
    location: OptStr = Field(default=None, alias="location")
    auth_enabled: bool = Field(default=False, alias="authEnabled")
    ssl_enabled: bool = Field(default=False, alias="sslEnabled")
    ssl_certificate: OptStr = Field(default=None, alias="sslCertificate")
    ssl_key: OptStr = Field(default=None, alias="sslKey")
    cname: OptStr = Field(default=None, alias="cname")
    dns_name_label: OptStr = Field(default=None, alias="dnsNameLabel")
    app_insights_enabled: bool = Field(default=False, alias="appInsightsEnabled")
    vault_base_url: OptStr = Field(default=None, alias="vaultBaseUrl")
    key_name: OptStr = Field(default=None, alias="keyName")
    key_version: OptStr = Field(default=None, alias="keyVersion")
    vnet_name: OptStr = Field(default=None, alias="vnetName")
    subnet_name: OptStr = Field(default=None, alias="subnetName")
    keys: Annotated[ServiceKeys | None, _NotNull] = Field(default=None, alias="keys")


class AutoScaler(_Model):
    """AKS ``autoScaler``: autoscaling of the replicas."""

    autoscale_enabled: OptBool = Field(default=None, alias="autoscaleEnabled")
    min_replicas: PositiveInt = Field(default=1, alias="minReplicas")
    max_replicas: PositiveInt = Field(default=10, alias="maxReplicas")
    refresh_period_in_seconds: PositiveInt = Field(default=1, alias="refreshPeriodInSeconds")
    target_utilization: Percent = Field(default=70, alias="targetUtilization")


class DataCollection(_Model):
    """AKS ``dataCollection``: model data collection to storage."""

    storage_enabled: bool = Field(default=False, alias="storageEnabled")


class AksResources(_Model):
    """AKS ``containerResourceRequirements``: requests and limits per replica (GPUs are ``gpuCores``)."""

    cpu: PositiveNumber = Field(default=0.1, alias="cpu")
    cpu_limit: OptPositiveNumber = Field(default=None, alias="cpuLimit")
    memory_in_gb: PositiveNumber = Field(default=0.5, alias="memoryInGB")
    memory_in_gb_limit: OptPositiveNumber = Field(default=None, alias="memoryInGBLimit")


class LivenessProbeRequirements(_Model):
    """AKS ``livenessProbeRequirements``: the liveness probe of each replica."""

    period_seconds: PositiveInt = Field(default=10, alias="periodSeconds")
    initial_delay_seconds: PositiveInt = Field(default=310, alias="initialDelaySeconds")
    timeout_seconds: PositiveInt = Field(default=2, alias="timeoutSeconds")
    success_threshold: PositiveInt = Field(default=1, alias="successThreshold")
    failure_threshold: PositiveInt = Field(default=3, alias="failureThreshold")


class _AksCommon(_Model):
    """The keys shared by ``AKS`` and ``AKSENDPOINT``."""

    auto_scaler: Annotated[AutoScaler | None, _NotNull] = Field(default=None, alias="autoScaler")
    data_collection: Annotated[DataCollection | None, _NotNull] = Field(default=None, alias="dataCollection")
    auth_enabled: bool = Field(default=True, alias="authEnabled")
    token_auth_enabled: bool = Field(default=False, alias="tokenAuthEnabled")
    container_resource_requirements: Annotated[AksResources | None, _NotNull] = Field(
        default=None, alias="containerResourceRequirements"
    )
    gpu_cores: NonNegativeInt = Field(default=0, alias="gpuCores")
    app_insights_enabled: bool = Field(default=False, alias="appInsightsEnabled")
    scoring_timeout_ms: PositiveInt = Field(default=60000, alias="scoringTimeoutMs")
    max_concurrent_requests_per_container: PositiveInt = Field(default=1, alias="maxConcurrentRequestsPerContainer")
    max_queue_wait_ms: PositiveInt = Field(default=500, alias="maxQueueWaitMs")
    num_replicas: OptPositiveInt = Field(default=None, alias="numReplicas")
    keys: Annotated[ServiceKeys | None, _NotNull] = Field(default=None, alias="keys")
    liveness_probe_requirements: Annotated[LivenessProbeRequirements | None, _NotNull] = Field(
        default=None, alias="livenessProbeRequirements"
    )
    namespace: Annotated[Namespace | None, _NotNull] = Field(default=None, alias="namespace")


class AksDeploymentConfig(_AksCommon):
    """``computeType: AKS``: an Azure Kubernetes Service deployment."""

    compute_kind: ClassVar[str] = "AKS"

    compute_type: Annotated[str, StringConstraints(pattern=COMPUTE_TYPE_PATTERNS["AKS"])] = Field(alias="computeType")
    compute_target_name: OptStr = Field(default=None, alias="computeTargetName")


class AksEndpointDeploymentConfig(_AksCommon):
    """``computeType: AKSENDPOINT``: a version behind an AKS endpoint (experimental in v1)."""

    compute_kind: ClassVar[str] = "AKSENDPOINT"

    compute_type: Annotated[str, StringConstraints(pattern=COMPUTE_TYPE_PATTERNS["AKSENDPOINT"])] = Field(
        alias="computeType"
    )
    version_name: OptStr = Field(default=None, alias="versionName")
    traffic_percentile: Annotated[TrafficPercent | None, _NotNull] = Field(default=None, alias="trafficPercentile")


def _compute_type_tag(value: Any) -> str | None:
    """The union tag for ``value``: the canonical compute type its ``computeType`` matches, else None."""
    if isinstance(value, dict):
        compute_type = value.get("computeType", value.get("compute_type"))
    else:
        compute_type = getattr(value, "compute_type", None)
    if not isinstance(compute_type, str):
        return None
    for tag, pattern in COMPUTE_TYPE_PATTERNS.items():
        if re.search(pattern, compute_type):
            return tag
    return None


DeploymentConfig: TypeAlias = Annotated[
    Union[  # noqa: UP007 -- Annotated members of a tagged union read better in this form
        Annotated[LocalDeploymentConfig, Tag("local")],
        Annotated[AciDeploymentConfig, Tag("ACI")],
        Annotated[AksDeploymentConfig, Tag("AKS")],
        Annotated[AksEndpointDeploymentConfig, Tag("AKSENDPOINT")],
    ],
    Discriminator(
        _compute_type_tag,
        custom_error_type="unknown_deployment_type",
        custom_error_message="computeType is missing or unknown; use local, ACI, AKS or AKSENDPOINT",
    ),
]

DEPLOYMENT_CONFIG_ADAPTER: TypeAdapter[DeploymentConfig] = TypeAdapter(DeploymentConfig)


def parse_deployment_config(obj: object) -> DeploymentConfig:
    """Validate a loaded deployment config document; the model class follows ``computeType``.

    Raises ``pydantic.ValidationError`` exactly when the schema rejects the document.
    """
    return DEPLOYMENT_CONFIG_ADAPTER.validate_python(obj)


def parse_inference_config(obj: object) -> InferenceConfig:
    """Validate a loaded inference config document.

    Raises ``pydantic.ValidationError`` exactly when the schema rejects the document.
    """
    return InferenceConfig.model_validate(obj)

"""The flags of ``az ml model|service …`` (azure-cli-ml, CLI v1), each with what amldeploy does with it.

Every flag v1 accepted is accepted. A flag is *used* (it maps to an amldeploy operation or config key), *ignored*
(reported on stderr as ``ignored: FLAG VALUE — reason``: it selects a workspace, or asks for something amldeploy
does anyway) or *refused* (exit status 2 with the reason: honouring it silently would do something else than v1
did). Some are refused only for some values (``--token-auth-enabled true``); :mod:`.run` decides those.

v1's documentation and scripts spell many flags with one dash (``-ic``, ``-dc``, ``-ct``): argparse would read
``-ic`` as ``-i c``, so :func:`normalise` rewrites exactly those tokens (and ``-ic=VALUE``) to their two-dash
form before parsing. Tokens after ``--`` are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

USE, IGNORE, REFUSE = "use", "ignore", "refuse"


@dataclass(frozen=True)
class Flag:
    names: tuple[str, ...]  # v1's spellings, long first where v1 had one
    dest: str
    kind: str = "value"  # value | switch | bool (an optional true/false) | append
    handling: str = USE
    reason: str = ""  # for IGNORE and REFUSE: why (printed with the flag); for USE: where it goes (help)
    default: str | None = None

    @property
    def shown(self) -> str:
        return "/".join(self.names)


def _f(
    names: str, dest: str, kind: str = "value", handling: str = USE, reason: str = "", default: str | None = None
) -> Flag:
    return Flag(tuple(names.split()), dest, kind, handling, reason, default)


NO_WORKSPACE = "amldeploy works without a workspace: models come from the local registry, services from this folder"
WORKSPACE = [
    _f("--workspace-name -w", "workspace_name", handling=IGNORE, reason=NO_WORKSPACE),
    _f(
        "--resource-group -g",
        "resource_group",
        handling=IGNORE,
        reason=NO_WORKSPACE + " (-g named the workspace's group)",
    ),
    _f("--subscription-id", "subscription_id", handling=IGNORE, reason=NO_WORKSPACE),
    _f(
        "--path",
        "project_path",
        handling=IGNORE,
        reason="the project folder is the current directory; run the command from that folder (cd PATH)",
    ),
    _f("-v", "verbose_flag", "switch", IGNORE, "amldeploy prints its progress on stderr anyway"),
    _f("--only-show-errors", "only_show_errors", "switch", IGNORE, "warnings go to stderr; redirect it to hide them"),
    _f("--debug", "debug", "switch", IGNORE, "amldeploy prints its progress on stderr anyway"),
    _f("--verbose", "verbose", "switch", IGNORE, "amldeploy prints its progress on stderr anyway"),
]
NO_WAIT = _f("--no-wait", "no_wait", "switch", IGNORE, "amldeploy always waits until the operation has ended")

_MODELS = [
    _f("--model -m", "model", "append", reason="a registered model NAME:VERSION or NAME (latest), or a PATH"),
    _f("--model-metadata-file -f", "model_metadata_file", "append", reason="the -t file of 'ml model register'"),
]
_ENVIRONMENT = [
    _f(
        "--environment-name -e",
        "environment_name",
        reason="accepted when it names the inference config's own environment; a workspace environment is refused",
    ),
    _f("--environment-version --ev", "environment_version", reason="with -e: the inference config's version"),
    _f(
        "--environment-directory --ed",
        "environment_directory",
        reason="the folder of 'az ml environment scaffold' (azureml_environment.json) becomes the environment",
    ),
]
# Inference-config keys: (flag, key of the inference config, type).
INFERENCE_KEYS: dict[str, tuple[str, str]] = {
    "entry_script": ("entryScript", "path"),
    "source_directory": ("sourceDirectory", "path"),
    "runtime": ("runtime", "str"),
    "conda_file": ("condaFile", "path"),
    "extra_docker_file_steps": ("extraDockerfileSteps", "path"),
    "enable_gpu": ("enableGpu", "bool"),
    "cuda_version": ("cudaVersion", "str"),
    "base_image": ("baseImage", "str"),
    "base_image_registry": ("baseImageRegistry.address", "str"),
}
_INFERENCE = [
    _f("--entry-script --es", "entry_script", reason="inference config entryScript"),
    _f("--source-directory --sd", "source_directory", reason="inference config sourceDirectory"),
    _f("--runtime --rt", "runtime", reason="inference config runtime (python, python-slim, spark-py)"),
    _f("--conda-file --cf", "conda_file", reason="inference config condaFile"),
    _f("--extra-docker-file-steps --ds", "extra_docker_file_steps", reason="inference config extraDockerfileSteps"),
]
_INFERENCE_IMAGE = [
    _f("--enable-gpu --eg", "enable_gpu", "bool", reason="inference config enableGpu"),
    _f("--cuda-version --cv", "cuda_version", reason="inference config cudaVersion"),
    _f("--base-image --bi", "base_image", reason="inference config baseImage"),
    _f("--base-image-registry --ir", "base_image_registry", reason="inference config baseImageRegistry.address"),
]
# Deployment-config keys: dest -> (dotted key, type).
DEPLOY_KEYS: dict[str, tuple[str, str]] = {
    "cpu_cores": ("containerResourceRequirements.cpu", "float"),
    "cpu_cores_limit": ("containerResourceRequirements.cpuLimit", "float"),
    "memory_gb": ("containerResourceRequirements.memoryInGB", "float"),
    "memory_gb_limit": ("containerResourceRequirements.memoryInGBLimit", "float"),
    "gpu_cores": ("gpuCores", "int"),
    "auth_enabled": ("authEnabled", "bool"),
    "location": ("location", "str"),
    "dns_name_label": ("dnsNameLabel", "str"),
    "ssl_enabled": ("sslEnabled", "bool"),
    "ssl_cert_pem_file": ("sslCertificate", "path"),
    "ssl_key_pem_file": ("sslKey", "path"),
    "ssl_cname": ("cname", "str"),
    "enable_app_insights": ("appInsightsEnabled", "bool"),
    "collect_model_data": ("dataCollection.storageEnabled", "bool"),
    "autoscale_enabled": ("autoScaler.autoscaleEnabled", "bool"),
    "autoscale_refresh_seconds": ("autoScaler.refreshPeriodInSeconds", "int"),
    "autoscale_target_utilization": ("autoScaler.targetUtilization", "int"),
    "autoscale_min_replicas": ("autoScaler.minReplicas", "int"),
    "autoscale_max_replicas": ("autoScaler.maxReplicas", "int"),
    "num_replicas": ("numReplicas", "int"),
    "scoring_timeout_ms": ("scoringTimeoutMs", "int"),
    "replica_max_concurrent_requests": ("maxConcurrentRequestsPerContainer", "int"),
    "max_request_wait_time": ("maxQueueWaitMs", "int"),
    "period_seconds": ("livenessProbeRequirements.periodSeconds", "int"),
    "initial_delay_seconds": ("livenessProbeRequirements.initialDelaySeconds", "int"),
    "timeout_seconds": ("livenessProbeRequirements.timeoutSeconds", "int"),
    "success_threshold": ("livenessProbeRequirements.successThreshold", "int"),
    "failure_threshold": ("livenessProbeRequirements.failureThreshold", "int"),
    "namespace": ("namespace", "str"),
    "compute_type": ("computeType", "str"),
}


def _dc(names: str, dest: str, kind: str = "value") -> Flag:
    key = DEPLOY_KEYS[dest][0]
    return _f(names, dest, kind, reason=f"deployment config {key}")


_DEPLOY_CONFIG = [
    _dc("--cpu-cores --cc", "cpu_cores"),
    _dc("--cpu-cores-limit --ccl", "cpu_cores_limit"),
    _dc("--memory-gb --gb", "memory_gb"),
    _dc("--memory-gb-limit --gbl", "memory_gb_limit"),
    _dc("--gpu-cores --gc", "gpu_cores"),
    _dc("--auth-enabled --ae", "auth_enabled", "bool"),
    _f(
        "--token-auth-enabled",
        "token_auth_enabled",
        "bool",
        reason="false is the default; true is refused: amldeploy's services take keys, not Azure AD tokens",
    ),
    _f("--primary-key --kp", "primary_key", reason="the service's primary key (kept in memory, never in a file)"),
    _f("--secondary-key --ks", "secondary_key", reason="the service's secondary key (never in a file)"),
    _dc("--location --lo", "location"),
    _dc("--dns-name-label --dn", "dns_name_label"),
    _dc("--ssl-enabled --se", "ssl_enabled", "bool"),
    _dc("--ssl-cert-pem-file --sp", "ssl_cert_pem_file"),
    _dc("--ssl-key-pem-file --sk", "ssl_key_pem_file"),
    _dc("--ssl-cname --sc", "ssl_cname"),
    _dc("--enable-app-insights --ai", "enable_app_insights", "bool"),
    _dc("--collect-model-data --md", "collect_model_data", "bool"),
    _dc("--autoscale-enabled --as", "autoscale_enabled", "bool"),
    _dc("--autoscale-refresh-seconds --ar", "autoscale_refresh_seconds"),
    _dc("--autoscale-target-utilization --at", "autoscale_target_utilization"),
    _dc("--autoscale-min-replicas --mi", "autoscale_min_replicas"),
    _dc("--autoscale-max-replicas --ma", "autoscale_max_replicas"),
    _dc("--num-replicas --nr", "num_replicas"),
    _dc("--scoring-timeout-ms --tm", "scoring_timeout_ms"),
    _dc("--replica-max-concurrent-requests --rm", "replica_max_concurrent_requests"),
    _dc("--max-request-wait-time --mr", "max_request_wait_time"),
    _dc("--period-seconds --ps", "period_seconds"),
    _dc("--initial-delay-seconds --id", "initial_delay_seconds"),
    _dc("--timeout-seconds --ts", "timeout_seconds"),
    _dc("--success-threshold --st", "success_threshold"),
    _dc("--failure-threshold --ft", "failure_threshold"),
    _dc("--namespace", "namespace"),
    _f("--port --po", "port", reason="the local port of the service"),
    _f("--profile-input --pi", "profile_input", reason="cpu and memoryInGB of a profile result (ml model profile -t)"),
]
_SERVICE_META = [
    _f("--tag", "tag", "append", reason="a service tag key=value, kept in the service's state file"),
    _f("--property", "property", "append", reason="a service property key=value, kept in the service's state file"),
]

_IC = _f("--inference-config-file --ic", "ic", reason="the inference config (JSON or YAML)")
_DC = _f("--deploy-config-file --dc", "dc", reason="the deployment config (JSON or YAML), overridden by the flags")
_NAME_SVC = _f("--name -n", "name", reason="the service name")

DEPLOY = [
    _NAME_SVC,
    *_MODELS,
    _IC,
    _DC,
    _f("--compute-target --ct", "compute_target", reason="a compute target recorded by 'amldeploy ml computetarget'"),
    _dc("--compute-type --cp", "compute_type"),
    *_ENVIRONMENT,
    *_INFERENCE,
    *_INFERENCE_IMAGE,
    *_DEPLOY_CONFIG,
    _f("--overwrite", "overwrite", "switch", reason="replace a service of that name (without it, v1 refused)"),
    _f("--description", "description", reason="the service description, kept in its state file"),
    *_SERVICE_META,
    NO_WAIT,
]
UPDATE = [
    _NAME_SVC,
    *_MODELS,
    _IC,
    _DC,
    *_ENVIRONMENT,
    *_INFERENCE,
    *_INFERENCE_IMAGE,
    *[f for f in _DEPLOY_CONFIG if f.dest != "profile_input"],
    _f("--description -d", "description", reason="the service description, kept in its state file"),
    _f("--add-tag", "add_tag", "append", reason="a service tag key=value, kept in the service's state file"),
    _f("--remove-tag", "remove_tag", "append", reason="removes a service tag"),
    _f("--add-property", "add_property", "append", reason="a service property, kept in its state file"),
    NO_WAIT,
]
_DATASETS = "datasets live in a workspace; amldeploy's registry keeps no dataset references"
REGISTER = [
    _f("--name -n", "name", reason="the model name"),
    _f("--model-path -p", "model_path", reason="the local file or folder to register"),
    _f(
        "--asset-path",
        "asset_path",
        reason="registered when it is a local file or folder; a cloud or run path is refused",
    ),
    _f("--cpu-cores --cc", "cpu_cores", reason="resourceConfiguration.cpu"),
    _f("--memory-gb --gb", "memory_gb", reason="resourceConfiguration.memoryInGB"),
    _f("--gpu-cores --gc", "gpu_cores", reason="resourceConfiguration.gpu"),
    _f("--description -d", "description", reason="the model description"),
    _f("--model-framework", "model_framework", reason="the framework (ScikitLearn, Onnx, TensorFlow, ...)"),
    _f("--model-framework-version", "model_framework_version", reason="the framework version"),
    _f("--output-metadata-file -t", "output_metadata_file", reason="write the model's JSON (with modelId) here"),
    _f("--tag", "tag", "append", reason="a tag key=value"),
    _f("--property", "property", "append", reason="a property key=value"),
    _f("--experiment-name", "experiment_name", handling=IGNORE, reason="experiments live in a workspace"),
    _f(
        "--run-id -r",
        "run_id",
        handling=IGNORE,
        reason="runs live in a workspace; the asset path is read as a local path",
    ),
    _f(
        "--run-metadata-file -f",
        "run_metadata_file",
        handling=IGNORE,
        reason="run metadata names a workspace run; the asset path is read as a local path",
    ),
    _f("--sample-input-dataset-id", "sample_input_dataset_id", handling=IGNORE, reason=_DATASETS),
    _f("--sample-output-dataset-id", "sample_output_dataset_id", handling=IGNORE, reason=_DATASETS),
]
_RUN_FILTER = "runs live in a workspace; no local model records one, so the filter would match nothing v1 matched"
MODEL_LIST = [
    _f("--model-name -n", "model_name", reason="only models of this name"),
    _f("--tag", "tag", "append", reason="key or key=value"),
    _f("--property", "property", "append", reason="key or key=value"),
    _f("--latest -l", "latest", "switch", reason="only the latest version of each name"),
    _f("--run-id", "run_id", handling=REFUSE, reason=_RUN_FILTER),
    _f("--dataset-id", "dataset_id", handling=REFUSE, reason=_DATASETS),
]
MODEL_SHOW = [
    _f("--model-id -i", "model_id", reason="NAME:VERSION"),
    _f("--model-name -n", "model_name", reason="NAME (latest, or --version)"),
    _f("--version", "version", reason="with -n"),
    _f("--run-id", "run_id", handling=REFUSE, reason=_RUN_FILTER),
]
MODEL_DOWNLOAD = [
    _f("--model-id -i", "model_id", reason="NAME:VERSION"),
    _f("--target-dir -t", "target_dir", reason="the folder to copy the asset into"),
    _f("--overwrite", "overwrite", "switch", reason="replace a file of the same name there"),
]
MODEL_UPDATE = [
    _f("--model-id -i", "model_id", reason="NAME:VERSION"),
    _f("--add-tag", "add_tag", "append", reason="a tag key=value"),
    _f("--remove-tag", "remove_tag", "append", reason="a tag key"),
    _f("--add-property", "add_property", "append", reason="a property key=value"),
    _f("--description", "description", reason="replaces the description"),
    _f(
        "--cpu-cores --cc",
        "cpu_cores",
        handling=REFUSE,
        reason="a registered version's resource configuration is fixed; register a new version with --cc/--gb/--gc",
    ),
    _f(
        "--memory-gb --gb",
        "memory_gb",
        handling=REFUSE,
        reason="a registered version's resource configuration is fixed; register a new version with --cc/--gb/--gc",
    ),
    _f(
        "--gpu-cores --gc",
        "gpu_cores",
        handling=REFUSE,
        reason="a registered version's resource configuration is fixed; register a new version with --cc/--gb/--gc",
    ),
    _f("--sample-input-dataset-id", "sample_input_dataset_id", handling=IGNORE, reason=_DATASETS),
    _f("--sample-output-dataset-id", "sample_output_dataset_id", handling=IGNORE, reason=_DATASETS),
]
MODEL_DELETE = [
    _f("--model-id -i", "model_id", reason="NAME:VERSION"),
    _f("--force", "force", "switch", reason="(amldeploy) delete even while a service of this folder uses it"),
]
PACKAGE = [
    *_MODELS,
    _IC,
    *_ENVIRONMENT,
    *_INFERENCE,
    _f("--output-path", "output_path", reason="write the Dockerfile and build context here"),
    _f("--image-name --in", "image_name", reason="build the image with the local Docker engine, named so"),
    _f("--image-label --il", "image_label", reason="the image's tag (with --in)"),
    NO_WAIT,
]
PROFILE = [
    _f("--name -n", "name", reason="the profile name (a temporary local service of that name is profiled)"),
    *_MODELS,
    _IC,
    _f("--input-data -d", "input_data", reason="the request body sent to the service"),
    _f("--output-metadata-file -t", "output_metadata_file", reason="write the recommendation (cpu, memoryInGB)"),
    _f("--description", "description", reason="kept in the result"),
    *_ENVIRONMENT,
    *_INFERENCE,
]
SERVICE_LIST = [
    _f("--compute-type -c", "compute_type", reason="only services of this computeType (ACI, AKS, local)"),
    _f("--model-name", "model_name", reason="only services that use a model of this name"),
    _f("--model-id", "model_id", reason="only services that use this NAME:VERSION"),
    _f("--tag", "tag", "append", reason="key or key=value (tags kept by ml deploy/update)"),
    _f("--property", "property", "append", reason="key or key=value"),
    _f(
        "--image-digest",
        "image_digest",
        handling=REFUSE,
        reason="amldeploy records no image digest per service, so the filter cannot be applied",
    ),
]
_N = _f("--name -n", "name", reason="the service name")
SERVICE_SHOW = [_N]
SERVICE_DELETE = [_N]
SERVICE_GET_KEYS = [_N]
SERVICE_GET_LOGS = [
    _N,
    _f("--num_lines -l", "num_lines", reason="the last N lines", default="5000"),
    _f("--init -i", "init", "switch", reason="the log from the start, where init() runs (there is no init container)"),
]
SERVICE_REGEN_KEY = [
    _N,
    _f("--key -k", "key", reason="Primary or Secondary"),
    _f("--set-key -s", "set_key", reason="the new value (default: a new random key)"),
]
SERVICE_RUN = [_N, _f("--input-data -d", "input_data", reason="the request body")]
SERVICE_ACCESS_TOKEN = [_N]

COMMANDS: dict[tuple[str, str], list[Flag]] = {
    ("model", "register"): REGISTER,
    ("model", "deploy"): DEPLOY,
    ("model", "package"): PACKAGE,
    ("model", "download"): MODEL_DOWNLOAD,
    ("model", "list"): MODEL_LIST,
    ("model", "show"): MODEL_SHOW,
    ("model", "update"): MODEL_UPDATE,
    ("model", "delete"): MODEL_DELETE,
    ("model", "profile"): PROFILE,
    ("service", "list"): SERVICE_LIST,
    ("service", "show"): SERVICE_SHOW,
    ("service", "delete"): SERVICE_DELETE,
    ("service", "get-logs"): SERVICE_GET_LOGS,
    ("service", "get-keys"): SERVICE_GET_KEYS,
    ("service", "regen-key"): SERVICE_REGEN_KEY,
    ("service", "run"): SERVICE_RUN,
    ("service", "update"): UPDATE,
    ("service", "get-access-token"): SERVICE_ACCESS_TOKEN,
}

# Commands that take --no-wait but are synchronous anyway (no flag list of their own holds it).
REQUIRED: dict[tuple[str, str], tuple[str, ...]] = {
    ("model", "register"): ("name",),
    ("model", "deploy"): ("name",),
    ("model", "download"): ("model_id", "target_dir"),
    ("model", "update"): ("model_id",),
    ("model", "delete"): ("model_id",),
    ("model", "profile"): ("name",),
    ("service", "show"): ("name",),
    ("service", "delete"): ("name",),
    ("service", "get-logs"): ("name",),
    ("service", "get-keys"): ("name",),
    ("service", "regen-key"): ("name", "key"),
    ("service", "run"): ("name",),
    ("service", "update"): ("name",),
    ("service", "get-access-token"): ("name",),
}


def flags_of(group: str, command: str) -> list[Flag]:
    return [*COMMANDS[(group, command)], *WORKSPACE]


def single_dash_spellings() -> set[str]:
    """Every multi-letter flag without its dashes (``ic``, ``dc``, ``ct``...): ``-ic`` means ``--ic``."""
    spellings: set[str] = set()
    for flags in [*COMMANDS.values(), WORKSPACE]:
        for flag in flags:
            for name in flag.names:
                bare = name.lstrip("-")
                if name.startswith("--") and len(bare) >= 2:
                    spellings.add(bare)
    return spellings


def normalise(argv: list[str]) -> list[str]:
    """``-ic FILE`` / ``-ic=FILE`` → ``--ic FILE`` / ``--ic=FILE`` for v1's flags; everything else unchanged."""
    known = single_dash_spellings()
    out: list[str] = []
    for index, token in enumerate(argv):
        if token == "--":
            return out + argv[index:]
        if token.startswith("-") and not token.startswith("--") and len(token) > 2:
            bare, eq, value = token[1:].partition("=")
            if bare in known:
                out.append(f"--{bare}{eq}{value}")
                continue
        out.append(token)
    return out

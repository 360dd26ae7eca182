"""The v2 environment of an exported deployment: a conda file on a base image, the base image alone
(``userManagedDependencies``), or a Docker build context (``baseDockerfile``).

v2 starts the same inference server v1 images ran (``azureml-inference-server-http``, which ``azureml-defaults``
pulls in), from the environment: a conda file without it gets it added, and the export says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from amldeploy.config.load import Loaded
from amldeploy.config.models import InferenceConfig, PipDependencies
from amldeploy.language.files import resolve
from amldeploy.ops.errors import OpsError
from amldeploy.ops.export.fates import Fates

# The base images of Azure ML's current curated environments (v1's openmpi3.1.2-ubuntu18.04 ones are retired).
DEFAULT_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"
DEFAULT_GPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.8-cudnn8-ubuntu22.04:latest"
SERVER_PACKAGES = ("azureml-defaults", "azureml-inference-server-http")
SERVER_PACKAGE = "azureml-inference-server-http"
CONDA_FILE = "environment/conda.yml"
DOCKER_DIR = "environment/docker"

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")

_DROPPED = {
    "runtime": "v2 runs Python only; the environment decides the interpreter",
    "cudaVersion": "the CUDA version comes with the image in v2 (a CUDA base image is used for enableGpu)",
    "environment.docker.enabled": "v2 always runs deployments in a container",
    "environment.docker.buildContext": "a v1 build context lives in the workspace's storage; give its Dockerfile "
    "as the environment's build context",
    "environment.docker.sharedVolumes": "v2 has no shared volumes",
    "environment.docker.shmSize": "v2 online deployments have no shm setting",
    "environment.docker.arguments": "v2 online deployments take no docker run arguments",
    "environment.docker.platform": "v2 online deployments run linux/amd64",
    "environment.docker.gpuSupport": "the instance type gives the GPU in v2",
    "environment.python.interpreterPath": "the v2 inference server runs the environment's python",
    "environment.python.baseCondaEnvironment": "v2 creates the conda environment from the conda file alone",
    "environment.spark": "Spark settings apply to v1 training runs only",
    "environment.databricks": "Databricks settings apply to v1 training runs only",
    "environment.r": "R environments are not served by v2 online deployments",
    "environment.inferencingStackVersion": "v2 needs no inferencing stack: the conda file carries the inference server",
    "environment.assetId": "the id of a v1 workspace asset means nothing to v2",
}
_REGISTRY = (
    "v2 pulls the base image with the workspace's own registry access: attach the registry to the workspace "
    "(or use a workspace connection); credentials are never written into an export"
)


@dataclass(slots=True)
class EnvironmentExport:
    section: dict[str, Any]  # the deployment's ``environment:``
    files: dict[str, bytes] = field(default_factory=dict)  # written beside the YAML, by relative path
    notes: list[str] = field(default_factory=list)


def export_environment(inference: Loaded[InferenceConfig], source: Path, fates: Fates) -> EnvironmentExport:
    config = inference.config
    config_dir = inference.path.parent
    env = config.environment
    docker = env.docker if env else None
    python = env.python if env else None
    for key, reason in _DROPPED.items():
        fates.dropped(key, reason)
    fates.dropped("baseImageRegistry", _REGISTRY)
    fates.dropped("environment.docker.baseImageRegistry", _REGISTRY)
    section: dict[str, Any] = {}
    if env is not None and env.name:
        section["name"] = env.name
        fates.mapped("environment.name", "deployment.yml: environment.name")
    if env is not None and env.version:
        section["version"] = env.version
        fates.mapped("environment.version", "deployment.yml: environment.version")
    result = EnvironmentExport(section)
    user_managed = python is not None and python.user_managed_dependencies
    conda = None if user_managed else _conda(config, source, fates, result)
    if not user_managed:
        fates.mapped("environment.python.userManagedDependencies", "deployment.yml: environment.conda_file")
    else:
        fates.mapped("environment.python.userManagedDependencies", "deployment.yml: environment.image", "no conda file")
        result.notes.append(
            "userManagedDependencies: the image alone is the environment; it must hold python and "
            f"{SERVER_PACKAGE} (the v2 inference server)"
        )
    fates.dropped(
        "environment.python.condaDependenciesFile", "v1 read it in the workspace; give its content as condaFile"
    )
    steps = _extra_steps(config, source)
    if steps is not None:
        fates.mapped("extraDockerfileSteps", f"{DOCKER_DIR}/Dockerfile (environment.build)", "after the environment")
    if docker is not None and docker.base_dockerfile:
        _build(_base_dockerfile(docker.base_dockerfile, config_dir), conda, steps, result)
        fates.mapped("environment.docker.baseDockerfile", f"{DOCKER_DIR}/Dockerfile (environment.build)")
        return result
    image = (docker.base_image if docker else None) or config.base_image
    if image:
        registry = (docker.base_image_registry if docker and docker.base_image else None) or config.base_image_registry
        image = _qualified(image, registry.address if registry else None)
        to = f"{DOCKER_DIR}/Dockerfile (FROM)" if steps is not None else "deployment.yml: environment.image"
        fates.mapped("environment.docker.baseImage", to)
        fates.mapped("baseImage", to)
        if conda is not None:
            result.notes.append(
                f"the base image {image} must have conda: v2 creates the conda file's environment on it"
            )
    else:
        image = DEFAULT_GPU_IMAGE if config.enable_gpu else DEFAULT_IMAGE
    if steps is not None:
        # v2 runs no extra steps on an image: the image, the environment and the steps become one build context.
        _build(f"FROM {image}\n", conda, steps, result)
        return result
    section["image"] = image
    if conda is not None:
        result.files[CONDA_FILE] = conda
        section["conda_file"] = CONDA_FILE
    return result


def _conda(config: InferenceConfig, source: Path, fates: Fates, result: EnvironmentExport) -> bytes:
    """The conda file's bytes: the v1 one kept as written when it has the inference server, else rewritten."""
    python = config.environment.python if config.environment else None
    if python is not None and python.conda_dependencies is not None:
        deps = python.conda_dependencies
        doc: dict[str, Any] = {"name": deps.name or "amldeploy-export"}
        if deps.channels:
            doc["channels"] = list(deps.channels)
        doc["dependencies"] = [
            {"pip": list(d.pip)} if isinstance(d, PipDependencies) else d for d in deps.dependencies or []
        ]
        fates.mapped("environment.python.condaDependencies", f"{CONDA_FILE} (environment.conda_file)")
        return _with_server(doc, None, result)
    if config.conda_file:
        path = resolve(source, config.conda_file)
        if not path.is_file():
            raise OpsError(f"conda file {path} doesn't exist", "fix 'condaFile' (it is relative to sourceDirectory)")
        text = path.read_text(encoding="utf-8")
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise OpsError(f"conda file {path} is not YAML: {exc}", "fix the conda file") from None
        fates.mapped("condaFile", f"{CONDA_FILE} (environment.conda_file)")
        return _with_server(loaded if isinstance(loaded, dict) else {}, text, result)
    result.notes.append(
        f"the inference config names no conda environment: {CONDA_FILE} holds python and {SERVER_PACKAGE} only"
    )
    return _with_server({"name": "amldeploy-export", "dependencies": ["python=3.10", "pip"]}, None, result)


def _with_server(doc: dict[str, Any], text: str | None, result: EnvironmentExport) -> bytes:
    deps = doc.setdefault("dependencies", [])
    if not isinstance(deps, list):
        deps = doc["dependencies"] = []
    pip_lists = [d["pip"] for d in deps if isinstance(d, dict) and isinstance(d.get("pip"), list)]
    names = {m.group(1).lower() for p in pip_lists for entry in p if (m := _NAME.match(str(entry)))}
    if names & set(SERVER_PACKAGES):
        return (text if text is not None else yaml.safe_dump(doc, sort_keys=False)).encode()
    if pip_lists:
        pip_lists[0].append(SERVER_PACKAGE)
    else:
        if not any(str(d).split("=")[0].strip() == "pip" for d in deps if not isinstance(d, dict)):
            deps.append("pip")
        deps.append({"pip": [SERVER_PACKAGE]})
    result.notes.append(f"{SERVER_PACKAGE} was added to the conda file's pip packages: v2 starts the scoring with it")
    return yaml.safe_dump(doc, sort_keys=False).encode()


def _base_dockerfile(base_dockerfile: str, config_dir: Path) -> str:
    """The base Dockerfile's text: given inline, or a path, as the SDK's Environment.docker.base_dockerfile took."""
    if "\n" in base_dockerfile or base_dockerfile.lstrip().upper().startswith("FROM"):
        return base_dockerfile
    path = resolve(config_dir, base_dockerfile)
    if not path.is_file():
        raise OpsError(f"baseDockerfile {base_dockerfile}: no such file", "give the Dockerfile's text or its path")
    return path.read_text(encoding="utf-8")


def _extra_steps(config: InferenceConfig, source: Path) -> str | None:
    if not config.extra_dockerfile_steps:
        return None
    path = resolve(source, config.extra_dockerfile_steps)
    if not path.is_file():
        raise OpsError(
            f"extraDockerfileSteps {path} doesn't exist", "fix 'extraDockerfileSteps' (relative to sourceDirectory)"
        )
    return path.read_text(encoding="utf-8")


def _build(text: str, conda: bytes | None, steps: str | None, result: EnvironmentExport) -> None:
    """A build context in the order v1 built: the base, then the conda environment, then the extra steps."""
    if not text.endswith("\n"):
        text += "\n"
    if conda is not None:
        # v1 created the conda environment on top of the base; v2 builds the context as it is.
        result.files[f"{DOCKER_DIR}/conda.yml"] = conda
        text += (
            "\n# Added by amldeploy export: v1 created this conda environment on top of the base.\n"
            "COPY conda.yml /opt/amldeploy-conda.yml\n"
            "RUN conda env create -p /opt/amldeploy-env -f /opt/amldeploy-conda.yml && conda clean -afy\n"
            "ENV PATH=/opt/amldeploy-env/bin:$PATH\n"
        )
        result.notes.append(f"{DOCKER_DIR}/Dockerfile creates the conda environment itself: its base needs conda")
    if steps is not None:
        text += "\n# extraDockerfileSteps, which v1 ran after creating the environment.\n" + steps
        if not text.endswith("\n"):
            text += "\n"
    result.files[f"{DOCKER_DIR}/Dockerfile"] = text.encode()
    result.section["build"] = {"path": DOCKER_DIR, "dockerfile_path": "Dockerfile"}


def _qualified(image: str, address: str | None) -> str:
    """``image`` in the registry at ``address`` unless its first part already names a registry host."""
    if not address:
        return image
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return image
    return f"{re.sub(r'^[a-z]+://', '', address).rstrip('/')}/{image}"

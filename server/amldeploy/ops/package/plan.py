"""What ``amldeploy package`` builds, decided offline: the Dockerfile, the build context, its hash and tag, the
conda translations and warnings, and the base registry's credentials (for the build, never in a file)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from amldeploy.config.load import Loaded
from amldeploy.config.models import InferenceConfig, PipDependencies
from amldeploy.language.conda import read_conda
from amldeploy.language.files import resolve
from amldeploy.ops.errors import EXIT_FAILED, EXIT_USAGE, OpsError
from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.package import dockerfile as df
from amldeploy.ops.package.conda import PipPlan, Translation, python_tuple, translate
from amldeploy.ops.package.context import BuildContext
from amldeploy.ops.package.sources import source_files
from amldeploy.ops.package.wheel import wheel_bytes, wheel_name
from amldeploy.runtime.server import library_pins

DEFAULT_BASE_IMAGE = "python:3.12-slim"
_PYTHON_IMAGE = re.compile(r"(?:^|/)python:(\d+\.\d+)")


@dataclass(frozen=True, slots=True)
class RegistryAuth:
    """Credentials of the base image's registry, for the engine's login; the password never leaves here."""

    address: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(slots=True)
class Package:
    name: str
    dockerfile: str
    context: BuildContext
    base: str  # the base image reference, or the base Dockerfile's description
    translations: list[Translation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    registry: RegistryAuth | None = None
    _digest: str | None = None

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest = self.context.digest()
        return self._digest

    @property
    def tag(self) -> str:
        return f"{self.name}:{self.digest[:12]}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "tag": self.tag,
            "digest": f"sha256:{self.digest}",
            "base": self.base,
            "registry": self.registry.address if self.registry else None,
            "translations": [t.to_json() for t in self.translations],
            "warnings": self.warnings,
        }


def plan_package(
    name: str,
    inference: Loaded[InferenceConfig],
    models: list[ModelSpec],
    base_image: str | None = None,
    ca_bundle: Path | None = None,
    wheel: Path | None = None,
    exclude: tuple[Path, ...] = (),
    conda_base: bool | None = None,
) -> Package:
    """Decide the image of ``name``. ``base_image`` (``--base-image``, else the setting) is used when the config
    names no base; ``wheel`` is amldeploy's wheel (default: one made from the running package); ``conda_base``
    says whether the base has conda (default: guessed from the image name)."""
    config = inference.config
    config_dir = inference.path.parent
    source = resolve(config_dir, config.source_directory) if config.source_directory else config_dir
    if not source.is_dir():
        raise OpsError(f"source directory {source} doesn't exist", "fix 'sourceDirectory' in the inference config")
    entry = resolve(source, config.entry_script)
    if not entry.is_file():
        raise OpsError(f"entry script {entry} doesn't exist", "fix 'entryScript' in the inference config")
    try:
        entry_rel = entry.relative_to(source.resolve()).as_posix()
    except ValueError:
        raise OpsError(
            f"entry script {entry} lies outside the source directory {source}",
            "move it into the source directory: only that folder goes into the image",
        ) from None
    base, registry = _base(config, config_dir, source, base_image or DEFAULT_BASE_IMAGE)
    image_python = _image_python(base.image)
    env_python = config.environment.python if config.environment else None
    user_managed = env_python is not None and env_python.user_managed_dependencies
    conda, pip, where = _environment(config, source)
    plan = translate(conda, pip, image_python)
    has_conda = conda_base if conda_base is not None else _looks_conda(base)
    warnings = list(plan.warnings)
    use_conda = bool(plan.conda_only) and has_conda and not user_managed
    if plan.conda_only and not has_conda and not user_managed:
        listed = ", ".join(plan.conda_only)
        raise OpsError(
            f"{where} needs {listed}, which only conda installs (no PyPI equivalent)",
            "remove it (torch and tensorflow wheels bundle CUDA), or choose a base image with conda "
            "(for example mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04) to create the environment with conda",
        )
    if use_conda and plan.python and (python_tuple(plan.python) or (3, 10)) < (3, 10):
        raise OpsError(
            f"{where} pins python={plan.python}; the conda environment runs amldeploy, which needs Python 3.10+",
            "pin python=3.10 or later",
        )
    if config.enable_gpu and base.image == (base_image or DEFAULT_BASE_IMAGE):
        warnings.append("enableGpu: the default base image has no CUDA; give a CUDA base image with --base-image")

    context = BuildContext()
    if use_conda:
        context.add_bytes(df.CTX_ENVIRONMENT, _environment_yml(conda, pip, plan).encode())
        warnings.append(f"{', '.join(plan.conda_only)}: only conda installs it; the environment is made with conda")
    elif not user_managed:
        context.add_bytes(df.CTX_REQUIREMENTS, "".join(f"{r}\n" for r in plan.requirements).encode())
    if ca_bundle is not None:
        if not ca_bundle.is_file():
            raise OpsError(f"--ca-bundle {ca_bundle}: no such file", "give a PEM file of CA certificates", EXIT_USAGE)
        context.add_file(df.CTX_CA_BUNDLE, ca_bundle)
    wheel_file = wheel.name if wheel is not None else wheel_name()
    context.add_bytes(f"{df.CTX_WHEELS}/{wheel_file}", wheel.read_bytes() if wheel is not None else wheel_bytes())
    for spec in models:
        folder = f"{df.CTX_MODELS}/{spec.name}/{spec.version}"
        path = spec.path.resolve()
        if path.is_dir():
            context.add_tree(f"{folder}/{path.name}", list(source_files(path)))
        else:
            context.add_file(f"{folder}/{path.name}", path)
    if registry is not None and registry.password:
        # v1 uploaded the whole folder, the config with it; a password must not reach an image.
        exclude = (*exclude, inference.path)
        warnings.append(f"{inference.path.name} is left out of the image: it holds the base registry's password")
    context.add_tree(df.CTX_APP, list(source_files(source, exclude)))

    extra, extra_shown = _extra_steps(config, source)
    recipe = df.DockerfileSpec(
        base=base,
        service=name,
        wheel=wheel_file,
        library_pins=library_pins(),
        conda=use_conda,
        install_requirements=not user_managed,
        ca_bundle=ca_bundle is not None,
        extra_steps=extra,
        extra_steps_shown=extra_shown,
        has_models=bool(models),
        env=_env(config, entry_rel, models),
    )
    try:
        text = df.render(recipe)
    except df.DockerfileError as exc:
        raise OpsError(str(exc), "fix the inference config", EXIT_FAILED) from None
    context.add_bytes("Dockerfile", text.encode())
    return Package(name, text, context, base.image or base.shown, plan.translations, warnings, registry)


def _base(config: InferenceConfig, config_dir: Path, source: Path, default: str) -> tuple[df.Base, RegistryAuth | None]:
    docker = config.environment.docker if config.environment else None
    if docker is not None and docker.base_dockerfile:
        text = docker.base_dockerfile
        if "\n" not in text and not text.lstrip().upper().startswith("FROM"):
            # A path, as the SDK's Environment.docker.base_dockerfile also takes.
            path = resolve(config_dir, text)
            if not path.is_file():
                raise OpsError(f"baseDockerfile {text}: no such file", "give the Dockerfile's text or its path")
            text = path.read_text(encoding="utf-8")
        registry = _registry(docker.base_image_registry)
        return df.Base(dockerfile=text, shown="the base Dockerfile (environment.docker.baseDockerfile)"), registry
    if docker is not None and docker.base_image:
        registry = _registry(docker.base_image_registry)
        return _image(_qualified(docker.base_image, registry)), registry
    if config.base_image:
        registry = _registry(config.base_image_registry)
        return _image(_qualified(config.base_image, registry)), registry
    return _image(default), None


def _image(ref: str) -> df.Base:
    return df.Base(image=ref, shown=f"the base image {ref}")


def _registry(registry: Any) -> RegistryAuth | None:
    if registry is None or not registry.address:
        return None
    return RegistryAuth(registry.address, registry.username, registry.password)


def _qualified(image: str, registry: RegistryAuth | None) -> str:
    """``image`` in ``registry`` unless its first part already names a registry host."""
    if registry is None:
        return image
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return image
    address = re.sub(r"^[a-z]+://", "", registry.address).rstrip("/")
    return f"{address}/{image}"


def _environment(config: InferenceConfig, source: Path) -> tuple[list[str], list[str], str]:
    """Conda entries, pip entries and where they were written."""
    env_python = config.environment.python if config.environment else None
    if env_python is not None and env_python.conda_dependencies is not None:
        conda: list[str] = []
        pip: list[str] = []
        for dep in env_python.conda_dependencies.dependencies or []:
            if isinstance(dep, PipDependencies):
                pip.extend(dep.pip)
            else:
                conda.append(dep)
        return conda, pip, "environment.python.condaDependencies"
    if config.conda_file:
        path = resolve(source, config.conda_file)
        if not path.is_file():
            raise OpsError(f"conda file {path} doesn't exist", "fix 'condaFile' (it is relative to sourceDirectory)")
        spec = read_conda(path.read_text(encoding="utf-8"))
        if spec.error:
            raise OpsError(f"conda file {path}: {spec.error}", "fix the conda file")
        return spec.conda, spec.pip, f"condaFile {config.conda_file}"
    return [], [], "the environment"


def _environment_yml(conda: list[str], pip: list[str], plan: PipPlan) -> str:
    deps: list[Any] = list(conda)
    if plan.python is None:
        deps.insert(0, "python>=3.10")
    if not any(str(d).split("=")[0].strip() == "pip" for d in conda):
        deps.append("pip")
    if pip:
        deps.append({"pip": pip})
    return yaml.safe_dump({"name": "amldeploy", "dependencies": deps}, sort_keys=False)


def _extra_steps(config: InferenceConfig, source: Path) -> tuple[str | None, str]:
    if not config.extra_dockerfile_steps:
        return None, ""
    path = resolve(source, config.extra_dockerfile_steps)
    if not path.is_file():
        raise OpsError(
            f"extraDockerfileSteps {path} doesn't exist", "fix 'extraDockerfileSteps' (relative to sourceDirectory)"
        )
    return path.read_text(encoding="utf-8"), config.extra_dockerfile_steps


def _env(config: InferenceConfig, entry: str, models: list[ModelSpec]) -> dict[str, str]:
    # v1: one model → its version folder; several → the folder holding them all.
    model_dir = f"{df.MODELS_ROOT}/{models[0].name}/{models[0].version}" if len(models) == 1 else df.MODELS_ROOT
    env = {
        "AML_APP_ROOT": df.APP_ROOT,
        "AZUREML_ENTRY_SCRIPT": entry,
        "AZUREML_MODEL_DIR": model_dir,
        "SERVER_PORT": str(df.PORT),
        "AMLDEPLOY_HOST": "0.0.0.0",  # the runtime listens on loopback unless told: a container needs all
    }
    user = config.environment.environment_variables if config.environment else None
    env.update(user or {})
    return env


def _image_python(image: str | None) -> str | None:
    match = _PYTHON_IMAGE.search(image or "")
    return match.group(1) if match else None


def _looks_conda(base: df.Base) -> bool:
    text = (base.image or base.dockerfile or "").lower()
    return "conda" in text or "mcr.microsoft.com/azureml/" in text

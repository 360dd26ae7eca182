"""No-code deployment: the inference config, entry script and environment of a model registered with a
framework (v1's ``Model.deploy(ws, name, [model])`` without an ``InferenceConfig``).

Everything here is the standard library: amldeploy's own process never imports the framework. The generated
script reads the model and its signature where the framework is installed (see ``scripts.py``).

The files land in ``<root>/<content hash>/`` (``inferenceconfig.json``, ``deploymentconfig.json`` and
``src/score.py``), the root being amldeploy's cache unless the caller gives one: a redeploy of the same model
finds them in place, and what a service runs never changes under it.

The environment pins the version the model was registered with: ``scikit-learn==X`` (ScikitLearn),
``tensorflow-cpu==X`` (TensorFlow). For Onnx, v1's framework version is the ONNX format (opset) version the model
was exported with, not a runtime's: the environment takes ``onnxruntime`` from ``ONNXRUNTIME`` (recent releases
read every older format) and the version is only recorded in the script.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from amldeploy import __version__
from amldeploy.ops.errors import EXIT_FAILED, EXIT_USAGE, OpsError
from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.nocode import scripts

SUPPORTED = ("ScikitLearn", "Onnx", "TensorFlow")
UNSUPPORTED = ("PyTorch", "Custom", "Multi")
ONNXRUNTIME = "onnxruntime>=1.17,<2"
FRAMEWORK_HINT = "--model-framework ScikitLearn|Onnx|TensorFlow (and --model-framework-version)"
INFERENCE_CONFIG, DEPLOYMENT_CONFIG, SOURCE, ENTRY = "inferenceconfig.json", "deploymentconfig.json", "src", "score.py"
LOCAL_DEPLOYMENT = {"computeType": "local"}
_VERSION = re.compile(r"^[0-9]+(\.[0-9]+){0,3}([a-z]+[0-9]*)?(\.post[0-9]+)?$")
_SKLEARN_SUFFIXES = (".pkl", ".pickle", ".joblib", ".sav", ".pkl.gz", ".joblib.gz", ".z")
_SAVED_MODEL = ("saved_model.pb", "saved_model.pbtxt")


@dataclass(frozen=True, slots=True)
class Generated:
    """What ``generate`` wrote: the inference config (``src/score.py`` beside it) and the model it serves."""

    inference_config: Path
    model: ModelSpec
    framework: str  # canonical: one of SUPPORTED
    requirements: list[str]

    @property
    def folder(self) -> Path:
        return self.inference_config.parent

    @property
    def deployment_config(self) -> Path:
        """``{"computeType": "local"}``, for a deploy given no deployment config."""
        return self.folder / DEPLOYMENT_CONFIG

    @property
    def summary(self) -> str:
        pinned = ", ".join(self.requirements)
        return (
            f"no inference config given: generated an entry script and environment ({pinned}) for the "
            f"{self.framework} model {self.model.name}:{self.model.version} in {self.folder}"
        )


def cache_root() -> Path:
    """``$AMLDEPLOY_CACHE_DIR/nocode``, else ``$XDG_CACHE_HOME/amldeploy/nocode`` (``~/.cache``)."""
    override = os.environ.get("AMLDEPLOY_CACHE_DIR")
    if override:
        return Path(override) / "nocode"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "amldeploy" / "nocode"


def canonical_framework(framework: str) -> str:
    """v1's spelling of a framework name given in any case (``sklearn`` and ``tf`` too)."""
    aliases = {"sklearn": "ScikitLearn", "scikit-learn": "ScikitLearn", "tf": "TensorFlow"}
    lowered = framework.strip().lower()
    for name in (*SUPPORTED, *UNSUPPORTED):
        if name.lower() == lowered:
            return name
    return aliases.get(lowered, framework.strip())


def choose_model(models: list[ModelSpec]) -> ModelSpec:
    """The one model a no-code deployment serves: exactly one with a supported framework (others may come
    along without one, laid out beside it)."""
    framed = [m for m in models if m.framework]
    supported = [m for m in framed if canonical_framework(m.framework or "") in SUPPORTED]
    if len(supported) == 1:
        return supported[0]
    if len(supported) > 1:
        listed = ", ".join(f"{m.name}:{m.version} ({canonical_framework(m.framework or '')})" for m in supported)
        raise OpsError(
            f"no inference config was given and several models have a framework ({listed}): a no-code deployment "
            "serves exactly one",
            "deploy one model at a time, or give --ic with an entry script that uses them all",
            EXIT_USAGE,
        )
    if framed:
        model = framed[0]
        raise OpsError(
            f"model {model.name}:{model.version} has the framework {model.framework}, which no-code deployment "
            f"does not support (as in v1, only {', '.join(SUPPORTED)})",
            "give --ic with an inference config and an entry script that loads it",
            EXIT_USAGE,
        )
    if not models:
        raise OpsError(
            "no inference config and no model were given",
            f"give --ic inferenceconfig.json, or a model registered with {FRAMEWORK_HINT} (-m NAME:VERSION)",
            EXIT_USAGE,
        )
    raise OpsError(
        "no inference config was given and no model has a framework to deploy it without one",
        f"give --ic inferenceconfig.json, or register the model with {FRAMEWORK_HINT}",
        EXIT_USAGE,
    )


def service_name_for(model: ModelSpec) -> str:
    """A valid service name made from the model's name (``package`` without ``--ic`` or ``--name``)."""
    name = re.sub(r"[^a-z0-9-]+", "-", model.name.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name)[:32].rstrip("-")
    return name if len(name) >= 3 else "amldeploy-service"


def _checked_version(model: ModelSpec, framework: str) -> str | None:
    version = (model.framework_version or "").strip() or None
    if version is not None and not _VERSION.match(version):
        raise OpsError(
            f"the framework version '{version}' of model {model.name}:{model.version} is not a version number",
            f"register it with --model-framework-version like 1.3.2 ({framework})",
            EXIT_USAGE,
        )
    return version


def requirements(framework: str, version: str | None) -> list[str]:
    """The generated environment's pip packages."""
    if framework == "ScikitLearn":
        return [f"scikit-learn=={version}" if version else "scikit-learn", "joblib", "numpy"]
    if framework == "Onnx":
        return [ONNXRUNTIME, "numpy"]
    return [f"tensorflow-cpu=={version}" if version else "tensorflow-cpu", "numpy"]


def _candidates(folder: Path, match: tuple[str, ...]) -> list[Path]:
    found = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.name.lower().endswith(match)]
    if not found:
        files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
        found = files if len(files) == 1 else []
    return found


def model_file(model: ModelSpec, framework: str) -> str:
    """The path the script loads, relative to the model's version folder (``<asset name>[/<inside>]``)."""
    asset = Path(model.path)
    where = f"model {model.name}:{model.version} ({asset.name})"
    if not asset.exists():
        raise OpsError(f"the {where} does not exist", "register the model again", EXIT_FAILED)
    if framework == "TensorFlow":
        if asset.is_file():
            raise OpsError(
                f"the TensorFlow {where} is a file; a SavedModel is a folder (saved_model.pb and variables/)",
                "register the SavedModel's folder, as saved by tf.saved_model.save",
                EXIT_USAGE,
            )
        roots = sorted({p.parent for name in _SAVED_MODEL for p in asset.rglob(name)})
        if len(roots) != 1:
            held = "no saved_model.pb" if not roots else f"{len(roots)} SavedModels"
            raise OpsError(
                f"the TensorFlow {where} holds {held}",
                "register a folder holding one SavedModel (tf.saved_model.save)",
                EXIT_USAGE,
            )
        inside = roots[0]
    elif asset.is_dir():
        match = (".onnx",) if framework == "Onnx" else _SKLEARN_SUFFIXES
        candidates = _candidates(asset, match)
        if len(candidates) != 1:
            kind = "an .onnx file" if framework == "Onnx" else "a .pkl or .joblib file"
            raise OpsError(
                f"the {framework} {where} is a folder holding {len(candidates) or 'no'} candidate model files",
                f"register the model file itself, or a folder with exactly one {kind}",
                EXIT_USAGE,
            )
        inside = candidates[0]
    else:
        inside = asset
    if inside.is_file() and inside.stat().st_size == 0:
        raise OpsError(f"the model file of the {where} is empty", "register the model file again", EXIT_FAILED)
    relative = inside.relative_to(asset).as_posix()
    return asset.name if relative == "." else f"{asset.name}/{relative}"


def render_script(model: ModelSpec, framework: str, version: str | None, relative: str) -> str:
    values = {
        "AMLDEPLOY_VERSION": __version__,
        "FRAMEWORK": repr(framework),
        "FRAMEWORK_NAME": framework,  # in a comment: names and frameworks hold no line breaks
        "MODEL_REF": f"{model.name}:{model.version}",
        "FRAMEWORK_VERSION": repr(version),
        "MODEL_ID": repr(f"{model.name}:{model.version}"),
        "MODEL_FILE": repr(relative),
    }
    text = scripts.HEADER + scripts.BY_FRAMEWORK[framework]
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    return text


def render_config(framework: str, pins: list[str]) -> dict[str, object]:
    env_name = f"amldeploy-nocode-{framework.lower()}"
    return {
        "entryScript": ENTRY,
        "sourceDirectory": SOURCE,
        "environment": {
            "name": env_name,
            "python": {
                "userManagedDependencies": False,
                "condaDependencies": {"name": env_name, "dependencies": ["pip", {"pip": pins}]},
            },
        },
    }


def generate(models: list[ModelSpec], out_dir: Path | None = None) -> Generated:
    """Write (or find) the no-code files for ``models`` under ``out_dir`` (default: ``cache_root()``)."""
    model = choose_model(models)
    framework = canonical_framework(model.framework or "")
    version = _checked_version(model, framework)
    relative = model_file(model, framework)
    # With several models AZUREML_MODEL_DIR is azureml-models itself (v1's rule): the script joins NAME/VERSION.
    if len(models) > 1:
        relative = f"{model.name}/{model.version}/{relative}"
    pins = requirements(framework, version)
    files = {
        INFERENCE_CONFIG: json.dumps(render_config(framework, pins), indent=2) + "\n",
        DEPLOYMENT_CONFIG: json.dumps(LOCAL_DEPLOYMENT, indent=2) + "\n",
        f"{SOURCE}/{ENTRY}": render_script(model, framework, version, relative),
    }
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    root = out_dir if out_dir is not None else cache_root()
    folder = root / digest
    if not _complete(folder, files):
        _write(root, folder, files)
    return Generated(folder / INFERENCE_CONFIG, model, framework, pins)


def _complete(folder: Path, files: dict[str, str]) -> bool:
    try:
        return all((folder / name).read_text(encoding="utf-8") == text for name, text in files.items())
    except OSError:
        return False


def _write(root: Path, folder: Path, files: dict[str, str]) -> None:
    """Write into a temporary folder, then move it in place: a concurrent deploy sees all files or none."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if folder.exists():  # incomplete (an interrupted write, an edit): replaced
            shutil.rmtree(folder, ignore_errors=True)
        try:
            staging.rename(folder)
        except OSError:  # another deploy put the same files there first
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise OpsError(
            f"cannot write the no-code deployment files under {root}: {exc.strerror or exc}",
            "set AMLDEPLOY_CACHE_DIR to a writable folder",
        ) from exc
    if not _complete(folder, files):
        raise OpsError(f"the no-code deployment files in {folder} are incomplete", "delete that folder")

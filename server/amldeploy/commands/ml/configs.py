"""What ``ml model deploy`` / ``ml service update`` deploy from: the ``--ic``/``--dc`` files with v1's config flags
over them, written as generated files under ``.amldeploy/ml/NAME/`` (so that every target reads one file), and
the ``ml`` state of a service (its configs, flags, models, description, tags and properties) in
``.amldeploy/ml/NAME/state.json``. Keys are never written: they go into the loaded config in memory only."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import EXIT_USAGE, OpsError

ML_DIR = Path(".amldeploy") / "ml"
_TRUE = ("true", "yes", "y", "1", "on")
_FALSE = ("false", "no", "n", "0", "off")


def folder(root: Path, name: str) -> Path:
    return root / ML_DIR / name


def read_state(root: Path, name: str) -> dict[str, Any] | None:
    path = folder(root, name) / "state.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise OpsError(f"the ml state of '{name}' ({path}) is unreadable: {exc}", "delete the file", 1) from None
    return data if isinstance(data, dict) else None


def write_state(root: Path, name: str, state: dict[str, Any]) -> None:
    _write_json(folder(root, name) / "state.json", state)


def drop_state(root: Path, name: str) -> None:
    import shutil

    shutil.rmtree(folder(root, name), ignore_errors=True)


def all_states(root: Path) -> dict[str, dict[str, Any]]:
    base = root / ML_DIR
    states: dict[str, dict[str, Any]] = {}
    if base.is_dir():
        for child in sorted(base.iterdir()):
            state = read_state(root, child.name) if child.is_dir() else None
            if state is not None:
                states[child.name] = state
    return states


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # two commands never share one
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def load_raw(path: Path, flag: str) -> dict[str, Any]:
    """A config file (JSON or YAML) as a mapping."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        missing = f"{flag} {path}: there is no such file"
        raise OpsError(missing, f"give the path of the file with {flag}", EXIT_USAGE) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise OpsError(f"{flag} {path} is unreadable: {exc}", "run 'amldeploy validate' on it", EXIT_USAGE) from None
    if not isinstance(data, dict):
        raise OpsError(f"{flag} {path} is not a mapping of keys", "run 'amldeploy validate' on it", EXIT_USAGE)
    return data


def coerce(value: str, kind: str, flag: str, base: Path) -> Any:
    """A flag's text as the config value of ``kind`` (int, float, bool, str, path: absolute from ``base``)."""
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            number = float(value)
            return int(number) if number.is_integer() and "." not in value else number
    except ValueError:
        raise OpsError(f"{flag} {value}: expected a number", None, EXIT_USAGE) from None
    if kind == "bool":
        return as_bool(value, flag)
    if kind == "path":
        return str((base / value).resolve()) if not Path(value).is_absolute() else value
    return value


def as_bool(value: str | None, flag: str) -> bool:
    text = (value or "true").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise OpsError(f"{flag} {value}: expected true or false", None, EXIT_USAGE)


def set_key(doc: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        child = doc.get(key)
        if not isinstance(child, dict):
            child = doc[key] = {}
        doc = child
    doc[keys[-1]] = value


def deployment_doc(base: Path | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """The deployment config ``base`` (or v1's default, an ACI config) with ``overrides`` (dotted keys) over it.
    Relative certificate paths of ``base`` are made absolute: the generated file lives elsewhere. The keys of
    ``base`` stay out of it (no key is written to a file): the deploy reads them from ``base`` in memory."""
    if base is None:
        doc: dict[str, Any] = {"computeType": "ACI"}
    else:
        doc = load_raw(base, "--dc")
        doc.pop("keys", None)
        for key in ("sslCertificate", "sslKey"):
            if isinstance(doc.get(key), str) and not Path(doc[key]).is_absolute():
                doc[key] = str((base.parent / doc[key]).resolve())
    for dotted, value in overrides.items():
        set_key(doc, dotted, value)
    return doc


def inference_doc(base: Path | None, overrides: dict[str, Any], environment: dict[str, Any] | None) -> dict[str, Any]:
    """The inference config ``base`` with ``overrides`` over it; its sourceDirectory made absolute (entryScript
    and condaFile stay relative to it, as in v1). Without ``base``, the source directory is the current one."""
    if base is None:
        doc: dict[str, Any] = {}
        home = Path.cwd()
    else:
        doc = load_raw(base, "--ic")
        home = base.parent
    source = doc.get("sourceDirectory")
    source_dir = home / source if isinstance(source, str) else home
    doc["sourceDirectory"] = str(source_dir.resolve())
    for dotted, value in overrides.items():
        set_key(doc, dotted, value)
    if environment is not None:
        doc["environment"] = environment
    return doc


def write_generated(root: Path, name: str, filename: str, doc: dict[str, Any]) -> Path:
    path = folder(root, name) / filename
    _write_json(path, doc)
    return path


def scaffolded_environment(directory: str) -> dict[str, Any]:
    """``--ed DIR``: the environment 'az ml environment scaffold' wrote (azureml_environment.json, with
    conda_dependencies.yml beside it when the JSON names no packages)."""
    import yaml

    base = Path(directory)
    path = base / "azureml_environment.json"
    try:
        environment = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OpsError(
            f"--ed {directory}: cannot read {path.name} ({exc})",
            "give the folder 'az ml environment scaffold' wrote (it holds azureml_environment.json)",
            EXIT_USAGE,
        ) from None
    if not isinstance(environment, dict):
        raise OpsError(f"--ed {directory}: {path.name} is not an environment", None, EXIT_USAGE)
    python = environment.setdefault("python", {})
    conda = base / "conda_dependencies.yml"
    if isinstance(python, dict) and not python.get("condaDependencies") and conda.is_file():
        python["condaDependencies"] = yaml.safe_load(conda.read_text(encoding="utf-8"))
        python.pop("condaDependenciesFile", None)
    return environment

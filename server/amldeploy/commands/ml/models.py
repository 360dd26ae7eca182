"""``ml model register | list | show | download | update | delete``: the local model registry (ops.registry)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from amldeploy.commands.ml.common import emit, key_values, note, refuse
from amldeploy.ops.errors import EXIT_USAGE, OpsError

_CLOUD = ("azureml:", "azureml://", "https://", "http://", "wasbs://", "abfss://", "dbfs:")


def registry() -> Any:
    from amldeploy.ops.registry import ModelRegistry

    return ModelRegistry()


def parse_id(text: str, flag: str) -> tuple[str, int | None]:
    name, colon, version = text.rpartition(":")
    if not colon:
        return text, None
    if not version.isdigit() or not name:
        raise OpsError(f"{flag} {text}: expected NAME:VERSION", "e.g. sklearn_mnist:1", EXIT_USAGE)
    return name, int(version)


def model_id_from_metadata(path: str) -> str:
    """The model of a ``-f`` file (what ``ml model register -t`` writes: modelId, or name and version)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OpsError(f"-f {path}: cannot read the model metadata ({exc})", None, EXIT_USAGE) from None
    if isinstance(data, dict):
        if isinstance(data.get("modelId"), str):
            return str(data["modelId"])
        if isinstance(data.get("id"), str):
            return str(data["id"])
        if isinstance(data.get("name"), str) and data.get("version") is not None:
            return f"{data['name']}:{data['version']}"
    raise OpsError(f"-f {path}: no modelId in it", "give the file 'ml model register -t' wrote", EXIT_USAGE)


def _framework(text: str | None) -> str | None:
    if text is None:
        return None
    from amldeploy.ops.registry import framework_name

    return framework_name(text)


def _asset(args: argparse.Namespace) -> Path:
    err = sys.stderr
    if args.model_path and args.asset_path:
        err.write(f"ignored: --asset-path {args.asset_path} — --model-path/-p names the local file to register\n")
    text = args.model_path or args.asset_path
    if not text:
        raise OpsError("give the model to register", "--asset-path FILE or -p/--model-path FILE", EXIT_USAGE)
    if text.lower().startswith(_CLOUD):
        raise refuse(
            f"--asset-path {text}",
            "it is a cloud path; amldeploy registers local files and folders only",
            "download the file, then register its local path",
        )
    path = Path(text)
    if not path.exists():
        why = "v1 read it from the run's outputs; amldeploy has no runs" if args.run_id else "there is no such file"
        raise refuse(f"{'-p' if args.model_path else '--asset-path'} {text}", why, "give a local file or folder")
    return path


def register(args: argparse.Namespace) -> int:
    resources: dict[str, float] = {}
    for dest, key in (("cpu_cores", "cpu"), ("memory_gb", "memoryInGB"), ("gpu_cores", "gpu")):
        value = getattr(args, dest)
        if value is not None:
            try:
                resources[key] = float(value)
            except ValueError:
                raise OpsError(f"--{dest.replace('_', '-')} {value}: expected a number", None, EXIT_USAGE) from None
    model = registry().register(
        args.name,
        _asset(args),
        tags=key_values(args.tag, "--tag"),
        properties=key_values(args.property, "--property"),
        description=args.description,
        framework=_framework(args.model_framework),
        framework_version=args.model_framework_version,
        resources=resources or None,
    )
    data = _json(model)
    if args.output_metadata_file:
        Path(args.output_metadata_file).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    note(sys.stderr, f"registered {model.id} in {registry().root}")
    emit(args, data)
    return 0


def _json(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.to_json()
    data.setdefault("modelId", model.id)
    return data


def list_models(args: argparse.Namespace) -> int:
    models = registry().list(
        args.model_name, tags=args.tag or [], properties=args.property or [], latest_only=args.latest
    )
    emit(args, [_json(m) for m in models])
    return 0


def show(args: argparse.Namespace) -> int:
    if args.model_id:
        name, version = parse_id(args.model_id, "-i")
    elif args.model_name:
        name = args.model_name
        version = None
        if args.version is not None:
            if not str(args.version).isdigit():
                raise OpsError(f"--version {args.version}: expected a whole number", None, EXIT_USAGE)
            version = int(args.version)
    else:
        raise OpsError("say which model", "-i NAME:VERSION, or -n NAME [--version N]", EXIT_USAGE)
    emit(args, _json(registry().get(name, version)))
    return 0


def download(args: argparse.Namespace) -> int:
    name, version = parse_id(args.model_id, "-i")
    reg = registry()
    model = reg.get(name, version)
    path = reg.download(model.name, model.version, Path(args.target_dir), overwrite=args.overwrite)
    emit(args, {"modelId": model.id, "path": str(path)})
    return 0


def update(args: argparse.Namespace) -> int:
    name, version = parse_id(args.model_id, "-i")
    reg = registry()
    model = reg.get(name, version)
    reg.update(
        model.name,
        model.version,
        add_tags=key_values(args.add_tag, "--add-tag"),
        remove_tags=list(args.remove_tag or []),
        add_properties=key_values(args.add_property, "--add-property"),
        description=args.description,
    )
    emit(args, _json(reg.get(model.name, model.version)))
    return 0


def delete(args: argparse.Namespace) -> int:
    name, version = parse_id(args.model_id, "-i")
    reg = registry()
    model = reg.get(name, version)
    reg.delete(model.name, model.version, force=args.force)
    note(sys.stderr, f"deleted {model.id}")
    return 0


COMMANDS = {
    "register": register,
    "list": list_models,
    "show": show,
    "download": download,
    "update": update,
    "delete": delete,
}

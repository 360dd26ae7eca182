"""``--model PATH[:NAME[:VERSION]]``: local model files or folders, laid out as ``azureml-models/NAME/VERSION``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from amldeploy.ops.errors import EXIT_USAGE, OpsError
from amldeploy.ops.naming import model_name_problem

_VERSION = re.compile(r"^[1-9][0-9]{0,8}$")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    path: Path
    name: str
    version: int

    @property
    def argument(self) -> str:
        """The fully spelled ``PATH:NAME:VERSION`` handed to the scoring runtime."""
        return f"{self.path}:{self.name}:{self.version}"

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "version": self.version, "path": str(self.path)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ModelSpec:
        return cls(Path(str(data["path"])), str(data["name"]), int(str(data["version"])))


def default_model_name(path: Path) -> str:
    """A file's stem (``model.joblib`` → ``model``), a folder's name; characters v1 refused become ``-``."""
    base = path.name if path.is_dir() else path.stem
    cleaned = re.sub(r"[^a-zA-Z0-9\-._]", "-", base).lstrip("-._") or "model"
    return cleaned[:255]


def parse_model_spec(text: str, base: Path) -> ModelSpec:
    """Read one ``--model`` value; a relative PATH is relative to ``base``. Usage mistakes raise ``OpsError``."""
    path_text, name, version = text, None, None
    if not (base / text).exists():
        # PATH may itself hold ':' (rare); the suffixes are only taken when the whole value is no path.
        head, sep, last = text.rpartition(":")
        if sep and head:
            if _VERSION.match(last) and ":" in head:
                path_text, _, name = head.rpartition(":")
                version = last
            else:
                path_text, name = head, last
    path = (base / path_text).resolve()
    if not path_text or not path.exists():
        raise OpsError(
            f"model path '{path_text}' doesn't exist (from --model {text})",
            "give a model file or folder as --model PATH[:NAME[:VERSION]]; train the example with "
            "'python examples/sklearn/train.py'",
            EXIT_USAGE,
        )
    name = name or default_model_name(path)
    problem = model_name_problem(name)
    if problem:
        raise OpsError(problem + f" (from --model {text})", "write --model PATH:NAME[:VERSION]", EXIT_USAGE)
    if version is not None and not _VERSION.match(version):
        raise OpsError(f"model version '{version}' must be a positive whole number", None, EXIT_USAGE)
    return ModelSpec(path, name, int(version) if version else 1)


def parse_model_specs(values: list[str], base: Path) -> list[ModelSpec]:
    specs = [parse_model_spec(v, base) for v in values]
    seen: set[tuple[str, int]] = set()
    for spec in specs:
        if (spec.name, spec.version) in seen:
            raise OpsError(
                f"two models are named {spec.name}:{spec.version}",
                "give each --model its own NAME or VERSION (PATH:NAME:VERSION)",
                EXIT_USAGE,
            )
        seen.add((spec.name, spec.version))
    return specs

"""``--model PATH[:NAME[:VERSION]]`` and v1's model naming rule: the one parser of ``amldeploy serve``,
``python -m amldeploy.runtime`` and ``amldeploy deploy`` (``ops`` wraps its errors).

The verdicts, as a v1 user expects them:

* A value that names an existing file or folder as a whole is a path, even when it holds ``:``. Otherwise the
  suffixes are read from the right: ``PATH:NAME`` when ``PATH`` exists, then ``PATH:NAME:VERSION``.
* A NAME the user writes must follow v1's rule (letters, digits, ``-``, ``_``, ``.``, starting with a letter or
  digit, at most 255 characters); it is never changed. Without NAME the file's stem (a folder's name) is used,
  with the characters v1 refused turned into ``-``: the user did not write it, and v1 had no default to keep.
* VERSION is a whole number from 1, as v1's integer versions (``007`` is version 7); it defaults to 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MODEL_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-._]{0,254}$")
MAX_VERSION = 2**31 - 1  # v1 stored versions as 32-bit integers
USAGE = "--model PATH[:NAME[:VERSION]]"
_DIGITS = re.compile(r"^[0-9]+$")


class ModelSpecError(ValueError):
    """A ``--model`` value that cannot be used: ``message`` names the cause, ``hint`` the fix."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(f"{message}: {hint}")
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class ModelSpec:
    path: Path
    name: str
    version: int = 1
    # v1's Model.Framework of a registered model (``ScikitLearn``, ``Onnx``, ``TensorFlow``…) and its version:
    # what no-code deployment generates an entry script for. None for a model given as a path.
    framework: str | None = None
    framework_version: str | None = None

    @property
    def argument(self) -> str:
        """The fully spelled ``PATH:NAME:VERSION`` handed to the scoring runtime (parsed back to this spec)."""
        return f"{self.path}:{self.name}:{self.version}"

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name, "version": self.version, "path": str(self.path)}
        if self.framework:
            data.update(framework=self.framework, frameworkVersion=self.framework_version)
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ModelSpec:
        framework, framework_version = data.get("framework"), data.get("frameworkVersion")
        return cls(
            Path(str(data["path"])),
            str(data["name"]),
            int(str(data["version"])),
            str(framework) if framework else None,
            str(framework_version) if framework_version else None,
        )


def model_name_problem(name: str) -> str | None:
    """Why ``name`` is not a name v1 accepted for a model, or None when it is."""
    if not MODEL_NAME.match(name):
        return (
            f"model name '{name}' is invalid: start with a letter or number, then letters, numbers, '-', "
            "'.' or '_' (at most 255 characters)"
        )
    return None


def default_model_name(path: Path) -> str:
    """A file's stem (``model.joblib`` → ``model``), a folder's name; characters v1 refused become ``-``."""
    base = path.name if path.is_dir() else path.stem
    cleaned = re.sub(r"[^a-zA-Z0-9\-._]", "-", base).lstrip("-._") or "model"
    return cleaned[:255]


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long for the file system, a NUL: no such path
        return False


def _split(text: str, base: Path) -> tuple[str, str | None, str | None]:
    """``(path, name, version)`` of the first reading whose path exists, else of the most likely one."""
    if _exists(base / Path(text).expanduser()):
        return text, None, None
    head, _, name = text.rpartition(":")
    if head and _exists(base / Path(head).expanduser()):
        return head, name, None
    path, _, name = head.rpartition(":")
    if path and _exists(base / Path(path).expanduser()):
        return path, name, text.rpartition(":")[2]
    # Nothing exists: name the path the user most likely meant, the text before NAME[:VERSION].
    last = text.rpartition(":")[2]
    if path and _DIGITS.match(last):
        return path, name, last
    return (head, name, None) if head else (text, None, None)


def parse_model_spec(text: str, base: Path) -> ModelSpec:
    """Read one ``--model`` value; a relative PATH is relative to ``base``."""
    where = f"(from --model {text})"
    if not text.strip():
        raise ModelSpecError("--model got an empty value", f"write {USAGE}")
    path_text, name, version_text = _split(text, base)
    path = base / Path(path_text).expanduser()
    if not _exists(path):
        raise ModelSpecError(
            f"model path '{path_text}' doesn't exist {where}",
            f"give a model file or folder as {USAGE}",
        )
    path = path.resolve()
    if name:
        problem = model_name_problem(name)
        if problem:
            raise ModelSpecError(f"{problem} {where}", f"write {USAGE} with such a NAME")
    else:
        name = default_model_name(path)
    version = 1
    if version_text:
        if not _DIGITS.match(version_text) or not 1 <= int(version_text) <= MAX_VERSION:
            raise ModelSpecError(
                f"model version '{version_text}' is not a whole number from 1 to {MAX_VERSION} {where}",
                f"write {USAGE} with such a VERSION",
            )
        version = int(version_text)
    return ModelSpec(path, name, version)


def check_unique(specs: Iterable[ModelSpec]) -> None:
    """Two models with one name and version would land in the same folder."""
    seen: set[tuple[str, int]] = set()
    for spec in specs:
        if (spec.name, spec.version) in seen:
            raise ModelSpecError(
                f"two models are named {spec.name}:{spec.version}",
                "give each --model its own NAME or VERSION (PATH:NAME:VERSION)",
            )
        seen.add((spec.name, spec.version))


def parse_model_specs(values: Iterable[str], base: Path) -> list[ModelSpec]:
    specs = [parse_model_spec(v, base) for v in values]
    check_unique(specs)
    return specs

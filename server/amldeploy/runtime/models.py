"""Model files as an Azure ML v1 image saw them: ``azureml-models/<NAME>/<VERSION>/<original basename>``.

``AZUREML_MODEL_DIR`` follows the v1 rule: with one model it is that model's version folder, with several it
is the ``azureml-models`` folder that holds them all (scripts then join ``<name>/<version>/<file>``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from amldeploy.ops.naming import model_name_problem

MODELS_FOLDER = "azureml-models"
TREE_LINE_LIMIT = 200


class ModelSpecError(ValueError):
    """A ``--model`` value that cannot be used; the message says why."""


class ModelLike(Protocol):
    """Anything with a model's path, name and version (also ``amldeploy.ops.model_specs.ModelSpec``)."""

    @property
    def path(self) -> Path: ...

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ModelSpec:
    path: Path
    name: str
    version: int = 1


def _stem(path: Path) -> str:
    path = path.resolve()
    return path.name if path.is_dir() else path.stem


def parse_model_spec(text: str) -> ModelSpec:
    """``PATH[:NAME[:VERSION]]``; NAME defaults to the file or folder stem, VERSION to 1.

    A value that names an existing path as a whole is taken as a path, so paths holding ``:`` still work.
    """
    if not text.strip():
        raise ModelSpecError("--model needs PATH[:NAME[:VERSION]], got an empty value")
    parts = text.split(":")
    path_text, name, version_text = text, "", ""
    if not Path(text).exists() and len(parts) > 1:
        if len(parts) > 2 and parts[-1].strip().isdigit():
            path_text, name, version_text = ":".join(parts[:-2]), parts[-2], parts[-1]
        else:
            path_text, name = ":".join(parts[:-1]), parts[-1]
    path = Path(path_text).expanduser()
    if not path.exists():
        raise ModelSpecError(f"model path '{path_text}' does not exist (from --model {text})")
    name = name.strip() or _stem(path)
    problem = model_name_problem(name)
    if problem:
        raise ModelSpecError(f"{problem} (from --model {text}); give a name with PATH:NAME")
    version = 1
    if version_text:
        version = int(version_text)
        if version < 1:
            raise ModelSpecError(f"model version must be a positive integer, not {version_text} (from --model {text})")
    return ModelSpec(path.resolve(), name, version)


def _link_or_copy(source: Path, target: Path) -> None:
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.is_dir():
        shutil.rmtree(target)
    try:
        target.symlink_to(source, target_is_directory=source.is_dir())
    except OSError:
        # Filesystems without symlinks (some mounts, Windows without the privilege) get a copy.
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def layout_models(specs: Sequence[ModelLike | str], app_root: Path) -> Path:
    """Place the models under ``<app_root>/azureml-models`` and return the value for ``AZUREML_MODEL_DIR``.

    Strings are parsed as ``PATH[:NAME[:VERSION]]``. With no models the (empty) ``azureml-models`` folder is
    returned. Raises :class:`ModelSpecError` for a bad spec or two models with the same name and version.
    """
    parsed: list[ModelLike] = [parse_model_spec(s) if isinstance(s, str) else s for s in specs]
    root = Path(app_root) / MODELS_FOLDER
    root.mkdir(parents=True, exist_ok=True)
    seen: set[tuple[str, int]] = set()
    for spec in parsed:
        key = (spec.name, spec.version)
        if key in seen:
            raise ModelSpecError(f"two models are named {spec.name} version {spec.version}; give one another name")
        seen.add(key)
        problem = model_name_problem(spec.name)
        if problem:
            raise ModelSpecError(problem)
        folder = root / spec.name / str(spec.version)
        folder.mkdir(parents=True, exist_ok=True)
        source = Path(spec.path).resolve()
        _link_or_copy(source, folder / source.name)
    if len(parsed) == 1:
        return root / parsed[0].name / str(parsed[0].version)
    return root


def walk_tree(path: str, depth: int = 0) -> Iterator[str]:
    """The folder tree as Azure's server logs it after a failed init(): four spaces per level, folders end in /."""
    path = os.path.normpath(path)
    indent = " " * 4 * depth
    base = os.path.basename(path.rstrip(os.sep)) or path
    if os.path.isdir(path):
        yield f"{indent}{base}{os.sep}"
        try:
            children = sorted(os.listdir(path))
        except OSError:
            return
        for child in children:
            yield from walk_tree(os.path.join(path, child), depth + 1)
    else:
        yield f"{indent}{base}"


def tree_lines(path: str, limit: int = TREE_LINE_LIMIT) -> tuple[list[str], bool]:
    """The first ``limit`` lines of :func:`walk_tree` and whether more were left out."""
    lines: list[str] = []
    for line in walk_tree(path):
        if len(lines) == limit:
            return lines, True
        lines.append(line)
    return lines, False

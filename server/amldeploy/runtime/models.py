"""Model files as an Azure ML v1 image saw them: ``azureml-models/<NAME>/<VERSION>/<original basename>``.

``AZUREML_MODEL_DIR`` follows the v1 rule: with one model it is that model's version folder, with several it
is the ``azureml-models`` folder that holds them all (scripts then join ``<name>/<version>/<file>``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from amldeploy.runtime.model_specs import ModelSpec, ModelSpecError, check_unique, model_name_problem

MODELS_FOLDER = "azureml-models"
TREE_LINE_LIMIT = 200


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


def layout_models(specs: Sequence[ModelSpec], app_root: Path) -> Path:
    """Place the models under ``<app_root>/azureml-models`` and return the value for ``AZUREML_MODEL_DIR``.

    With no models the (empty) ``azureml-models`` folder is returned. Raises :class:`ModelSpecError` for two
    models with the same name and version, or a name v1 refused (a spec built without the parser).
    """
    parsed = list(specs)
    check_unique(parsed)
    root = Path(app_root) / MODELS_FOLDER
    root.mkdir(parents=True, exist_ok=True)
    for spec in parsed:
        problem = model_name_problem(spec.name)
        if problem:
            raise ModelSpecError(problem, "give the model a valid name")
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

"""v1 rules of ``inferenceconfig.json`` beyond the schema: files, the entry script, the environment."""

from __future__ import annotations

import ast
import keyword
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from amldeploy.language.codes import rule
from amldeploy.language.conda import read_conda
from amldeploy.language.files import FileAccess, resolve
from amldeploy.language.parse.nodes import Node
from amldeploy.language.problems import Problem, Severity

ENTRY_NOT_FOUND = rule(
    "IC010",
    Severity.ERROR,
    "Entry script not found",
    "`entryScript` is a path relative to `sourceDirectory` (or to the config's folder when there is none). "
    "v1: *entry_script … doesn't exist*.",
)
ENTRY_NOT_PY = rule(
    "IC011",
    Severity.ERROR,
    "Entry script is not a .py file",
    "v1: *Invalid driver type. Currently only Python drivers are supported.*",
)
ENTRY_BAD_NAME = rule(
    "IC012",
    Severity.ERROR,
    "Entry script name is not importable",
    "The server imports the script as a module, so its name must be a Python identifier and not a keyword "
    "(`1score.py`, `my-score.py` and `class.py` were rejected by v1).",
)
ENTRY_SYNTAX = rule(
    "IC013",
    Severity.ERROR,
    "Entry script does not parse",
    "v1 ran `ast.parse` on the script before deploying and refused a syntax error.",
)
FILE_NOT_FOUND = rule(
    "IC014",
    Severity.ERROR,
    "File not found",
    "`condaFile` and `extraDockerfileSteps` are relative to `sourceDirectory`. v1: *Conda file … doesn't exist.*",
)
SOURCE_DIR_NOT_FOUND = rule(
    "IC015",
    Severity.ERROR,
    "Source directory not found",
    "`sourceDirectory` is relative to the config's folder. v1: *source directory … doesn't exist.*",
)
ENV_WITH_LEGACY = rule(
    "IC016",
    Severity.ERROR,
    "Legacy key next to environment",
    "With an `environment` object, v1 refused `runtime`, `condaFile`, `extraDockerfileSteps`, `enableGpu`, "
    "`cudaVersion` and `baseImage`: *unable to provide runtime, conda_file, extra_docker_file_steps, "
    "enable_gpu, cuda_version, or base_image along with an environment object.* Move the setting into the "
    "environment (e.g. `environment.python.condaDependencies`, `environment.docker.baseImage`).",
)
BASE_IMAGE_AND_DOCKERFILE = rule(
    "IC017",
    Severity.ERROR,
    "baseImage and baseDockerfile together",
    "`environment.docker.baseImage` and `environment.docker.baseDockerfile` are mutually exclusive.",
)
RESERVED_ENV_NAME = rule(
    "IC018",
    Severity.ERROR,
    "Reserved environment name",
    "Environment names starting with `Microsoft` or `AzureML` are reserved for curated environments.",
)
CONDA_INVALID = rule(
    "IC019",
    Severity.ERROR,
    "Conda file does not parse",
    "The conda file must be a YAML mapping with `dependencies`; pip packages go under a `pip:` entry.",
)
DESCRIPTION_NOT_READ = rule(
    "IC020",
    Severity.INFORMATION,
    "description is not read from the file",
    "The retired CLI took the description from `--description`, never from the file.",
)
ENTRY_IS_DIRECTORY = rule("IC021", Severity.ERROR, "Path is a folder", "The key needs a file, not a folder.")

LEGACY_KEYS = ("runtime", "condaFile", "extraDockerfileSteps", "enableGpu", "cudaVersion", "baseImage")
RESERVED_PREFIXES = ("Microsoft", "AzureML")


@dataclass(slots=True)
class InferencePaths:
    """Where the files an inference config names live (resolved even when they don't exist)."""

    source_dir: Path
    entry_script: Path | None
    conda_file: Path | None


def resolve_paths(root: Node, config_dir: Path) -> InferencePaths:
    source = root.get("sourceDirectory")
    base = config_dir
    if source is not None and source.kind == "string" and str(source.value).strip():
        base = resolve(config_dir, str(source.value))

    def rel(key: str) -> Path | None:
        node = root.get(key)
        if node is None or node.kind != "string" or not str(node.value).strip():
            return None
        return resolve(base, str(node.value))

    return InferencePaths(base, rel("entryScript"), rel("condaFile"))


def check_inference(root: Node, config_dir: Path, files: FileAccess) -> list[Problem]:
    out: list[Problem] = []
    paths = resolve_paths(root, config_dir)
    source = root.get("sourceDirectory")
    source_ok = True
    named_source = source is not None and source.kind == "string" and bool(str(source.value).strip())
    if source is not None and named_source and not files.is_dir(paths.source_dir):
        source_ok = False
        out.append(
            SOURCE_DIR_NOT_FOUND.at(
                source.start,
                source.end,
                f"Source directory '{source.value}' doesn't exist (relative to the config's folder).",
                {"path": str(paths.source_dir)},
            )
        )
    _check_entry_script(root, paths, source_ok, files, out)
    for key in ("condaFile", "extraDockerfileSteps"):
        node = root.get(key)
        if node is None or node.kind != "string" or not source_ok:
            continue
        path = paths.source_dir / str(node.value)
        if not files.is_file(path):
            where = "sourceDirectory" if source is not None and source.kind == "string" else "the config's folder"
            what = "Conda file" if key == "condaFile" else "Dockerfile steps file"
            if files.is_dir(path):
                out.append(ENTRY_IS_DIRECTORY.at(node.start, node.end, f"{key} '{node.value}' is a folder."))
            else:
                out.append(
                    FILE_NOT_FOUND.at(
                        node.start,
                        node.end,
                        f"{what} '{node.value}' doesn't exist (relative to {where}).",
                        {"path": str(path)},
                    )
                )
        elif key == "condaFile":
            text = files.read_text(path)
            spec = read_conda(text) if text is not None else None
            if spec is not None and spec.error:
                out.append(CONDA_INVALID.at(node.start, node.end, f"Conda file '{node.value}': {spec.error}."))
    _check_environment(root, out)
    description = root.member("description")
    if description is not None:
        out.append(
            DESCRIPTION_NOT_READ.at(
                description.key_start,
                description.key_end,
                "v1 never read 'description' from this file (it came from --description); amldeploy ignores it too.",
            )
        )
    return out


def _check_entry_script(
    root: Node, paths: InferencePaths, source_ok: bool, files: FileAccess, out: list[Problem]
) -> None:
    node = root.get("entryScript")
    if node is None or node.kind != "string":
        return
    value = str(node.value)
    name = PurePosixPath(value.replace("\\", "/")).name
    if not name.endswith(".py"):
        out.append(
            ENTRY_NOT_PY.at(
                node.start,
                node.end,
                f"Entry script '{value}' is not a .py file: only Python entry scripts are supported.",
            )
        )
        return
    stem = name[: -len(".py")]
    if not stem.isidentifier() or keyword.iskeyword(stem):
        why = "a Python keyword" if keyword.iskeyword(stem) else "not a valid Python identifier"
        out.append(
            ENTRY_BAD_NAME.at(
                node.start,
                node.end,
                f"Entry script name '{stem}' is {why}: the server imports it as a module. "
                "Rename it, e.g. to 'score.py'.",
            )
        )
    if not source_ok or paths.entry_script is None:
        return
    if not files.is_file(paths.entry_script):
        what = "is a folder" if files.is_dir(paths.entry_script) else "doesn't exist"
        where = (
            "sourceDirectory" if root.has("sourceDirectory") and root.get("sourceDirectory") else "the config's folder"
        )
        out.append(
            ENTRY_NOT_FOUND.at(
                node.start,
                node.end,
                f"Entry script '{value}' {what} (relative to {where}).",
                {"path": str(paths.entry_script)},
            )
        )
        return
    text = files.read_text(paths.entry_script)
    if text is None:
        return
    try:
        ast.parse(text, filename=name)
    except SyntaxError as exc:
        out.append(
            ENTRY_SYNTAX.at(
                node.start,
                node.end,
                f"Entry script '{value}' does not parse: {exc.msg} (line {exc.lineno}). Fix it before deploying.",
                {"path": str(paths.entry_script), "line": exc.lineno},
            )
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        out.append(ENTRY_SYNTAX.at(node.start, node.end, f"Entry script '{value}' does not parse: {exc}."))


def _check_environment(root: Node, out: list[Problem]) -> None:
    env = root.get("environment")
    if env is None or env.kind != "object":
        return
    for key in LEGACY_KEYS:
        member = root.member(key)
        if member is None or member.value is None or member.value.kind == "null":
            continue
        if key == "enableGpu" and member.value.value is False:
            continue
        out.append(
            ENV_WITH_LEGACY.at(
                member.key_start,
                member.key_end,
                f"'{key}' cannot be used together with 'environment' (v1: unable to provide runtime, "
                "conda_file, extra_docker_file_steps, enable_gpu, cuda_version, or base_image along with an "
                "environment object). Move it into the environment or remove it.",
                {"key": key},
            )
        )
    docker = env.get("docker")
    if docker is not None and docker.kind == "object":
        image, dockerfile = docker.member("baseImage"), docker.member("baseDockerfile")
        if (
            image is not None
            and dockerfile is not None
            and image.value is not None
            and dockerfile.value is not None
            and image.value.kind != "null"
            and dockerfile.value.kind != "null"
        ):
            out.append(
                BASE_IMAGE_AND_DOCKERFILE.at(
                    dockerfile.key_start,
                    dockerfile.key_end,
                    "Only one of docker.baseImage or docker.baseDockerfile can be set; remove one of them.",
                )
            )
    name = env.get("name")
    if name is not None and name.kind == "string":
        for prefix in RESERVED_PREFIXES:
            if str(name.value).startswith(prefix):
                out.append(
                    RESERVED_ENV_NAME.at(
                        name.start,
                        name.end,
                        f"Environment names starting with '{prefix}' are reserved for Azure's curated "
                        "environments: choose another name.",
                    )
                )

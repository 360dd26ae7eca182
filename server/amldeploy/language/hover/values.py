"""What a hover says about the value a key has: the enum value's meaning, the compute type's branch, where a
path points, what a conda environment holds, the ACI region's limit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amldeploy.language.conda import CondaSpec, read_conda
from amldeploy.language.files import FileAccess
from amldeploy.language.hover.docs import merged, value_description
from amldeploy.language.links import PathValue, path_value, x_path
from amldeploy.language.parse.nodes import Node
from amldeploy.language.rules.deployment import aci_limit, compute_type
from amldeploy.language.schema.store import DEPLOYMENT_CONFIG, load_schema
from amldeploy.language.schema.validator import Schema
from amldeploy.language.validate import Kind

_BRANCHES = {"local": "local", "aci": "aci", "aks": "aks", "aksendpoint": "aksEndpoint"}
_CONDA_PATH = ("environment", "python", "condaDependencies")
_MAX_PACKAGES = 15


@dataclass(frozen=True, slots=True)
class Context:
    text: str
    kind: Kind
    root: Node
    config_path: Path
    files: FileAccess


def value_blocks(ctx: Context, node: Node, schemas: list[tuple[Schema, str]], enum_value: bool = True) -> list[str]:
    """Markdown blocks about ``node``'s value (empty when there is nothing to add to the key's docs).

    ``enum_value=False`` leaves out the description of an enum value (a key's hover lists them all).
    """
    blocks: list[str] = []
    member = node.parent_member
    key = member.key if member is not None else None
    at_root = node.parent is ctx.root
    deployment = ctx.kind == Kind.DEPLOYMENT
    if deployment and at_root and key == "computeType" and node.kind == "string":
        blocks.append(_branch(str(node.value)))
    elif enum_value and node.kind not in ("object", "array"):
        described = value_description(merged(schemas), node.to_python())
        if described:
            blocks.append(described)
    aci = deployment and at_root and compute_type(ctx.root) == "aci"
    if aci and key == "location" and node.kind == "string":
        blocks.append(_aci(str(node.value)))
    spec = x_path(schemas)
    if spec is not None:
        where = path_value(ctx.root, node, spec, ctx.config_path, ctx.files)
        if where is not None:
            blocks.append(_path(where))
            if key == "condaFile" and where.is_file:
                text = ctx.files.read_text(where.path)
                if text is not None:
                    blocks.append(conda_summary(read_conda(text), f"**Conda file** `{where.path.name}`"))
    if ctx.kind == Kind.INFERENCE and node.kind == "object" and node.path == _CONDA_PATH:
        inline = json.dumps(node.to_python(), default=str)
        blocks.append(conda_summary(read_conda(inline), "**Conda dependencies**"))
    return blocks


def _branch(value: str) -> str:
    name = _BRANCHES.get(value.lower())
    definitions: Mapping[str, Any] = load_schema(DEPLOYMENT_CONFIG).get("definitions", {})
    branch = definitions.get(name) if name is not None else None
    if isinstance(branch, Mapping) and isinstance(branch.get("markdownDescription"), str):
        return str(branch["markdownDescription"])
    return (
        f"`{value}` is not a compute type v1 knows (it stopped with `unknown deployment type`): use local, "
        "ACI, AKS or AKSENDPOINT, in any case."
    )


def _aci(location: str) -> str:
    cpu, memory, known = aci_limit(location)
    if known:
        return f"**ACI limit in `{location}`:** {cpu:g} CPU / {memory:g} GB per container group."
    return (
        f"**ACI limit:** `{location}` is not in amldeploy's table of ACI regions; it assumes {cpu:g} CPU / "
        f"{memory:g} GB per container group, the limit of most regions."
    )


def _path(where: PathValue) -> str:
    if where.is_file:
        state = "the file exists" if where.wants == "file" else "**this is a file, not a folder**"
    elif where.is_dir:
        state = "the folder exists" if where.wants == "directory" else "**this is a folder, not a file**"
    else:
        state = "**not found**"
    return f"**Path:** `{where.path}` (relative to {where.base_words}): {state}."


def _listed(items: list[str]) -> str:
    shown = ", ".join(f"`{p}`" for p in items[:_MAX_PACKAGES])
    more = len(items) - _MAX_PACKAGES
    return shown + (f" and {more} more" if more > 0 else "")


def conda_summary(spec: CondaSpec, title: str) -> str:
    """Python version and packages of a conda environment, and the ``azureml-defaults`` note."""
    if spec.error:
        return f"{title} does not parse: {spec.error}."
    lines = [title]
    lines.append(f"* **Python:** `{spec.python}`" if spec.python else "* **Python:** not pinned")
    lines.append(f"* **pip packages:** {_listed(spec.pip)}" if spec.pip else "* **pip packages:** none")
    others = [c for c in spec.conda if not c.lower().startswith("python")]
    if others:
        lines.append(f"* **conda packages:** {_listed(others)}")
    if not spec.has_pip_package("azureml-defaults"):
        lines.append(
            "* `azureml-defaults` is not listed, and amldeploy's runtime does not need it: it brings its "
            "own scoring host (v1's images needed it for theirs)."
        )
    return "\n".join(lines)

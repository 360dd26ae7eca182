"""Document links: every path-valued key (``x-path`` in the schemas) whose target exists opens it.

In an inference config that is the entry script, the conda file, the Dockerfile steps and the source
folder; in a deployment config the TLS certificate and key. The link covers the path without its quotes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from amldeploy.language.files import FileAccess, resolve
from amldeploy.language.parse.documents import detect_language, parse_document
from amldeploy.language.parse.nodes import Node
from amldeploy.language.rules.inference import resolve_paths
from amldeploy.language.schema.store import load_all
from amldeploy.language.schema.validator import SchemaValidator
from amldeploy.language.validate import Kind, schema_validator


@dataclass(frozen=True, slots=True)
class Link:
    start: int
    end: int
    target: Path
    tooltip: str


@dataclass(frozen=True, slots=True)
class PathValue:
    """Where a path-valued string points, and what is there."""

    path: Path
    relative_to: str  # "sourceDirectory" or "configDirectory"
    wants: str  # "file" or "directory"
    is_file: bool
    is_dir: bool

    @property
    def exists(self) -> bool:
        return self.is_file or self.is_dir

    @property
    def base_words(self) -> str:
        return "`sourceDirectory`" if self.relative_to == "sourceDirectory" else "the config's folder"


def config_dir(config_path: Path) -> Path:
    return config_path.parent if config_path.parent != Path("") else Path(".")


def x_path(schemas: list[tuple[Mapping[str, Any], str]]) -> Mapping[str, Any] | None:
    for schema, _ in schemas:
        found = schema.get("x-path")
        if isinstance(found, Mapping):
            return found
    return None


def path_value(
    root: Node, node: Node, spec: Mapping[str, Any], config_path: Path, files: FileAccess
) -> PathValue | None:
    """Resolve a path-valued string node as v1 did (amldeploy: relative to the config's folder)."""
    if node.kind != "string" or not isinstance(node.value, str) or not node.value.strip():
        return None
    folder = config_dir(config_path)
    relative_to = str(spec.get("relativeTo") or "configDirectory")
    base = resolve_paths(root, folder).source_dir if relative_to == "sourceDirectory" else folder
    path = resolve(base, str(node.value))
    wants = "directory" if spec.get("kind") == "directory" else "file"
    return PathValue(path, relative_to, wants, files.is_file(path), files.is_dir(path))


@cache
def path_keys() -> frozenset[str]:
    """Every key that holds a path in some schema (a cheap filter before resolving schemas)."""
    keys: set[str] = set()
    todo: list[Any] = list(load_all().values())
    while todo:
        item = todo.pop()
        if isinstance(item, Mapping):
            properties = item.get("properties")
            if isinstance(properties, Mapping):
                keys.update(k for k, v in properties.items() if isinstance(v, Mapping) and "x-path" in v)
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return frozenset(keys)


def content_range(text: str, node: Node) -> tuple[int, int]:
    """The string's content without its quotes (JSON, or a quoted YAML scalar)."""
    start, end = node.start, node.end
    if end - start >= 2 and text[start] in "\"'" and text[end - 1] == text[start]:
        return start + 1, end - 1
    return start, end


def document_links(text: str, kind: Kind, config_path: Path, files: FileAccess) -> list[Link]:
    """Links of every existing file or folder the config names; never raises."""
    try:
        return _links(text, kind, config_path, files)
    except Exception:
        return []


def _links(text: str, kind: Kind, config_path: Path, files: FileAccess) -> list[Link]:
    if kind not in (Kind.INFERENCE, Kind.DEPLOYMENT):
        return []
    root = parse_document(text, detect_language(text, config_path.name)).root
    if root is None or root.kind != "object":
        return []
    validator = schema_validator(kind)
    links: list[Link] = []
    for node in root.walk():
        link = _link(text, root, node, validator, config_path, files)
        if link is not None:
            links.append(link)
    return links


def _link(
    text: str, root: Node, node: Node, validator: SchemaValidator, config_path: Path, files: FileAccess
) -> Link | None:
    member = node.parent_member
    if node.kind != "string" or member is None or member.key not in path_keys():
        return None
    if "\n" in text[node.start : node.end]:
        return None
    spec = x_path(validator.node_schemas(root, node))
    if spec is None:
        return None
    value = path_value(root, node, spec, config_path, files)
    if value is None or not value.exists:
        return None
    start, end = content_range(text, node)
    what = "folder" if value.is_dir else "file"
    tooltip = f"Open the {what} {member.key} names ({value.path.name or value.path})"
    return Link(start, end, value.path, tooltip)

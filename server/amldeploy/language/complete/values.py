"""Value completion after ``key:``: enum members, computeType names, booleans, defaults and examples, null,
Azure regions for an ACI ``location``, and file paths for the keys that name files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amldeploy.language.complete.format import scalar_text, types_of
from amldeploy.language.complete.paths import path_completions
from amldeploy.language.complete.types import Completion, CompletionKind, Context, Frame
from amldeploy.language.files import FileAccess
from amldeploy.language.parse.nodes import Node
from amldeploy.language.rules.deployment import REGIONS, aci_limit
from amldeploy.language.schema.validator import Schema, SchemaValidator


def value_schemas(
    validator: SchemaValidator, root: Node, container: Node, key: str | int | None
) -> list[tuple[Schema, str]]:
    applicable = validator.property_schemas(root, container)
    if container.kind == "array":
        subs = [(s["items"], base) for s, base in applicable if isinstance(s.get("items"), Mapping)]
    else:
        subs = [(s["properties"][key], base) for s, base in applicable if key in s.get("properties", {})]
        if not subs:
            subs = [
                (s["additionalProperties"], base)
                for s, base in applicable
                if isinstance(s.get("additionalProperties"), Mapping)
            ]
    return validator.expand(subs, Node("null", 0, 0)) if subs else []


def item_object(schemas: list[tuple[Schema, str]], ctx: Context) -> Context | None:
    """A YAML ``- `` entry whose items are mappings: the key mode of a new mapping."""
    if not any("object" in types_of(s) and "properties" in s for s, _ in schemas):
        return None
    index = ctx.key if isinstance(ctx.key, int) else 0
    frame = Frame("object", (*ctx.container.path, index), ctx.indent)
    return Context("key", ctx.style, [*ctx.frames, frame], ctx.start, ctx.end, indent=ctx.indent)


class _Items:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.out: list[Completion] = []
        self.seen: set[str] = set()

    def add(self, value: Any, kind: CompletionKind, detail: str = "", doc: str = "", pre: bool = False) -> None:
        ctx = self.ctx
        text = scalar_text(value, ctx.style, ctx.quote if ctx.style != "json" else "")
        if text in self.seen:
            return
        self.seen.add(text)
        filter_text = None
        if isinstance(value, str) and not ctx.quote and text != value:
            filter_text = value  # typed without quotes: match the bare word
        self.out.append(
            Completion(
                label=text,
                kind=kind,
                insert_text=ctx.prefix + text + ctx.separator,
                is_snippet=False,
                start=ctx.start,
                end=ctx.end,
                detail=detail,
                documentation=doc,
                sort_text=f"{len(self.out):03d}",
                filter_text=filter_text,
                preselect=pre,
            )
        )

    def add_snippet(self, label: str, body: str) -> None:
        ctx = self.ctx
        self.out.append(
            Completion(
                label,
                "value",
                ctx.prefix + body + ctx.separator,
                True,
                ctx.start,
                ctx.end,
                sort_text=f"{len(self.out):03d}",
            )
        )


def value_completions(
    schemas: list[tuple[Schema, str]],
    ctx: Context,
    deployment: bool,
    where: tuple[str, int, Path, FileAccess],
) -> list[Completion]:
    """``where``: the document's text, the cursor's offset, the config's path and the file access."""
    if not schemas:
        return []  # a key the schema does not know (or one of another compute type)
    for schema, _ in schemas:
        if isinstance(schema.get("x-path"), Mapping):
            return path_completions(schema, str(ctx.key), ctx, *where)
    items = _Items(ctx)
    for schema, _ in schemas:
        _enum(items, schema)
    if deployment and ctx.key == "location" and len(ctx.frames) == 1:
        for region in REGIONS:
            cpu, memory, known = aci_limit(region)
            limit = f"{cpu:g} CPU / {memory:g} GB per container group"
            doc = (
                f"ACI limit in {region}: {limit}."
                if known
                else f"Not in amldeploy's ACI region table: the limit assumed is {limit}."
            )
            items.add(region, "value", "Azure region", doc)
    for schema, _ in schemas:
        _literals(items, schema)
    return items.out


def _enum(items: _Items, schema: Schema) -> None:
    default = schema.get("default")
    for values_key, docs_key in (("enum", "markdownEnumDescriptions"), ("x-enumCaseInsensitive", "x-enumDescriptions")):
        values = schema.get(values_key)
        if not isinstance(values, list):
            continue
        docs = schema.get(docs_key) or schema.get("enumDescriptions") or []
        for i, value in enumerate(values):
            doc = str(docs[i]) if i < len(docs) else ""
            items.add(value, "enum", "default" if value == default else "", doc, pre=value == default)


def _literals(items: _Items, schema: Schema) -> None:
    types = types_of(schema)
    has_default = "default" in schema
    default = schema.get("default")
    if "boolean" in types:
        for value in (True, False):
            is_default = has_default and default is value
            items.add(value, "value", "default" if is_default else "", pre=is_default)
    if has_default and default is not None and not isinstance(default, (dict, list)):
        items.add(default, "value", "default", pre=True)
    for example in schema.get("examples", ()):
        if example is not None and not isinstance(example, (dict, list, bool)):
            items.add(example, "value", "example")
    if "null" in types:
        items.add(None, "value")
    if items.ctx.style != "yaml" and not items.ctx.quote:
        if "object" in types:
            items.add_snippet("{}", "{$1}")
        if "array" in types:
            items.add_snippet("[]", "[$1]")

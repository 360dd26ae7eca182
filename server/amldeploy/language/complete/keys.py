"""Key completion: the keys of the object's schema that are not written yet, as snippets with a value.

The keys of one set of applicable schemas form a table that is built once and cached (the schemas are
loaded once and never change). With the deployment config's ``computeType`` missing or unknown, no
``if``/``then`` branch applies: the table then holds the keys of every branch, each naming its branches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amldeploy.language.complete.format import snippet_escape, type_text, value_placeholder
from amldeploy.language.complete.types import Completion, Context
from amldeploy.language.parse.nodes import Node
from amldeploy.language.schema.validator import Schema, SchemaValidator


@dataclass(frozen=True, slots=True)
class KeySpec:
    key: str
    schema: Mapping[str, Any]  # the key's schema, $refs followed (merged when several apply)
    detail: str
    documentation: str
    sort_text: str


_TABLES: dict[tuple[int, ...], tuple[KeySpec, ...]] = {}


def key_table(validator: SchemaValidator, applicable: list[tuple[Schema, str]]) -> tuple[KeySpec, ...]:
    cache_key = (id(validator), *(id(s) for s, _ in applicable))
    table = _TABLES.get(cache_key)
    if table is None:
        table = _TABLES[cache_key] = _build(validator, applicable)
    return table


def _build(validator: SchemaValidator, applicable: list[tuple[Schema, str]]) -> tuple[KeySpec, ...]:
    entries: dict[str, list[tuple[Schema, str]]] = {}
    branches: dict[str, list[str]] = {}
    required: set[str] = set()
    common: set[str] = set()
    for schema, base in applicable:
        required.update(schema.get("required", ()))
        common.update(_example_keys(schema))
        for key, sub in schema.get("properties", {}).items():
            entries.setdefault(key, []).append((sub, base))
    own = set(entries)
    for label, expanded in _open_branches(validator, applicable):
        for schema, base in expanded:
            common.update(_example_keys(schema))
            for key, sub in schema.get("properties", {}).items():
                entries.setdefault(key, []).append((sub, base))
                if key not in own and label not in branches.setdefault(key, []):
                    branches[key].append(label)
    specs = []
    for index, (key, schemas) in enumerate(entries.items()):
        merged: dict[str, Any] = {}
        for sub, base in schemas:
            resolved, _ = validator.resolve(sub, base)
            for name, value in resolved.items():
                merged.setdefault(name, value)
        group = 0 if key in required else 1 if key in common else 2
        specs.append(_spec(key, merged, branches.get(key, []), f"{group}{index:03d}"))
    return tuple(specs)


def _example_keys(schema: Schema) -> set[str]:
    return {k for ex in schema.get("examples", ()) if isinstance(ex, Mapping) for k in ex}


def _spec(key: str, schema: Mapping[str, Any], branches: list[str], sort_text: str) -> KeySpec:
    detail = type_text(schema)
    doc = str(schema.get("markdownDescription") or schema.get("description") or "")
    if "default" in schema:
        doc += f"\n\nDefault: `{json.dumps(schema['default'], ensure_ascii=False)}`"
    elif schema.get("x-defaultDescription"):
        doc += f"\n\nDefault: {schema['x-defaultDescription']}"
    if branches:
        detail = f"{detail} · {', '.join(branches)}" if detail else ", ".join(branches)
        doc += f"\n\nRead for {' and '.join(branches)} only."
    return KeySpec(key, schema, detail, doc.strip(), sort_text)


def _open_branches(
    validator: SchemaValidator, applicable: list[tuple[Schema, str]]
) -> list[tuple[str, list[tuple[Schema, str]]]]:
    """``allOf`` groups of ``if``/``then`` where no branch applies: every branch, with a label."""
    applied = {id(s) for s, _ in applicable}
    out: list[tuple[str, list[tuple[Schema, str]]]] = []
    for schema, base in applicable:
        conditions = [
            sub for sub in schema.get("allOf", ()) if isinstance(sub, Mapping) and "if" in sub and "then" in sub
        ]
        thens = [validator.resolve(sub["then"], base) for sub in conditions]
        if not thens or any(id(t) in applied for t, _ in thens):
            continue
        for sub, (then, then_base) in zip(conditions, thens, strict=True):
            label = _branch_label(sub["if"], schema, validator, base) or str(then.get("title", ""))
            out.append((label, validator.expand([(then, then_base)], Node("object", 0, 0))))
    return out


def _branch_label(condition: Mapping[str, Any], owner: Schema, validator: SchemaValidator, base: str) -> str:
    """The discriminator value an ``if`` accepts, spelled as the schema spells it (``AKS``)."""
    for prop, test in condition.get("properties", {}).items():
        source, _ = validator.resolve(owner.get("properties", {}).get(prop, {}), base)
        values = source.get("x-enumCaseInsensitive") or source.get("enum") or source.get("examples") or []
        for value in values:
            if _accepts(test, value):
                return str(value)
    return ""


def _accepts(test: Mapping[str, Any], value: Any) -> bool:
    if "const" in test:
        return bool(test["const"] == value)
    if "enum" in test:
        return value in test["enum"]
    pattern = test.get("pattern")
    return isinstance(pattern, str) and isinstance(value, str) and re.search(pattern, value) is not None


def key_completions(validator: SchemaValidator, ctx: Context, root: Node, node: Node) -> list[Completion]:
    applicable = validator.property_schemas(root, node)
    present = set(ctx.container.keys)
    quoted_filter = ctx.style == "json" and ctx.quote == '"'
    out = []
    for spec in key_table(validator, applicable):
        if spec.key in present:
            continue
        insert, snippet = _key_insert(spec, ctx)
        out.append(
            Completion(
                label=spec.key,
                kind="property",
                insert_text=insert,
                is_snippet=snippet,
                start=ctx.start,
                end=ctx.end,
                detail=spec.detail,
                documentation=spec.documentation,
                sort_text=spec.sort_text,
                filter_text=f'"{spec.key}"' if quoted_filter else None,
            )
        )
    return out


def _key_insert(spec: KeySpec, ctx: Context) -> tuple[str, bool]:
    key = json.dumps(spec.key) if ctx.style == "json" else spec.key
    if ctx.colon_after:
        return key, False
    key = snippet_escape(key)
    value = value_placeholder(spec.schema, ctx.style, ctx.indent)
    return f"{key}:{value}{ctx.separator}", True

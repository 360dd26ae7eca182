"""Validate a value tree against the schemas in ``schemas/``, with v1's types and precise ranges.

A small interpreter for the JSON Schema subset the schemas use (``$ref``, ``allOf`` with ``if``/``then``,
``anyOf``/``oneOf``, ``type``, ``enum``, ``pattern``, bounds, ``properties``, ``required``, ``items``,
``additionalProperties``). It differs from a generic validator where v1 did:

* an integer means a Python ``int`` (v1 checked ``isinstance(port, int)``, so ``8890.0`` is not a port);
* an object's ``properties`` is the complete list of keys v1 reads: any other key is *ignored by v1* and
  gets a warning with the closest known key (``x-misspellings`` names the classic traps), not an error;
* ``x-errorMessage`` replaces the generic message of a keyword with v1's own wording;
* for ``anyOf``/``oneOf`` only the best-matching branch is reported (as vscode-json-languageservice does).

Range conventions: a missing key points at the parent's key (or the opening ``{``), an unknown key at the
key, a type/enum/range problem at the value.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from amldeploy.language.codes import Rule, rule
from amldeploy.language.parse.nodes import Member, Node, describe
from amldeploy.language.problems import Problem, Severity
from amldeploy.language.schema.store import load_schema

Schema = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SchemaRules:
    required: Rule
    type: Rule
    enum: Rule
    range: Rule
    pattern: Rule
    unknown: Rule
    misspelled: Rule


def _declare(prefix: str, what: str) -> SchemaRules:
    return SchemaRules(
        required=rule(f"{prefix}001", Severity.ERROR, "Required key missing", f"A key {what} needs is missing."),
        type=rule(
            f"{prefix}002",
            Severity.ERROR,
            "Wrong type",
            "The value has the wrong JSON type. v1 did not convert types: a quoted number stays a string "
            "and was rejected (or crashed the CLI).",
        ),
        enum=rule(f"{prefix}003", Severity.ERROR, "Value not allowed", "The value is not one v1 accepts."),
        range=rule(f"{prefix}004", Severity.ERROR, "Value out of range", "The number is outside what v1 accepts."),
        pattern=rule(
            f"{prefix}005", Severity.ERROR, "Invalid format", "The string does not have the form v1 requires."
        ),
        unknown=rule(
            f"{prefix}006",
            Severity.WARNING,
            "Unknown key, ignored by v1",
            "v1 read only the keys it knew and ignored the rest silently, so a typo quietly lost a setting. "
            "amldeploy ignores the key too, and says so.",
        ),
        misspelled=rule(
            f"{prefix}007",
            Severity.WARNING,
            "Misspelled key, ignored by v1",
            "A spelling that documentation tables printed but that v1 never read: the setting had no effect.",
        ),
    )


INFERENCE_RULES = _declare("IC", "the inference config")
DEPLOYMENT_RULES = _declare("DC", "the deployment config")


class _Resolver:
    """Resolves ``$ref`` inside a schema and across the files of ``schemas/`` (by ``$id`` = file name)."""

    def __init__(self, root_name: str) -> None:
        self.root_name = root_name

    def resolve(self, schema: Schema, base: str) -> tuple[Schema, str]:
        seen = 0
        while "$ref" in schema and seen < 16:
            ref = str(schema["$ref"])
            file, _, pointer = ref.partition("#")
            base = file or base
            target: Any = load_schema(base)
            for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            schema = target
            seen += 1
        return schema, base


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Finding the closest known key costs a fuzzy match per unknown key. A document with hundreds of unknown keys
# holds no typos worth suggesting, and a hostile one would spend seconds on them: the first ones get a guess.
MAX_SUGGESTIONS = 200


class SchemaValidator:
    """Validates documents of one kind (``inferenceconfig`` or ``deploymentconfig``)."""

    def __init__(self, schema_name: str, rules: SchemaRules) -> None:
        self.schema_name = schema_name
        self.rules = rules
        self._resolver = _Resolver(schema_name)
        self._suggestions = MAX_SUGGESTIONS

    def validate(self, root: Node) -> list[Problem]:
        self._suggestions = MAX_SUGGESTIONS
        out: list[Problem] = []
        self._check(root, [(load_schema(self.schema_name), self.schema_name)], out)
        seen: set[tuple[int, int, str, str]] = set()
        unique = []
        for p in out:
            key = (p.start, p.end, p.code, p.message)
            if key not in seen:
                seen.add(key)
                unique.append(p)
        return unique

    def property_schemas(self, root: Node, node: Node) -> list[tuple[Schema, str]]:
        """The schemas that apply to ``node`` (in the tree rooted at ``root``): for hover and completion."""
        current = self._applicable([(load_schema(self.schema_name), self.schema_name)], root)
        target = root
        for part in node.path:
            if isinstance(part, int):
                current = self._applicable(self._items(current), target.items[part])
                target = target.items[part]
            else:
                child = target.get(part)
                if child is None:
                    return []
                current = self._applicable(self._properties(current).get(part, []), child)
                target = child
        return current

    def node_schemas(self, root: Node, node: Node) -> list[tuple[Schema, str]]:
        """Like :meth:`property_schemas`, but follows the node's own parents, so it is also right below
        an earlier duplicate key (which a path would not reach)."""
        if node is root or node.parent is None:
            return self._applicable([(load_schema(self.schema_name), self.schema_name)], node)
        if node.parent_member is not None:
            return self.member_schemas(root, node.parent_member)
        return self._applicable(self._items(self.node_schemas(root, node.parent)), node)

    def member_schemas(self, root: Node, member: Member) -> list[tuple[Schema, str]]:
        """The schemas of ``member``'s value, also while the value is still missing (``"key":|``).

        A key outside ``properties`` gets the ``additionalProperties`` schema when there is one.
        """
        parent = self.node_schemas(root, member.parent)
        props = self._properties(parent).get(member.key)
        if props is None:
            props = [
                (s["additionalProperties"], base)
                for s, base in parent
                if isinstance(s.get("additionalProperties"), Mapping)
            ]
        value = member.value if member.value is not None else Node("null", member.key_end, member.key_end)
        return self._applicable(props, value)

    def resolve(self, schema: Schema, base: str) -> tuple[Schema, str]:
        """``schema`` with its ``$ref`` chain followed; ``base`` is the schema file it lives in."""
        return self._resolver.resolve(schema, base)

    def expand(self, schemas: Iterable[tuple[Schema, str]], node: Node) -> list[tuple[Schema, str]]:
        """``schemas`` resolved, plus their ``allOf``, ``if``/``then`` and best ``anyOf`` parts for ``node``."""
        return self._applicable(schemas, node)

    # -- the walk ------------------------------------------------------------------------------------------
    def _applicable(self, schemas: Iterable[tuple[Schema, str]], node: Node) -> list[tuple[Schema, str]]:
        out: list[tuple[Schema, str]] = []
        for raw, base in schemas:
            schema, base = self._resolver.resolve(raw, base)
            out.append((schema, base))
            for sub in schema.get("allOf", ()):
                out.extend(self._applicable([(sub, base)], node))
            if "if" in schema:
                branch = "then" if self._matches(node, schema["if"], base) else "else"
                if branch in schema:
                    out.extend(self._applicable([(schema[branch], base)], node))
            for keyword in ("anyOf", "oneOf"):
                if keyword in schema:
                    best = self._best_branch(node, schema[keyword], base)
                    if best is not None:
                        out.extend(self._applicable([(best, base)], node))
        return out

    def _matches(self, node: Node, schema: Schema, base: str) -> bool:
        probe: list[Problem] = []
        self._check(node, [(schema, base)], probe, errors_only=True)
        return not any(p.severity == Severity.ERROR for p in probe)

    def _best_branch(self, node: Node, branches: Iterable[Schema], base: str) -> Schema | None:
        best: Schema | None = None
        best_score: tuple[int, int] | None = None
        for branch in branches:
            probe: list[Problem] = []
            self._check(node, [(branch, base)], probe, errors_only=True)
            errors = [p for p in probe if p.severity == Severity.ERROR]
            # Prefer no errors; then a branch whose type fits (errors below the node beat errors on it).
            on_node = sum(1 for p in errors if p.start == node.start and p.end == node.end)
            score = (on_node, len(errors))
            if best_score is None or score < best_score:
                best, best_score = branch, score
        return best

    def _check(
        self, node: Node, schemas: list[tuple[Schema, str]], out: list[Problem], errors_only: bool = False
    ) -> None:
        """Problems of ``node`` into ``out``; ``errors_only`` for probes (``if``, branch choice) skips warnings."""
        applicable = self._applicable(schemas, node)
        for schema, _ in applicable:
            if not self._check_scalar(node, schema, out):
                return
        if node.kind == "object":
            self._check_object(node, applicable, out, errors_only)
        elif node.kind == "array":
            items = self._items(applicable)
            if items:
                for item in node.items:
                    self._check(item, items, out, errors_only)

    def _items(self, applicable: list[tuple[Schema, str]]) -> list[tuple[Schema, str]]:
        return [(s["items"], base) for s, base in applicable if isinstance(s.get("items"), Mapping)]

    def _properties(self, applicable: list[tuple[Schema, str]]) -> dict[str, list[tuple[Schema, str]]]:
        props: dict[str, list[tuple[Schema, str]]] = {}
        for schema, base in applicable:
            for key, sub in schema.get("properties", {}).items():
                props.setdefault(key, []).append((sub, base))
        return props

    def _check_object(
        self, node: Node, applicable: list[tuple[Schema, str]], out: list[Problem], errors_only: bool
    ) -> None:
        props = self._properties(applicable)
        closed = any("properties" in s for s, _ in applicable)
        extra: list[tuple[Schema, str]] = []
        misspellings: dict[str, str] = {}
        for schema, base in applicable:
            additional = schema.get("additionalProperties")
            if isinstance(additional, Mapping):
                extra.append((additional, base))
            if additional is not None and additional is not False:
                closed = closed and not (additional is True or isinstance(additional, Mapping))
            misspellings.update(schema.get("x-misspellings", {}))
        for schema, _ in applicable:
            for key in schema.get("required", ()):
                if not node.has(key):
                    start, end = _anchor(node)
                    custom = schema.get("x-errorMessage", {}).get("required")
                    message = _sentence(custom) if custom else f"Missing required key '{key}'."
                    out.append(self.rules.required.at(start, end, message, {"key": key, "path": list(node.path)}))
        for member in node.members:
            if member.key in props:
                if member.value is not None:
                    self._check(member.value, props[member.key], out, errors_only)
            elif extra:
                if member.value is not None:
                    self._check(member.value, extra, out, errors_only)
            elif closed and not errors_only:
                out.append(self._unknown(member, list(props), misspellings))

    def _unknown(self, member: Member, known: list[str], misspellings: Mapping[str, str]) -> Problem:
        key = member.key
        data: dict[str, Any] = {"key": key}
        if key in misspellings:
            right = misspellings[key]
            data["replacement"] = right
            return self.rules.misspelled.at(
                member.key_start,
                member.key_end,
                f"'{key}' is ignored by v1: the key it reads is '{right}'.",
                data,
            )
        elsewhere = _known_elsewhere(self.schema_name, key)
        if elsewhere:
            data["knownIn"] = elsewhere
        suggestion = None
        if self._suggestions > 0:
            self._suggestions -= 1
            suggestion = _closest(key, known)
        message = f"Unknown key '{key}': v1 ignores it."
        if suggestion is not None:
            data["replacement"] = suggestion
            message = f"Unknown key '{key}': v1 ignores it. Did you mean '{suggestion}'?"
        elif elsewhere:
            message = f"'{key}' is not read here: v1 ignores it. It belongs to {elsewhere}."
        return self.rules.unknown.at(member.key_start, member.key_end, message, data)

    def _check_scalar(self, node: Node, schema: Schema, out: list[Problem]) -> bool:
        """Type and value keywords of one schema; False when the type is wrong (nothing more to say)."""
        name = _name(node)
        messages: Mapping[str, str] = schema.get("x-errorMessage", {})
        expected = schema.get("type")
        if expected is not None:
            types = [expected] if isinstance(expected, str) else list(expected)
            if not any(_is_type(node, t) for t in types):
                default = f"{name} must be {_an(types)}, not {describe(node)}."
                out.append(self._problem(self.rules.type, node, messages.get("type"), default, {"expected": types}))
                return False
        if "enum" in schema and node.to_python() not in list(schema["enum"]):
            allowed = ", ".join(_show(v) for v in schema["enum"])
            default = f"{_show(node.to_python())} is not allowed for {name}: use one of {allowed}."
            data = {"allowed": list(schema["enum"])}
            out.append(self._problem(self.rules.enum, node, messages.get("enum"), default, data))
        if node.kind == "number" and not isinstance(node.value, bool):
            value = node.value
            for keyword, words in _BOUNDS:
                bound = schema.get(keyword)
                if isinstance(bound, (int, float)) and not _within(keyword, value, bound):
                    default = f"{name} must be {words} {bound}, not {value}."
                    out.append(self._problem(self.rules.range, node, messages.get(keyword), default, {keyword: bound}))
        if node.kind == "string":
            text = str(node.value)
            pattern = schema.get("pattern")
            if isinstance(pattern, str) and not _compiled(pattern).search(text):
                default = f"{_show(text)} is not a valid {name}: it must match {pattern}."
                out.append(self._problem(self.rules.pattern, node, messages.get("pattern"), default, None))
            if isinstance(schema.get("minLength"), int) and len(text) < schema["minLength"]:
                default = f"{name} must not be empty." if schema["minLength"] == 1 else f"{name} is too short."
                out.append(self._problem(self.rules.range, node, messages.get("minLength"), default, None))
            if isinstance(schema.get("maxLength"), int) and len(text) > schema["maxLength"]:
                default = f"{name} must be at most {schema['maxLength']} characters long."
                out.append(self._problem(self.rules.range, node, messages.get("maxLength"), default, None))
        return True

    def _problem(
        self, r: Rule, node: Node, custom: str | None, default: str, data: Mapping[str, Any] | None
    ) -> Problem:
        message = _sentence(custom.replace("{value}", _show(node.to_python(), quote=False))) if custom else default
        payload = {"path": list(node.path), **(data or {})}
        return r.at(node.start, node.end, message, payload)


_BOUNDS = (
    ("minimum", "at least"),
    ("exclusiveMinimum", "greater than"),
    ("maximum", "at most"),
    ("exclusiveMaximum", "less than"),
)


def _within(keyword: str, value: float, bound: float) -> bool:
    if keyword == "minimum":
        return value >= bound
    if keyword == "exclusiveMinimum":
        return value > bound
    if keyword == "maximum":
        return value <= bound
    return value < bound


def _sentence(message: str) -> str:
    return message if message.endswith((".", "!", "?")) else message + "."


def _anchor(node: Node) -> tuple[int, int]:
    if node.parent_member is not None:
        return node.parent_member.key_start, node.parent_member.key_end
    return node.opening


def _name(node: Node) -> str:
    if node.parent_member is not None:
        return node.parent_member.key
    if node.parent is not None:
        return f"each item of {_name(node.parent)}"
    return "the document"


def _is_type(node: Node, expected: str) -> bool:
    if expected == "integer":
        return node.is_integer
    if expected == "number":
        return node.kind == "number"
    if expected == "string":
        return node.kind == "string" and isinstance(node.value, str)
    return node.kind == expected


def _an(types: list[str]) -> str:
    words = {"integer": "an integer", "object": "an object", "array": "a list", "null": "null"}
    return " or ".join(words.get(t, f"a {t}") for t in types)


def _show(value: Any, quote: bool = True) -> str:
    if isinstance(value, str):
        return f'"{value}"' if quote else value
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _closest(key: str, known: list[str]) -> str | None:
    lower = {k.lower(): k for k in known}
    if key.lower() in lower:
        return lower[key.lower()]
    matches = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return matches[0] if matches else None


def _known_elsewhere(schema_name: str, key: str) -> str:
    """For a deployment config: which compute types read ``key`` (``"computeType ACI"``)."""
    return _owners(schema_name).get(key, "")


@lru_cache(maxsize=8)
def _owners(schema_name: str) -> dict[str, str]:
    """Every key some compute type's branch reads → ``"computeType ACI / AKS"`` (one look-up per key)."""
    labels = {"local": "local", "aci": "ACI", "aks": "AKS", "aksEndpoint": "AKSENDPOINT"}
    owners: dict[str, list[str]] = {}
    for name, definition in load_schema(schema_name).get("definitions", {}).items():
        if name in labels and isinstance(definition, Mapping):
            for key in definition.get("properties", {}):
                owners.setdefault(key, []).append(labels[name])
    return {key: f"computeType {' / '.join(names)}" for key, names in owners.items()}

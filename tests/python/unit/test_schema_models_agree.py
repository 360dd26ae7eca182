"""Schemas and models must not drift.

``schemas/*.schema.json`` are the single source of the v1 file formats; ``amldeploy.config.models`` mirrors
them for deploy operations. These tests check that:

* the schemas are valid draft-07 and follow the repo's conventions (every key documented for hover and
  completion, ``markdownEnumDescriptions`` parallel to ``enum``, examples that validate, no
  ``additionalProperties: false``);
* each model has exactly the keys of its schema object, the same required keys and the same literal defaults;
* on every fixture under ``tests/fixtures/configs`` the schema and the models give the same verdict, and each
  invalid fixture breaks exactly the constraint its name says;
* every enum/range/pattern/required constraint of the schemas is hit by at least one invalid fixture;
* on generated documents (every key set to values of every JSON type, boundaries, enum members, examples) the
  schema and the models still agree.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError as SchemaError
from pydantic import BaseModel, ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT7

from amldeploy.config import models as m
from amldeploy.language.schema.store import (
    DEPLOYMENT_CONFIG,
    ENVIRONMENT,
    INFERENCE_CONFIG,
    SCHEMA_NAMES,
    load_all,
    load_schema,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "configs"
KINDS = ("inference", "deployment")
ROOT_SCHEMA = {"inference": INFERENCE_CONFIG, "deployment": DEPLOYMENT_CONFIG}

# Fixtures whose names start with these prefixes are valid for the schema: doc samples, other valid files,
# and files that only break a cross-field rule (the schemas do not model those; the language rules do).
VALID_PREFIXES = ("doc-", "valid-", "xfield-")

# Every other fixture breaks exactly one constraint: "<instance path>:<keyword>" (path parts joined by "/").
INVALID: dict[str, str] = {
    # inference config
    "ic-root-array.json": ":type",
    "ic-missing-entryscript.json": ":required",
    "ic-entryscript-empty.json": "entryScript:minLength",
    "ic-entryscript-number.json": "entryScript:type",
    "ic-source-directory-number.json": "sourceDirectory:type",
    "ic-runtime-unknown.json": "runtime:enum",
    "ic-runtime-null.json": "runtime:type",
    "ic-condafile-list.json": "condaFile:type",
    "ic-enablegpu-string.json": "enableGpu:type",
    "ic-cuda-number.json": "cudaVersion:type",
    "ic-cuda-number.yml": "cudaVersion:type",
    "ic-cuda-unsupported.json": "cudaVersion:enum",
    "ic-base-image-registry-string.json": "baseImageRegistry:type",
    "ic-base-image-registry-address-number.json": "baseImageRegistry/address:type",
    "ic-description-number.json": "description:type",
    "ic-environment-null.json": "environment:type",
    "ic-env-name-number.json": "environment/name:type",
    "ic-env-version-number.yml": "environment/version:type",
    "ic-env-variables-number-value.json": "environment/environmentVariables/WORKERS:type",
    "ic-env-python-null.json": "environment/python:type",
    "ic-env-user-managed-string.json": "environment/python/userManagedDependencies:type",
    "ic-env-conda-dependency-number.json": "environment/python/condaDependencies/dependencies/1:type",
    "ic-env-pip-object-without-pip.json": "environment/python/condaDependencies/dependencies/0:required",
    "ic-env-pip-not-list.json": "environment/python/condaDependencies/dependencies/0/pip:type",
    "ic-env-docker-shared-volumes-string.json": "environment/docker/sharedVolumes:type",
    "ic-env-docker-arguments-string.json": "environment/docker/arguments:type",
    "ic-env-docker-registry-string.json": "environment/docker/baseImageRegistry:type",
    "ic-env-inferencing-stack-unknown.json": "environment/inferencingStackVersion:enum",
    "ic-env-r-snapshot-date-unquoted.yaml": "environment/r/snapshotDate:type",
    # deployment config: dispatcher
    "dc-root-string.yml": ":type",
    "dc-missing-computetype.json": ":required",
    "dc-computetype-unknown.json": "computeType:pattern",
    "dc-computetype-mir.json": "computeType:pattern",
    "dc-computetype-number.json": "computeType:type",
    # local
    "local-port-string.json": "port:type",
    "local-port-fraction.json": "port:type",
    "local-port-zero.json": "port:minimum",
    "local-port-too-big.json": "port:maximum",
    # ACI
    "aci-cpu-string.json": "containerResourceRequirements/cpu:type",
    "aci-cpu-zero.json": "containerResourceRequirements/cpu:exclusiveMinimum",
    "aci-memory-negative.yml": "containerResourceRequirements/memoryInGB:exclusiveMinimum",
    "aci-resources-null.json": "containerResourceRequirements:type",
    "aci-auth-string.json": "authEnabled:type",
    "aci-location-number.json": "location:type",
    "aci-keys-string.json": "keys:type",
    # AKS
    "aks-namespace-upper.json": "namespace:pattern",
    "aks-namespace-too-long.json": "namespace:pattern",
    "aks-numreplicas-zero.json": "numReplicas:exclusiveMinimum",
    "aks-numreplicas-string.json": "numReplicas:type",
    "aks-gpucores-negative.json": "gpuCores:minimum",
    "aks-gpucores-fraction.json": "gpuCores:type",
    "aks-target-utilization-over-100.json": "autoScaler/targetUtilization:maximum",
    "aks-target-utilization-zero.yaml": "autoScaler/targetUtilization:minimum",
    "aks-min-replicas-zero.json": "autoScaler/minReplicas:exclusiveMinimum",
    "aks-max-replicas-zero.json": "autoScaler/maxReplicas:exclusiveMinimum",
    "aks-refresh-period-zero.json": "autoScaler/refreshPeriodInSeconds:exclusiveMinimum",
    "aks-autoscale-enabled-string.json": "autoScaler/autoscaleEnabled:type",
    "aks-scoring-timeout-zero.json": "scoringTimeoutMs:exclusiveMinimum",
    "aks-max-queue-wait-negative.json": "maxQueueWaitMs:exclusiveMinimum",
    "aks-max-concurrent-zero.json": "maxConcurrentRequestsPerContainer:exclusiveMinimum",
    "aks-liveness-period-zero.json": "livenessProbeRequirements/periodSeconds:exclusiveMinimum",
    "aks-liveness-initial-delay-zero.json": "livenessProbeRequirements/initialDelaySeconds:exclusiveMinimum",
    "aks-liveness-timeout-zero.json": "livenessProbeRequirements/timeoutSeconds:exclusiveMinimum",
    "aks-liveness-success-zero.json": "livenessProbeRequirements/successThreshold:exclusiveMinimum",
    "aks-liveness-failure-zero.json": "livenessProbeRequirements/failureThreshold:exclusiveMinimum",
    "aks-cpu-zero.json": "containerResourceRequirements/cpu:exclusiveMinimum",
    "aks-cpu-limit-string.json": "containerResourceRequirements/cpuLimit:type",
    "aks-cpu-limit-zero.json": "containerResourceRequirements/cpuLimit:exclusiveMinimum",
    "aks-memory-zero.json": "containerResourceRequirements/memoryInGB:exclusiveMinimum",
    "aks-memory-limit-zero.json": "containerResourceRequirements/memoryInGBLimit:exclusiveMinimum",
    "aks-token-auth-number.json": "tokenAuthEnabled:type",
    "aks-data-collection-bool.json": "dataCollection:type",
    "aks-compute-target-number.json": "computeTargetName:type",
    # AKSENDPOINT
    "aksendpoint-traffic-over-100.json": "trafficPercentile:maximum",
    "aksendpoint-traffic-negative.json": "trafficPercentile:minimum",
    "aksendpoint-version-number.json": "versionName:type",
    "aksendpoint-numreplicas-null.json": "numReplicas:type",
}

# Each model class and the schema object it mirrors: (schema $id, JSON pointer).
MODEL_SCHEMAS: list[tuple[type[BaseModel], str, str]] = [
    (m.InferenceConfig, INFERENCE_CONFIG, ""),
    (m.BaseImageRegistry, INFERENCE_CONFIG, "/properties/baseImageRegistry"),
    (m.Environment, ENVIRONMENT, ""),
    (m.PythonSection, ENVIRONMENT, "/properties/python"),
    (m.CondaDependencies, ENVIRONMENT, "/properties/python/properties/condaDependencies"),
    (
        m.PipDependencies,
        ENVIRONMENT,
        "/properties/python/properties/condaDependencies/properties/dependencies/items",
    ),
    (m.DockerSection, ENVIRONMENT, "/properties/docker"),
    (m.DockerBuildContext, ENVIRONMENT, "/properties/docker/properties/buildContext"),
    (m.DockerRegistry, ENVIRONMENT, "/properties/docker/properties/baseImageRegistry"),
    (m.DockerPlatform, ENVIRONMENT, "/properties/docker/properties/platform"),
    (m.SparkSection, ENVIRONMENT, "/properties/spark"),
    (m.DatabricksSection, ENVIRONMENT, "/properties/databricks"),
    (m.RSection, ENVIRONMENT, "/properties/r"),
    (m.LocalDeploymentConfig, DEPLOYMENT_CONFIG, "/definitions/local"),
    (m.AciDeploymentConfig, DEPLOYMENT_CONFIG, "/definitions/aci"),
    (m.AciResources, DEPLOYMENT_CONFIG, "/definitions/aciContainerResourceRequirements"),
    (m.ServiceKeys, DEPLOYMENT_CONFIG, "/definitions/keys"),
    (m.AksDeploymentConfig, DEPLOYMENT_CONFIG, "/definitions/aks"),
    (m.AksResources, DEPLOYMENT_CONFIG, "/definitions/aksContainerResourceRequirements"),
    (m.AutoScaler, DEPLOYMENT_CONFIG, "/definitions/autoScaler"),
    (m.DataCollection, DEPLOYMENT_CONFIG, "/definitions/dataCollection"),
    (m.LivenessProbeRequirements, DEPLOYMENT_CONFIG, "/definitions/livenessProbeRequirements"),
    (m.AksEndpointDeploymentConfig, DEPLOYMENT_CONFIG, "/definitions/aksEndpoint"),
]

# Deployment branches: canonical computeType, definition name, model.
BRANCHES: list[tuple[str, str, type[BaseModel]]] = [
    ("local", "local", m.LocalDeploymentConfig),
    ("ACI", "aci", m.AciDeploymentConfig),
    ("AKS", "aks", m.AksDeploymentConfig),
    ("AKSENDPOINT", "aksEndpoint", m.AksEndpointDeploymentConfig),
]

# Parts of pydantic error locations that name a union member rather than a key.
UNION_LABELS = {"local", "ACI", "AKS", "AKSENDPOINT", "str"} | {model.__name__ for model, _id, _ptr in MODEL_SCHEMAS}

CONSTRAINT_KEYWORDS = ("enum", "minimum", "maximum", "exclusiveMinimum", "pattern", "required", "minLength")


# --- helpers -----------------------------------------------------------------------------------------------


@cache
def registry() -> Registry[Any]:
    resources = [(name, DRAFT7.create_resource(schema)) for name, schema in load_all().items()]
    return Registry().with_resources(resources)


@cache
def validator(schema_id: str) -> Draft7Validator:
    return Draft7Validator(load_schema(schema_id), registry=registry())


def pointer_validator(schema_id: str, pointer: str) -> Draft7Validator:
    return Draft7Validator({"$ref": f"{schema_id}#{pointer}"}, registry=registry())


def at_pointer(schema_id: str, pointer: str) -> Any:
    node: Any = load_schema(schema_id)
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def resolve(schema_id: str, pointer: str) -> tuple[str, str, dict[str, Any]]:
    """Follow ``$ref`` (in-file ``#/...`` or another schema's ``$id``) until a schema without one."""
    node = at_pointer(schema_id, pointer)
    while "$ref" in node:
        ref: str = node["$ref"]
        target, _, fragment = ref.partition("#")
        schema_id, pointer = (target or schema_id), fragment
        node = at_pointer(schema_id, pointer)
    return schema_id, pointer, node


def load_fixture(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yml", ".yaml"):
        return yaml.safe_load(text)
    return json.loads(text)


def schema_errors(kind: str, doc: Any) -> list[SchemaError]:
    return list(validator(ROOT_SCHEMA[kind]).iter_errors(doc))


def model_errors(kind: str, doc: Any) -> list[dict[str, Any]]:
    try:
        if kind == "inference":
            m.parse_inference_config(doc)
        else:
            m.parse_deployment_config(doc)
    except ValidationError as exc:
        return [dict(e) for e in exc.errors()]
    return []


def describe(doc: Any, s_errors: list[SchemaError], p_errors: list[dict[str, Any]]) -> str:
    schema_part = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in s_errors]
    model_part = [f"{e['loc']}: {e['msg']}" for e in p_errors]
    return f"document {json.dumps(doc, default=str)}\n  schema: {schema_part}\n  model: {model_part}"


def all_fixtures() -> list[tuple[str, Path]]:
    return [(kind, p) for kind in KINDS for p in sorted((FIXTURES / kind).iterdir()) if p.is_file()]


def walk(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every dict in a schema document with its JSON pointer, skipping ``if`` clauses (they only select)."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            if key in ("if", "examples", "default", "enum", "x-amldeploy", "x-errorMessage"):
                continue
            yield from walk(value, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{pointer}/{index}")


def property_schemas() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(schema id, pointer, key, property schema) for every member of every ``properties``."""
    for schema_id in SCHEMA_NAMES:
        for pointer, node in walk(load_schema(schema_id)):
            properties = node.get("properties")
            if isinstance(properties, dict):
                for key, prop in properties.items():
                    yield schema_id, f"{pointer}/properties/{key}", key, prop


# --- schema hygiene ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("schema_id", SCHEMA_NAMES)
def test_schema_is_valid_draft7(schema_id: str) -> None:
    schema = load_schema(schema_id)
    Draft7Validator.check_schema(schema)
    assert schema["$id"] == schema_id
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_schema_store_finds_the_repo_schemas() -> None:
    assert load_schema("inferenceconfig") is load_schema(INFERENCE_CONFIG)
    assert set(load_all()) == set(SCHEMA_NAMES)
    with pytest.raises(KeyError):
        load_schema("nope.schema.json")


def test_no_object_forbids_unknown_keys() -> None:
    # v1 silently ignored unknown keys; amldeploy reports them itself, so the schemas must not reject them.
    for schema_id in SCHEMA_NAMES:
        for pointer, node in walk(load_schema(schema_id)):
            assert node.get("additionalProperties") is not False, f"{schema_id}#{pointer}"


def test_every_key_is_documented() -> None:
    missing: list[str] = []
    for schema_id, pointer, _key, prop in property_schemas():
        if set(prop) == {"$ref"}:
            continue
        for field in ("type", "description", "markdownDescription", "examples", "x-amldeploy"):
            if field not in prop:
                missing.append(f"{schema_id}#{pointer}: {field}")
        if "default" in prop and "x-defaultDescription" in prop:
            missing.append(f"{schema_id}#{pointer}: both default and x-defaultDescription")
    for schema_id in SCHEMA_NAMES:
        schema = load_schema(schema_id)
        documented = [("", schema)] + [(f"/definitions/{k}", v) for k, v in schema.get("definitions", {}).items()]
        for pointer, node in documented:
            for field in ("description", "markdownDescription", "examples"):
                if field not in node:
                    missing.append(f"{schema_id}#{pointer}: {field}")
    assert not missing, "\n".join(missing)


def test_enum_descriptions_are_parallel() -> None:
    for schema_id in SCHEMA_NAMES:
        for pointer, node in walk(load_schema(schema_id)):
            if "enum" in node:
                assert len(node["markdownEnumDescriptions"]) == len(node["enum"]), f"{schema_id}#{pointer}"
            if "x-enumCaseInsensitive" in node:
                assert len(node["x-enumDescriptions"]) == len(node["x-enumCaseInsensitive"])
                for value in node["x-enumCaseInsensitive"]:
                    for variant in (value, value.lower(), value.upper()):
                        assert pointer_validator(schema_id, pointer).is_valid(variant)


def test_examples_and_defaults_validate() -> None:
    bad: list[str] = []
    for schema_id in SCHEMA_NAMES:
        for pointer, node in walk(load_schema(schema_id)):
            values = list(node.get("examples", []))
            if "default" in node:
                values.append(node["default"])
            check = pointer_validator(schema_id, pointer)
            bad.extend(f"{schema_id}#{pointer}: {v!r}" for v in values if not check.is_valid(v))
    assert not bad, "\n".join(bad)


def test_path_annotations() -> None:
    expected = {
        "entryScript": ("file", "sourceDirectory"),
        "condaFile": ("file", "sourceDirectory"),
        "extraDockerfileSteps": ("file", "sourceDirectory"),
        "sourceDirectory": ("directory", "configDirectory"),
        "sslCertificate": ("file", "configDirectory"),
        "sslKey": ("file", "configDirectory"),
    }
    found = {
        key: (prop["x-path"]["kind"], prop["x-path"]["relativeTo"])
        for _id, _pointer, key, prop in property_schemas()
        if "x-path" in prop
    }
    assert found == expected


def test_misspellings_point_at_real_keys() -> None:
    for schema_id in SCHEMA_NAMES:
        for pointer, node in walk(load_schema(schema_id)):
            for wrong, right in node.get("x-misspellings", {}).items():
                assert right in node["properties"] and wrong not in node["properties"], f"{schema_id}#{pointer}"


# --- structure: models mirror the schema objects -----------------------------------------------------------


def aliases(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


@pytest.mark.parametrize(("model", "schema_id", "pointer"), MODEL_SCHEMAS, ids=lambda v: getattr(v, "__name__", v))
def test_model_keys_equal_schema_properties(model: type[BaseModel], schema_id: str, pointer: str) -> None:
    node = at_pointer(schema_id, pointer)
    assert aliases(model) == set(node["properties"])


@pytest.mark.parametrize(("model", "schema_id", "pointer"), MODEL_SCHEMAS, ids=lambda v: getattr(v, "__name__", v))
def test_model_required_and_defaults_equal_schema(model: type[BaseModel], schema_id: str, pointer: str) -> None:
    node = at_pointer(schema_id, pointer)
    required = {field.alias or name for name, field in model.model_fields.items() if field.is_required()}
    # A branch is selected by computeType, so its definition need not repeat that it is required.
    assert required - {"computeType"} == set(node.get("required", [])) - {"computeType"}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if field.is_required():
            continue
        _id, _pointer, prop = resolve(schema_id, f"{pointer}/properties/{key}")
        default = field.get_default(call_default_factory=True)
        if "default" in prop:
            assert default == prop["default"], f"{model.__name__}.{name}"
            assert type(default) is not bool or type(prop["default"]) is bool
        else:
            assert default is None, f"{model.__name__}.{name}: schema has no literal default"


def test_every_schema_object_has_a_model() -> None:
    mirrored = {(schema_id, pointer) for _model, schema_id, pointer in MODEL_SCHEMAS}
    objects = {
        (schema_id, pointer)
        for schema_id in SCHEMA_NAMES
        for pointer, node in walk(load_schema(schema_id))
        if isinstance(node.get("properties"), dict)
    }
    # The deployment root only holds the dispatching computeType; the branches carry it too.
    assert objects - mirrored == {(DEPLOYMENT_CONFIG, "")}
    assert mirrored - objects == set()
    root_keys = set(load_schema(DEPLOYMENT_CONFIG)["properties"])
    for _ct, _definition, model in BRANCHES:
        assert root_keys <= aliases(model)


def test_branches_follow_compute_type() -> None:
    root = load_schema(DEPLOYMENT_CONFIG)
    branch_of = {clause["then"]["$ref"]: clause["if"] for clause in root["allOf"]}
    for compute_type, definition, model in BRANCHES:
        condition = branch_of[f"#/definitions/{definition}"]
        pattern = condition["properties"]["computeType"]["pattern"]
        assert pattern == m.COMPUTE_TYPE_PATTERNS[compute_type]
        assert condition["required"] == ["computeType"]
        for variant in (compute_type, compute_type.lower(), compute_type.upper(), compute_type.title()):
            parsed = m.parse_deployment_config({"computeType": variant})
            assert type(parsed) is model
            assert getattr(model, "compute_kind", None) == compute_type


# --- verdicts on the fixtures ------------------------------------------------------------------------------


def test_fixture_inventory() -> None:
    fixtures = all_fixtures()
    names = [p.name for _kind, p in fixtures]
    assert len(fixtures) >= 40
    assert len(names) == len(set(names)), "fixture names must be unique across kinds"
    invalid = {n for n in names if not n.startswith(VALID_PREFIXES)}
    assert invalid == set(INVALID), "every invalid fixture needs an entry in INVALID, and vice versa"
    assert any(n.endswith((".yml", ".yaml")) for n in names)
    for _compute_type, _definition, model in BRANCHES:
        assert any(
            not p.name.startswith("xfield-")
            and p.name.startswith(VALID_PREFIXES)
            and kind == "deployment"
            and type(m.parse_deployment_config(load_fixture(p))) is model
            for kind, p in fixtures
        ), f"no valid fixture for {model.__name__}"


@pytest.mark.parametrize(("kind", "path"), all_fixtures(), ids=lambda v: getattr(v, "name", v))
def test_fixture_schema_and_model_agree(kind: str, path: Path) -> None:
    doc = load_fixture(path)
    s_errors = schema_errors(kind, doc)
    p_errors = model_errors(kind, doc)
    assert bool(s_errors) == bool(p_errors), describe(doc, s_errors, p_errors)
    if path.name.startswith(VALID_PREFIXES):
        assert not s_errors, describe(doc, s_errors, p_errors)
        return
    where, _, keyword = INVALID[path.name].rpartition(":")
    expected_path = [int(p) if p.isdigit() else p for p in where.split("/")] if where else []
    assert s_errors, f"{path.name} should be invalid"
    assert {tuple(e.absolute_path) for e in s_errors} == {tuple(expected_path)}, describe(doc, s_errors, p_errors)
    assert keyword in {e.validator for e in s_errors}, describe(doc, s_errors, p_errors)
    # The model complains about the same spot (or, for computeType, about the document as a whole).
    locs = [tuple(x for x in e["loc"] if x not in UNION_LABELS) for e in p_errors]
    target = tuple(expected_path)
    assert any(loc[: len(target)] == target or target[: len(loc)] == loc for loc in locs), describe(
        doc, s_errors, p_errors
    )


def schema_locations() -> dict[int, tuple[str, str]]:
    return {
        id(node): (schema_id, pointer) for schema_id in SCHEMA_NAMES for pointer, node in walk(load_schema(schema_id))
    }


def test_invalid_fixtures_cover_every_constraint() -> None:
    constraints = {
        (schema_id, pointer, keyword)
        for schema_id in SCHEMA_NAMES
        for pointer, node in walk(load_schema(schema_id))
        for keyword in CONSTRAINT_KEYWORDS
        if keyword in node and not (keyword == "enum" and pointer.endswith("/properties/computeType"))
    }
    where = schema_locations()
    hit: set[tuple[str, str, str]] = set()
    for kind, path in all_fixtures():
        for error in schema_errors(kind, load_fixture(path)):
            if id(error.schema) in where:
                hit.add((*where[id(error.schema)], str(error.validator)))
    # AKSENDPOINT refers to the AKS keys, so hitting them through an AKS document covers both.
    missing = sorted(constraints - hit)
    assert not missing, "no invalid fixture breaks:\n" + "\n".join(map(str, missing))


# --- verdicts on generated documents -----------------------------------------------------------------------

GENERIC_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    0.5,
    2.0,
    70000,
    "",
    "x",
    "8890",
    "Bad_NS",
    [],
    ["x"],
    [1],
    [None],
    [{}],
    [{"pip": ["a"]}],
    [{"pip": "a"}],
    ["python=3.10", {"pip": ["a"], "other": 1}],
    {},
    {"a": "b"},
    {"a": 1},
    {"pip": ["x"]},
]


def candidate_values(prop: dict[str, Any]) -> list[Any]:
    values = list(GENERIC_VALUES)
    values += prop.get("examples", [])
    values += prop.get("enum", [])
    if "default" in prop:
        values.append(prop["default"])
    for keyword in ("minimum", "maximum", "exclusiveMinimum"):
        if keyword in prop:
            bound = prop[keyword]
            values += [bound - 1, bound - 0.5, bound, float(bound), bound + 0.5, bound + 1, float(bound + 1)]
    if "pattern" in prop:
        values += ["default", "a" * 63, "a" * 64, "-a", "a-", "A", "ml-services"]
    return values


def documents_per_key() -> list[tuple[str, str, dict[str, Any], tuple[str, ...], str, str]]:
    """(kind, id, base document, key path, schema id, pointer) for every key reachable from a root."""
    starts: list[tuple[str, dict[str, Any], str, str]] = [
        ("inference", {"entryScript": "score.py"}, INFERENCE_CONFIG, ""),
    ]
    starts += [
        ("deployment", {"computeType": compute_type}, DEPLOYMENT_CONFIG, f"/definitions/{definition}")
        for compute_type, definition, _model in BRANCHES
    ]
    out: list[tuple[str, str, dict[str, Any], tuple[str, ...], str, str]] = []

    def visit(kind: str, base: dict[str, Any], schema_id: str, pointer: str, path: tuple[str, ...]) -> None:
        schema_id, pointer, node = resolve(schema_id, pointer)
        for key in node.get("properties", {}):
            if path == () and key in ("computeType", "entryScript"):
                continue
            child = (*path, key)
            ident = f"{base.get('computeType', 'ic')}:{'/'.join(child)}"
            out.append((kind, ident, base, child, schema_id, f"{pointer}/properties/{key}"))
            visit(kind, base, schema_id, f"{pointer}/properties/{key}", child)

    for kind, base, schema_id, pointer in starts:
        visit(kind, base, schema_id, pointer, ())
    return out


def with_value(base: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    node = doc
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = copy.deepcopy(value)
    return doc


@pytest.mark.parametrize(
    ("kind", "base", "path", "schema_id", "pointer"),
    [pytest.param(k, b, p, s, ptr, id=ident) for k, ident, b, p, s, ptr in documents_per_key()],
)
def test_generated_documents_agree(
    kind: str, base: dict[str, Any], path: tuple[str, ...], schema_id: str, pointer: str
) -> None:
    _id, _pointer, prop = resolve(schema_id, pointer)
    for value in candidate_values(prop):
        if isinstance(value, float) and not math.isfinite(value):
            continue
        doc = with_value(base, path, value)
        s_errors = schema_errors(kind, doc)
        p_errors = model_errors(kind, doc)
        assert bool(s_errors) == bool(p_errors), describe(doc, s_errors, p_errors)


@pytest.mark.parametrize(
    "value",
    ["local", "LOCAL", "Aci", "aKs", "AksEndpoint", "k8s", "mir", "", " aci", 1, None, True, [], {}],
    ids=repr,
)
def test_generated_compute_types_agree(value: Any) -> None:
    for doc in ({"computeType": value}, {"computeType": value, "port": 1, "numReplicas": 2}):
        s_errors = schema_errors("deployment", doc)
        p_errors = model_errors("deployment", doc)
        assert bool(s_errors) == bool(p_errors), describe(doc, s_errors, p_errors)


@pytest.mark.parametrize("doc", [None, [], "score.py", 1, {}], ids=repr)
def test_generated_roots_agree(doc: Any) -> None:
    for kind in KINDS:
        assert bool(schema_errors(kind, doc)) == bool(model_errors(kind, doc))

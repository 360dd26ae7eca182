"""One entry point per document kind: parse, schema, v1 rules, all problems at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from amldeploy.language.files import DiskFiles, FileAccess
from amldeploy.language.names import CONFIG_SUFFIXES as CONFIG_SUFFIXES
from amldeploy.language.names import Kind as Kind
from amldeploy.language.names import kind_by_patterns
from amldeploy.language.parse.documents import ParsedDocument, detect_language, gc_paused, parse_document
from amldeploy.language.parse.nodes import Node
from amldeploy.language.problems import Problem, sort_problems
from amldeploy.language.rules.deployment import check_deployment, compute_type
from amldeploy.language.rules.inference import check_inference
from amldeploy.language.schema.validator import DEPLOYMENT_RULES, INFERENCE_RULES, SchemaValidator

# `^[ \t]*`, not `^\s*`: a blank run would be rescanned from each of its line starts (quadratic).
_INFERENCE_KEY = re.compile(r"""^[ \t\r]*["']?entryScript["']?[ \t]*:""", re.MULTILINE)
_DEPLOYMENT_KEY = re.compile(r"""^[ \t\r]*["']?computeType["']?[ \t]*:|[{,]\s*"computeType"\s*:""", re.MULTILINE)
_INFERENCE_KEY_JSON = re.compile(r"""[{,]\s*"entryScript"\s*:""")


def kind_from_name(path: Path) -> Kind | None:
    name = path.name
    if name.lower().endswith(".py"):
        return Kind.ENTRY_SCRIPT
    if not name.lower().endswith(CONFIG_SUFFIXES):
        return None
    return kind_by_patterns(name)


def kind_from_content(text: str) -> Kind | None:
    """Recognise a config by its keys (``entryScript`` / ``computeType``) when its name says nothing."""
    if _INFERENCE_KEY.search(text) or _INFERENCE_KEY_JSON.search(text):
        return Kind.INFERENCE
    if _DEPLOYMENT_KEY.search(text):
        return Kind.DEPLOYMENT
    return None


def classify(path: Path, text: str) -> Kind | None:
    return kind_from_name(path) or (kind_from_content(text) if path.name.lower().endswith(CONFIG_SUFFIXES) else None)


@dataclass(slots=True)
class ConfigResult:
    kind: Kind
    document: ParsedDocument
    problems: list[Problem] = field(default_factory=list)


_VALIDATORS: dict[Kind, SchemaValidator] = {}


def schema_validator(kind: Kind) -> SchemaValidator:
    validator = _VALIDATORS.get(kind)
    if validator is None:
        if kind == Kind.INFERENCE:
            validator = SchemaValidator("inferenceconfig.schema.json", INFERENCE_RULES)
        else:
            validator = SchemaValidator("deploymentconfig.schema.json", DEPLOYMENT_RULES)
        _VALIDATORS[kind] = validator
    return validator


def validate_config(text: str, path: Path, kind: Kind, files: FileAccess | None = None) -> ConfigResult:
    """All problems of an inference or deployment config. ``path`` locates the files it names."""
    with gc_paused():
        return _validate_config(text, path, kind, files or DiskFiles())


def _validate_config(text: str, path: Path, kind: Kind, files: FileAccess) -> ConfigResult:
    document = parse_document(text, detect_language(text, path.name))
    problems = list(document.problems)
    root = document.root
    if root is not None and root.kind == "object":
        generic = schema_validator(kind).validate(root)
        config_dir = path.parent if path.parent != Path("") else Path(".")
        specific = (
            check_inference(root, config_dir, files)
            if kind == Kind.INFERENCE
            else check_deployment(root, config_dir, files)
        )
        problems.extend(document.outside_skipped(_merge(generic, specific, kind, root)))
    return ConfigResult(kind, document, sort_problems(problems))


def _merge(generic: list[Problem], specific: list[Problem], kind: Kind, root: Node) -> list[Problem]:
    """A specific rule at the same place as a generic unknown-key warning replaces it."""
    rules = INFERENCE_RULES if kind == Kind.INFERENCE else DEPLOYMENT_RULES
    taken = {(p.start, p.end) for p in specific}
    unknown_type = kind == Kind.DEPLOYMENT and compute_type(root) is None
    kept = []
    for p in generic:
        if p.code == rules.unknown.code:
            if (p.start, p.end) in taken:
                continue
            # With no known computeType every branch key would look unknown: only the real strangers count.
            if unknown_type and p.data and p.data.get("knownIn"):
                continue
        kept.append(p)
    return kept + specific


def validate_script(text: str) -> list[Problem]:
    from amldeploy.language.entry_script.lint import lint_entry_script

    return sort_problems(lint_entry_script(text))

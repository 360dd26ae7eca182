"""Settings of the language server, from ``initializationOptions`` and ``workspace/configuration``.

The section is ``amldeploy``; every key is optional. Unknown keys and wrong types are ignored (and logged),
never fatal: a bad setting must not take the editor's diagnostics down.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from amldeploy.language.names import DEFAULT_PATTERNS, Kind, kind_by_patterns

SECTION = "amldeploy"
SEVERITIES = ("error", "warning", "information", "hint", "off")
# ``amldeploy.<group>.<key>``: the settings of the deploy targets (strings; unset is None).
TARGET_SETTINGS = (
    "aci.subscription",
    "aci.resourceGroup",
    "aci.region",
    "aci.registry",
    "aci.armEndpoint",
    "kubernetes.context",
    "kubernetes.namespace",
    "kubernetes.registry",
    "docker.defaultBaseImage",
    "docker.caBundle",
    "models.registry",
)
# Target settings the targets read from the environment, as on the command line: the server is one process per
# editor window, so the editor's setting becomes its environment (and unsetting it brings back what was there).
ENVIRONMENT_SETTINGS = {
    "docker.defaultBaseImage": "AMLDEPLOY_DOCKER_BASE_IMAGE",
    "docker.caBundle": "AMLDEPLOY_DOCKER_CA_BUNDLE",
    "models.registry": "AMLDEPLOY_MODEL_REGISTRY",  # amldeploy.ops.registry.REGISTRY_ENV
}
MAX_POLL_MS = 600_000


@dataclass(frozen=True, slots=True)
class Settings:
    # File name patterns (fnmatch, case-insensitive) that mark a document as one of the three kinds.
    # (defaults: the one table of ``language/names.py``, which ``amldeploy validate`` uses too).
    inference_patterns: tuple[str, ...] = DEFAULT_PATTERNS[Kind.INFERENCE]
    deployment_patterns: tuple[str, ...] = DEFAULT_PATTERNS[Kind.DEPLOYMENT]
    entry_script_patterns: tuple[str, ...] = DEFAULT_PATTERNS[Kind.ENTRY_SCRIPT]
    # Recognise configs by their keys (entryScript / computeType) when the name says nothing.
    detect_by_content: bool = True
    # Publish the pure JSON syntax problems of JSON documents. An editor whose own JSON service reports them
    # (VS Code) turns this off, so that a trailing comma is reported once.
    json_syntax: bool = True
    severity_overrides: dict[str, str] = field(default_factory=dict)
    disabled_rules: frozenset[str] = frozenset()
    debounce_ms: int = 0
    # How often the services an editor shows are looked at again (0: only after deploy and delete).
    services_poll_ms: int = 3000
    # Settings of the deploy targets, as ``{"aci.subscription": ..., "kubernetes.context": ...}`` (``TARGET_SETTINGS``
    # are the keys; None when not set): the editor passes them, targets read them.
    target_settings: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(TARGET_SETTINGS))

    def kind_by_name(self, name: str) -> str | None:
        patterns = {
            Kind.INFERENCE: self.inference_patterns,
            Kind.DEPLOYMENT: self.deployment_patterns,
            Kind.ENTRY_SCRIPT: self.entry_script_patterns,
        }
        kind = kind_by_patterns(name, patterns)
        return kind.value if kind is not None else None

    def severity_of(self, code: str, severity: int) -> int | None:
        """The LSP severity (1 error … 4 hint) a problem is shown with, or None when it is not shown."""
        if code in self.disabled_rules:
            return None
        override = self.severity_overrides.get(code)
        if override == "off":
            return None
        return SEVERITIES.index(override) + 1 if override else severity


def apply_environment(
    target_settings: Mapping[str, str | None], environ: MutableMapping[str, str], original: Mapping[str, str | None]
) -> None:
    """Put the ``ENVIRONMENT_SETTINGS`` of ``target_settings`` into ``environ``; an unset one gets back its
    ``original`` value (what the server started with), or leaves ``environ`` when there was none."""
    for key, variable in ENVIRONMENT_SETTINGS.items():
        value = target_settings.get(key) or original.get(variable)
        if value:
            environ[variable] = value
        else:
            environ.pop(variable, None)


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def parse_settings(raw: Any, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from a JSON object (the ``amldeploy`` section, or an object holding it); warnings for bad keys."""
    base = base or Settings()
    warnings: list[str] = []
    if not isinstance(raw, dict):
        return base, [] if raw is None else [f"settings must be an object, not {type(raw).__name__}"]
    if isinstance(raw.get(SECTION), dict):
        raw = raw[SECTION]
    values: dict[str, Any] = {}
    associations = raw.get("fileAssociations")
    if isinstance(associations, dict):
        for key, attr in (
            ("inference", "inference_patterns"),
            ("deployment", "deployment_patterns"),
            ("entryScript", "entry_script_patterns"),
        ):
            if key in associations:
                patterns = _strings(associations[key])
                if patterns is None:
                    warnings.append(f"fileAssociations.{key} must be a list of file name patterns")
                else:
                    values[attr] = patterns
    elif associations is not None:
        warnings.append("fileAssociations must be an object {inference, deployment, entryScript}")
    if "detectByContent" in raw:
        if isinstance(raw["detectByContent"], bool):
            values["detect_by_content"] = raw["detectByContent"]
        else:
            warnings.append("detectByContent must be true or false")
    if "jsonSyntax" in raw:
        if isinstance(raw["jsonSyntax"], bool):
            values["json_syntax"] = raw["jsonSyntax"]
        else:
            warnings.append("jsonSyntax must be true or false")
    overrides = raw.get("severityOverrides")
    if isinstance(overrides, dict):
        good = {str(k): str(v).lower() for k, v in overrides.items() if str(v).lower() in SEVERITIES}
        bad = [str(k) for k, v in overrides.items() if str(v).lower() not in SEVERITIES]
        if bad:
            warnings.append(f"severityOverrides for {', '.join(bad)}: use one of {', '.join(SEVERITIES)}")
        values["severity_overrides"] = good
    elif overrides is not None:
        warnings.append("severityOverrides must be an object {CODE: severity}")
    disabled = raw.get("disabledRules")
    if disabled is not None:
        codes = _strings(disabled)
        if codes is None:
            warnings.append("disabledRules must be a list of rule codes")
        else:
            values["disabled_rules"] = frozenset(c.upper() for c in codes)
    debounce = raw.get("debounceMs")
    if debounce is not None:
        if isinstance(debounce, int) and not isinstance(debounce, bool) and 0 <= debounce <= 5000:
            values["debounce_ms"] = debounce
        else:
            warnings.append("debounceMs must be an integer from 0 to 5000")
    poll = raw.get("servicesPollMs")
    if poll is not None:
        if isinstance(poll, int) and not isinstance(poll, bool) and 0 <= poll <= MAX_POLL_MS:
            values["services_poll_ms"] = poll
        else:
            warnings.append(f"servicesPollMs must be an integer from 0 (off) to {MAX_POLL_MS}")
    targets = _target_settings(raw, base.target_settings, warnings)
    if targets is not None:
        values["target_settings"] = targets
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    fields.update(values)
    return Settings(**fields), warnings


def _target_settings(
    raw: dict[str, Any], base: dict[str, str | None], warnings: list[str]
) -> dict[str, str | None] | None:
    """``aci: {subscription, ...}`` and ``kubernetes: {...}`` objects, or the same keys spelled out
    (``"aci.subscription"``), as editors send them. None when none is given."""
    found: dict[str, str | None] = {}
    for setting in TARGET_SETTINGS:
        group, key = setting.split(".")
        section = raw.get(group)
        if isinstance(section, dict) and key in section:
            value = section[key]
        elif setting in raw:
            value = raw[setting]
        else:
            continue
        if isinstance(value, str):
            found[setting] = value.strip() or None
        elif value is None:
            found[setting] = None
        else:
            warnings.append(f"{setting} must be a string")
    for group in {s.split(".")[0] for s in TARGET_SETTINGS}:
        if group in raw and not isinstance(raw[group], dict) and raw[group] is not None:
            warnings.append(f"{group} must be an object {{{', '.join(_keys_of(group))}}}")
    return {**base, **found} if found else None


def _keys_of(group: str) -> list[str]:
    return [s.split(".")[1] for s in TARGET_SETTINGS if s.startswith(group + ".")]

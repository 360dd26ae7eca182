"""Which file a name marks as an inference config, a deployment config or an entry script: the one table that
``amldeploy validate``, the language server's default ``fileAssociations`` and the editor all use.

Standard library only, so that the language server can read its defaults at start-up without the language core.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from enum import Enum


class Kind(str, Enum):
    INFERENCE = "inference-config"
    DEPLOYMENT = "deployment-config"
    ENTRY_SCRIPT = "entry-script"


CONFIG_SUFFIXES = (".json", ".yml", ".yaml")

# The spellings found in v1's docs and samples (inferenceconfig.json, deploymentconfig.json, deploy_config.yml)
# and their hyphenated and underscored twins.
_STEMS = {
    Kind.INFERENCE: ("inferenceconfig", "inference_config", "inference-config"),
    Kind.DEPLOYMENT: (
        "deploymentconfig",
        "deployment_config",
        "deployment-config",
        "deployconfig",
        "deploy_config",
        "deploy-config",
    ),
}

# fnmatch patterns, matched case-insensitively against a file's name.
DEFAULT_PATTERNS: dict[Kind, tuple[str, ...]] = {
    **{
        kind: tuple(f"*{stem}*{suffix}" for stem in stems for suffix in CONFIG_SUFFIXES)
        for kind, stems in _STEMS.items()
    },
    Kind.ENTRY_SCRIPT: ("score.py",),
}


def kind_by_patterns(name: str, patterns: Mapping[Kind, Sequence[str]] = DEFAULT_PATTERNS) -> Kind | None:
    """The kind the first matching pattern gives ``name`` (inference, then deployment, then entry script)."""
    lower = name.lower()
    for kind in (Kind.INFERENCE, Kind.DEPLOYMENT, Kind.ENTRY_SCRIPT):
        if any(fnmatch.fnmatchcase(lower, pattern.lower()) for pattern in patterns.get(kind, ())):
            return kind
    return None

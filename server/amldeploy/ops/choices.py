"""The values a target setting can take on this machine: Azure subscriptions from the Azure CLI's profile and
Kubernetes contexts from the kubeconfig. Read from files only (no SDK, no network); where they live can be
given, so that tests and callers with another environment can point elsewhere.

A missing or unreadable file is no error: the answer is empty and ``source`` says where it looked and how to
create the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import EXIT_USAGE, OpsError

AZURE_PROFILE = "azureProfile.json"
SETTINGS = ("aci.subscription", "kubernetes.context")


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    description: str | None = None

    def to_json(self) -> dict[str, str]:
        data = {"value": self.value, "label": self.label}
        if self.description:
            data["description"] = self.description
        return data


@dataclass(frozen=True, slots=True)
class Choices:
    source: str  # where the values come from, or where they were looked for and how to create them
    choices: list[Choice] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"choices": [c.to_json() for c in self.choices], "source": self.source}


def choices_for(setting: str, environ: Mapping[str, str] | None = None, home: Path | None = None) -> Choices:
    """The choices of ``setting`` (one of ``SETTINGS``); ``OpsError`` for another setting."""
    env = os.environ if environ is None else environ
    if setting == "aci.subscription":
        return azure_subscriptions(azure_config_dir(env, home))
    if setting == "kubernetes.context":
        return kube_contexts(kubeconfig_paths(env, home))
    raise OpsError(
        f"there are no choices for the setting '{setting}'", f"ask for one of: {', '.join(SETTINGS)}", EXIT_USAGE
    )


# --- Azure ---------------------------------------------------------------------------------------------------


def azure_config_dir(environ: Mapping[str, str], home: Path | None = None) -> Path:
    """``$AZURE_CONFIG_DIR``, else ``~/.azure`` (where the Azure CLI keeps its profile)."""
    configured = environ.get("AZURE_CONFIG_DIR")
    return Path(configured) if configured else (home or Path.home()) / ".azure"


def azure_subscriptions(config_dir: Path) -> Choices:
    """The subscriptions of the Azure CLI profile in ``config_dir`` (``az login`` writes it; ``az account set``
    marks the default)."""
    path = config_dir / AZURE_PROFILE
    try:
        # The Azure CLI writes it with a byte order mark.
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        return Choices(f"no Azure CLI profile at {path}: run 'az login' to sign in, then choose again")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Choices(f"the Azure CLI profile {path} is unreadable ({exc}): run 'az login' to write it again")
    subscriptions = data.get("subscriptions") if isinstance(data, dict) else None
    choices = []
    for item in subscriptions if isinstance(subscriptions, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            continue
        name = item.get("name")
        label: str = name if isinstance(name, str) and name else item["id"]
        parts = ["default"] if item.get("isDefault") is True else []
        if isinstance(item.get("tenantId"), str) and item["tenantId"]:
            parts.append(f"tenant {item['tenantId']}")
        choices.append(Choice(item["id"], label, " · ".join(parts) or None))
    if not choices:
        return Choices(f"the Azure CLI profile {path} lists no subscription: run 'az login' to sign in")
    return Choices(f"the Azure CLI profile {path}", choices)


# --- Kubernetes ----------------------------------------------------------------------------------------------


def kubeconfig_paths(environ: Mapping[str, str], home: Path | None = None) -> list[Path]:
    """``$KUBECONFIG`` (a list like ``PATH``), else ``~/.kube/config``, as kubectl reads them."""
    configured = environ.get("KUBECONFIG")
    if configured:
        paths = [Path(p) for p in configured.split(os.pathsep) if p]
        if paths:
            return paths
    return [(home or Path.home()) / ".kube" / "config"]


def kube_contexts(paths: list[Path]) -> Choices:
    """The contexts of the kubeconfig ``paths``, merged as kubectl merges them: the first file that names a
    context, or sets ``current-context``, wins."""
    import yaml

    contexts: dict[str, dict[str, Any]] = {}
    current: str | None = None
    read: list[Path] = []
    unreadable: list[str] = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            unreadable.append(f"{path} is unreadable ({_first_line(exc)})")
            continue
        read.append(path)
        if not isinstance(data, dict):
            continue
        if current is None and isinstance(data.get("current-context"), str) and data["current-context"]:
            current = data["current-context"]
        for item in data.get("contexts") or []:
            if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"] not in contexts:
                context = item.get("context")
                contexts[item["name"]] = context if isinstance(context, dict) else {}
    where = ", ".join(str(p) for p in paths)
    if not read:
        problem = "; ".join(unreadable) if unreadable else f"no kubeconfig at {where}"
        return Choices(
            f"{problem}: connect to a cluster first (for AKS: 'az aks get-credentials --resource-group GROUP "
            "--name CLUSTER'), or point KUBECONFIG at your kubeconfig"
        )
    choices = []
    for name, context in contexts.items():
        parts = ["current"] if name == current else []
        if isinstance(context.get("cluster"), str) and context["cluster"]:
            parts.append(f"cluster {context['cluster']}")
        if isinstance(context.get("namespace"), str) and context["namespace"]:
            parts.append(f"namespace {context['namespace']}")
        choices.append(Choice(name, name, " · ".join(parts) or None))
    source = f"the kubeconfig {', '.join(str(p) for p in read)}"
    if unreadable:
        source += f" ({'; '.join(unreadable)})"
    if not choices:
        source += ": it has no context; 'kubectl config set-context' adds one"
    return Choices(source, choices)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

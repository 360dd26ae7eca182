"""Compute targets by name: records that say where a service goes, so that ``--ct myaks`` (v1's
``--compute-target``) resolves to a target and its settings.

A record is one JSON file, ``computetargets/<name>.json``, in the user's data folder (``$AMLDEPLOY_DATA_DIR``, else
``$XDG_DATA_HOME/amldeploy``, else ``~/.local/share/amldeploy``). It holds the target (``kubernetes``, ``aci``,
``docker`` or ``process``) and its target settings under the keys the editor's ``amldeploy.<target>.<key>``
settings and the command line's flags already use (``kubernetes.context``, ``aci.subscription``, ...). No secret
is ever recorded: registries authenticate through ``docker login`` and Azure through azure-identity.

Names follow v1's compute name rule (letters, digits and '-', 2 to 16 characters, starting with a letter and
ending with a letter or digit). Records are written atomically (a temporary file renamed into place), so
concurrent writers never leave half a record, and a record that cannot be read is reported with its file and
the fix.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import EXIT_FAILED, EXIT_USAGE, OpsError
from amldeploy.ops.places import data_dir

FOLDER = "computetargets"
FORMAT = 1

# The record types, the amldeploy target each deploys to, and the target settings a record of it may hold.
TYPE_SETTINGS: dict[str, tuple[str, ...]] = {
    "kubernetes": ("kubernetes.context", "kubernetes.namespace", "kubernetes.kubeconfig", "kubernetes.registry"),
    "aci": ("aci.subscription", "aci.resourceGroup", "aci.region", "aci.registry", "aci.armEndpoint"),
    "docker": ("docker.host",),
    "process": (),
}
TYPES = tuple(TYPE_SETTINGS)
# Spellings a user may give for a type (v1 called a Kubernetes cluster AKS).
TYPE_ALIASES = {"aks": "kubernetes", "k8s": "kubernetes", "local": "docker"}
# The deployment configs' computeTypes each type takes without --target. The local targets run any config (as
# ``--target docker|process`` does, with its front-end settings), so they are not listed.
COMPUTE_TYPES: dict[str, tuple[str, ...]] = {"kubernetes": ("AKS", "AKSENDPOINT"), "aci": ("ACI",)}
# v1's computeType for a record's ``show`` output.
V1_COMPUTE_TYPE = {"kubernetes": "AKS", "aci": "ACI", "docker": "Local", "process": "Local"}
# The environment a docker record's ``docker.host`` is given to (the Docker SDK reads it).
DOCKER_HOST_SETTING = "docker.host"

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,14}[A-Za-z0-9]")
NAME_RULE = (
    "a compute target name has 2 to 16 letters, digits and '-', starts with a letter and ends with a letter or digit"
)
_RESOURCE_ID = re.compile(
    r"/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<group>[^/]+)/providers/"
    r"(?P<provider>Microsoft\.ContainerService/managedClusters|Microsoft\.Kubernetes/connectedClusters)/"
    r"(?P<cluster>[^/]+)/?",
    re.IGNORECASE,
)


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid compute target name (v1's rule), or None."""
    if _NAME.fullmatch(name):
        return None
    return f"'{name}' is not a valid compute target name: {NAME_RULE}"


def normal_type(text: str) -> str:
    """The record type ``text`` names (``aks`` is ``kubernetes``); ``OpsError`` listing the types otherwise."""
    wanted = TYPE_ALIASES.get(text.lower(), text.lower())
    if wanted not in TYPE_SETTINGS:
        raise OpsError(f"unknown compute target type '{text}'", f"use one of: {', '.join(TYPES)}", EXIT_USAGE)
    return wanted


@dataclass(frozen=True)
class AksResource:
    """What an AKS (or Arc-enabled Kubernetes) resource id names."""

    subscription: str
    resource_group: str
    cluster: str
    kind: str  # "managedClusters" or "connectedClusters"


def parse_resource_id(resource_id: str) -> AksResource:
    """The parts of ``/subscriptions/S/resourceGroups/G/providers/Microsoft.ContainerService/managedClusters/C``
    (or ``Microsoft.Kubernetes/connectedClusters/C``); ``OpsError`` saying what a resource id looks like."""
    match = _RESOURCE_ID.fullmatch(resource_id.strip())
    if match is None:
        raise OpsError(
            f"'{resource_id}' is not the resource id of an AKS cluster",
            "give it as /subscriptions/SUB/resourceGroups/GROUP/providers/Microsoft.ContainerService/"
            "managedClusters/CLUSTER ('az aks show -n CLUSTER -g GROUP --query id -o tsv' prints it)",
            EXIT_USAGE,
        )
    return AksResource(match["subscription"], match["group"], match["cluster"], match["provider"].rsplit("/", 1)[1])


@dataclass(frozen=True)
class ComputeTarget:
    """A named target: its type and the target settings it supplies."""

    name: str
    type: str
    settings: dict[str, str] = field(default_factory=dict)
    resource_id: str | None = None
    description: str | None = None
    created: str = ""
    path: Path | None = None  # the record's file, once stored

    @property
    def target(self) -> str:
        """The amldeploy target it deploys to."""
        return self.type

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"format": FORMAT, "name": self.name, "type": self.type, "settings": self.settings}
        if self.resource_id:
            record["resourceId"] = self.resource_id
        if self.description:
            record["description"] = self.description
        record["created"] = self.created
        return record

    def to_json(self) -> dict[str, Any]:
        """What ``show --output json`` prints and the editor receives (v1's ``computeType`` included)."""
        data = self.to_record()
        del data["format"]
        data["target"] = self.target
        data["computeType"] = V1_COMPUTE_TYPE[self.type]
        if self.path is not None:
            data["file"] = str(self.path)
        return data

    def rows(self) -> list[tuple[str, str]]:
        rows = [("name", self.name), ("type", self.type)]
        rows += [(key, value) for key, value in self.settings.items()]
        if self.resource_id:
            rows.append(("resource id", self.resource_id))
        if self.description:
            rows.append(("description", self.description))
        if self.path is not None:
            rows.append(("file", str(self.path)))
        return rows


def make_target(
    name: str,
    type_: str,
    settings: Mapping[str, str | None],
    resource_id: str | None = None,
    description: str | None = None,
) -> ComputeTarget:
    """A checked record: a valid name, a known type, only the settings its type has, no credentials."""
    problem = name_problem(name)
    if problem:
        raise OpsError(problem, "choose a name like 'myaks'", EXIT_USAGE)
    kind = normal_type(type_)
    allowed = TYPE_SETTINGS[kind]
    given = {key: value.strip() for key, value in settings.items() if value is not None and value.strip()}
    foreign = [key for key in given if key not in allowed]
    if foreign:
        what = ", ".join(allowed) if allowed else "no settings"
        raise OpsError(
            f"{_a(kind)} compute target has no setting {', '.join(foreign)}",
            f"{_a(kind)} target takes {what}",
            EXIT_USAGE,
        )
    for key, value in given.items():
        if key.endswith(".registry") and ("@" in value or "://" in value):
            raise OpsError(
                f"{key} '{value}' holds more than HOST[/NAMESPACE]",
                "give the registry as HOST[/NAMESPACE]; credentials are never recorded (run 'docker login HOST')",
                EXIT_USAGE,
            )
        if key == "kubernetes.kubeconfig":
            given[key] = str(Path(value).expanduser().resolve())
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return ComputeTarget(name, kind, given, resource_id, description, created)


class ComputeTargets:
    """The records in ``root`` (default: ``data_dir()/computetargets``)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else data_dir() / FOLDER

    def path_of(self, name: str) -> Path:
        return self.root / f"{name}.json"

    def names(self) -> list[str]:
        """The recorded names, sorted (unreadable records included)."""
        try:
            files = [p for p in self.root.iterdir() if p.suffix == ".json" and not p.name.startswith(".")]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise OpsError(f"cannot read the compute targets in {self.root}: {exc.strerror}") from exc
        return sorted(p.stem for p in files)

    def get(self, name: str) -> ComputeTarget:
        """The record ``name``; ``OpsError`` naming the known ones (and how to add one) when there is none."""
        path = self.path_of(name)
        if name_problem(name) is None and path.is_file():
            return self._read(path)
        known = self.names()
        listed = f"known: {', '.join(known)}" if known else "none is recorded yet"
        raise OpsError(
            f"there is no compute target named '{name}' ({listed})",
            f"add it with 'amldeploy target add {name if name_problem(name) is None else 'NAME'} --type kubernetes "
            "--context CONTEXT' (or --type aci|docker|process), or 'amldeploy ml computetarget attach aks -n NAME "
            "-i RESOURCE_ID'; 'amldeploy target list' lists them",
            EXIT_USAGE,
        )

    def list(self) -> tuple[list[ComputeTarget], list[OpsError]]:
        """Every readable record, and an error for each unreadable one (one bad file does not hide the rest)."""
        found: list[ComputeTarget] = []
        problems: list[OpsError] = []
        for name in self.names():
            try:
                found.append(self._read(self.path_of(name)))
            except OpsError as exc:
                problems.append(exc)
        return found, problems

    def add(self, target: ComputeTarget, overwrite: bool = False) -> ComputeTarget:
        """Record ``target``; an existing name is refused unless ``overwrite``."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.path_of(target.name)
        clash = [n for n in self.names() if n.lower() == target.name.lower() and n != target.name]
        if clash:
            raise OpsError(
                f"a compute target named '{clash[0]}' exists: names differing only in case are the same name",
                f"choose another name, or remove it first ('amldeploy target remove {clash[0]}')",
                EXIT_USAGE,
            )
        text = json.dumps(target.to_record(), indent=2, ensure_ascii=False) + "\n"
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            if overwrite:
                os.replace(temp, path)
            else:
                self._place_new(temp, path, target.name)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        return ComputeTarget(
            target.name, target.type, target.settings, target.resource_id, target.description, target.created, path
        )

    def remove(self, name: str) -> ComputeTarget:
        """Remove the record ``name`` (a corrupt one too); what it held, as far as it could be read."""
        path = self.path_of(name)
        try:
            removed = self.get(name)
        except OpsError:
            if name_problem(name) is not None or not path.is_file():
                raise
            removed = ComputeTarget(name, "process", path=path)  # unreadable: removing it is the fix
        try:
            path.unlink()
        except FileNotFoundError:
            raise OpsError(f"there is no compute target named '{name}'", None, EXIT_USAGE) from None
        return removed

    def resolve(self, name: str) -> tuple[str, dict[str, str]]:
        target = self.get(name)
        return target.target, dict(target.settings)

    @staticmethod
    def _place_new(temp: str, path: Path, name: str) -> None:
        """Move ``temp`` to ``path`` only if ``path`` does not exist (a hard link is atomic and never replaces)."""
        try:
            os.link(temp, path)
        except FileExistsError:
            raise OpsError(
                f"a compute target named '{name}' exists",
                f"remove it first ('amldeploy target remove {name}'), or add --overwrite to replace it",
                EXIT_USAGE,
            ) from None
        except OSError:  # a file system without hard links
            if path.exists():
                raise OpsError(
                    f"a compute target named '{name}' exists",
                    f"remove it first ('amldeploy target remove {name}'), or add --overwrite to replace it",
                    EXIT_USAGE,
                ) from None
            os.replace(temp, path)

    @staticmethod
    def _read(path: Path) -> ComputeTarget:
        fix = f"fix the file, or remove it with 'amldeploy target remove {path.stem}' and add the target again"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise OpsError(f"there is no compute target named '{path.stem}'", None, EXIT_USAGE) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise OpsError(f"the compute target record {path} cannot be read ({exc})", fix, EXIT_FAILED) from None
        problem = _record_problem(data, path.stem)
        if problem:
            raise OpsError(f"the compute target record {path} is not valid: {problem}", fix, EXIT_FAILED)
        return ComputeTarget(
            data["name"],
            data["type"],
            dict(data.get("settings") or {}),
            data.get("resourceId"),
            data.get("description"),
            str(data.get("created") or ""),
            path,
        )


def _record_problem(data: Any, stem: str) -> str | None:
    if not isinstance(data, dict):
        return "it is not a JSON object"
    if data.get("name") != stem:
        return f"its name {data.get('name')!r} is not its file's name '{stem}'"
    kind = data.get("type")
    if kind not in TYPE_SETTINGS:
        return f"its type {kind!r} is none of {', '.join(TYPES)}"
    settings = data.get("settings") or {}
    if not isinstance(settings, dict) or not all(isinstance(v, str) for v in settings.values()):
        return "its settings are not an object of strings"
    foreign = [key for key in settings if key not in TYPE_SETTINGS[kind]]
    if foreign:
        return f"{_a(kind)} target has no setting {', '.join(foreign)}"
    for key in ("resourceId", "description"):
        if data.get(key) is not None and not isinstance(data[key], str):
            return f"its {key} is not a string"
    return None


def resolve_compute_target(name: str, root: Path | None = None) -> tuple[str, dict[str, str]]:
    """The amldeploy target ``name`` deploys to and the target settings it supplies (keys as in
    ``amldeploy.lsp.settings.TARGET_SETTINGS`` and ``commands.target_flags.settings_from``)."""
    return ComputeTargets(root).resolve(name)


def check_compute_type(record: ComputeTarget, compute_type: str, forced: str | None = None) -> None:
    """``OpsError`` when ``record`` cannot take a config of ``compute_type``, or contradicts ``--target``."""
    if forced is not None and forced != record.target:
        raise OpsError(
            f"--target {forced} contradicts --ct {record.name}, {_a(record.type)} compute target",
            f"drop --target (the compute target chooses), or name a {forced} compute target",
            EXIT_USAGE,
        )
    if forced is not None:
        return
    takes = COMPUTE_TYPES.get(record.type)
    if takes is None or compute_type.lower() in (t.lower() for t in takes):
        return
    raise OpsError(
        f"--ct {record.name} is {_a(record.type)} compute target, but the deployment config's computeType is "
        f"'{compute_type}' ({record.type} takes {' or '.join(takes)})",
        f"name a compute target that takes computeType {compute_type} (amldeploy target list), drop --ct to let "
        f"computeType choose, or add --target {record.target} to send this config there anyway",
        EXIT_USAGE,
    )


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind

"""A local model registry, as v1's workspace kept one: ``register`` gives each name versions 1, 2, 3…; a version
carries tags, properties, a description, a framework (what no-code deployment needs) and v1's resource
configuration; ``-m NAME:VERSION`` (or ``-m NAME``, the latest) then names it in every command that takes a model.

The store is a folder (``$AMLDEPLOY_MODEL_REGISTRY``, else the user's data folder), safe to share between users
and processes::

    objects/<digest>/<asset name>      the registered file or folder, read-only; ``digest`` covers its name and
                                       bytes, so registering the same bytes again is a new version that shares them
    models/<name>/<version>.json       one version's metadata, written once (a deleted version leaves
                                       ``<version>.deleted`` behind so that its number is never given again)
    models/<name>/uses/<version>/<k>.json   the services deployed with that version (``delete`` refuses while
                                       one is known, unless forced)
    tmp/                               staging: what a register copies before it is complete

Every write is a whole file made elsewhere and then linked or renamed into place, so a reader never sees half an
entry and two processes registering one name at once get two different versions: a version is taken by
``os.link``, which fails when the number is already taken, and the loser takes the next one.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amldeploy.ops.errors import EXIT_USAGE, OpsError
from amldeploy.ops.service import now_iso
from amldeploy.runtime.model_specs import MAX_VERSION, ModelSpec, model_name_problem

if TYPE_CHECKING:
    from amldeploy.ops.service import Service

REGISTRY_ENV = "AMLDEPLOY_MODEL_REGISTRY"
# v1's Model.Framework values, spelled as the service wrote them; what a user types is matched without case.
FRAMEWORKS = ("ScikitLearn", "Onnx", "TensorFlow", "PyTorch", "Custom", "Multi")
RESOURCE_KEYS = ("cpu", "memoryInGB", "gpu")
_SCHEMA = 1
_DIGITS = re.compile(r"^[0-9]+$")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


def default_root() -> Path:
    """``$AMLDEPLOY_MODEL_REGISTRY``, else ``models`` in the user's amldeploy data folder (``$AMLDEPLOY_DATA_DIR``,
    else ``$XDG_DATA_HOME/amldeploy`` or ``~/.local/share/amldeploy``), next to the named compute targets."""
    from amldeploy.ops.places import data_dir

    override = os.environ.get(REGISTRY_ENV)
    if override:
        return Path(override).expanduser()
    return data_dir() / "models"


def framework_name(text: str) -> str:
    """v1's spelling of a framework typed in any case (``scikitlearn`` → ``ScikitLearn``)."""
    for known in FRAMEWORKS:
        if known.lower() == text.strip().lower():
            return known
    raise OpsError(
        f"model framework '{text}' is not one v1 knew",
        f"use one of {', '.join(FRAMEWORKS)} (no-code deployment supports ScikitLearn, Onnx and TensorFlow)",
        EXIT_USAGE,
    )


@dataclass(frozen=True, slots=True)
class RegisteredModel:
    name: str
    version: int
    digest: str
    asset_name: str
    path: Path  # the stored file or folder, named ``asset_name``: read it, never change it
    tags: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    framework: str | None = None
    framework_version: str | None = None
    resources: dict[str, float] | None = None
    created: str = ""

    @property
    def id(self) -> str:
        """v1's model id, ``name:version``."""
        return f"{self.name}:{self.version}"

    @property
    def spec(self) -> ModelSpec:
        return ModelSpec(self.path, self.name, self.version, self.framework, self.framework_version)

    def to_json(self) -> dict[str, Any]:
        """The fields v1's ``Model.serialize()`` had (those that mean something without a workspace)."""
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "tags": dict(self.tags),
            "properties": dict(self.properties),
            "framework": self.framework,
            "frameworkVersion": self.framework_version,
            "resourceConfiguration": dict(self.resources) if self.resources else None,
            "createdTime": self.created,
            "digest": self.digest,
            "assetName": self.asset_name,
            "path": str(self.path),
        }


@dataclass(frozen=True, slots=True)
class ModelUse:
    service: str
    folder: str
    target: str
    created: str

    def to_json(self) -> dict[str, str]:
        return {"service": self.service, "folder": self.folder, "target": self.target, "createdTime": self.created}


class CorruptEntry(OpsError):
    """A store entry that cannot be read or whose files changed: named with the file, fixed by the hint."""


def _hash_tree(path: Path) -> str:
    """sha256 over the asset's name and, file by file (sorted), each relative path and its bytes."""
    digest = hashlib.sha256()
    digest.update(b"amldeploy-model\0" + path.name.encode("utf-8", "surrogateescape") + b"\0")
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        relative = "" if file == path else file.relative_to(path).as_posix()
        digest.update(b"f\0" + relative.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(str(file.stat().st_size).encode() + b"\0")
        with file.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def _plain_name(name: str) -> bool:
    """A file or folder name with no way out of its folder (what ``Path.name`` of a registered asset is)."""
    return name not in ("", ".", "..") and "/" not in name and "\0" not in name


def _read_only(path: Path) -> None:
    """Files of a stored asset lose their write bits (deployments link to them); folders stay removable."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    for file in files:
        mode = file.stat().st_mode
        file.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _pairs(values: Mapping[str, str] | Iterable[str] | None, what: str) -> dict[str, str]:
    """``{"k": "v"}`` as given, or ``["k=v", ...]`` as a command line writes them."""
    if values is None:
        return {}
    if isinstance(values, Mapping):
        return {str(k): str(v) for k, v in values.items()}
    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise OpsError(f"{what} '{item}' is not KEY=VALUE", f"write the {what} as KEY=VALUE", EXIT_USAGE)
        pairs[key.strip()] = value
    return pairs


def _matches(pairs: Mapping[str, str], filters: Iterable[str]) -> bool:
    for text in filters:
        key, sep, value = text.partition("=")
        if key not in pairs or (sep and pairs[key] != value):
            return False
    return True


def _atomic_json(path: Path, data: Any, tmp_dir: Path) -> Path:
    """Write ``data`` to a new file in ``tmp_dir`` (complete and synced) and return it, for a link or rename."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f"{path.name}.{uuid.uuid4().hex}"
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    return tmp


def _use_key(service: str, folder: Path, target: str) -> str:
    text = f"{target}\0{folder.resolve()}\0{service}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


class ModelRegistry:
    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or default_root()).expanduser()
        # Entries ``list`` skipped because they could not be read: each says which file and what to do.
        self.problems: builtins.list[str] = []

    # -- where things are -------------------------------------------------------------------------------------

    @property
    def _objects(self) -> Path:
        return self.root / "objects"

    @property
    def _models(self) -> Path:
        return self.root / "models"

    @property
    def _tmp(self) -> Path:
        return self.root / "tmp"

    def _folder(self, name: str) -> Path:
        """``models/<name>``, for a name v1 accepted (so that no name leads out of the store)."""
        problem = model_name_problem(name)
        if problem:
            raise OpsError(problem, "name a registered model ('amldeploy ml model list' shows them)", EXIT_USAGE)
        return self._models / name

    def _entry(self, name: str, version: int) -> Path:
        return self._folder(name) / f"{version}.json"

    def _ensure(self) -> None:
        try:
            for folder in (self._objects, self._models, self._tmp):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OpsError(
                f"cannot use the model registry folder {self.root}: {exc.strerror or exc}",
                f"make it writable, or point {REGISTRY_ENV} (setting amldeploy.models.registry) at another folder",
            ) from None

    # -- register ---------------------------------------------------------------------------------------------

    def register(
        self,
        name: str,
        asset: Path,
        *,
        tags: Mapping[str, str] | Iterable[str] | None = None,
        properties: Mapping[str, str] | Iterable[str] | None = None,
        description: str | None = None,
        framework: str | None = None,
        framework_version: str | None = None,
        resources: Mapping[str, float] | None = None,
    ) -> RegisteredModel:
        """Copy ``asset`` (a file or folder) into the store as the next version of ``name``."""
        problem = model_name_problem(name)
        if problem:
            raise OpsError(problem, "choose a name like 'sklearn_mnist'", EXIT_USAGE)
        asset = Path(asset).expanduser()
        if not asset.exists():
            raise OpsError(f"model path '{asset}' doesn't exist", "give the model's file or folder", EXIT_USAGE)
        meta: dict[str, Any] = {
            "schema": _SCHEMA,
            "name": name,
            "tags": _pairs(tags, "tag"),
            "properties": _pairs(properties, "property"),
            "description": description,
            "framework": framework_name(framework) if framework else None,
            "frameworkVersion": framework_version or None,
            "resourceConfiguration": self._resources(resources),
            "createdTime": now_iso(),
        }
        self._ensure()
        digest, asset_name = self._store(asset.resolve())
        meta.update(digest=digest, assetName=asset_name)
        folder = self._models / name
        folder.mkdir(parents=True, exist_ok=True)
        version = self._next_version(name)
        while True:
            meta["version"] = version
            tmp = _atomic_json(self._entry(name, version), meta, self._tmp)
            try:
                os.link(tmp, self._entry(name, version))  # fails if another register took this number first
            except FileExistsError:
                version += 1
                continue
            finally:
                tmp.unlink(missing_ok=True)
            return self._model(meta, self._entry(name, version))

    @staticmethod
    def _resources(resources: Mapping[str, float] | None) -> dict[str, float] | None:
        if not resources:
            return None
        unknown = sorted(set(resources) - set(RESOURCE_KEYS))
        if unknown:
            raise OpsError(
                f"unknown resource configuration key(s): {', '.join(unknown)}",
                f"use {', '.join(RESOURCE_KEYS)}",
                EXIT_USAGE,
            )
        for key, value in resources.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 10_000:
                raise OpsError(
                    f"resource configuration {key} must be a number from 0, not {value!r}",
                    "give e.g. --cc 0.5 --gb 1",
                    EXIT_USAGE,
                )
        return {k: float(v) for k, v in resources.items()}

    def _store(self, asset: Path) -> tuple[str, str]:
        """Copy into staging, hash the copy (what is stored is what was hashed), move it to ``objects/<digest>``."""
        staging = self._tmp / f"object-{uuid.uuid4().hex}"
        staging.mkdir(parents=True)
        copy = staging / asset.name
        try:
            if asset.is_dir():
                shutil.copytree(asset, copy)
            else:
                shutil.copy2(asset, copy)
            digest = _hash_tree(copy)
            final = self._objects / digest
            if (final / asset.name).exists():
                return digest, asset.name  # the same bytes are stored already: share them
            _read_only(copy)
            try:
                staging.rename(final)
            except OSError:
                if not (final / asset.name).exists():  # not a concurrent register of the same bytes
                    raise
            return digest, asset.name
        except OSError as exc:
            raise OpsError(
                f"cannot copy '{asset}' into the model registry {self.root}: {exc.strerror or exc}",
                "check the space and permissions of the registry folder",
            ) from None
        finally:
            if staging.exists():
                _remove(staging)

    def _versions(self, name: str, with_deleted: bool = False) -> builtins.list[int]:
        folder = self._folder(name)
        found: list[int] = []
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for entry in folder.iterdir():
                stem, suffix = entry.stem, entry.suffix
                if _DIGITS.match(stem) and (suffix == ".json" or (with_deleted and suffix == ".deleted")):
                    found.append(int(stem))
        return sorted(found)

    def _next_version(self, name: str) -> int:
        versions = self._versions(name, with_deleted=True)
        version = (versions[-1] if versions else 0) + 1
        if version > MAX_VERSION:
            raise OpsError(f"model {name} has no version numbers left", "register it under another name")
        return version

    # -- read -------------------------------------------------------------------------------------------------

    def _model(self, meta: Mapping[str, Any], entry: Path) -> RegisteredModel:
        try:
            resources = meta.get("resourceConfiguration")
            model = RegisteredModel(
                name=str(meta["name"]),
                version=int(meta["version"]),
                digest=str(meta["digest"]),
                asset_name=str(meta["assetName"]),
                path=self._objects / str(meta["digest"]) / str(meta["assetName"]),
                tags={str(k): str(v) for k, v in dict(meta.get("tags") or {}).items()},
                properties={str(k): str(v) for k, v in dict(meta.get("properties") or {}).items()},
                description=meta.get("description"),
                framework=meta.get("framework"),
                framework_version=meta.get("frameworkVersion"),
                resources={str(k): float(v) for k, v in dict(resources).items()} if resources else None,
                created=str(meta.get("createdTime") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise self._corrupt(entry, f"a field is missing or wrong ({exc})") from None
        if model.name != entry.parent.name or model.version != int(entry.stem):
            raise self._corrupt(entry, "its name or version does not match its file")
        if not _DIGEST.fullmatch(model.digest) or not _plain_name(model.asset_name):
            raise self._corrupt(entry, "its digest or asset name is not one the registry writes")
        return model

    def _corrupt(self, entry: Path, why: str) -> CorruptEntry:
        name, version = entry.parent.name, entry.stem
        return CorruptEntry(
            f"the model registry entry {name}:{version} is damaged: {entry} — {why}",
            f"restore that file from a backup, or remove the version with "
            f"'amldeploy ml model delete --model-id {name}:{version} --force' and register the model again",
        )

    def _load(self, name: str, version: int) -> RegisteredModel:
        entry = self._entry(name, version)
        try:
            meta = json.loads(entry.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise self._absent(name, version) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self._corrupt(entry, f"it is not readable JSON ({exc})") from None
        if not isinstance(meta, dict):
            raise self._corrupt(entry, "it does not hold a JSON object")
        return self._model(meta, entry)

    def _absent(self, name: str, version: int | None) -> OpsError:
        versions = self._versions(name)
        if not versions:
            return OpsError(
                f"there is no model named '{name}' in the registry {self.root}",
                f"register it with 'amldeploy ml model register -n {name} -p PATH', or list the models with "
                "'amldeploy ml model list'",
            )
        return OpsError(
            f"model {name} has no version {version} (it has {', '.join(map(str, versions))})",
            f"use -m {name}:{versions[-1]} (or -m {name} for the latest)",
        )

    def get(self, name: str, version: int | None = None) -> RegisteredModel:
        """One version (the latest when ``version`` is None); a missing name or version is an ``OpsError``."""
        if version is None:
            versions = self._versions(name)
            if not versions:
                raise self._absent(name, None)
            version = versions[-1]
        return self._load(name, version)

    def resolve(self, reference: str) -> RegisteredModel:
        """``NAME`` (its latest version) or ``NAME:VERSION``, as ``-m`` and ``--model-id`` take them."""
        name, sep, version_text = reference.strip().rpartition(":")
        if not sep:
            name, version_text = version_text, ""
        if model_name_problem(name):
            raise OpsError(
                f"'{reference}' is neither a model file nor a registered model (NAME or NAME:VERSION)",
                "give an existing file or folder, or a model registered with 'amldeploy ml model register'",
                EXIT_USAGE,
            )
        if version_text and not (_DIGITS.match(version_text) and 1 <= int(version_text) <= MAX_VERSION):
            raise OpsError(
                f"model version '{version_text}' in '{reference}' is not a whole number from 1",
                f"write {name}:VERSION, or {name} for the latest",
                EXIT_USAGE,
            )
        return self.get(name, int(version_text) if version_text else None)

    def names(self) -> builtins.list[str]:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            return sorted(p.name for p in self._models.iterdir() if p.is_dir() and not model_name_problem(p.name))
        return []

    def list(
        self,
        name: str | None = None,
        tags: Iterable[str] = (),
        properties: Iterable[str] = (),
        latest_only: bool = False,
    ) -> builtins.list[RegisteredModel]:
        """Every readable version (filtered), newest first within a name; unreadable ones go to ``problems``."""
        self.problems = []
        tags, properties = list(tags), list(properties)
        found: list[RegisteredModel] = []
        for model_name in [name] if name else self.names():
            versions = self._versions(model_name)
            for version in reversed(versions):
                try:
                    model = self._load(model_name, version)
                except OpsError as exc:
                    self.problems.append(exc.message)
                    continue
                if _matches(model.tags, tags) and _matches(model.properties, properties):
                    found.append(model)
                    if latest_only:
                        break
        return found

    def verify(self, model: RegisteredModel) -> RegisteredModel:
        """Check that the stored files still hash to the entry's digest (``CorruptEntry`` otherwise)."""
        entry = self._entry(model.name, model.version)
        if not model.path.exists():
            raise self._corrupt(entry, f"its stored files are missing ({model.path})")
        try:
            actual = _hash_tree(model.path)
        except OSError as exc:
            raise self._corrupt(entry, f"its stored files cannot be read ({exc.strerror or exc})") from None
        if actual != model.digest:
            raise self._corrupt(entry, f"its stored files changed since it was registered ({model.path})")
        return model

    # -- change -----------------------------------------------------------------------------------------------

    def update(
        self,
        name: str,
        version: int,
        *,
        add_tags: Mapping[str, str] | Iterable[str] | None = None,
        remove_tags: Iterable[str] = (),
        add_properties: Mapping[str, str] | Iterable[str] | None = None,
        description: str | None = None,
    ) -> RegisteredModel:
        """Tags and the description change; properties can only be added (as in v1)."""
        model = self.get(name, version)
        tags = dict(model.tags)
        tags.update(_pairs(add_tags, "tag"))
        for key in remove_tags:
            tags.pop(key, None)
        properties = dict(model.properties)
        for key, value in _pairs(add_properties, "property").items():
            if key in properties and properties[key] != value:
                raise OpsError(
                    f"model {model.id} already has property {key}={properties[key]}",
                    "properties cannot be changed once set (v1's rule); use a tag for a value that changes",
                    EXIT_USAGE,
                )
            properties[key] = value
        entry = self._entry(name, version)
        meta = json.loads(entry.read_text(encoding="utf-8"))
        meta.update(tags=tags, properties=properties)
        if description is not None:
            meta["description"] = description
        os.replace(_atomic_json(entry, meta, self._tmp), entry)
        return self._model(meta, entry)

    def download(self, name: str, version: int | None, target_dir: Path, overwrite: bool = False) -> Path:
        """Copy a version's file or folder into ``target_dir`` (created); returns the copy's path."""
        model = self.verify(self.get(name, version))
        target = Path(target_dir).expanduser() / model.asset_name
        if target.exists() or target.is_symlink():
            if not overwrite:
                raise OpsError(
                    f"'{target}' exists already",
                    "choose another --target-dir, or pass --overwrite to replace it",
                    EXIT_USAGE,
                )
            _remove(target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if model.path.is_dir():
                shutil.copytree(model.path, target)
            else:
                shutil.copy2(model.path, target)
            _writable(target)
        except OSError as exc:
            raise OpsError(f"cannot write '{target}': {exc.strerror or exc}", "choose a writable folder") from None
        return target

    def delete(self, name: str, version: int, force: bool = False) -> RegisteredModel:
        """Remove a version; refused while a known service uses it, unless ``force``. Its number is not reused,
        and its files go when no other version shares them."""
        entry = self._entry(name, version)
        try:
            model: RegisteredModel | None = self._load(name, version)
        except CorruptEntry:
            if not force:
                raise
            model = None
        if model is not None and not force:
            users = self.uses(model)
            if users:
                listed = ", ".join(f"{u.service} ({u.target}, {u.folder})" for u in users)
                raise OpsError(
                    f"model {model.id} is used by {listed}",
                    "delete those services first, or pass --force to delete the model anyway",
                )
        tombstone = entry.with_suffix(".deleted")
        tombstone.touch()
        entry.unlink(missing_ok=True)
        _remove(self._models / name / "uses" / str(version))
        if model is not None and not self._shared(model.digest):
            _remove(self._objects / model.digest)
        if model is None:
            return RegisteredModel(name, version, "", "", Path())
        return model

    def _shared(self, digest: str) -> bool:
        for model_name in self.names():
            for version in self._versions(model_name):
                with contextlib.suppress(OpsError):
                    if self._load(model_name, version).digest == digest:
                        return True
        return False

    # -- which services use what ------------------------------------------------------------------------------

    def record_use(self, model: RegisteredModel, service: str, folder: Path, target: str) -> None:
        """Note that ``service`` (deployed from ``folder`` on ``target``) runs ``model``."""
        key = _use_key(service, folder, target)
        uses = self._folder(model.name) / "uses" / str(model.version)
        uses.mkdir(parents=True, exist_ok=True)
        record = {"service": service, "folder": str(Path(folder).resolve()), "target": target, "createdTime": now_iso()}
        os.replace(_atomic_json(uses / f"{key}.json", record, self._tmp), uses / f"{key}.json")

    def drop_use(self, service: str, folder: Path, target: str) -> None:
        """Forget every model ``service`` was noted with (it was deleted, or deployed again)."""
        key = _use_key(service, folder, target)
        for record in self._models.glob(f"*/uses/*/{key}.json"):
            record.unlink(missing_ok=True)

    def uses(self, model: RegisteredModel) -> builtins.list[ModelUse]:
        """The services noted with ``model`` whose folder still exists."""
        found: list[ModelUse] = []
        for record in sorted((self._models / model.name / "uses" / str(model.version)).glob("*.json")):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                data = json.loads(record.read_text(encoding="utf-8"))
                use = ModelUse(str(data["service"]), str(data["folder"]), str(data["target"]), str(data["createdTime"]))
                if Path(use.folder).is_dir():
                    found.append(use)
        return found

    def is_stored(self, path: Path) -> bool:
        """Whether ``path`` lies in this registry's store (a model a spec resolved from here)."""
        try:
            Path(path).resolve().relative_to(self._objects.resolve())
        except ValueError:
            return False
        return True


def _writable(path: Path) -> None:
    files: Iterator[Path] = iter([path]) if path.is_file() else path.rglob("*")
    for file in files:
        if file.is_file():
            file.chmod(file.stat().st_mode | stat.S_IWUSR)


def _remove(path: Path) -> None:
    def retry(function: Callable[..., Any], target: str, _exc: Any) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(target), 0o755)
            function(target)

    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, onerror=retry)


def note_deployed(service: Service, folder: Path) -> None:
    """Record which registered models ``service`` now runs (and forget those of its previous deploy)."""
    registry = ModelRegistry()
    if not registry.root.is_dir():
        return
    with contextlib.suppress(OSError):
        registry.drop_use(service.name, folder, service.target)
        for spec in service.models:
            if registry.is_stored(spec.path):
                with contextlib.suppress(OpsError):
                    registry.record_use(registry.get(spec.name, spec.version), service.name, folder, service.target)


def note_deleted(name: str, target: str, folder: Path) -> None:
    """Forget the models of a deleted service, so that they can be deleted in turn."""
    registry = ModelRegistry()
    if registry.root.is_dir():
        with contextlib.suppress(OSError):
            registry.drop_use(name, folder, target)

"""The ``Target`` protocol every place a service can run implements, and the choice of target for a deploy."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from amldeploy.config.load import Loaded
from amldeploy.config.models import DeploymentConfig, InferenceConfig
from amldeploy.ops.errors import EXIT_USAGE, OpsError, ServiceNotFound
from amldeploy.ops.keys import ServiceKeys
from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.reporter import Reporter
from amldeploy.ops.service import Service
from amldeploy.ops.usage import UsageProbe


@dataclass(slots=True)
class DeployRequest:
    name: str
    inference: Loaded[InferenceConfig]
    deployment: Loaded[DeploymentConfig]
    models: list[ModelSpec] = field(default_factory=list)
    port: int | None = None  # --port; else the config's, else the target picks
    isolated: bool = False
    # For targets that run an image somewhere else (Kubernetes, ACI): --image deploys an image already pushed as
    # is; --registry HOST[/NAMESPACE] packages and pushes <registry>/<name>:<content hash>.
    image: str | None = None
    registry: str | None = None
    registry_username: str | None = None  # the password comes from AMLDEPLOY_REGISTRY_PASSWORD (or stdin)
    registry_password: str | None = field(default=None, repr=False)
    # Target settings, as the editor keeps them (``{"kubernetes.context": ..., "kubernetes.namespace": ...}``),
    # with the command line's flags over them.
    settings: dict[str, str | None] = field(default_factory=dict)
    # The file a target that cannot give keys back (ACI) reads them from again: the deployment config, unless the
    # config deployed is a generated copy of the user's (``amldeploy ml`` with flags over it), which holds none.
    keys_config: Path | None = None


class Target(Protocol):
    name: str

    def deploy(self, request: DeployRequest, reporter: Reporter) -> Service:
        """Start (or replace) the service; returns it Healthy, or raises ``DeployFailed``/``OpsError``."""

    def list(self) -> list[Service]: ...

    def get(self, name: str) -> Service:
        """The service with its current state; ``ServiceNotFound`` when there is none."""

    def logs(
        self, name: str, follow: bool = False, tail: int | None = None, stop: Callable[[], bool] | None = None
    ) -> Iterator[str]:
        """The last ``tail`` lines (all when None); with ``follow``, then each new line until the service stops
        or ``stop()`` turns true (checked between polls, so a follower with nothing to read still ends)."""

    def delete(self, name: str, reporter: Reporter) -> None: ...

    def keys(self, name: str) -> ServiceKeys: ...


@runtime_checkable
class Packager(Protocol):
    """What a target that builds an image (Docker, ACI, Kubernetes) adds to ``Target``: ``package`` builds the
    image a deploy would run, without running it, and returns what it built as JSON (image name, tag, ...)."""

    def package(self, request: DeployRequest, reporter: Reporter) -> dict[str, Any]: ...


@runtime_checkable
class Configurable(Protocol):
    """A target whose settings (a cluster's context, a subscription) say where its services are: ``make_target``
    hands it the editor's settings and the command line's flags before any call."""

    def configure(self, settings: Mapping[str, str | None]) -> None: ...


@runtime_checkable
class DryRunner(Protocol):
    """A target that can show what a deploy would create without contacting anything (``deploy --dry-run``):
    the objects, with every secret value replaced by ``***``."""

    def dry_run(self, request: DeployRequest, reporter: Reporter) -> list[dict[str, Any]]: ...


@runtime_checkable
class Tunneling(Protocol):
    """A target whose services may have no address reachable from here (a ClusterIP): ``reach`` opens a way in
    (a port-forward) for as long as the context is held, and yields the service with that address."""

    def reach(self, service: Service) -> AbstractContextManager[Service]: ...


@runtime_checkable
class TlsTrusting(Protocol):
    """A target whose services may serve TLS with their own certificate (v1's ``sslCertificate``): ``tls_trust``
    gives that certificate (PEM; public, no key), which a client then trusts for that service only."""

    def tls_trust(self, service: Service) -> str | None: ...


@runtime_checkable
class Measurable(Protocol):
    """What a target that can measure its services adds (``amldeploy profile``): ``usage_probe(name)`` reads the
    service's ``Usage`` each time it is called (``ServiceNotFound`` / ``OpsError`` when it cannot)."""

    def usage_probe(self, name: str) -> UsageProbe: ...


@dataclass(frozen=True, slots=True)
class TargetSetting:
    """A setting of a target as an editor shows it (``key`` as in the ``amldeploy.<target>.<key>`` settings)."""

    key: str
    label: str
    value: str | None

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": self.value}


def _no_settings(root: Path, values: Mapping[str, str | None]) -> list[TargetSetting]:
    return []


def _service_rows(service: Service) -> list[tuple[str, str]]:
    return service.rows()


def _one_place(values: Mapping[str, str | None]) -> tuple[str, ...] | None:
    return None


def _reachable(values: Mapping[str, str | None]) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class TargetInfo:
    name: str
    description: str
    factory: Callable[[Path], Target]
    available: Callable[[], bool] = lambda: True
    compute_types: tuple[str, ...] = ()  # the computeTypes it takes without --target
    priority: int = 0  # among the targets that take a computeType, the available one with the highest wins
    label: str = ""  # how an editor titles its services ("Local processes"); the name when empty
    # Why it is not available (no engine answers, its SDK is not installed), when ``available()`` is false.
    reason: Callable[[], str | None] = lambda: None
    # Its settings as an editor shows them, from the workspace root and the target settings of the editor
    # (``{"aci.subscription": ..., "kubernetes.context": ...}``).
    settings: Callable[[Path, Mapping[str, str | None]], list[TargetSetting]] = _no_settings
    # The details of one of its services in words (``Service.rows`` plus what only this target knows).
    rows: Callable[[Service], list[tuple[str, str]]] = _service_rows
    # Why it has no image to package, when its targets are no ``Packager``.
    cannot_package: str | None = None
    # The target whose engine builds its images (ACI's are Docker's): it packages only while that one is available.
    builds_with: str | None = None
    # Where its services live for these target settings, the environment's defaults included (a kubeconfig,
    # context and namespace; a subscription and resource group): settings of equal places list the same services.
    # None: one place whatever the settings (the workspace's folder). ``OpsError`` when the settings are unusable.
    place: Callable[[Mapping[str, str | None]], tuple[str, ...] | None] = _one_place
    # Why the services of the place of these settings cannot be listed now (a cluster that does not answer).
    unreachable: Callable[[Mapping[str, str | None]], str | None] = _reachable

    @property
    def title(self) -> str:
        return self.label or self.name


_TARGETS: dict[str, TargetInfo] = {}
# Modules that define ``TARGET = TargetInfo(...)``; imported on first use so that ``import amldeploy`` stays
# light and each target imports its SDK only when it is chosen.
BUILTIN_TARGETS = (
    "amldeploy.ops.targets.process.target",
    "amldeploy.ops.targets.docker.target",
    "amldeploy.ops.targets.kubernetes.target",
    "amldeploy.ops.targets.aci.target",
)


def register_target(info: TargetInfo) -> None:
    _TARGETS[info.name] = info


def target_names() -> list[str]:
    _load_builtin()
    return list(_TARGETS)


def target_info(name: str) -> TargetInfo:
    """The registered target ``name``; ``OpsError`` naming the registered ones when there is none."""
    _load_builtin()
    info = _TARGETS.get(name)
    if info is None:
        raise OpsError(f"unknown target '{name}'", f"use one of: {', '.join(_TARGETS)}", EXIT_USAGE)
    return info


def make_target(name: str, root: Path, settings: Mapping[str, str | None] | None = None) -> Target:
    """The target ``name`` working in ``root``; ``settings`` are the target settings (an editor's, with the
    command line's flags over them) for the targets that read them."""
    target = target_info(name).factory(root)
    if settings and isinstance(target, Configurable):
        target.configure(settings)
    return target


def can_package(target: Target) -> bool:
    return isinstance(target, Packager)


def packaging_targets(root: Path) -> list[str]:
    """The registered, available targets that can package an image."""
    names = []
    for name in target_names():
        info = _TARGETS[name]
        builder = _TARGETS.get(info.builds_with) if info.builds_with else None
        try:
            if info.available() and (builder is None or builder.available()) and can_package(info.factory(root)):
                names.append(name)
        except OpsError:
            continue
    return names


def cannot_package(target: Target, root: Path) -> OpsError:
    """Why ``target`` cannot package, and which targets can."""
    info = _TARGETS.get(target.name)
    message = (info.cannot_package if info else None) or f"the {target.name} target cannot package an image"
    others = [name for name in packaging_targets(root) if name != target.name]
    if others:
        hint = f"package with a target that builds images: {', '.join(others)}"
    else:
        idle = [
            name
            for name in target_names()
            if name != target.name and not _TARGETS[name].builds_with and can_package(make_target(name, root))
        ]
        reasons = [
            f"the {name} target builds images, but {_TARGETS[name].reason() or 'is not available'}" for name in idle
        ]
        hint = "; ".join(reasons) or "no installed target builds images"
    return OpsError(message, hint)


def service_rows(service: Service) -> list[tuple[str, str]]:
    """The details of ``service`` as its target words them."""
    _load_builtin()
    info = _TARGETS.get(service.target)
    rows = info.rows(service) if info is not None else service.rows()
    record = service.details.get(COMPUTE_TARGET_DETAIL)
    if record:
        rows.insert(1, ("Compute target", str(record)))
    return rows


def choose_target(compute_type: str, forced: str | None = None, available_only: bool = True) -> str:
    """The target for a config's ``computeType``: ``forced`` (``--target``) wins; otherwise the first registered
    target that takes the compute type and is available (a Docker target would take ``local`` while an
    engine answers, leaving the process target for machines without one). Without ``available_only`` (a dry
    run, which contacts nothing) the first that takes it."""
    _load_builtin()
    if forced is not None:
        return target_info(forced).name
    wanted = compute_type.lower()
    takers = [
        i for i in sorted(_TARGETS.values(), key=lambda i: -i.priority) if wanted in map(str.lower, i.compute_types)
    ]
    for info in takers:
        if not available_only or info.available():
            return info.name
    if takers:
        reasons = "; ".join(f"the {i.name} target: {i.reason() or 'not available here'}" for i in takers)
        raise OpsError(
            f"no available target takes computeType '{compute_type}' ({reasons})",
            f"make the {takers[0].name} target available, or add --target process to run it here as a local "
            "process with the config's front-end settings (auth keys, queue, timeout)",
            EXIT_USAGE,
        )
    raise OpsError(
        f"no available target takes computeType '{compute_type}' (amldeploy has no target for it yet)",
        "add --target process to run it here as a local process with the config's front-end settings "
        "(auth keys, queue, timeout)",
        EXIT_USAGE,
    )


# Where a service found through a recorded compute target (ops/computetargets.py) says which: its details'
# ``computeTarget`` (so ``to_json``, a snapshot and ``show --output json`` carry it), and a row.
COMPUTE_TARGET_DETAIL = "computeTarget"
# At most this many recorded places are listed at once (each waits on a cluster or on Azure, not on this machine).
RECORD_WORKERS = 4


@dataclass(frozen=True, slots=True)
class RecordedPlace:
    """A recorded compute target whose services live somewhere the given settings do not look: its target, and
    the settings it lists them with (the given ones under the record's, as a deploy with it uses them)."""

    record: str
    target: str
    settings: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A recorded compute target whose services cannot be listed (or whose record cannot be read): ``target``
    is None for an unreadable record."""

    record: str
    target: str | None
    settings: dict[str, str | None]
    error: OpsError


def recorded_places(
    settings: Mapping[str, str | None] | None = None, only: str | None = None
) -> tuple[list[RecordedPlace], list[RecordProblem]]:
    """The recorded compute targets (of target ``only``, when given) whose services live elsewhere than those of
    ``settings``: one per distinct place (the first name wins), none for a record whose place is the settings'
    own (a process record; a docker record of this engine; a cluster record with the editor's context and
    namespace). Records that cannot be read or whose settings cannot be used are problems, never a failure."""
    from amldeploy.ops.computetargets import ComputeTargets

    values = dict(settings or {})
    store = ComputeTargets()
    places: list[RecordedPlace] = []
    problems: list[RecordProblem] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    own: dict[str, tuple[str, ...] | None] = {}  # the place of ``settings`` for each target
    try:
        names = store.names()
    except OpsError as exc:
        return [], [RecordProblem("", None, {}, exc)]
    for name in names:
        try:
            record = store.get(name)
        except OpsError as exc:
            if only is None:
                problems.append(RecordProblem(name, None, {}, exc))
            continue
        if only is not None and record.target != only:
            continue
        merged: dict[str, str | None] = {**values, **record.settings}
        try:
            info = target_info(record.target)
            place = info.place(merged)
            if info.name not in own:
                own[info.name] = info.place(values)
            if place is None or place == own[info.name] or (record.target, place) in seen:
                continue
        except OpsError as exc:
            problems.append(RecordProblem(name, record.target, merged, exc))
            continue
        seen.add((record.target, place))
        places.append(RecordedPlace(name, record.target, merged))
    return places, problems


def recorded_services(
    root: Path, settings: Mapping[str, str | None] | None = None
) -> tuple[list[Service], list[RecordProblem]]:
    """The services of the recorded compute targets whose place differs from that of ``settings`` (one listing
    per place, several at once), each marked with its record's name; an unreachable place is a problem."""
    from concurrent.futures import ThreadPoolExecutor

    places, problems = recorded_places(settings)
    if not places:
        return [], problems

    def look(place: RecordedPlace) -> list[Service] | RecordProblem:
        info = target_info(place.target)
        try:
            why = info.unreachable(place.settings)
            if why is not None:
                hint = f"check it, or remove the record with 'amldeploy target remove {place.record}'"
                raise OpsError(f"the {info.title} of compute target {place.record} cannot be reached: {why}", hint)
            found = make_target(place.target, root, place.settings).list()
        except OpsError as exc:
            return RecordProblem(place.record, place.target, place.settings, exc)
        for service in found:
            service.details[COMPUTE_TARGET_DETAIL] = place.record
        return found

    services: list[Service] = []
    with ThreadPoolExecutor(max_workers=min(RECORD_WORKERS, len(places))) as pool:
        for result in pool.map(look, places):
            if isinstance(result, RecordProblem):
                problems.append(result)
            else:
                services += result
    return services, problems


def service_identity(service: Service) -> tuple[str, ...]:
    """What makes two listed services the same one: target, name and where it is (context, namespace, ...)."""
    where = ("context", "namespace", "subscription", "resourceGroup")
    return (service.target, service.name, *(str(service.details.get(key) or "") for key in where))


def merge_services(listed: list[Service], recorded: list[Service]) -> list[Service]:
    """``listed`` plus those of ``recorded`` it does not hold; one it holds takes the record's name."""
    known = {service_identity(s): s for s in listed}
    merged = list(listed)
    for service in recorded:
        same = known.get(service_identity(service))
        if same is None:
            known[service_identity(service)] = service
            merged.append(service)
        else:
            same.details.setdefault(COMPUTE_TARGET_DETAIL, service.details[COMPUTE_TARGET_DETAIL])
    return merged


def find_service(
    name: str,
    root: Path,
    settings: Mapping[str, str | None] | None = None,
    *,
    records: bool = True,
    only: str | None = None,
) -> tuple[Target, Service]:
    """The service called ``name`` in whichever target holds it (``only``: in that target), with ``settings``
    first, then (``records``) on each recorded compute target whose place differs; when none does, the error
    names every place looked in and keeps the first target's hint (the process target's says when a deploy of it
    is under way)."""
    missing: list[ServiceNotFound] = []
    for target_name in [target_info(only).name] if only else target_names():
        target = make_target(target_name, root, settings)
        try:
            return target, target.get(name)
        except ServiceNotFound as exc:
            missing.append(exc)
    if records:
        places, problems = recorded_places(settings, only)
        for place in places:
            where = f"compute target {place.record}"
            try:
                target = make_target(place.target, root, place.settings)
                why = target_info(place.target).unreachable(place.settings)
                if why is not None:
                    missing.append(ServiceNotFound(name, f"{where} ({why})"))
                    continue
                service = target.get(name)
            except ServiceNotFound as exc:
                missing.append(ServiceNotFound(name, f"{where}: {exc.where}"))
                continue
            except OpsError as exc:
                missing.append(ServiceNotFound(name, f"{where} ({exc.message})"))
                continue
            service.details[COMPUTE_TARGET_DETAIL] = place.record
            return target, service
        missing += [ServiceNotFound(name, f"compute target {p.record} ({p.error.message})") for p in problems]
    if not missing:
        raise ServiceNotFound(name, "any target")
    special = [m for m in missing if m.hint != missing[0].default_hint]
    combined = ServiceNotFound(name, " and ".join(m.where for m in missing))
    combined.hint = special[0].hint if special else combined.hint
    raise combined


def all_services(
    root: Path, settings: Mapping[str, str | None] | None = None, *, records: bool = True
) -> list[Service]:
    """Every service with ``settings``, and (``records``) those of the recorded compute targets elsewhere (a
    compute target that cannot be listed is left out: ``recorded_services`` says why)."""
    listed = [s for target_name in target_names() for s in make_target(target_name, root, settings).list()]
    if not records:
        return listed
    return merge_services(listed, recorded_services(root, settings)[0])


def _load_builtin() -> None:
    import importlib

    for module_name in BUILTIN_TARGETS:
        info: TargetInfo = importlib.import_module(module_name).TARGET
        _TARGETS.setdefault(info.name, info)

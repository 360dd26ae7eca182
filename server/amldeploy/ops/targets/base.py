"""The ``Target`` protocol every place a service can run implements, and the choice of target for a deploy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from amldeploy.config.load import Loaded
from amldeploy.config.models import DeploymentConfig, InferenceConfig
from amldeploy.ops.errors import EXIT_USAGE, OpsError, ServiceNotFound
from amldeploy.ops.keys import ServiceKeys
from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.reporter import Reporter
from amldeploy.ops.service import Service


@dataclass(slots=True)
class DeployRequest:
    name: str
    inference: Loaded[InferenceConfig]
    deployment: Loaded[DeploymentConfig]
    models: list[ModelSpec] = field(default_factory=list)
    port: int | None = None  # --port; else the config's, else the target picks
    isolated: bool = False


class Target(Protocol):
    name: str

    def deploy(self, request: DeployRequest, reporter: Reporter) -> Service:
        """Start (or replace) the service; returns it Healthy, or raises ``DeployFailed``/``OpsError``."""

    def list(self) -> list[Service]: ...

    def get(self, name: str) -> Service:
        """The service with its current state; ``ServiceNotFound`` when there is none."""

    def logs(self, name: str, follow: bool = False, tail: int | None = None) -> Iterator[str]: ...

    def delete(self, name: str, reporter: Reporter) -> None: ...

    def keys(self, name: str) -> ServiceKeys: ...


@dataclass(frozen=True, slots=True)
class TargetInfo:
    name: str
    description: str
    factory: Callable[[Path], Target]
    available: Callable[[], bool] = lambda: True
    compute_types: tuple[str, ...] = ()  # the computeTypes it takes without --target
    priority: int = 0  # among the targets that take a computeType, the available one with the highest wins


_TARGETS: dict[str, TargetInfo] = {}
# Modules that define ``TARGET = TargetInfo(...)``; imported on first use so that ``import amldeploy`` stays
# light and each target imports its SDK only when it is chosen.
BUILTIN_TARGETS = ("amldeploy.ops.targets.process",)


def register_target(info: TargetInfo) -> None:
    _TARGETS[info.name] = info


def target_names() -> list[str]:
    _load_builtin()
    return list(_TARGETS)


def make_target(name: str, root: Path) -> Target:
    _load_builtin()
    return _TARGETS[name].factory(root)


def choose_target(compute_type: str, forced: str | None = None) -> str:
    """The target for a config's ``computeType``: ``forced`` (``--target``) wins; otherwise the first registered
    target that takes the compute type and is available (a Docker target would take ``local`` while an
    engine answers, leaving the process target for machines without one)."""
    _load_builtin()
    if forced is not None:
        if forced not in _TARGETS:
            raise OpsError(f"unknown target '{forced}'", f"use one of: {', '.join(_TARGETS)}", EXIT_USAGE)
        return forced
    wanted = compute_type.lower()
    for info in sorted(_TARGETS.values(), key=lambda i: -i.priority):
        if wanted in (c.lower() for c in info.compute_types) and info.available():
            return info.name
    raise OpsError(
        f"no available target takes computeType '{compute_type}' (amldeploy has no target for it yet)",
        "add --target process to run it here as a local process with the config's front-end settings "
        "(auth keys, queue, timeout)",
        EXIT_USAGE,
    )


def find_service(name: str, root: Path) -> tuple[Target, Service]:
    """The service called ``name`` in whichever target holds it."""
    missing: ServiceNotFound | None = None
    for target_name in target_names():
        target = make_target(target_name, root)
        try:
            return target, target.get(name)
        except ServiceNotFound as exc:
            missing = exc
    raise missing or ServiceNotFound(name, "any target")


def all_services(root: Path) -> list[Service]:
    return [service for target_name in target_names() for service in make_target(target_name, root).list()]


def _load_builtin() -> None:
    import importlib

    for module_name in BUILTIN_TARGETS:
        info: TargetInfo = importlib.import_module(module_name).TARGET
        _TARGETS.setdefault(info.name, info)

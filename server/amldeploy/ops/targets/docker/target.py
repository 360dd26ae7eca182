"""The Docker target: the service image (``ops/package``) built by a local engine and run as a container.

The engine is the only record: a service is the container labelled ``amldeploy.service=<name>``, so services
survive editor and CLI restarts and ``docker ps`` shows them. Keys are made per deploy (or taken from the
config) and travel only in the container's environment. No restarts until the service answered once (a crash at
start is final and keeps its exit status for the message), then ``on-failure`` with a small budget: a later
crash is retried a few times (like a pod), a service that keeps crashing ends Failed instead of looping, and
``docker stop`` is respected. A deploy that fails or is cancelled removes its container; the image
stays, as the build cache of the next try.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import queue
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from amldeploy.config.models import (
    AciDeploymentConfig,
    AksDeploymentConfig,
    AksEndpointDeploymentConfig,
    DeploymentConfig,
    LocalDeploymentConfig,
)
from amldeploy.ops.errors import Cancelled, DeployFailed, OpsError, ServiceNotFound
from amldeploy.ops.frontend import front_end_of
from amldeploy.ops.health import HEALTH_TRIES, wait_healthy
from amldeploy.ops.keys import ServiceKeys
from amldeploy.ops.locks import current_holder, service_lock, shared_root
from amldeploy.ops.package.plan import Package, plan_package
from amldeploy.ops.reporter import Reporter
from amldeploy.ops.service import Service, now_iso
from amldeploy.ops.states import State, container_exit_reason
from amldeploy.ops.targets.base import DeployRequest, TargetInfo, TargetSetting
from amldeploy.ops.targets.docker import engine as eng
from amldeploy.ops.targets.docker import labels as lb
from amldeploy.ops.targets.docker.build import ensure_image
from amldeploy.ops.targets.docker.status import (
    HOST,
    KEY_VARIABLES,
    PORT_KEY,
    container_usage,
    describe,
    environment,
    published_port,
)
from amldeploy.ops.targets.process.launch import check_port
from amldeploy.ops.usage import Usage, UsageProbe

BASE_IMAGE_ENV = "AMLDEPLOY_DOCKER_BASE_IMAGE"
CA_BUNDLE_ENV = "AMLDEPLOY_DOCKER_CA_BUNDLE"
RESTART_POLICY = {"Name": "on-failure", "MaximumRetryCount": 3}
CRASH_LOG_LINES = 40
STOP_TIMEOUT_S = 10
_FOLLOW_POLL_S = 0.5


def container_name(service: str) -> str:
    return f"amldeploy-{service}"


class DockerTarget:
    name = "docker"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def lock_root(self) -> Path:
        """The engine's services are the same from every folder: so is the lock of each."""
        return shared_root(f"docker {eng.engine_address()}")

    # --- package ------------------------------------------------------------------------------------------

    def plan(self, request: DeployRequest, base_image: str | None = None, ca_bundle: Path | None = None) -> Package:
        """The image of ``request``: the base from ``base_image``, else ``AMLDEPLOY_DOCKER_BASE_IMAGE``, else the
        package default; pip's CA bundle from ``ca_bundle``, else ``AMLDEPLOY_DOCKER_CA_BUNDLE``."""
        base = base_image or os.environ.get(BASE_IMAGE_ENV) or None
        ca_env = os.environ.get(CA_BUNDLE_ENV)
        ca = ca_bundle or (Path(ca_env) if ca_env else None)
        return plan_package(request.name, request.inference, request.models, base, ca)

    def package(self, request: DeployRequest, reporter: Reporter) -> dict[str, Any]:
        package = self.plan(request)
        for warning in package.warnings:
            reporter.warning(warning)
        engine = eng.client()
        try:
            built = ensure_image(engine, package, reporter)
        finally:
            engine.close()
        return {**package.to_json(), **built.to_json()}

    # --- deploy -------------------------------------------------------------------------------------------

    def deploy(self, request: DeployRequest, reporter: Reporter) -> Service:
        with service_lock(self.lock_root(), self.name, request.name, "deploy", reporter):
            engine = eng.client()
            try:
                return self._deploy(engine, request, reporter)
            finally:
                engine.close()

    def _deploy(self, engine: Any, request: DeployRequest, reporter: Reporter) -> Service:
        deployment = request.deployment.config
        front_end, warnings = front_end_of(deployment)
        for warning in [*warnings, *_resource_warnings(deployment)]:
            reporter.warning(warning)
        package = self.plan(request)
        for warning in package.warnings:
            reporter.warning(warning)
        built = ensure_image(engine, package, reporter)

        old = self._containers(engine, request.name)
        config_port = deployment.port if isinstance(deployment, LocalDeploymentConfig) else None
        fixed = request.port or config_port
        if fixed is not None:
            if not any(published_port(c.attrs) == fixed for c in old):
                origin = "flag" if request.port else "config"
                check_port(fixed, origin, lambda: self._owner_of(engine, fixed), request.deployment.path.name)
            for container in old:  # v1: stop, then start on the same port
                reporter.step(f"Stopping the running {request.name} ({container.name})")
                _remove(container)
                reporter.done(True)
            old = []
        keys = front_end.keys()
        resources = _resources(deployment)
        labels = lb.ServiceLabels(
            service=request.name,
            compute_type=deployment.compute_type,
            created=now_iso(),
            image_digest=package.digest,
            front_end=front_end.to_json(),
            models=request.models,
            folder=str(request.inference.path.resolve().parent),
            port=fixed,
            resources=resources,
        )
        name = container_name(request.name)
        if engine.containers.list(all=True, filters={"name": f"^/{name}$"}):  # the filter is a regular expression
            name = f"{name}-{secrets.token_hex(3)}"  # renamed once the old one is gone
        reporter.step(f"Starting {request.name} ({name})")
        container = None
        try:
            container = engine.containers.create(
                built.tag,
                name=name,
                detach=True,
                environment=front_end.environment(keys),
                labels=labels.to_labels(),
                ports={PORT_KEY: (HOST, fixed) if fixed is not None else (HOST,)},
                # No restarts until it answered once: a crash at start is final and keeps its exit status.
                restart_policy={"Name": "no"},
                **_limits(resources),
            )
            container.start()
            container.reload()
            reporter.done(True, f"port {published_port(container.attrs)}")
            return self._wait(container, keys, old, reporter)
        except (KeyboardInterrupt, Cancelled):
            reporter.done(False, "cancelled")
            if container is not None:
                _remove(container, graceful=False)
            raise
        except DeployFailed:
            raise
        except Exception as exc:
            from docker.errors import APIError

            if not isinstance(exc, APIError):
                raise
            reporter.done(False)
            if container is not None:
                _remove(container, graceful=False)
            raise OpsError(
                f"the engine could not start {request.name}: {exc.explanation or exc}",
                "check the port and the image ('docker ps', 'docker images'), then deploy again",
            ) from None

    def _wait(self, container: Any, keys: ServiceKeys, old: builtins.list[Any], reporter: Reporter) -> Service:
        port = published_port(container.attrs)
        name = container.labels.get(lb.SERVICE, container.name)
        reporter.step(f"Waiting for {name} to answer GET /")
        crash: dict[str, Any] = {}  # the State of the container when it was seen stopped (a restart resets it)
        result = wait_healthy(
            f"http://{HOST}:{port}",
            lambda: _exit_status(container, crash),
            reporter,
            {"Authorization": f"Bearer {keys.primary}"},
        )
        if result.healthy:
            reporter.done(True, "healthy")
            container.update(restart_policy=RESTART_POLICY)
            for previous in old:  # the new one answers: only now does the old one go
                _remove(previous)
            if container.name != container_name(name):
                # A name taken by something else: the label still finds it.
                with contextlib.suppress(Exception):
                    container.rename(container_name(name))
            container.reload()
            service = describe(container.attrs, check=False)
            service.state, service.error = State.HEALTHY, None
            return service
        container.reload()
        tail = _log_tail(container, CRASH_LOG_LINES)
        failed = describe(container.attrs, check=False)
        state_of = crash or container.attrs.get("State") or {}
        if result.exit_status is not None or state_of.get("Status") != "running":
            code = int(state_of.get("ExitCode") or result.exit_status or 0)
            why = container_exit_reason(code, bool(state_of.get("OOMKilled")))
            message = f"Error: the service container has crashed: {why}"
            reporter.done(False, f"exit status {code}")
            hint = "fix the error in the log lines above (init() runs when the container starts), then deploy again"
        else:
            message = f"the service did not answer GET / within {HEALTH_TRIES} s (last answer: {result.last_answer})"
            reporter.done(False, "no answer")
            hint = "see why in the log lines above; the container was removed, deploy again once it is fixed"
        _remove(container, graceful=False)
        failed.state, failed.error = State.FAILED, message
        failed.host = failed.port = None
        raise DeployFailed(message, hint, failed, tail)

    # --- everything else ----------------------------------------------------------------------------------

    def list(self) -> list[Service]:
        if not eng.available():
            return []
        engine = eng.client()
        try:
            containers = engine.containers.list(all=True, filters={"label": lb.SERVICE})
            chosen: dict[str, Any] = {}
            for container in containers:
                service = container.labels.get(lb.SERVICE, "")
                if service not in chosen or _preferred(container, chosen[service]):
                    chosen[service] = container
            return [describe(chosen[name].attrs) for name in sorted(chosen)]
        finally:
            engine.close()

    def get(self, name: str) -> Service:
        with self._one(name) as container:
            return describe(container.attrs)

    def usage_probe(self, name: str) -> UsageProbe:
        """The container's CPU time and memory, from the engine's stats (one reading per call, no stream)."""
        engine = eng.client()
        container = self._find(engine, name)

        def probe() -> Usage:
            try:
                stats = container.stats(stream=False, one_shot=True)
            except Exception as exc:
                raise OpsError(
                    f"the engine gave no stats for {container.name}: {getattr(exc, 'explanation', None) or exc}",
                    f"see 'amldeploy show {name}'",
                ) from None
            return container_usage(stats)

        return UsageProbe(probe, engine.close)

    def keys(self, name: str) -> ServiceKeys:
        with self._one(name) as container:
            env = environment(container.attrs)
        primary, secondary = (env.get(k) for k in KEY_VARIABLES)
        if not primary or not secondary:
            raise OpsError(f"the container of '{name}' holds no keys", f"redeploy it (amldeploy deploy {name} ...)")
        return ServiceKeys(primary, secondary)

    def logs(
        self, name: str, follow: bool = False, tail: int | None = None, stop: Callable[[], bool] | None = None
    ) -> Iterator[str]:
        engine = eng.client()
        container = self._find(engine, name)
        how = "all" if tail is None else tail
        if not follow:
            try:
                text = container.logs(tail=how).decode("utf-8", errors="replace")
            finally:
                engine.close()
            return iter(text.splitlines())
        return _follow(engine, container, how, stop or (lambda: False))

    def delete(self, name: str, reporter: Reporter, purge: bool = False) -> None:
        with service_lock(self.lock_root(), self.name, name, "delete", reporter):
            engine = eng.client()
            try:
                containers = self._containers(engine, name)
                if not containers:
                    raise self._missing(name)
                images = {c.attrs.get("Image") for c in containers}
                for container in containers:
                    reporter.step(f"Stopping and removing {container.name}")
                    _remove(container)
                    reporter.done(True)
                if purge:
                    for image in images:
                        reporter.step(f"Removing the image {image[7:19] if image else '?'}")
                        try:
                            engine.images.remove(image, noprune=False)
                            reporter.done(True)
                        except Exception as exc:  # used by another container: keep it
                            reporter.done(False, str(getattr(exc, "explanation", None) or exc))
            finally:
                engine.close()

    # --- helpers ------------------------------------------------------------------------------------------

    def _containers(self, engine: Any, name: str) -> builtins.list[Any]:
        return builtins.list(engine.containers.list(all=True, filters={"label": f"{lb.SERVICE}={name}"}))

    def _find(self, engine: Any, name: str) -> Any:
        containers = self._containers(engine, name)
        if not containers:
            engine.close()
            raise self._missing(name)
        best = containers[0]
        for container in containers[1:]:
            if _preferred(container, best):
                best = container
        return best

    def _one(self, name: str) -> _OneContainer:
        if not eng.available():
            raise self._missing(name)
        return _OneContainer(self, name)

    def _missing(self, name: str) -> ServiceNotFound:
        why = eng.why_unavailable()
        where = f"the Docker engine at {eng.engine_address()}" + (f", which does not answer: {why}" if why else "")
        missing = ServiceNotFound(name, where)
        holder = current_holder(self.lock_root(), self.name, name)
        if holder is not None and holder.operation == "deploy":  # its container is not created yet
            missing.hint = f"{holder.in_progress(name)}: run the command again once it has ended"
        return missing

    def _owner_of(self, engine: Any, port: int) -> str | None:
        for container in engine.containers.list(filters={"label": lb.SERVICE}):
            if published_port(container.attrs) == port:
                return str(container.labels.get(lb.SERVICE))
        return None


class _OneContainer:
    """``with target._one(name) as container``: the service's container, the client closed afterwards."""

    def __init__(self, target: DockerTarget, name: str) -> None:
        self.target, self.name = target, name
        self.engine: Any = None

    def __enter__(self) -> Any:
        self.engine = eng.client()
        return self.target._find(self.engine, self.name)

    def __exit__(self, *exc: object) -> None:
        self.engine.close()


def _preferred(candidate: Any, current: Any) -> bool:
    """Of two containers of one service (a redeploy in progress), the one a command means: the running one under
    the plain name, else the newest."""
    canonical = container_name(candidate.labels.get(lb.SERVICE, ""))
    if (candidate.name == canonical) != (current.name == canonical):
        return bool(candidate.name == canonical)
    return str(candidate.attrs.get("Created", "")) > str(current.attrs.get("Created", ""))


def _exit_status(container: Any, crash: dict[str, Any]) -> int | None:
    """The exit status once the container stopped or crashed (a restart means it crashed: on-failure); the
    State it was seen in goes to ``crash``."""
    try:
        container.reload()
    except Exception:  # removed under us
        crash.update(Status="removed", ExitCode=-1)
        return -1
    state = container.attrs.get("State") or {}
    if state.get("Status") in ("exited", "dead", "restarting") or int(container.attrs.get("RestartCount") or 0) > 0:
        crash.update(state)
        return int(state.get("ExitCode") or 0)
    return None


def _remove(container: Any, graceful: bool = True) -> None:
    """Stop (SIGTERM, SIGKILL after ``STOP_TIMEOUT_S``) and remove; a container that never served (a failed or
    cancelled deploy) is killed at once: it has no request to finish, and may not handle SIGTERM yet."""
    from docker.errors import NotFound

    try:
        if graceful:
            container.stop(timeout=STOP_TIMEOUT_S)
    except NotFound:
        return
    except Exception:  # already stopped, or stopping: the forced remove follows
        pass
    with contextlib.suppress(NotFound):
        container.remove(force=True)


def _log_tail(container: Any, lines: int) -> list[str]:
    try:
        text: str = container.logs(tail=lines).decode("utf-8", errors="replace")
    except Exception:
        return []
    return text.splitlines()


def _follow(engine: Any, container: Any, tail: int | str, stop: Callable[[], bool]) -> Iterator[str]:
    """Lines as the engine streams them, until the container stops or ``stop()``: the stream is read in a thread,
    so ``stop`` is looked at even while the service prints nothing."""
    stream = engine.api.logs(container.id, stream=True, follow=True, tail=tail)
    chunks: queue.Queue[bytes | None] = queue.Queue()

    def pump() -> None:
        try:
            for chunk in stream:
                chunks.put(chunk)
        except Exception:  # closed under us
            pass
        finally:
            chunks.put(None)

    threading.Thread(target=pump, name=f"logs-{container.name}", daemon=True).start()
    pending = b""
    try:
        while not stop():
            try:
                chunk = chunks.get(timeout=_FOLLOW_POLL_S)
            except queue.Empty:
                continue
            if chunk is None:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line.decode("utf-8", errors="replace").rstrip("\r")
        if pending:
            yield pending.decode("utf-8", errors="replace")
    finally:
        stream.close()
        engine.close()


def _resources(config: DeploymentConfig) -> dict[str, Any]:
    """The limits ``containerResourceRequirements`` asks for (AKS: the limits when set, else the requests)."""
    if isinstance(config, AciDeploymentConfig) and config.container_resource_requirements is not None:
        r = config.container_resource_requirements
        return {"cpu": r.cpu, "memoryInGB": r.memory_in_gb}
    if isinstance(config, (AksDeploymentConfig, AksEndpointDeploymentConfig)):
        aks = config.container_resource_requirements
        if aks is not None:
            return {"cpu": aks.cpu_limit or aks.cpu, "memoryInGB": aks.memory_in_gb_limit or aks.memory_in_gb}
    return {}


def _limits(resources: Mapping[str, Any]) -> dict[str, int]:
    limits = {}
    if resources.get("memoryInGB"):
        limits["mem_limit"] = int(float(resources["memoryInGB"]) * 1024**3)
    if resources.get("cpu"):
        limits["nano_cpus"] = int(float(resources["cpu"]) * 1e9)
    return limits


def _resource_warnings(config: DeploymentConfig) -> list[str]:
    resources = _resources(config)
    if resources.get("cpu") and resources["cpu"] > (os.cpu_count() or 1):
        return [f"containerResourceRequirements asks for {resources['cpu']} CPUs; this machine has {os.cpu_count()}"]
    return []


def _settings(root: Path, values: Mapping[str, str | None]) -> list[TargetSetting]:
    base = values.get("docker.defaultBaseImage") or os.environ.get(BASE_IMAGE_ENV)
    return [
        TargetSetting("engine", "Engine", eng.engine_address()),
        TargetSetting("defaultBaseImage", "Default base image", base or "python:3.12-slim"),
        TargetSetting(
            "caBundle", "CA bundle for builds", values.get("docker.caBundle") or os.environ.get(CA_BUNDLE_ENV)
        ),
    ]


def _rows(service: Service) -> list[tuple[str, str]]:
    details = service.details
    return service.rows(
        [
            ("Container", f"{details.get('container') or '-'} ({details.get('containerId') or '-'})"),
            ("Image", str(details.get("image") or "-")),
            ("Port", str(service.port) if service.port is not None else "-"),
            ("Restarts", str(details.get("restartCount", 0))),
        ]
    )


def _place(values: Mapping[str, str | None]) -> tuple[str, ...]:
    """The engine's address: a compute target's ``docker.host``, else this process's (``DOCKER_HOST``)."""
    return (values.get(DOCKER_HOST_SETTING) or eng.engine_address(),)


def _unreachable(values: Mapping[str, str | None]) -> str | None:
    host = values.get(DOCKER_HOST_SETTING)
    if host and host != eng.engine_address():
        return (
            f"it names the Docker engine {host}, and this process talks to {eng.engine_address()} (start it with "
            f"DOCKER_HOST={host} to see its services)"
        )
    return eng.why_unavailable()


DOCKER_HOST_SETTING = "docker.host"  # a compute target's engine (ops/computetargets.py), as DOCKER_HOST


TARGET = TargetInfo(
    "docker",
    "a container on a local Docker engine (DOCKER_HOST or the default socket), from the image amldeploy builds",
    DockerTarget,
    available=eng.available,
    compute_types=("local",),
    priority=10,  # above the process target, which stays the choice without an engine
    label="Docker containers",
    reason=eng.reason,
    settings=_settings,
    rows=_rows,
    place=_place,
    unreachable=_unreachable,
)

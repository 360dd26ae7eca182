"""A container as a ``Service``: its labels say which service and how it was deployed, the engine says how it is
doing (status, exit code, OOM kill, restarts, the image's HEALTHCHECK), and our own ``GET /`` through the
published port says whether it answers now."""

from __future__ import annotations

from typing import Any

from amldeploy.ops.health import is_healthy
from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.package.dockerfile import PORT
from amldeploy.ops.service import Service
from amldeploy.ops.states import State, container_state
from amldeploy.ops.targets.docker import labels as lb
from amldeploy.ops.usage import Usage

TARGET = "docker"
HOST = "127.0.0.1"
PORT_KEY = f"{PORT}/tcp"
KEY_VARIABLES = ("AMLDEPLOY_PRIMARY_KEY", "AMLDEPLOY_SECONDARY_KEY")


def published_port(attrs: dict[str, Any]) -> int | None:
    bindings = ((attrs.get("NetworkSettings") or {}).get("Ports") or {}).get(PORT_KEY) or []
    for binding in bindings:
        if binding.get("HostPort"):
            return int(binding["HostPort"])
    return None


def environment(attrs: dict[str, Any]) -> dict[str, str]:
    env = {}
    for item in (attrs.get("Config") or {}).get("Env") or []:
        key, _, value = str(item).partition("=")
        env[key] = value
    return env


def describe(attrs: dict[str, Any], check: bool = True, starting: bool = False) -> Service:
    """The service of the container ``attrs`` (``docker inspect``); with ``check``, probes ``GET /``."""
    labels: dict[str, str] = (attrs.get("Config") or {}).get("Labels") or {}
    name = labels.get(lb.SERVICE, str(attrs.get("Name", "")).lstrip("/"))
    state_of = attrs.get("State") or {}
    port = published_port(attrs)
    front_end = lb.parse_json(labels, lb.FRONT_END, {})
    status = str(state_of.get("Status", "dead"))
    answering = False
    env = environment(attrs)
    if check and status == "running" and port is not None:
        key = env.get(KEY_VARIABLES[0])
        answering = is_healthy(f"http://{HOST}:{port}", {"Authorization": f"Bearer {key}"} if key else {})
    policy = (attrs.get("HostConfig") or {}).get("RestartPolicy") or {}
    restarts = int(attrs.get("RestartCount") or 0)
    exhausted = policy.get("Name") != "on-failure" or restarts >= int(policy.get("MaximumRetryCount") or 0)
    state, error = container_state(
        status,
        int(state_of.get("ExitCode") or 0),
        bool(state_of.get("OOMKilled")),
        (state_of.get("Health") or {}).get("Status"),
        answering,
        exhausted,
    )
    if starting and state is State.UNHEALTHY:
        state, error = State.TRANSITIONING, None
    if state is State.FAILED and state_of.get("Error"):
        error = f"{error}; the engine says: {state_of['Error']}"
    models = []
    for item in lb.parse_json(labels, lb.MODELS, []):
        try:
            models.append(ModelSpec.from_json(item))
        except (KeyError, TypeError, ValueError):
            continue
    image = (attrs.get("Config") or {}).get("Image")
    return Service(
        name=name,
        target=TARGET,
        state=state,
        compute_type=labels.get(lb.COMPUTE_TYPE, "local"),
        host=HOST if port is not None else None,
        port=port,
        created=labels.get(lb.CREATED),
        models=models,
        auth_enabled=bool(front_end.get("authEnabled")),
        error=error,
        details={
            "frontEnd": front_end,
            "container": str(attrs.get("Name", "")).lstrip("/"),
            "containerId": str(attrs.get("Id", ""))[:12],
            "image": image,
            "configHash": labels.get(lb.CONFIG_HASH),
            "restartCount": restarts,
            "folder": labels.get(lb.FOLDER),
        },
    )


def container_usage(stats: dict[str, Any]) -> Usage:
    """A container's ``Usage`` from one reading of the engine's stats: its cgroup's CPU time, and its memory less
    the inactive page cache the kernel may take back (what ``docker stats`` shows)."""
    cpu_ns = ((stats.get("cpu_stats") or {}).get("cpu_usage") or {}).get("total_usage") or 0
    memory = stats.get("memory_stats") or {}
    detail = memory.get("stats") or {}
    cache = detail.get("inactive_file", detail.get("total_inactive_file", 0)) or 0  # cgroup v2, else v1
    used = int(memory.get("usage") or 0)
    return Usage(int(cpu_ns) / 1e9, max(0, used - int(cache)))

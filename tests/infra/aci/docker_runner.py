"""Container groups of the fake ARM run for real on the tests' Docker engine (tests/infra/docker_engine.py).

``FakeAzure.run_on_docker(client)`` swaps the scripted runner for this one: when a create operation completes, each
container of the group starts from its image (pulled from the registry it names, the test registry on 127.0.0.1 for
instance), with its command, its environment (``value`` and ``secureValue`` alike, as ACI does) and its ports
published on 127.0.0.1. What ARM then reports comes from the engine: Running / Terminated (exit code) / Waiting
(restarting: CrashLoopBackOff), the restart count and the logs. An image that cannot be pulled fails the operation
with InaccessibleImage, like the real service.

The group's ``ip`` becomes 127.0.0.1; ``endpoint(group, port)`` gives the host port published for a container
port, which a test maps the FQDN to (``FakeAzure.endpoint(name, port)``).
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import docker
import docker.errors

from tests.infra.aci.arm import Container, Group, now_iso

HOST = "127.0.0.1"
LABEL = "amldeploy.test.fake-aci"
RESTART = {"Always": {"Name": "always"}, "OnFailure": {"Name": "on-failure"}, "Never": {"Name": "no"}}


def _iso(docker_time: str) -> str:
    """Docker's nanosecond timestamps, cut to what the ACI API reports."""
    if not docker_time or docker_time.startswith("0001-"):
        return ""
    head, _, frac = docker_time.rstrip("Z").partition(".")
    return f"{head}.{(frac + '000000')[:6]}Z"


class DockerRunner:
    def __init__(self, client: docker.DockerClient) -> None:
        self.client = client
        self.run_id = uuid.uuid4().hex[:10]  # this runner's containers, and no one else's on a shared engine

    def _spec(self, group: Group, c: Container) -> dict[str, Any]:
        return next(
            s["properties"] for s in group.request["properties"]["containers"] if s["name"].lower() == c.name.lower()
        )

    def start(self, group: Group) -> tuple[str, str] | None:
        policy = RESTART[group.request["properties"].get("restartPolicy", "Always")]
        for c in group.containers.values():
            spec = self._spec(group, c)
            env = {e["name"]: e.get("value", e.get("secureValue", "")) for e in spec.get("environmentVariables", [])}
            ports = {f"{p['port']}/{p.get('protocol', 'TCP').lower()}": (HOST,) for p in spec.get("ports", [])}
            try:
                self._pull(group, c.image)
                c.handle = self.client.containers.run(
                    c.image,
                    spec.get("command") or None,
                    detach=True,
                    environment=env,
                    ports=ports,
                    restart_policy=policy,
                    labels={LABEL: self.run_id, f"{LABEL}.group": group.id},
                    name=f"fake-aci-{self.run_id}-{group.name}-{c.name}-{uuid.uuid4().hex[:6]}",
                )
            except (docker.errors.ImageNotFound, docker.errors.NotFound, docker.errors.APIError) as exc:
                self.stop(group)
                return (
                    "InaccessibleImage",
                    f"The image '{c.image}' in container group '{group.name}' is not accessible. Please check the "
                    f"image and registry credential. ({type(exc).__name__})",
                )
        group.ip = HOST
        return None

    def _pull(self, group: Group, image: str) -> None:
        with contextlib.suppress(docker.errors.ImageNotFound):
            self.client.images.get(image)
            return
        self.client.images.pull(image)

    def stop(self, group: Group) -> None:
        for c in group.containers.values():
            if c.handle is not None:
                with contextlib.suppress(docker.errors.NotFound):
                    c.handle.remove(force=True)
                c.handle = None

    def refresh(self, group: Group) -> None:
        for c in group.containers.values():
            if c.handle is None:
                continue
            try:
                c.handle.reload()
            except docker.errors.NotFound:
                continue
            state = c.handle.attrs["State"]
            s = c.script
            s.restart_count = c.restarts + int(c.handle.attrs.get("RestartCount") or 0)
            c.start_time = _iso(state.get("StartedAt", "")) or c.start_time
            if state.get("Restarting"):
                s.state, s.detail_status, s.exit_code = "Waiting", "CrashLoopBackOff", state.get("ExitCode")
            elif state.get("Running"):
                s.state, s.detail_status, s.exit_code = "Running", "", None
            else:
                s.state, s.detail_status, s.exit_code = "Terminated", "Completed", state.get("ExitCode")
                if s.exit_code:
                    s.detail_status = "Error"
            raw = c.handle.logs(timestamps=True).decode("utf-8", "replace")
            c.log_lines = []
            for line in raw.splitlines():
                stamp, _, text = line.partition(" ")
                c.log_lines.append((_iso(stamp) or now_iso(), text))

    def endpoint(self, group: Group, port: int) -> tuple[str, int]:
        """The host and port on 127.0.0.1 where a container of the group listens on ``port``."""
        for c in group.containers.values():
            if c.handle is None:
                continue
            c.handle.reload()
            bound = (c.handle.attrs["NetworkSettings"]["Ports"] or {}).get(f"{port}/tcp")
            if bound:
                return HOST, int(bound[0]["HostPort"])
        raise LookupError(f"no container of {group.name} publishes port {port}")

    def stop_all(self) -> None:
        for container in self.client.containers.list(all=True, filters={"label": f"{LABEL}={self.run_id}"}):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True)

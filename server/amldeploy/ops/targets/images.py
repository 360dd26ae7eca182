"""The image a service of a target that runs images elsewhere (Kubernetes, ACI) runs: ``--image REF`` as is
(already pushed); with ``--registry HOST[/NAMESPACE]`` the Docker target's image of the service, pushed as
``<registry>/<name>:<content hash>``; without either, the image built on the local engine (a cluster whose nodes
use that engine, such as Docker Desktop's, runs it; ACI and another cluster need ``--registry``).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import EXIT_USAGE, OpsError
from amldeploy.ops.reporter import Reporter
from amldeploy.ops.targets.base import DeployRequest

REGISTRY_ENV = "AMLDEPLOY_REGISTRY"
PASSWORD_ENV = "AMLDEPLOY_REGISTRY_PASSWORD"
CONTENT_TAG_LENGTH = 12  # as the Docker target tags its images


@dataclass(frozen=True, slots=True)
class PullSecret:
    """Credentials of the image's registry (an ``imagePullSecrets`` entry, ACI's ``imageRegistryCredentials``)."""

    registry: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Image:
    ref: str
    digest: str = ""  # the content hash of the build context; empty for --image
    pull_secret: PullSecret | None = None
    local_only: bool = False  # built on the local engine and pushed nowhere


def with_registry(request: DeployRequest, setting: str | None) -> DeployRequest:
    """``request`` with ``setting`` (the editor's registry setting of the target) as its registry, when it names
    neither an image nor a registry itself."""
    if request.image or request.registry or not setting:
        return request
    return dataclasses.replace(request, registry=setting)


def registry_of(request: DeployRequest) -> str | None:
    registry = request.registry or os.environ.get(REGISTRY_ENV) or None
    return registry.rstrip("/") if registry else None


def _pull_secret(request: DeployRequest, registry: str) -> PullSecret | None:
    if not request.registry_username:
        return None
    password = request.registry_password or os.environ.get(PASSWORD_ENV)
    if not password:
        raise OpsError(
            f"--registry-username {request.registry_username} needs the password in {PASSWORD_ENV} (or on stdin)",
            "set it, or leave --registry-username out when the cluster may pull from the registry already",
            EXIT_USAGE,
        )
    return PullSecret(registry.split("/", 1)[0], request.registry_username, password)


def planned(request: DeployRequest, root: Path) -> Image:
    """The image reference a deploy would use, decided offline (the content hash needs no engine)."""
    if request.image:
        return Image(request.image)
    from amldeploy.ops.targets.docker.target import DockerTarget

    package = DockerTarget(root).plan(request)
    registry = registry_of(request)
    tag = package.digest[:CONTENT_TAG_LENGTH]
    if registry:
        return Image(f"{registry}/{request.name}:{tag}", package.digest)
    return Image(package.tag, package.digest, local_only=True)


def provide(request: DeployRequest, root: Path, reporter: Reporter) -> Image:
    """The image ready for the cluster: built (unless its content tag exists) and pushed when a registry is
    given."""
    if request.image:
        host = request.image.split("/", 1)[0] if "/" in request.image else ""
        secret = _pull_secret(request, host) if host and request.registry_username else None
        return Image(request.image, pull_secret=secret)
    from amldeploy.ops.targets.docker import engine as eng
    from amldeploy.ops.targets.docker.build import ensure_image
    from amldeploy.ops.targets.docker.push import push, tag_image
    from amldeploy.ops.targets.docker.target import DockerTarget

    package = DockerTarget(root).plan(request)
    for warning in package.warnings:
        reporter.warning(warning)
    registry = registry_of(request)
    secret = _pull_secret(request, registry) if registry else None
    engine = eng.client()
    try:
        built = ensure_image(engine, package, reporter)
        if not registry:
            reporter.warning(
                f"no --registry: {package.tag} is on the local Docker engine only; a cluster whose nodes use another "
                "engine cannot pull it (give --registry HOST[/NAMESPACE], or --image REF of an image already pushed)"
            )
            return Image(package.tag, package.digest, local_only=True)
        ref = f"{registry}/{request.name}:{package.digest[:CONTENT_TAG_LENGTH]}"
        tag_image(engine, built.image_id, ref)
        push(engine, ref, reporter, secret.username if secret else None, secret.password if secret else None)
        return Image(ref, package.digest, secret)
    finally:
        engine.close()


def packaged(request: DeployRequest, root: Path, reporter: Reporter) -> dict[str, Any]:
    """``package`` of a target that runs images elsewhere: the image built and, with a registry, pushed there."""
    image = provide(request, root, reporter)
    pushed = bool(registry_of(request)) and not request.image
    return {"image": image.ref, "digest": f"sha256:{image.digest}" if image.digest else None, "pushed": pushed}

"""Service images with the engine's classic builder (the SDK's low-level ``build``; the SDK has no BuildKit).

The tag is the build context's content hash (``Package.tag``): an image with that tag is what the same context
builds, so an unchanged project builds nothing. The Dockerfile orders layers from what changes least to what
changes most, so a code-only change rebuilds the code layers and reuses the dependency layers from the cache.
Build output streams to the reporter line by line; a failed step is shown with its command and the tail of its
output. The base registry's password goes to the engine's login only, never to a message or a label.
"""

from __future__ import annotations

import collections
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from amldeploy.ops.errors import DeployFailed, OpsError
from amldeploy.ops.package.plan import Package, RegistryAuth
from amldeploy.ops.reporter import Reporter

TAIL_LINES = 30
_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")


@dataclass(slots=True)
class Built:
    tag: str
    image_id: str
    cached: bool  # the tag existed: nothing was built

    def to_json(self) -> dict[str, Any]:
        return {"image": self.tag, "imageId": self.image_id, "built": not self.cached}


def image_id(engine: Any, ref: str) -> str | None:
    from docker.errors import ImageNotFound

    try:
        return str(engine.images.get(ref).id)
    except ImageNotFound:
        return None


def ensure_image(engine: Any, package: Package, reporter: Reporter) -> Built:
    """The image of ``package``, built unless its content tag exists already."""
    existing = image_id(engine, package.tag)
    if existing is not None:
        reporter.step(f"Image {package.tag}")
        reporter.done(True, "unchanged, not rebuilt")
        return Built(package.tag, existing, True)
    if package.registry is not None:
        login(engine, package.registry, reporter)
    reporter.step(f"Building {package.tag} from {package.base}")
    built = _build(engine, package, reporter)
    reporter.done(True, built[len("sha256:") : len("sha256:") + 12] if built.startswith("sha256:") else built)
    return Built(package.tag, built, False)


def login(engine: Any, registry: RegistryAuth, reporter: Reporter) -> None:
    """Log the engine in to the base image's registry (the SDK keeps it for the build's pull)."""
    from docker.errors import APIError

    if not registry.username or not registry.password:
        return  # the engine's own credentials (docker login) apply
    reporter.step(f"Logging in to {registry.address} as {registry.username}")
    try:
        engine.login(username=registry.username, password=registry.password, registry=registry.address, reauth=True)
    except APIError as exc:
        reporter.done(False)
        raise OpsError(
            f"the registry {registry.address} refused the login of {registry.username}: {_explanation(exc)}",
            "check baseImageRegistry's username and password in the inference config",
        ) from None
    reporter.done(True)


def _build(engine: Any, package: Package, reporter: Reporter) -> str:
    from docker.errors import APIError

    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    step: tuple[str, str] | None = None  # ("3/20", the instruction)
    image: str | None = None
    with tempfile.TemporaryFile() as context:  # models may be large: never the whole context in memory
        package.context.write_tar(context)
        context.seek(0)
        try:
            stream = engine.api.build(
                fileobj=context,
                custom_context=True,
                tag=package.tag,
                rm=True,
                forcerm=True,  # a failed step leaves no intermediate container
                decode=True,
                pull=False,
            )
            for line, error, aux in _lines(stream):
                if error is not None:
                    raise _failed(package, step, list(tail), error)
                if aux is not None:
                    image = aux
                    continue
                assert line is not None
                match = _STEP.match(line)
                if match:
                    step = (f"{match.group(1)}/{match.group(2)}", match.group(3))
                    tail.clear()
                    # The step is news of the phase (with how far it got), not a log line of its own.
                    reporter.progress(f"step {step[0]}: {step[1]}", int(match.group(1)) / int(match.group(2)))
                    continue
                if line.strip():
                    tail.append(line)
                reporter.log(line)
        except APIError as exc:
            raise _failed(package, step, list(tail), _explanation(exc)) from None
    if image is None:
        found = image_id(engine, package.tag)
        if found is None:
            raise _failed(package, step, list(tail), "the engine ended the build without an image")
        image = found
    return image


def _lines(stream: Iterator[dict[str, Any]]) -> Iterator[tuple[str | None, str | None, str | None]]:
    """(line, error, image id) from the engine's JSON messages; ``stream`` text arrives in arbitrary pieces."""
    pending = ""
    for chunk in stream:
        if "error" in chunk or "errorDetail" in chunk:
            if pending:
                yield pending, None, None
                pending = ""
            detail = chunk.get("errorDetail") or {}
            yield None, str(detail.get("message") or chunk.get("error") or "the build failed"), None
            return
        aux = chunk.get("aux")
        if isinstance(aux, dict) and aux.get("ID"):
            yield None, None, str(aux["ID"])
            continue
        text = chunk.get("stream") or chunk.get("status") or ""
        pending += str(text)
        while "\n" in pending:
            line, pending = pending.split("\n", 1)
            yield line.rstrip("\r"), None, None
    if pending:
        yield pending, None, None


def _failed(package: Package, step: tuple[str, str] | None, tail: list[str], error: str) -> DeployFailed:
    instruction = step[1] if step else ""
    where = f"step {step[0]} ({instruction})" if step else "the build"
    if step and instruction.upper().startswith("FROM"):
        base = instruction.split()[1] if len(instruction.split()) > 1 else "?"
        hint = (
            f"the base image {base} is not on this engine and could not be pulled: pull it ('docker pull {base}'), "
            "log in to its registry, or choose another with --base-image / environment.docker.baseImage (setting "
            "amldeploy.docker.defaultBaseImage, env AMLDEPLOY_DOCKER_BASE_IMAGE)"
        )
    elif any("CERTIFICATE_VERIFY_FAILED" in line for line in tail):
        hint = (
            "pip in the build does not trust the TLS certificate of the index (a proxy?): give the CA bundle with "
            "AMLDEPLOY_DOCKER_CA_BUNDLE (or package --ca-bundle)"
        )
    elif "pip install" in instruction:
        hint = "a dependency could not be installed: fix the environment's pip/conda packages (see the output above)"
    else:
        hint = "fix what the output above names, then build again (unchanged steps come from the cache)"
    message = f"building {package.tag} failed at {where}: {error.strip()}"
    return DeployFailed(message, hint, None, tail)


def _explanation(exc: Any) -> str:
    return str(getattr(exc, "explanation", None) or exc)

"""``amldeploy package --image NAME[:TAG] --push``: the built image, tagged and pushed to its registry.

Credentials come from the Docker client's store (``docker login``: config.json and its credential helpers, which
the SDK reads) or, with ``--registry-username``, from a password the caller read from stdin or
``AMLDEPLOY_REGISTRY_PASSWORD``; they reach the engine in the push's auth header and nothing else.
"""

from __future__ import annotations

from typing import Any

from amldeploy.ops.errors import OpsError
from amldeploy.ops.reporter import Reporter


def split_ref(ref: str) -> tuple[str, str | None]:
    """``repo[:tag]`` → (repo, tag); a port in the registry host is not a tag."""
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = ref.rsplit(":", 1)
        return repo, tag
    return ref, None


def tag_image(engine: Any, image_id: str, ref: str) -> None:
    repo, tag = split_ref(ref)
    if not engine.api.tag(image_id, repo, tag or "latest"):
        raise OpsError(f"the engine could not tag the image as {ref}", "check the name (lowercase, no spaces)")


def push(engine: Any, ref: str, reporter: Reporter, username: str | None = None, password: str | None = None) -> str:
    """Push ``ref``; returns the digest the registry gave it."""
    repo, tag = split_ref(ref)
    auth = {"username": username, "password": password} if username else None
    reporter.step(f"Pushing {ref}")
    digest = ""
    try:
        for chunk in engine.api.push(repo, tag=tag or "latest", stream=True, decode=True, auth_config=auth):
            if "error" in chunk or "errorDetail" in chunk:
                detail = chunk.get("errorDetail") or {}
                raise _refused(ref, str(detail.get("message") or chunk.get("error")), username)
            aux = chunk.get("aux")
            if isinstance(aux, dict) and aux.get("Digest"):
                digest = str(aux["Digest"])
            status = chunk.get("status")
            if status and chunk.get("id"):  # one layer's news: only its outcome is worth a line
                if status in ("Pushed", "Layer already exists") or status.startswith("Mounted from"):
                    reporter.progress(f"{chunk['id']}: {status}")
            elif status:
                reporter.log(str(status))
    except OpsError:
        reporter.done(False)
        raise
    except Exception as exc:  # the SDK's APIError and requests' connection errors
        reporter.done(False)
        raise _refused(ref, str(getattr(exc, "explanation", None) or exc), username) from None
    reporter.done(True, digest or "pushed")
    return digest


def _refused(ref: str, detail: str, username: str | None) -> OpsError:
    lowered = detail.lower()
    if "unauthorized" in lowered or "denied" in lowered or "authentication required" in lowered:
        how = f"as {username}" if username else "with the credentials of 'docker login'"
        return OpsError(
            f"the registry refused the push of {ref} {how}: {detail}",
            "log in with 'docker login REGISTRY', or give --registry-username with the password on stdin or in "
            "AMLDEPLOY_REGISTRY_PASSWORD",
        )
    return OpsError(f"pushing {ref} failed: {detail}", "check that the registry in the name is reachable")

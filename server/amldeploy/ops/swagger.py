"""The swagger document a service serves, fetched with its key when auth is on (editors show it; a browser
could not send the key)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import OpsError
from amldeploy.ops.scoring import key_header, parsed_body, reach, send, trust_of
from amldeploy.ops.service import Service
from amldeploy.ops.targets.base import Target, find_service


def fetch_swagger(name: str, root: Path, settings: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """``{"name", "uri", "document"}``: the parsed swagger of the service ``name`` of ``root``; ``OpsError``
    naming the cause when it has none, does not answer, or answers with an error."""
    target, found = find_service(name, root, settings)
    with reach(target, found) as service:
        return _fetch(target, service)


def _fetch(target: Target, service: Service) -> dict[str, Any]:
    name = service.name
    uri = service.swagger_uri
    if uri is None:
        raise OpsError(
            f"'{name}' has no swagger document: it is {service.state}",
            f"see why with 'amldeploy logs {name}', then deploy it again",
        )
    answer = send(name, "GET", uri, None, key_header(target, service), timeout=30, trust=trust_of(target, service))
    document = parsed_body(answer)
    if answer.status != 200 or not isinstance(document, dict):
        shown = str(document)[:200]
        raise OpsError(
            f"{uri} answered {answer.status} {answer.reason}: {shown}",
            f"check that '{name}' is Healthy ('amldeploy show {name}') and read its log ('amldeploy logs {name}')",
        )
    return {"name": name, "uri": uri, "document": document}

"""One request to a service's ``/score``, with its key when auth is on: ``amldeploy score`` and the editor's
"score" both send it here."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import OpsError
from amldeploy.ops.health import Response, request
from amldeploy.ops.service import Service
from amldeploy.ops.states import State
from amldeploy.ops.targets.base import Target, TlsTrusting, Tunneling, find_service

RUN_TIME_HEADER = "x-ms-run-fn-exec-ms"
DEFAULT_CONTENT_TYPE = "application/json"


def run_time_ms(answer: Response) -> float | None:
    """The scoring function's run time the runtime reports (``x-ms-run-fn-exec-ms``)."""
    value = answer.headers.get(RUN_TIME_HEADER)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def parsed_body(answer: Response) -> Any:
    """The answer's body: parsed when it is JSON, else its text."""
    text = answer.body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def answer_json(name: str, answer: Response) -> dict[str, Any]:
    """The answer as ``amldeploy score --output json`` and the language server give it."""
    return {
        "name": name,
        "status": answer.status,
        "reason": answer.reason,
        "runTimeMs": run_time_ms(answer),
        "headers": answer.headers,
        "body": parsed_body(answer),
    }


def score(
    name: str,
    body: bytes,
    root: Path,
    content_type: str = DEFAULT_CONTENT_TYPE,
    settings: Mapping[str, str | None] | None = None,
    records: bool = True,
) -> Response:
    """POST ``body`` to the ``/score`` of the service ``name`` of ``root``; ``OpsError`` when it does not run
    or does not answer (a non-2xx answer is an answer). A service without an address reachable from here is
    reached through its target's tunnel (a Kubernetes port-forward). With ``records``, a service the settings do
    not find is looked for on the recorded compute targets too."""
    target, service = find_service(name, root, settings, records=records)
    with reach(target, service) as service:
        return _score(target, service, body, content_type)


@contextlib.contextmanager
def reach(target: Target, service: Service) -> Iterator[Service]:
    """``service`` with an address this machine reaches, for as long as the context is held."""
    if isinstance(target, Tunneling) and service.state is not State.FAILED:
        with target.reach(service) as reached:
            yield reached
    else:
        yield service


def _score(target: Target, service: Service, body: bytes, content_type: str) -> Response:
    name = service.name
    if service.state is State.FAILED or service.scoring_uri is None:
        raise OpsError(
            f"'{name}' is {service.state}: {service.error or 'it does not run'}",
            f"see why with 'amldeploy logs {name}', then deploy it again",
        )
    headers = {"Content-Type": content_type, **key_header(target, service)}
    front_end = service.details.get("frontEnd") or {}
    # Wait as long as the service's own front end would, and a little more, so its 504 arrives.
    timeout = (front_end.get("scoringTimeoutMs") or 60000) / 1000 + 10
    return send(name, "POST", service.scoring_uri, body, headers, timeout, trust_of(target, service))


def trust_of(target: Target, service: Service) -> str | None:
    """The certificate to trust for an https service (its own, from its target), else None."""
    if service.scheme == "https" and isinstance(target, TlsTrusting):
        return target.tls_trust(service)
    return None


def key_header(target: Target, service: Service) -> dict[str, str]:
    """The ``Authorization`` header a service with auth on wants (its primary key); none otherwise."""
    return {"Authorization": f"Bearer {target.keys(service.name).primary}"} if service.auth_enabled else {}


def send(
    name: str,
    method: str,
    uri: str,
    body: bytes | None,
    headers: dict[str, str],
    timeout: float,
    trust: str | None = None,
) -> Response:
    """One request to the service ``name``; ``OpsError`` naming what to check when it does not answer."""
    try:
        return request(method, uri, body, headers, timeout=timeout, trust=trust)
    except OSError as exc:
        raise OpsError(
            f"no answer from {uri}: {exc}", f"check 'amldeploy show {name}' and 'amldeploy logs {name}'"
        ) from exc

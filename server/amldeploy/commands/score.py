"""``amldeploy score NAME --data JSON | --file FILE``: one request to the service's ``/score``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from amldeploy.commands.services import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Output
from amldeploy.ops.errors import OpsError
from amldeploy.ops.health import request
from amldeploy.ops.states import State
from amldeploy.ops.targets.base import find_service

RUN_TIME_HEADER = "x-ms-run-fn-exec-ms"


def run_score(name: str, data: str | None, file: str | None, output: Output) -> int:
    body = _body(data, file)
    target, service = find_service(name, Path.cwd())
    if service.state is State.FAILED or service.scoring_uri is None:
        raise OpsError(
            f"'{name}' is {service.state}: {service.error or 'it does not run'}",
            f"see why with 'amldeploy logs {name}', then deploy it again",
        )
    headers = {"Content-Type": "application/json"}
    if service.auth_enabled:
        headers["Authorization"] = f"Bearer {target.keys(name).primary}"
    front_end = service.details.get("frontEnd") or {}
    # Wait as long as the service's own front end would, and a little more, so its 504 arrives.
    timeout = (front_end.get("scoringTimeoutMs") or 60000) / 1000 + 10
    try:
        answer = request("POST", service.scoring_uri, body, headers, timeout=timeout)
    except OSError as exc:
        raise OpsError(
            f"no answer from {service.scoring_uri}: {exc}", f"check 'amldeploy show {name}' and 'amldeploy logs {name}'"
        ) from exc
    run_ms = answer.headers.get(RUN_TIME_HEADER)
    parsed = _parse(answer.body)
    if output.json:
        output.document(
            {
                "name": name,
                "status": answer.status,
                "reason": answer.reason,
                "runTimeMs": float(run_ms) if run_ms and _is_number(run_ms) else None,
                "headers": answer.headers,
                "body": parsed,
            }
        )
    else:
        output.line(f"HTTP {answer.status} {answer.reason}")
        if run_ms is not None:
            output.line(f"{RUN_TIME_HEADER}: {run_ms}")
        output.line(json.dumps(parsed, indent=2, ensure_ascii=False) if not isinstance(parsed, str) else parsed)
    return EXIT_OK if answer.ok else EXIT_FAILED


def _body(data: str | None, file: str | None) -> bytes:
    if data is not None:
        return data.encode("utf-8")
    assert file is not None
    try:
        return sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise OpsError(f"cannot read --file {file}: {exc.strerror or exc}", "give a readable file", EXIT_USAGE) from exc


def _parse(body: bytes) -> Any:
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

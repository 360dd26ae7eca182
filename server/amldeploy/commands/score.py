"""``amldeploy score NAME --data JSON | --file FILE``: one request to the service's ``/score``."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

from amldeploy.commands.output import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Output
from amldeploy.ops.errors import OpsError
from amldeploy.ops.scoring import RUN_TIME_HEADER, answer_json, parsed_body, score


def run_score(
    name: str,
    data: str | None,
    file: str | None,
    output: Output,
    settings: Mapping[str, str | None] | None = None,
    records: bool = True,
) -> int:
    answer = score(name, _body(data, file), Path.cwd(), settings=settings, records=records)
    if output.json:
        output.document(answer_json(name, answer))
    else:
        output.line(f"HTTP {answer.status} {answer.reason}")
        run_ms = answer.headers.get(RUN_TIME_HEADER)
        if run_ms is not None:
            output.line(f"{RUN_TIME_HEADER}: {run_ms}")
        body = parsed_body(answer)
        output.line(json.dumps(body, indent=2, ensure_ascii=False) if not isinstance(body, str) else body)
    return EXIT_OK if answer.ok else EXIT_FAILED


def _body(data: str | None, file: str | None) -> bytes:
    if data is not None:
        return data.encode("utf-8")
    assert file is not None
    try:
        return sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise OpsError(f"cannot read --file {file}: {exc.strerror or exc}", "give a readable file", EXIT_USAGE) from exc

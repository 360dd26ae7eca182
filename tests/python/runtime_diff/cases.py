"""The differential cases: a script under tests/fixtures/differential/, its environment and model files, requests.

The tables are in cases_routes.py, cases_scripts.py and cases_env.py; test_differential.py runs them in order.

Statuses (and some bodies) are the documented contract of azureml-inference-server-http 1.5.1 (mission anchors
§2); they are checked against Azure's server, then every response is compared with ``amldeploy serve``. Cases that
share a script and environment share one pair of servers: keep them next to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.python.runtime_diff.client import Req

JSON = {"Content-Type": "application/json"}
INTERNAL = {"message": "An unexpected internal error occurred. Check the logs for more info."}
SCRIPT_FAILED = {"message": "An unexpected error occurred in scoring script. Check the logs for more info."}
NOT_FOUND = {
    "message": "The requested URL was not found on the server. If you entered the URL manually please check your "
    "spelling and try again."
}
NOT_ALLOWED = {"message": "The method is not allowed for the requested URL."}
CORS = "http://allowed.example, http://b.example"
BOUNDARY = "amldeploy-boundary-7"
MULTIPART = (
    (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue 1\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="pic.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    + b"\x89PNG\r\n\x1a\n\x00\x01\x02"
    + f"\r\n--{BOUNDARY}--\r\n".encode()
)


@dataclass(frozen=True)
class Case:
    """``env`` values may use ``{fixture}`` (the script's folder) and ``{models}`` (the built model folder).

    ``startup_failure``: the servers must exit; exit statuses are compared and both logs must hold every string.
    ``ours_entry_from_env``: start ``amldeploy serve`` without ``--entry-script``, from ``AZUREML_ENTRY_SCRIPT``
    (as an image entrypoint); Azure's server always gets its ``--entry_script``.
    ``ours_models``: ``--model`` values for ``amldeploy serve`` instead of ``AZUREML_MODEL_DIR`` (which Azure gets).
    ``{tmp}`` in ``env`` is a fresh empty folder per server start.
    """

    name: str
    script: str
    requests: tuple[Req, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    models: str | None = None
    startup_failure: tuple[str, ...] = ()
    ours_entry_from_env: bool = False
    ours_models: tuple[str, ...] = ()

    def server_key(self) -> tuple[object, ...]:
        return (self.script, self.env, self.models, self.ours_entry_from_env, self.ours_models)


def post(body: str | bytes, headers: dict[str, str] | None = None, status: int = 200, **kw: Any) -> Req:
    """POST /score; the content type is application/json unless ``headers`` are given."""
    return Req("POST", "/score", dict(JSON if headers is None else headers), body, status, **kw)


def get(path: str, status: int = 200, headers: dict[str, str] | None = None, **kw: Any) -> Req:
    return Req("GET", path, dict(headers or {}), None, status, **kw)


def swagger(*versions: str) -> tuple[Req, ...]:
    return tuple(get("/swagger.json" + (f"?version={v}" if v else "")) for v in versions)

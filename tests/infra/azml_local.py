"""Run azureml-inference-server-http bound to 127.0.0.1 only.

azmlinfsrv hard-codes its bind host to ``0.0.0.0`` (``amlserver.DEFAULT_HOST``) and has no flag for it. This wrapper
sets the host to the loopback address, refuses to start on any other host, turns off gunicorn's control socket
(one path under $HOME shared by all instances; nothing HTTP-visible), then calls the server's own console
entry (``azmlinfsrv`` = ``amlserver.run``) with the given arguments. It runs inside the cached server venv:

    <venv>/bin/python tests/infra/azml_local.py --entry_script score.py --port 5001
"""

from __future__ import annotations

import os
import sys

from azureml_inference_server_http import amlserver, amlserver_linux

HOST = "127.0.0.1"
_serve = amlserver_linux.run


def _loopback_only(host: str, *args: int) -> None:
    if host != HOST:
        raise SystemExit(f"azml_local: refusing to bind {host!r}; only {HOST} is allowed")
    _serve(host, *args)


def main() -> None:
    if not hasattr(amlserver, "DEFAULT_HOST"):
        raise SystemExit("azml_local: amlserver.DEFAULT_HOST not found; this wrapper expects server 1.5.x")
    amlserver.DEFAULT_HOST = HOST
    # gunicorn 23+ opens a control socket under $HOME shared by every instance; servers here run side by side.
    os.environ.setdefault("GUNICORN_CMD_ARGS", "--no-control-socket")
    amlserver_linux.run = _loopback_only
    sys.argv[0] = "azmlinfsrv"
    amlserver.run()


if __name__ == "__main__":
    main()

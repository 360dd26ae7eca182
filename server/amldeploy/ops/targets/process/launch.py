"""What the process target hands the runtime: a port, a command line, an environment, a config snapshot."""

from __future__ import annotations

import errno
import json
import os
import random
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from amldeploy.ops.errors import OpsError
from amldeploy.ops.model_specs import ModelSpec

HOST = "127.0.0.1"
# Never copied into a snapshot: they are secrets (service keys, registry passwords).
_SECRET_KEYS = frozenset({"keys", "primaryKey", "secondaryKey", "password"})


# Where an automatic port is chosen: below the kernel's ephemeral range. A port from that range (what binding
# port 0 gives) can be taken as the local end of any outgoing connection in the second before the service
# binds it; seen with a browser busy on the same machine.
AUTO_PORTS = (20000, 32767)
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def ephemeral_range(path: Path = EPHEMERAL_RANGE) -> tuple[int, int]:
    try:
        low, high = (int(part) for part in path.read_text(encoding="ascii").split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def free_port(host: str = HOST, tries: int = 50) -> int:
    """A port nobody listens on, outside the ephemeral range when there is room below it."""
    low, _ = ephemeral_range()
    first, last = AUTO_PORTS
    last = min(last, low - 1)
    if last - first >= tries:
        for port in random.sample(range(first, last + 1), tries):
            if port_problem(port, host) is None:
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        chosen: int = sock.getsockname()[1]
        return chosen


def port_problem(port: int, host: str = HOST) -> str | None:
    """Why the runtime could not listen on ``port`` (None when it can), checked the way a server binds."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "in use"
            if exc.errno == errno.EACCES:
                return "privileged"
            return exc.strerror or str(exc)
    return None


def check_port(port: int, origin: str, owner_of: Callable[[], str | None], config_name: str) -> None:
    """Raise a clear ``OpsError`` when ``port`` is taken; ``owner_of()`` names the service of this folder on it."""
    problem = port_problem(port)
    if problem is None:
        return
    fix = (
        f"choose another with --port or change 'port' in {config_name}"
        if origin == "config"
        else ("choose another with --port")
    )
    if problem == "in use":
        owner = owner_of()
        who = f"the service '{owner}' (amldeploy delete {owner} frees it)" if owner else "another program"
        raise OpsError(f"port {port} is already in use by {who}", fix)
    if problem == "privileged":
        raise OpsError(f"port {port} needs administrator rights on this machine", "use a port above 1023: " + fix)
    raise OpsError(f"cannot listen on port {port}: {problem}", fix)


def serve_command(
    python: Path, entry_script: Path, source_dir: Path, models: list[ModelSpec], port: int, host: str = HOST
) -> list[str]:
    command = [str(python), "-m", "amldeploy", "serve", "--entry-script", str(entry_script)]
    command += ["--source-dir", str(source_dir)]
    for model in models:
        command += ["--model", model.argument]
    return [*command, "--port", str(port), "--host", host]


def child_environment(
    base: Mapping[str, str],
    environment_variables: Mapping[str, str] | None,
    app_root: Path,
    front_end: Mapping[str, str],
    venv_python: Path | None,
    pythonpath: Path | None,
) -> dict[str, str]:
    """The runtime's environment: ours (minus settings meant for another runtime), the config's
    ``environmentVariables``, then the app root and front-end settings, which always win."""
    env = {k: v for k, v in base.items() if not k.startswith("AMLDEPLOY_")}
    for key in ("AML_APP_ROOT", "AZUREML_MODEL_DIR", "AZUREML_ENTRY_SCRIPT"):
        env.pop(key, None)
    env.update(environment_variables or {})
    env["AML_APP_ROOT"] = str(app_root)
    # print() in score.py should reach the log as it happens, not when a buffer fills.
    env["PYTHONUNBUFFERED"] = "1"
    env.update(front_end)
    if venv_python is not None:
        venv = venv_python.parent.parent
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
        env.pop("PYTHONHOME", None)
        if pythonpath is not None:
            env["PYTHONPATH"] = str(pythonpath)
    return env


def write_snapshot(source: Path, destination: Path) -> None:
    """A JSON copy of a config (JSON or YAML) without its secrets."""
    text = source.read_text(encoding="utf-8-sig")
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError:
        data = yaml.safe_load(text)
    destination.write_text(json.dumps(_scrub(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("<not recorded>" if k in _SECRET_KEYS else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def link_package(pythonpath: Path) -> None:
    """``pythonpath/amldeploy`` → this ``amldeploy`` package, and links to the runtime's HTTP server libraries
    (uvicorn and its parsers, built for this same interpreter): an isolated venv imports these and nothing else
    of amldeploy's."""
    import importlib.util

    import amldeploy
    from amldeploy.runtime.server import LIBRARIES

    pythonpath.mkdir(parents=True, exist_ok=True)
    (pythonpath / "amldeploy").symlink_to(Path(amldeploy.__file__).resolve().parent, target_is_directory=True)
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue  # an optional one (httptools, uvloop) that is not installed
        origin = Path(spec.origin).resolve()
        source = origin.parent if spec.submodule_search_locations else origin
        (pythonpath / source.name).symlink_to(source, target_is_directory=source.is_dir())

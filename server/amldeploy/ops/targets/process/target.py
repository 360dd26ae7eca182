"""The process target: the scoring runtime as a background process on this machine.

No container engine needed: ``python -m amldeploy serve`` runs in its own session with its output in the
service's log, the current interpreter (or, with ``--isolated``, a cached venv of the environment's pip
packages) and the deployment config's front-end settings. ``service.json`` remembers what was started; the
process is the truth about how it is doing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from amldeploy.config.models import LocalDeploymentConfig
from amldeploy.language.files import resolve
from amldeploy.ops.errors import Cancelled, DeployFailed, OpsError, ServiceNotFound
from amldeploy.ops.frontend import front_end_of
from amldeploy.ops.health import HEALTH_INTERVAL_S, HEALTH_TRIES, wait_healthy
from amldeploy.ops.keys import ServiceKeys
from amldeploy.ops.locks import current_holder, service_lock
from amldeploy.ops.logs import follow_lines, tail_lines
from amldeploy.ops.reporter import Reporter
from amldeploy.ops.service import Service, now_iso
from amldeploy.ops.states import State
from amldeploy.ops.targets.base import DeployRequest, TargetInfo, TargetSetting
from amldeploy.ops.targets.process import launch as launch
from amldeploy.ops.targets.process.status import as_int, describe
from amldeploy.ops.targets.process.store import (
    STATE_DIR,
    ServiceFolder,
    read_environ,
    running,
    service_names,
    stop_process,
)
from amldeploy.ops.usage import Usage, UsageProbe, process_tree_usage

CRASH_LOG_LINES = 40
# ``amldeploy serve`` exits 3 when the script fails to load or init() raises; these mean it never got that far.
RUNTIME_SETUP_FAILURES = {1: "it could not listen on its port", 2: "it refused its settings"}


class ProcessTarget:
    name = "process"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    # --- deploy -------------------------------------------------------------------------------------------

    def deploy(self, request: DeployRequest, reporter: Reporter) -> Service:
        # Held until the new process answers or is given up: another deploy or a delete of the name in between
        # would stop the process this one waits for, or remove the folder that names it.
        with service_lock(self.root, self.name, request.name, "deploy", reporter):
            return self._deploy(request, reporter)

    def _deploy(self, request: DeployRequest, reporter: Reporter) -> Service:
        folder = ServiceFolder(self.root, request.name)
        inference, deployment = request.inference.config, request.deployment.config
        config_dir = request.inference.path.resolve().parent
        source_dir = resolve(config_dir, inference.source_directory) if inference.source_directory else config_dir
        entry_script = resolve(source_dir, inference.entry_script)
        if not entry_script.is_file():
            raise OpsError(f"entry script {entry_script} doesn't exist", "fix 'entryScript' in the inference config")
        front_end, warnings = front_end_of(deployment)
        for warning in warnings:
            reporter.warning(warning)

        old = self._running_record(folder)
        port = self._choose_port(request, old)
        python, pythonpath = Path(sys.executable), None
        if request.isolated:
            try:
                python = self._isolated_python(request, reporter)
            except DeployFailed as failed:
                if old is None:  # nothing runs under this name: remember the failure, as v1 kept Failed services
                    failed.service = self._record_build_failure(folder, request, failed)
                raise
            pythonpath = folder.pythonpath
        if old is not None:
            reporter.step(f"Stopping the running {request.name} (pid {old['pid']})")
            reporter.done(True, "killed" if stop_process(int(old["pid"])) else "stopped")

        folder.reset()
        launch.write_snapshot(request.inference.path, folder.path / "inferenceconfig.json")
        launch.write_snapshot(request.deployment.path, folder.path / "deploymentconfig.json")
        if pythonpath is not None:
            launch.link_package(pythonpath)
        keys = front_end.keys()
        env_vars = inference.environment.environment_variables if inference.environment else None
        env = launch.child_environment(
            os.environ,
            env_vars,
            folder.app_root,
            front_end.environment(keys),
            python if pythonpath else None,
            pythonpath,
        )
        command = launch.serve_command(python, entry_script, source_dir, request.models, port)

        reporter.step(f"Starting {request.name} on port {port}")
        try:
            with folder.log_path.open("ab") as log:
                child = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=source_dir,
                    env=env,
                    start_new_session=True,
                )
        except OSError as exc:
            reporter.done(False)
            folder.remove()
            raise OpsError(
                f"cannot start {python}: {exc.strerror or exc}", "check the interpreter and the folder"
            ) from exc
        budget = HEALTH_TRIES * HEALTH_INTERVAL_S
        record: dict[str, Any] = {
            "name": request.name,
            "target": self.name,
            "computeType": deployment.compute_type,
            "state": State.TRANSITIONING.value,
            "startingUntil": time.time() + budget + 5,
            "pid": child.pid,
            "host": launch.HOST,
            "port": port,
            "created": now_iso(),
            "models": [m.to_json() for m in request.models],
            "authEnabled": front_end.auth_enabled,
            "frontEnd": front_end.to_json(),
            "isolated": request.isolated,
            "python": str(python),
            "entryScript": str(entry_script),
            "sourceDirectory": str(source_dir),
            "configs": {
                "inference": {"path": str(request.inference.path.resolve()), "snapshot": "inferenceconfig.json"},
                "deployment": {"path": str(request.deployment.path.resolve()), "snapshot": "deploymentconfig.json"},
            },
            "command": command,
            "error": None,
        }
        folder.write(record)
        reporter.done(True, f"pid {child.pid}")
        return self._wait(folder, record, child, keys, reporter)

    def _wait(
        self,
        folder: ServiceFolder,
        record: dict[str, Any],
        child: subprocess.Popen[bytes],
        keys: ServiceKeys,
        reporter: Reporter,
    ) -> Service:
        base = f"http://{launch.HOST}:{record['port']}"
        try:
            reporter.step(f"Waiting for {record['name']} to answer GET /")
            result = wait_healthy(base, child.poll, reporter, _auth_headers(keys))
        except (KeyboardInterrupt, Cancelled) as stopped:
            # Ctrl-C, or the editor's cancel: what was started stops, and the record says why it is Failed.
            cancelled = isinstance(stopped, Cancelled)
            stop_process(child.pid, grace=3.0)
            child.poll()
            how = "cancelled" if cancelled else "interrupted"
            folder.update(state=State.FAILED.value, error=f"the deploy was {how} and the process stopped", gone=True)
            reporter.done(False, how)
            raise
        name = record["name"]
        if not folder.exists():  # deleted by another command while it started
            stop_process(child.pid, grace=3.0)
            reporter.done(False, "deleted")
            raise OpsError(f"'{name}' was deleted while it started", f"deploy it again if you still want {name}")
        if result.healthy:
            record = folder.update(state=State.HEALTHY.value)
            reporter.done(True, "healthy")
            return self._service(folder, record, check=False)
        tail = tail_lines(folder.log_path, CRASH_LOG_LINES)
        if result.exit_status is not None:
            status = result.exit_status
            how = f"killed by signal {-status}" if status < 0 else f"exit status {status}"
            message = f"Error: the service process has crashed ({how}). Did your init method fail?"
            if status in RUNTIME_SETUP_FAILURES:
                message = f"Error: the scoring runtime could not start ({how}): {RUNTIME_SETUP_FAILURES[status]}"
            record = folder.update(state=State.FAILED.value, error=message, exitStatus=status, gone=True)
            reporter.done(False, how)
            hint = (
                "fix the error in the log lines above (init() runs when the service starts), then deploy again; "
                f"'amldeploy logs {name}' shows the whole log"
            )
        else:
            message = f"the service did not answer GET / within {HEALTH_TRIES} s (last answer: {result.last_answer})"
            record = folder.update(state=State.UNHEALTHY.value, error=message)
            reporter.done(False, "no answer")
            hint = (
                f"it is still running: watch it with 'amldeploy logs {name} --follow' and 'amldeploy show {name}', "
                f"or remove it with 'amldeploy delete {name}'"
            )
        raise DeployFailed(message, hint, self._service(folder, record, check=False), tail)

    def _record_build_failure(self, folder: ServiceFolder, request: DeployRequest, failed: DeployFailed) -> Service:
        folder.reset()
        folder.log_path.write_text("\n".join(failed.log_tail) + "\n", encoding="utf-8")
        record = {
            "name": request.name,
            "target": self.name,
            "computeType": request.deployment.config.compute_type,
            "state": State.FAILED.value,
            "pid": None,
            "created": now_iso(),
            "models": [m.to_json() for m in request.models],
            "isolated": True,
            "error": failed.message,
        }
        folder.write(record)
        return self._service(folder, record, check=False)

    def _running_record(self, folder: ServiceFolder) -> dict[str, Any] | None:
        """The record of the same-named service when its process still runs (a redeploy replaces it)."""
        if not folder.exists():
            return None
        try:
            record = folder.read()
        except ValueError:
            return None
        return record if running(as_int(record.get("pid")), as_int(record.get("port"))) else None

    def _choose_port(self, request: DeployRequest, old: dict[str, Any] | None) -> int:
        config = request.deployment.config
        config_port = config.port if isinstance(config, LocalDeploymentConfig) else None
        port = request.port or config_port
        if port is None:
            return launch.free_port()
        if old is not None and as_int(old.get("port")) == port:
            return port  # freed when the old process stops
        origin = "flag" if request.port else "config"
        launch.check_port(port, origin, lambda: self._owner_of(port), request.deployment.path.name)
        return port

    def _owner_of(self, port: int) -> str | None:
        for name in service_names(self.root):
            record = self._running_record(ServiceFolder(self.root, name))
            if record is not None and as_int(record.get("port")) == port:
                return name
        return None

    def _isolated_python(self, request: DeployRequest, reporter: Reporter) -> Path:
        from amldeploy.ops.venvs import ensure_venv, requirements_of

        req = requirements_of(request.inference.config, request.inference.path.resolve().parent)
        if req.conda:
            reporter.warning(
                f"conda packages are not installed in an isolated venv (only pip packages): {', '.join(req.conda)}"
            )
        ours = f"{sys.version_info.major}.{sys.version_info.minor}"
        if req.python and not (req.python == ours or req.python.startswith(ours + ".")):
            reporter.warning(f"the environment asks for python {req.python}; the isolated venv uses python {ours}")
        return ensure_venv(req, reporter)

    # --- everything else ----------------------------------------------------------------------------------

    def list(self) -> list[Service]:
        return [self._service(ServiceFolder(self.root, name)) for name in service_names(self.root)]

    def get(self, name: str) -> Service:
        return self._service(self._folder(name))

    def logs(
        self, name: str, follow: bool = False, tail: int | None = None, stop: Callable[[], bool] | None = None
    ) -> Iterator[str]:
        folder = self._folder(name)
        if not follow:
            return iter(tail_lines(folder.log_path, tail))
        if stop is None:
            return follow_lines(folder.log_path, tail, lambda: self._is_running(folder))
        return follow_lines(folder.log_path, tail, lambda: not stop() and self._is_running(folder))

    def delete(self, name: str, reporter: Reporter) -> None:
        with service_lock(self.root, self.name, name, "delete", reporter):
            self._delete(name, reporter)

    def _delete(self, name: str, reporter: Reporter) -> None:
        folder = self._folder(name, locked=True)  # a delete that waited for another finds nothing left
        try:
            record: dict[str, Any] = folder.read()
        except ValueError:
            record = {}
        pid = as_int(record.get("pid"))
        if pid is not None and running(pid, as_int(record.get("port"))):
            reporter.step(f"Stopping {name} (pid {pid})")
            reporter.done(True, "killed after 10 s" if stop_process(pid) else "stopped")
        folder.remove()

    def usage_probe(self, name: str) -> UsageProbe:
        """The process tree of the service (the runtime and its workers), read from ``/proc``."""
        service = self.get(name)
        pid = service.pid
        if pid is None or service.state is State.FAILED:
            raise OpsError(f"'{name}' is not running: {service.error or service.state}", f"deploy {name} again")

        def probe() -> Usage:
            try:
                return process_tree_usage(pid)
            except ProcessLookupError:
                raise OpsError(f"the process of '{name}' (pid {pid}) is gone", f"see 'amldeploy logs {name}'") from None

        return UsageProbe(probe)

    def keys(self, name: str) -> ServiceKeys:
        folder = self._folder(name)
        record = folder.read()
        pid = as_int(record.get("pid"))
        gone = OpsError(
            f"the keys of '{name}' are gone: they lived only in its process, which no longer runs",
            f"redeploy it to get new keys (amldeploy deploy {name} --ic ... --dc ...)",
        )
        if pid is None or not running(pid, as_int(record.get("port"))):
            raise gone
        env = read_environ(pid)
        if env is None:
            raise OpsError(f"cannot read the environment of process {pid}", "run amldeploy as the user who deployed it")
        primary, secondary = env.get("AMLDEPLOY_PRIMARY_KEY"), env.get("AMLDEPLOY_SECONDARY_KEY")
        if not primary or not secondary:
            raise gone
        return ServiceKeys(primary, secondary)

    def _folder(self, name: str, locked: bool = False) -> ServiceFolder:
        folder = ServiceFolder(self.root, name)
        if not folder.exists():
            missing = ServiceNotFound(name, f"{STATE_DIR} in {self.root}")
            holder = None if locked else current_holder(self.root, self.name, name)
            if holder is not None and holder.operation == "deploy":  # its record is not written yet
                missing.hint = f"{holder.in_progress(name)}: run the command again once it has ended"
            raise missing
        return folder

    def _is_running(self, folder: ServiceFolder) -> bool:
        return self._running_record(folder) is not None

    def _service(self, folder: ServiceFolder, record: dict[str, Any] | None = None, check: bool = True) -> Service:
        return describe(folder, record, check)


def _auth_headers(keys: ServiceKeys) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.primary}"}


def _settings(root: Path, values: Mapping[str, str | None]) -> list[TargetSetting]:
    return [TargetSetting("stateFolder", "State folder", STATE_DIR.as_posix())]


def _rows(service: Service) -> list[tuple[str, str]]:
    return service.rows(
        [
            ("PID", str(service.pid) if service.pid is not None else "-"),
            ("Port", str(service.port) if service.port is not None else "-"),
            ("Isolated", "yes (a venv of the environment's pip packages)" if service.isolated else "no"),
            ("Log", service.log_path or "-"),
        ]
    )


TARGET = TargetInfo(
    "process",
    "a background process on this machine running the scoring runtime (no container engine needed)",
    ProcessTarget,
    compute_types=("local",),
    label="Local processes",
    settings=_settings,
    rows=_rows,
    cannot_package="the process target runs score.py from source: there is no image to package",
)

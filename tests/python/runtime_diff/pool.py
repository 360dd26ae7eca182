"""The servers of the differential suite: Azure's real server and ``amldeploy serve``, started per case.

Cases sharing a script and environment share one pair of servers; the pair is replaced when the next case needs
another one, so at most two servers run at a time. Model files are made at test time, once per kind.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

from tests.infra import azure_server
from tests.infra.amldeploy_server import start_amldeploy
from tests.python.runtime_diff.cases import Case

FIXTURES = azure_server.ROOT / "tests" / "fixtures" / "differential"
STARTUP_TIMEOUT_S = 60.0


def build_models(kind: str, root: Path) -> Path:
    """Tiny model files made at test time: ``ridge`` (one model.joblib) or ``multi`` (<name>/<version>/<file>)."""
    import joblib
    import numpy as np
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    features = rng.normal(size=(20, 3))
    model = Ridge(alpha=0.5).fit(features, features @ np.array([1.0, -2.0, 0.5]) + 0.1)
    folder = root / kind
    if kind == "ridge":
        folder.mkdir(parents=True, exist_ok=True)
        joblib.dump(model, folder / "model.joblib")
    elif kind == "multi":
        (folder / "ridge" / "1").mkdir(parents=True, exist_ok=True)
        (folder / "labels" / "3").mkdir(parents=True, exist_ok=True)
        joblib.dump(model, folder / "ridge" / "1" / "model.joblib")
        (folder / "labels" / "3" / "labels.json").write_text(json.dumps(["negative", "positive"]), encoding="utf-8")
    else:
        raise ValueError(f"unknown model kind {kind!r}")
    return folder


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        status = azure_server.stop(self.proc)
        self.log.close()
        return status


@dataclass
class Pair:
    key: tuple[object, ...]
    azure: Server
    ours: Server | None
    servers: list[Server] = field(default_factory=list)

    def alive(self) -> bool:
        return all(s.proc.poll() is None for s in self.servers)


class Servers:
    """Starts Azure's server and ``amldeploy serve`` for a case with the same script, environment and models."""

    def __init__(self, workdir: Path, with_ours: bool) -> None:
        self.workdir = workdir
        self.with_ours = with_ours
        self.models: dict[str, Path] = {}
        self.current: Pair | None = None
        self.started = 0

    def _models(self, case: Case) -> str:
        if not case.models:
            return ""
        if case.models not in self.models:
            self.models[case.models] = build_models(case.models, self.workdir / "models")
        return str(self.models[case.models])

    def env_of(self, case: Case) -> dict[str, str]:
        models = self._models(case)
        env = dict(case.env)
        if models:
            env["AZUREML_MODEL_DIR"] = models
        tmp = self.workdir / f"app-root-{self.started:02d}"
        if any("{tmp}" in v for v in env.values()):
            tmp.mkdir(exist_ok=True)
        fixture = str(FIXTURES / case.script)
        fill = {"{fixture}": fixture, "{models}": models, "{tmp}": str(tmp)}
        for name, value in env.items():
            for mark, text in fill.items():
                value = value.replace(mark, text)
            env[name] = value
        return env

    def start(self, case: Case) -> list[Server]:
        """Start both servers (at once) for ``case``; the caller waits."""
        self.started += 1
        script = FIXTURES / case.script / "score.py"
        env = self.env_of(case)
        ours_env, ours_args = dict(env), []
        if case.ours_models:
            ours_env.pop("AZUREML_MODEL_DIR", None)
            for spec in case.ours_models:
                ours_args += ["--model", spec.replace("{models}", env["AZUREML_MODEL_DIR"])]
        servers = []
        for side in ["azure", "amldeploy"] if self.with_ours else ["azure"]:
            port = azure_server.free_port()
            log_path = self.workdir / f"{self.started:02d}-{case.script}-{side}.log"
            log = open(log_path, "wb")  # noqa: SIM115 (closed by Server.stop)
            if side == "azure":
                proc = azure_server.start_azure(script, None, port, env, log=log)
            else:
                entry_via_env = case.ours_entry_from_env
                proc = start_amldeploy(script, port, ours_env, args=ours_args, entry_via_env=entry_via_env, log=log)
            servers.append(Server(side, port, proc, log_path, log))
        return servers

    def pair(self, case: Case) -> Pair:
        key = case.server_key()
        if self.current and self.current.key == key and self.current.alive():
            return self.current
        self.close()
        servers = self.start(case)
        pair = Pair(key, servers[0], servers[1] if len(servers) > 1 else None, servers)
        self.current = pair
        for server in servers:
            try:
                azure_server.wait_healthy(server.port, STARTUP_TIMEOUT_S, server.proc)
            except (RuntimeError, TimeoutError) as exc:
                tail = "\n".join(server.log_text().splitlines()[-40:])
                self.close()
                pytest.fail(f"{server.name} did not start for {case.name}: {exc}\n--- log tail ---\n{tail}")
        return pair

    def close(self) -> None:
        if self.current:
            for server in self.current.servers:
                server.stop()
            self.current = None

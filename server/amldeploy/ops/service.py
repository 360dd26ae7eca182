"""The target-independent record of a deployed service, as every command shows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from amldeploy.ops.keys import ServiceKeys
from amldeploy.ops.states import State
from amldeploy.runtime.model_specs import ModelSpec


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(slots=True)
class Service:
    name: str
    target: str
    state: State
    compute_type: str
    host: str | None = None
    port: int | None = None
    pid: int | None = None
    created: str | None = None
    models: list[ModelSpec] = field(default_factory=list)
    auth_enabled: bool = False
    isolated: bool = False
    error: str | None = None
    log_path: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    scheme: str = "http"  # https where the service serves TLS itself (v1's sslEnabled)
    # Keys a deploy generated that its target cannot give back later (ACI never returns them): for the deploy
    # command to show once. Never in ``to_json``, a snapshot or a log.
    generated_keys: ServiceKeys | None = field(default=None, repr=False)

    @property
    def base_uri(self) -> str | None:
        if self.host is None or self.port is None:
            return None
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def scoring_uri(self) -> str | None:
        base = self.base_uri
        return None if base is None else base + "/score"

    @property
    def swagger_uri(self) -> str | None:
        base = self.base_uri
        return None if base is None else base + "/swagger.json"

    def to_json(self) -> dict[str, Any]:
        """camelCase like v1's ``Webservice.serialize()``; ``state`` is one of the v1 state names."""
        data: dict[str, Any] = {
            "name": self.name,
            "target": self.target,
            "computeType": self.compute_type,
            "state": self.state.value,
            "scoringUri": self.scoring_uri,
            "swaggerUri": self.swagger_uri,
            "host": self.host,
            "port": self.port,
            "pid": self.pid,
            "createdTime": self.created,
            "models": [m.to_json() for m in self.models],
            "authEnabled": self.auth_enabled,
            "isolated": self.isolated,
            "error": self.error,
            "logPath": self.log_path,
        }
        data.update(self.details)
        return data

    def rows(self, specific: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
        """The details of the service in words, as ``(label, value)``: what an editor's tree shows under it and
        ``amldeploy show`` prints. A target words its own details (a process's pid, a container's image, a
        deployment's replicas) as ``specific``; they follow the endpoint. Never the keys."""
        models = ", ".join(f"{m.name}:{m.version} ({m.path})" for m in self.models) or "none"
        rows = [
            ("State", f"{self.state} ({self.state.description})"),
            ("Scoring URI", self.scoring_uri or "-"),
            ("Swagger URI", self.swagger_uri or "-"),
            *specific,
            ("Models", models),
            ("Auth", "enabled (keys hidden)" if self.auth_enabled else "disabled"),
            ("Created", self.created or "-"),
        ]
        if self.error:
            rows.append(("Error", self.error))
        return rows

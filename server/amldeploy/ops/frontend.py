"""The front-end semantics of a deployment config (auth keys, request queue, timeout) for a local runtime.

Azure put a front end before the scoring container: ``authEnabled`` keys (ACI off by default, AKS on),
``maxConcurrentRequestsPerContainer`` with ``maxQueueWaitMs`` (503 when the queue wait runs out) and
``scoringTimeoutMs`` (504). Our runtime carries the same behaviour; these settings reach it through its
environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amldeploy.config.models import (
    AciDeploymentConfig,
    AksDeploymentConfig,
    AksEndpointDeploymentConfig,
    DeploymentConfig,
)
from amldeploy.ops.keys import ServiceKeys, keys_for


@dataclass(frozen=True, slots=True)
class FrontEnd:
    auth_enabled: bool = False
    max_concurrent_requests: int | None = None
    max_queue_wait_ms: int | None = None
    scoring_timeout_ms: int | None = None
    primary_key: str | None = field(default=None, repr=False)
    secondary_key: str | None = field(default=None, repr=False)

    def keys(self) -> ServiceKeys:
        return keys_for(self.primary_key, self.secondary_key)

    def environment(self, keys: ServiceKeys) -> dict[str, str]:
        """The runtime's settings; the only place keys travel (the child's environment, never a file)."""
        env = {
            "AMLDEPLOY_AUTH_ENABLED": "true" if self.auth_enabled else "false",
            "AMLDEPLOY_PRIMARY_KEY": keys.primary,
            "AMLDEPLOY_SECONDARY_KEY": keys.secondary,
        }
        if self.max_concurrent_requests is not None:
            env["AMLDEPLOY_MAX_CONCURRENT_REQUESTS"] = str(self.max_concurrent_requests)
        if self.max_queue_wait_ms is not None:
            env["AMLDEPLOY_MAX_QUEUE_WAIT_MS"] = str(self.max_queue_wait_ms)
        if self.scoring_timeout_ms is not None:
            env["AMLDEPLOY_SCORING_TIMEOUT_MS"] = str(self.scoring_timeout_ms)
        return env

    def to_json(self) -> dict[str, object]:
        return {
            "authEnabled": self.auth_enabled,
            "maxConcurrentRequestsPerContainer": self.max_concurrent_requests,
            "maxQueueWaitMs": self.max_queue_wait_ms,
            "scoringTimeoutMs": self.scoring_timeout_ms,
        }


def front_end_of(config: DeploymentConfig) -> tuple[FrontEnd, list[str]]:
    """The front-end settings of ``config`` and warnings about what a local process cannot reproduce."""
    warnings: list[str] = []
    if isinstance(config, AciDeploymentConfig):
        keys = config.keys
        if config.ssl_enabled:
            warnings.append("sslEnabled is not reproduced locally: the service answers plain HTTP on 127.0.0.1")
        return (
            FrontEnd(
                auth_enabled=config.auth_enabled,
                primary_key=keys.primary_key if keys else None,
                secondary_key=keys.secondary_key if keys else None,
            ),
            warnings,
        )
    if isinstance(config, (AksDeploymentConfig, AksEndpointDeploymentConfig)):
        keys = config.keys
        auth = config.auth_enabled
        if config.token_auth_enabled:
            warnings.append(
                "tokenAuthEnabled is not reproduced locally: the service checks keys instead "
                "(see them with 'amldeploy keys NAME')"
            )
            auth = True
        if (config.num_replicas or 1) > 1 or (config.auto_scaler and config.auto_scaler.autoscale_enabled):
            warnings.append("replicas and autoscaling are not reproduced locally: one process serves every request")
        return (
            FrontEnd(
                auth_enabled=auth,
                max_concurrent_requests=config.max_concurrent_requests_per_container,
                max_queue_wait_ms=config.max_queue_wait_ms,
                scoring_timeout_ms=config.scoring_timeout_ms,
                primary_key=keys.primary_key if keys else None,
                secondary_key=keys.secondary_key if keys else None,
            ),
            warnings,
        )
    return FrontEnd(), warnings

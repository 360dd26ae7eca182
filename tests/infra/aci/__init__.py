"""Azure, played locally over HTTPS for the ACI target's tests: an Entra ID authority and Azure Resource Manager
for Microsoft.ContainerInstance 2023-05-01, every request checked against Azure's official spec. See README.md.

    with FakeAzure.start(tmp_path) as azure:
        env = azure.env()          # AZURE_AUTHORITY_HOST, AZURE_TENANT_ID, ..., REQUESTS_CA_BUNDLE
        client = ContainerInstanceManagementClient(credential, azure.subscription_id, base_url=azure.arm_url, ...)
        ...
        azure.assert_faithful()    # no request violated the spec, no response of the fake did
"""

from __future__ import annotations

import contextlib
import http.client
import json
import secrets
import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.infra.aci.arm import ACTIONS, Arm, ContainerScript, Fault, Recorded, Violation, now_iso
from tests.infra.aci.entra import App, Entra
from tests.infra.aci.https import Authority, Server
from tests.infra.aci.spec_check import SpecChecker, example

__all__ = ["ACTIONS", "ContainerScript", "FakeAzure", "Fault", "Recorded", "SpecChecker", "Violation", "example"]

ARM_SCOPE = "https://management.azure.com/.default"


class FakeAzure:
    """One tenant, one subscription and one resource group, served by two HTTPS servers trusted through one CA."""

    tenant_id = "72f988bf-0000-4000-8000-00000000aaaa"
    subscription_id = "00000000-1111-4222-8333-444444444444"
    resource_group = "amldeploy-rg"
    location = "westeurope"
    client_id = "0b6c9a7e-0000-4000-8000-0000000c1d00"

    def __init__(self, directory: Path, *, strict: bool = True) -> None:
        self.directory = directory
        self.client_secret = "fake-" + secrets.token_urlsafe(16)
        self._key = secrets.token_bytes(32)
        self.ca = Authority(directory)
        self.checker = SpecChecker(strict=strict)
        self.certificate_path = self.ca.client_certificate(directory, "amldeploy-sp")
        self.reset()
        self._entra_server = Server(self.ca, lambda req, base: self.entra.handle(req, base))
        self._arm_server = Server(self.ca, lambda req, base: self.arm.handle(req, base))
        self.arm.authority_url = self._entra_server.url

    def reset(self) -> None:
        """Forget every group, request, fault and knob: the state of a fresh start (servers and CA kept)."""
        old = getattr(self, "arm", None)
        if old is not None and hasattr(old.runner, "stop_all"):
            old.runner.stop_all()
        self.entra = Entra(self.tenant_id, self._key)
        self.app = self.entra.register(App(self.client_id, self.client_secret, self.certificate_path))
        self.arm = Arm(self.checker, self._key, self.tenant_id)
        self.arm.subscriptions.add(self.subscription_id)
        self.add_resource_group(self.resource_group, self.location)
        if hasattr(self, "_entra_server"):
            self.arm.authority_url = self._entra_server.url

    @classmethod
    @contextlib.contextmanager
    def start(cls, directory: Path, *, strict: bool = True) -> Iterator[FakeAzure]:
        fake = cls(directory, strict=strict)
        try:
            yield fake
        finally:
            fake.close()

    def close(self) -> None:
        if hasattr(self.arm.runner, "stop_all"):
            self.arm.runner.stop_all()
        self._arm_server.close()
        self._entra_server.close()

    # ---- where things are -------------------------------------------------------------------------------------

    @property
    def authority_host(self) -> str:
        """``https://127.0.0.1:PORT``: AZURE_AUTHORITY_HOST, or ``authority=`` of a credential."""
        return self._entra_server.url

    @property
    def arm_url(self) -> str:
        """``https://127.0.0.1:PORT``: ``base_url`` of the management clients (AMLDEPLOY_ARM_ENDPOINT)."""
        return self._arm_server.url

    @property
    def ca_path(self) -> Path:
        return self.ca.ca_path

    @property
    def arm_scope(self) -> str:
        return ARM_SCOPE

    def env(self) -> dict[str, str]:
        """The environment a process needs to reach this Azure with azure-identity's EnvironmentCredential."""
        return {
            "AZURE_AUTHORITY_HOST": self.authority_host,
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_CLIENT_ID": self.client_id,
            "AZURE_CLIENT_SECRET": self.client_secret,
            "AZURE_SUBSCRIPTION_ID": self.subscription_id,
            "AMLDEPLOY_ARM_ENDPOINT": self.arm_url,
            "REQUESTS_CA_BUNDLE": str(self.ca_path),
            "SSL_CERT_FILE": str(self.ca_path),
        }

    def raw(
        self, method: str, path: str, body: Any = None, *, token: str | None = None, timeout: float = 10
    ) -> tuple[int, Any]:
        """One request to ARM over HTTPS without the SDK (which may refuse to send an invalid one): status and
        parsed JSON body. ``path`` includes the query; ``body`` is JSON-encoded unless it is bytes."""
        ctx = ssl.create_default_context(cafile=str(self.ca_path))
        conn = http.client.HTTPSConnection("127.0.0.1", self._arm_server.port, context=ctx, timeout=timeout)
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
        finally:
            conn.close()
        return resp.status, (json.loads(payload) if payload.strip() else None)

    # ---- what happened ----------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[Recorded]:
        """Every request ARM received, in order (body parsed as JSON when it is JSON)."""
        return self.arm.requests

    @property
    def token_requests(self) -> list[dict[str, str]]:
        """The token requests' forms (secrets and assertions replaced by ``***``)."""
        hidden = ("client_secret", "client_assertion")
        return [
            {k: ("***" if k in hidden else v) for k, v in r.form().items()}
            for r in self.entra.requests
            if r.method == "POST"
        ]

    @property
    def violations(self) -> list[Violation]:
        return self.arm.violations

    def take_violations(self) -> list[Violation]:
        """The violations so far, forgotten (for a test that sends an invalid request on purpose)."""
        out = list(self.arm.violations)
        self.arm.violations.clear()
        return out

    def operations(self) -> list[str | None]:
        return [r.operation for r in self.requests]

    def assert_faithful(self) -> None:
        """No request violated the spec and no response of the fake did."""
        assert not self.arm.violations, "requests the spec does not allow:\n" + "\n".join(
            f"  {v.method} {v.path} ({v.operation}): {'; '.join(v.problems)}" for v in self.arm.violations
        )
        assert not self.arm.fake_problems, "the fake answered outside the spec:\n  " + "\n  ".join(
            self.arm.fake_problems
        )

    # ---- knobs ------------------------------------------------------------------------------------------------

    @property
    def pending_polls(self) -> int:
        return self.arm.pending_polls

    @pending_polls.setter
    def pending_polls(self, value: int) -> None:
        self.arm.pending_polls = value

    def add_resource_group(self, name: str, location: str) -> None:
        self.arm.resource_groups[(self.subscription_id, name.lower())] = location

    def on_image(self, image: str, script: ContainerScript | None = None, **fields: Any) -> ContainerScript:
        """How containers of ``image`` behave once provisioned (fields of :class:`ContainerScript`)."""
        self.arm.images[image] = script or ContainerScript(**fields)
        return self.arm.images[image]

    def pull_fails(self, image: str) -> ContainerScript:
        """The create operation ends Failed with InaccessibleImage, as for a missing image or wrong credentials."""
        return self.on_image(
            image,
            provisioning_error=(
                "InaccessibleImage",
                f"The image '{image}' in container group is not accessible. Please check the image and registry "
                "credential.",
            ),
        )

    def crash_loop(self, image: str, *, restarts: int = 3, exit_code: int = 1, logs: str = "") -> ContainerScript:
        """Provisioning succeeds but the container keeps exiting: Waiting/CrashLoopBackOff with restarts."""
        return self.on_image(
            image,
            state="Waiting",
            detail_status="CrashLoopBackOff: Back-off restarting failed",
            restart_count=restarts,
            exit_code=exit_code,
            logs=logs,
        )

    def set_container(self, group: str, container: str, **fields: Any) -> None:
        """Change a live container's state (fields of :class:`ContainerScript`)."""
        g = self.arm.groups[(self.subscription_id, self.resource_group.lower(), group.lower())]
        script = g.containers[container.lower()].script
        for k, v in fields.items():
            setattr(script, k, v)

    def append_logs(self, group: str, container: str, text: str) -> None:
        g = self.arm.groups[(self.subscription_id, self.resource_group.lower(), group.lower())]
        c = g.containers[container.lower()]
        c.log_lines += [(now_iso(), line) for line in text.splitlines()]

    def fail(
        self,
        operation: str,
        status: int,
        code: str,
        message: str,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> Fault:
        """The next ``times`` calls of ``operation`` (an operationId, "ResourceGroups_Get", "OperationStatus" or
        "*") answer ``status`` with Azure's error body."""
        fault = Fault(operation, status, code, message, times, dict(headers or {}))
        self.arm.faults.append(fault)
        return fault

    def deny(self, *actions_or_operations: str) -> None:
        """No role grants these actions (``Microsoft.ContainerInstance/containerGroups/write``) or the actions of
        these operations (``ContainerGroups_CreateOrUpdate``): ARM answers 403 AuthorizationFailed naming them."""
        for name in actions_or_operations:
            self.arm.denied.add(ACTIONS.get(name, name))

    def run_on_docker(self, client: Any) -> None:
        """Run the groups' images for real on this Docker engine (a ``docker.DockerClient``) from now until the
        next reset: states, restart counts and logs come from the engine (see ``docker_runner.py``)."""
        from tests.infra.aci.docker_runner import DockerRunner

        self.arm.runner = DockerRunner(client)

    def endpoint(self, group: str, port: int) -> tuple[str, int]:
        """Where the FQDN's ``port`` of a group run on Docker answers: ``("127.0.0.1", host_port)``."""
        from tests.infra.aci.docker_runner import DockerRunner

        runner = self.arm.runner
        assert isinstance(runner, DockerRunner), "run_on_docker() first"
        return runner.endpoint(
            self.arm.groups[(self.subscription_id, self.resource_group.lower(), group.lower())], port
        )

    def unregister_provider(self) -> None:
        """Microsoft.ContainerInstance is not registered on the subscription (a new subscription's usual state): its
        operations answer 409 MissingSubscriptionRegistration. azure-mgmt-core then registers it (POST .../register,
        then GET the provider every 10 s until Registered) and retries; ``deny("Providers_Register")`` makes that
        fail as for a principal without the right, and the SDK raises the 409."""
        self.arm.registered = False

    def revoke_tokens(self) -> None:
        """Tokens issued so far are rejected (401 InvalidAuthenticationToken); new ones work."""
        self.arm.revoked |= {str(claims["uti"]) for claims in self.entra.issued}

    def quota_reached(self, *, times: int = 1) -> Fault:
        return self.fail(
            "ContainerGroups_CreateOrUpdate",
            409,
            "ContainerGroupQuotaReached",
            f"Resource type '{'Microsoft.ContainerInstance/containerGroups'}' container group quota 'StandardCores' "
            f"exceeded in region '{self.location}'. Limit: '100', Usage: '100' Requested: '1'.",
            times=times,
        )

    def capacity_unavailable(self, *, times: int = 1) -> Fault:
        return self.fail(
            "ContainerGroups_CreateOrUpdate",
            409,
            "ServiceUnavailable",
            f"The requested resource is not available in the location '{self.location}' at this moment. Please "
            "retry with a different resource request or in another location. Resource requested: '1' CPU '1.5' GB "
            "memory 'Linux' OS",
            times=times,
        )

    def throttle(self, operation: str, *, retry_after_s: int = 1, times: int = 1) -> Fault:
        return self.fail(
            operation,
            429,
            "TooManyRequests",
            "The request is being throttled as the limit has been reached for operation type - Write.",
            times=times,
            headers={"Retry-After": str(retry_after_s)},
        )

    def server_error(self, operation: str, *, times: int = 1) -> Fault:
        return self.fail(
            operation,
            500,
            "InternalServerError",
            f"Encountered internal server error. Diagnostic information: timestamp '{uuid.uuid4()}'.",
            times=times,
        )

"""Where the ACI target's services live and how it signs in: the subscription, resource group and region (flags
over settings over the environment), the Azure Resource Manager endpoint and its token audience (public cloud,
Azure Government, Azure China, or any other, such as a test's), ``DefaultAzureCredential`` and the clients. Azure's
errors become messages that say what to do: sign in, sign in again, or which role grants the action refused.

The SDKs (azure-identity, azure-mgmt-*) are imported inside the functions that use them.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from amldeploy.ops.errors import EXIT_USAGE, OpsError

SUBSCRIPTION_SETTING = "aci.subscription"
RESOURCE_GROUP_SETTING = "aci.resourceGroup"
REGION_SETTING = "aci.region"
ARM_ENDPOINT_SETTING = "aci.armEndpoint"
POLL_SETTING = "aci.pollInterval"
SUBSCRIPTION_ENV = "AZURE_SUBSCRIPTION_ID"
RESOURCE_GROUP_ENV = "AMLDEPLOY_ACI_RESOURCE_GROUP"
REGION_ENV = "AMLDEPLOY_ACI_REGION"
ARM_ENDPOINT_ENV = "AMLDEPLOY_ARM_ENDPOINT"
AUDIENCE_ENV = "AMLDEPLOY_ARM_AUDIENCE"
POLL_ENV = "AMLDEPLOY_ACI_POLL_INTERVAL_S"
AUTHORITY_ENV = "AZURE_AUTHORITY_HOST"
PUBLIC_ARM = "https://management.azure.com"
# ARM endpoints of the sovereign clouds; their audience is the endpoint itself. Any other endpoint (Azure Stack, a
# test's ARM) takes the public cloud's audience unless AMLDEPLOY_ARM_AUDIENCE says otherwise.
KNOWN_ARM = ("management.azure.com", "management.usgovcloudapi.net", "management.chinacloudapi.cn")
PUBLIC_AUTHORITIES = (
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
)
DEFAULT_POLL_S = 5.0  # ACI sends no Retry-After; the SDK would wait 30 s between polls

SIGN_IN_HINT = (
    "sign in with 'az login' (then 'az account set --subscription ID'), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and "
    "AZURE_CLIENT_SECRET for a service principal (AZURE_AUTHORITY_HOST for a sovereign cloud)"
)


@dataclass(frozen=True, slots=True)
class AzureOptions:
    subscription: str | None = None
    resource_group: str | None = None
    region: str | None = None
    arm_endpoint: str = PUBLIC_ARM
    poll_interval_s: float = DEFAULT_POLL_S

    @classmethod
    def from_settings(cls, settings: Mapping[str, str | None]) -> AzureOptions:
        def pick(key: str, env: str) -> str | None:
            value = settings.get(key) or os.environ.get(env) or None
            return value.strip() if value else None

        poll_text = pick(POLL_SETTING, POLL_ENV)
        try:
            poll = float(poll_text) if poll_text else DEFAULT_POLL_S
        except ValueError:
            raise OpsError(f"{POLL_ENV}={poll_text!r} is no number of seconds", None, EXIT_USAGE) from None
        return cls(
            subscription=pick(SUBSCRIPTION_SETTING, SUBSCRIPTION_ENV) or cli_default_subscription(),
            resource_group=pick(RESOURCE_GROUP_SETTING, RESOURCE_GROUP_ENV),
            region=pick(REGION_SETTING, REGION_ENV),
            arm_endpoint=(pick(ARM_ENDPOINT_SETTING, ARM_ENDPOINT_ENV) or PUBLIC_ARM).rstrip("/"),
            poll_interval_s=max(0.0, poll),
        )

    def missing(self) -> str | None:
        """What is not configured (None when the subscription and resource group are)."""
        if not self.subscription:
            return (
                "no Azure subscription is chosen (--subscription ID, the aci.subscription setting, "
                f"{SUBSCRIPTION_ENV} or the Azure CLI's default: 'az account set --subscription ID')"
            )
        if not self.resource_group:
            return (
                "no resource group is chosen (--resource-group NAME, the aci.resourceGroup setting or "
                f"{RESOURCE_GROUP_ENV})"
            )
        return None

    def require(self) -> tuple[str, str]:
        why = self.missing()
        if why is not None:
            hint = "give both, e.g. --subscription ID --resource-group NAME"
            raise OpsError(f"the ACI target cannot be used: {why}", hint, EXIT_USAGE)
        assert self.subscription and self.resource_group
        return self.subscription, self.resource_group

    @property
    def scope(self) -> str:
        audience = os.environ.get(AUDIENCE_ENV)
        if not audience:
            host = urlparse(self.arm_endpoint).hostname or ""
            audience = f"https://{host}" if host in KNOWN_ARM else PUBLIC_ARM
        return audience.rstrip("/") + "/.default"


def cli_default_subscription() -> str | None:
    """The Azure CLI's default subscription (``az account set``), from its profile; None without one."""
    from amldeploy.ops.choices import azure_config_dir, azure_subscriptions

    for choice in azure_subscriptions(azure_config_dir(os.environ)).choices:
        if (choice.description or "").startswith("default"):
            return choice.value
    return None


_credentials: dict[str, Any] = {}
_IDENTITY_ENV = (
    AUTHORITY_ENV,
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_USERNAME",
    "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_ENDPOINT",
    "MSI_ENDPOINT",
    "AZURE_CONFIG_DIR",
    "PATH",
)
_credentials_lock = threading.Lock()


def credential() -> Any:
    """One credential per authority for the process (the language server lists services every few seconds: its
    token is reused until it expires, rather than asked for again, which may start 'az' each time).

    ``DefaultAzureCredential`` (environment, workload identity, managed identity, Azure CLI, ...), against the
    authority of ``AZURE_AUTHORITY_HOST`` when set; instance discovery (which asks the public cloud) only for the
    public clouds' authorities."""
    authority = os.environ.get(AUTHORITY_ENV) or None
    # A new identity in the environment (another service principal, a new login folder) gets its own credential.
    identity = hashlib.sha256("\0".join(os.environ.get(n, "") for n in _IDENTITY_ENV).encode()).hexdigest()
    with _credentials_lock:
        if identity not in _credentials:
            _credentials[identity] = _new_credential(authority)
        return _credentials[identity]


def _new_credential(authority: str | None) -> Any:
    from azure.identity import DefaultAzureCredential

    kwargs: dict[str, Any] = {"exclude_interactive_browser_credential": True}
    if authority:
        kwargs["authority"] = authority
        host = urlparse(authority if "://" in authority else f"https://{authority}").hostname or ""
        if host not in PUBLIC_AUTHORITIES:
            kwargs["disable_instance_discovery"] = True
    return DefaultAzureCredential(**kwargs)


@dataclass
class Clients:
    """The container-instance client and, lazily, the resource client (for a resource group's region)."""

    options: AzureOptions
    subscription: str
    resource_group: str
    credential: Any
    aci: Any

    def resource_group_location(self) -> str:
        from azure.mgmt.resource.resources import ResourceManagementClient

        with ResourceManagementClient(
            self.credential,
            self.subscription,
            base_url=self.options.arm_endpoint,
            credential_scopes=[self.options.scope],
        ) as client:
            try:
                return str(client.resource_groups.get(self.resource_group).location)
            except Exception as exc:
                raise translate(exc, "read the resource group", self) from None

    def close(self) -> None:
        self.aci.close()  # the credential stays: it is the process's (``credential()``)

    @property
    def where(self) -> str:
        return f"resource group {self.resource_group} of subscription {self.subscription}"


def connect(options: AzureOptions) -> Clients:
    subscription, resource_group = options.require()
    from azure.mgmt.containerinstance import ContainerInstanceManagementClient

    cred = credential()
    client = ContainerInstanceManagementClient(
        cred,
        subscription,
        base_url=options.arm_endpoint,
        credential_scopes=[options.scope],
        polling_interval=options.poll_interval_s,
    )
    return Clients(options, subscription, resource_group, cred, client)


_ACTION = re.compile(r"perform action '([^']+)' over scope '([^']+)'")


def error_code(exc: BaseException) -> str:
    error = getattr(exc, "error", None)
    return str(getattr(error, "code", None) or "")


def translate(exc: BaseException, doing: str, clients: Clients | None = None) -> OpsError:
    """``exc`` as an ``OpsError`` saying what to do: sign in, sign in again, ask for a role, check the network."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError

    if isinstance(exc, OpsError):
        return exc

    where = f" ({clients.where})" if clients is not None else ""
    if isinstance(exc, ClientAuthenticationError) and getattr(exc, "status_code", None) != 401:
        first = str(exc.message or exc).strip().splitlines()[0] if str(exc).strip() else "no credential"
        return OpsError(f"not signed in to Azure: cannot {doing} ({first})", SIGN_IN_HINT)
    if isinstance(exc, HttpResponseError):
        status = exc.status_code
        code = error_code(exc)
        message = _message(exc)
        if status == 401:
            return OpsError(
                f"Azure refused the sign-in (401 {code or 'Unauthorized'}): cannot {doing}{where}: {message}",
                "sign in again ('az login', or check AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET and that the "
                "ARM endpoint and AZURE_AUTHORITY_HOST belong to the same cloud)",
            )
        if status == 403:
            found = _ACTION.search(message)
            action, scope = (found.group(1), found.group(2)) if found else ("?", "?")
            return OpsError(
                f"not allowed to {doing}{where}: 403 {code or 'Forbidden'}, the action {action} is not granted "
                f"over {scope}",
                f"ask an owner for a role that grants {action} on the resource group, such as Contributor "
                "(az role assignment create --role Contributor --assignee <your id> --scope "
                f"{scope if found else '/subscriptions/ID/resourceGroups/NAME'})",
            )
        if status == 404 and code in ("ResourceGroupNotFound", "SubscriptionNotFound"):
            return OpsError(
                f"cannot {doing}: {message}",
                "check --subscription and --resource-group (the aci.subscription and aci.resourceGroup settings); "
                "create the group with 'az group create --name NAME --location REGION'",
            )
        return OpsError(f"cannot {doing}{where}: {status} {code}: {message}".rstrip(": "), None)
    if isinstance(exc, ServiceRequestError):
        return OpsError(
            f"cannot {doing}: Azure Resource Manager does not answer ({exc})",
            f"check the network and the ARM endpoint ({ARM_ENDPOINT_ENV}, --arm-endpoint)",
        )
    return OpsError(f"cannot {doing}{where}: {type(exc).__name__}: {exc}", None)


def _message(exc: Any) -> str:
    error = getattr(exc, "error", None)
    text = getattr(error, "message", None) or getattr(exc, "message", None) or str(exc)
    return str(text).strip().splitlines()[0] if str(text).strip() else ""

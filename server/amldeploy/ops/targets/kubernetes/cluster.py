"""The connection to a cluster: the official client configured from a kubeconfig (kubectl's loading rules:
``--kubeconfig``, else ``KUBECONFIG``, else ``~/.kube/config``; ``--context`` or the current one) or, inside a
pod, from its service account. Requests go through the client's own REST layer with plain dicts in and out, so
every API version the server serves (autoscaling/v2beta2 on 1.20, v2 today) is spoken the same way, and an
answer is never forced through a model class of another version.

Failures become ``OpsError`` naming the cause and the fix: no kubeconfig, an unreachable server, expired
credentials (401), a permission the user lacks (403, with the verb and the resource).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import OpsError

CONTEXT_SETTING = "kubernetes.context"
NAMESPACE_SETTING = "kubernetes.namespace"
KUBECONFIG_SETTING = "kubernetes.kubeconfig"
# The same settings from the environment, for the command line and CI.
ENVIRONMENT = {
    CONTEXT_SETTING: "AMLDEPLOY_KUBERNETES_CONTEXT",
    NAMESPACE_SETTING: "AMLDEPLOY_KUBERNETES_NAMESPACE",
}
DEFAULT_NAMESPACE = "default"
REQUEST_TIMEOUT_S = 30.0
PROBE_TIMEOUT_S = 3.0  # listing services for an editor must not hang on a cluster that does not answer
_SA_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    context: str | None = None
    kubeconfig: str | None = None
    namespace: str | None = None  # the setting or --namespace; the config's own namespace comes first

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, str | None], environ: Mapping[str, str] | None = None
    ) -> ClusterOptions:
        env = os.environ if environ is None else environ

        def value(key: str) -> str | None:
            given = settings.get(key)
            if given:
                return given
            variable = ENVIRONMENT.get(key)
            return (env.get(variable) or None) if variable else None

        return cls(value(CONTEXT_SETTING), value(KUBECONFIG_SETTING), value(NAMESPACE_SETTING))


class ApiError(Exception):
    """A non-2xx answer of the API server, with its ``Status`` object when it sent one."""

    def __init__(self, status: int, reason: str, body: Mapping[str, Any] | None = None) -> None:
        self.status = status
        self.reason = reason
        self.body = dict(body or {})
        super().__init__(f"{status} {reason}: {self.message}")

    @property
    def message(self) -> str:
        return str(self.body.get("message") or self.reason)


def kubeconfig_files(options: ClusterOptions, environ: Mapping[str, str] | None = None) -> list[Path]:
    env = os.environ if environ is None else environ
    if options.kubeconfig:
        return [Path(options.kubeconfig).expanduser()]
    configured = env.get("KUBECONFIG")
    if configured:
        return [Path(p).expanduser() for p in configured.split(os.pathsep) if p]
    return [Path("~/.kube/config").expanduser()]


def in_cluster(options: ClusterOptions, environ: Mapping[str, str] | None = None) -> bool:
    """Inside a pod, with no kubeconfig to prefer: its service account."""
    env = os.environ if environ is None else environ
    if options.kubeconfig or options.context:
        return False
    return bool(env.get("KUBERNETES_SERVICE_HOST")) and not any(p.is_file() for p in kubeconfig_files(options, env))


def configured(options: ClusterOptions) -> str | None:
    """None when a cluster is configured here (a kubeconfig file or a pod's service account), else why not."""
    if in_cluster(options):
        return None
    files = kubeconfig_files(options)
    if any(p.is_file() for p in files):
        return None
    return f"no kubeconfig at {', '.join(str(p) for p in files)}"


NO_KUBECONFIG_HINT = (
    "connect to a cluster first (for AKS: 'az aks get-credentials --resource-group GROUP --name CLUSTER'), point "
    "KUBECONFIG or --kubeconfig at a kubeconfig, or print the objects without a cluster with --dry-run"
)


@dataclass
class Cluster:
    """A configured client: ``api`` is the official ``ApiClient``; ``namespace`` the namespace of the context (or
    the pod), ``context`` its name (None inside a pod)."""

    api: Any
    host: str
    context: str | None
    context_namespace: str | None
    options: ClusterOptions
    _served: list[str] | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        return f"the cluster {self.host}" + (f" (context {self.context})" if self.context else " (in-cluster)")

    def namespace_for(self, config_namespace: str | None) -> str:
        """The config's ``namespace``, else the setting (``--namespace``), else the context's, else ``default``."""
        return config_namespace or self.options.namespace or self.context_namespace or DEFAULT_NAMESPACE

    # --- requests -------------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
        content_type: str = "application/json",
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> Any:
        """One call; the decoded JSON answer. ``ApiError`` for a non-2xx answer, ``OpsError`` when none comes."""
        response = self._send(method, path, body, query, content_type, timeout, stream=False)
        data = response.read()
        return json.loads(data) if data else None

    def stream(self, path: str, query: Mapping[str, Any] | None = None, timeout: float | None = None) -> Any:
        """A GET whose answer is read as it arrives (a log being followed): the urllib3 response."""
        return self._send("GET", path, None, query, "application/json", timeout, stream=True).response

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        query: Mapping[str, Any] | None,
        content_type: str,
        timeout: float | None,
        stream: bool,
    ) -> Any:
        params = [(k, v) for k, v in (query or {}).items() if v is not None]
        headers = {"Accept": "application/json, */*"}
        if body is not None:
            headers["Content-Type"] = content_type
        serialized = self.api.param_serialize(
            method=method,
            resource_path=path,
            query_params=params,
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        try:
            response = self.api.call_api(*serialized, _request_timeout=timeout)
        except Exception as exc:
            status = int(getattr(exc, "status", 0) or 0)
            if type(exc).__name__ == "ApiException" and status:  # status 0: TLS and connection failures
                raise ApiError(
                    status, str(getattr(exc, "reason", "")), _status_body(getattr(exc, "body", None))
                ) from None
            raise unreachable(self, exc) from None
        if not 200 <= response.status <= 299:
            raise ApiError(response.status, str(response.reason), _status_body(response.read()))
        return response

    def served_versions(self, group: str) -> list[str]:
        """The ``group/version`` names the server serves of ``group`` (e.g. ``autoscaling``)."""
        if self._served is None:
            found: list[str] = []
            try:
                groups = self.request("GET", "/apis", timeout=PROBE_TIMEOUT_S * 3) or {}
            except ApiError:
                groups = {}
            for item in groups.get("groups") or []:
                found += [str(v.get("groupVersion")) for v in item.get("versions") or []]
            self._served = found
        return [v for v in self._served if v.startswith(group + "/")]

    def close(self) -> None:
        with contextlib.suppress(Exception):  # a pool that never opened
            self.api.close()


def connect(options: ClusterOptions) -> Cluster:
    """A client for the cluster ``options`` name; ``OpsError`` when none is configured."""
    try:
        from kubernetes import client as k8s_client
        from kubernetes import config as loaders
        from kubernetes.config.config_exception import ConfigException
    except ImportError as exc:  # pragma: no cover - a main dependency
        raise OpsError("the kubernetes client is not installed", "reinstall amldeploy (pip install amldeploy)") from exc
    k8s_config: Any = loaders  # its loaders carry no annotations
    if in_cluster(options):
        configuration = k8s_client.Configuration()
        try:
            k8s_config.load_incluster_config(client_configuration=configuration)
        except ConfigException as exc:
            raise OpsError(f"the pod's service account cannot be used: {exc}", NO_KUBECONFIG_HINT) from None
        namespace = _SA_NAMESPACE.read_text().strip() if _SA_NAMESPACE.is_file() else None
        return Cluster(_client(k8s_client, configuration), configuration.host, None, namespace, options)
    why = configured(options)
    if why is not None:
        raise OpsError(why, NO_KUBECONFIG_HINT)
    files = [p for p in kubeconfig_files(options) if p.is_file()]
    config_file = os.pathsep.join(str(p) for p in files)
    try:
        contexts, active = k8s_config.list_kube_config_contexts(config_file=config_file)
        chosen = active
        if options.context:
            chosen = next((c for c in contexts if c.get("name") == options.context), None)
            if chosen is None:
                names = ", ".join(str(c.get("name")) for c in contexts) or "none"
                raise OpsError(
                    f"the kubeconfig {config_file} has no context '{options.context}' (it has: {names})",
                    "choose one of its contexts with --context (or the setting amldeploy.kubernetes.context)",
                )
        configuration = k8s_client.Configuration()
        k8s_config.load_kube_config(
            config_file=config_file,
            context=options.context,
            client_configuration=configuration,
            persist_config=False,  # never write refreshed tokens back into the user's kubeconfig
        )
    except ConfigException as exc:
        hint = "fix the kubeconfig (kubectl config view shows it), or choose another context with --context"
        raise OpsError(f"the kubeconfig {config_file} cannot be used: {exc}", hint) from None
    name = str((chosen or {}).get("name") or "") or None
    namespace = ((chosen or {}).get("context") or {}).get("namespace")
    return Cluster(_client(k8s_client, configuration), configuration.host, name, namespace, options)


def _status_body(raw: Any) -> dict[str, Any]:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except ValueError:
            return {"message": raw.strip()[:300]} if raw.strip() else {}
        return data if isinstance(data, dict) else {}
    return {}


def unreachable(cluster: Cluster, exc: BaseException) -> OpsError:
    detail = str(exc).strip() or type(exc).__name__
    for marker in ("Connection refused", "Name or service not known", "timed out", "CERTIFICATE_VERIFY_FAILED"):
        if marker in detail:
            detail = marker.lower()
            break
    else:
        detail = detail if len(detail) <= 200 else detail[:197] + "..."
    return OpsError(
        f"{cluster.where} does not answer: {detail}",
        "check that the cluster runs and is reachable from here ('kubectl cluster-info'; a VPN?), or choose "
        "another context with --context",
    )


def api_failure(cluster: Cluster, exc: ApiError, verb: str, resource: str, namespace: str | None) -> OpsError:
    """An ``ApiError`` of ``verb`` on ``resource`` in words, with the fix."""
    where = f" in the namespace {namespace}" if namespace else ""
    if exc.status == 401:
        return OpsError(
            f"{cluster.where} refused the credentials of the kubeconfig (401 Unauthorized)",
            "renew them (for AKS: 'az aks get-credentials ...'; else log in again as your cluster requires), or "
            "choose another context with --context",
        )
    if exc.status == 403:
        return OpsError(
            f"{cluster.where} forbids to {verb} {resource}{where}: {exc.message}",
            f"ask the cluster's admin for a Role allowing '{verb}' on '{resource}'{where} (the built-in ClusterRole "
            "'edit', bound in the namespace, allows everything amldeploy does), or use a namespace you may deploy "
            "to with --namespace",
        )
    return OpsError(
        f"{cluster.where} refused to {verb} {resource}{where}: {exc.status} {exc.message}",
        "fix what the message names, then run the command again",
    )


def chunks(response: Any, size: int = 4096) -> Iterator[bytes]:
    """The body of a streamed response as it arrives."""
    yield from response.stream(size, decode_content=True)


# One retry of a failed connection (urllib3's default is three): a cluster that does not answer is reported in
# seconds, not after a minute of retries.
CONNECT_RETRIES = 1


def _client(k8s_client: Any, configuration: Any) -> Any:
    configuration.retries = CONNECT_RETRIES
    return k8s_client.ApiClient(configuration)

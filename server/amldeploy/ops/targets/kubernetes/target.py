"""The Kubernetes target: an AKS (or AKSENDPOINT) deployment config as a Deployment, a Service, Secrets and an
autoscaler on the cluster of a kubeconfig context.

The cluster is the only record: a service is the Deployment labelled ``amldeploy/service=<name>``, in the
config's namespace (else the setting's, the context's, ``default``). Keys live in the service's Secret only; a
redeploy keeps them unless the config names others. A redeploy is a rolling update: new pods must be ready
before old ones go, so a deploy that fails leaves the old pods serving.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import DeployFailed, OpsError, ServiceNotFound
from amldeploy.ops.keys import ServiceKeys, keys_for
from amldeploy.ops.locks import current_holder, service_lock, shared_root
from amldeploy.ops.reporter import Reporter
from amldeploy.ops.service import Service, now_iso
from amldeploy.ops.states import State
from amldeploy.ops.targets.base import DeployRequest, TargetInfo, TargetSetting
from amldeploy.ops.targets.kubernetes import apply as ap
from amldeploy.ops.targets.kubernetes import manifests as mf
from amldeploy.ops.targets.kubernetes import status as st
from amldeploy.ops.targets.kubernetes.cluster import (
    PROBE_TIMEOUT_S,
    ApiError,
    Cluster,
    ClusterOptions,
    api_failure,
    configured,
    connect,
    kubeconfig_files,
)
from amldeploy.ops.targets.kubernetes.spec import KubeSpec, spec_of
from amldeploy.ops.targets.tls import read_tls

SERVICE_TYPE_SETTING = "kubernetes.serviceType"
REGISTRY_SETTING = "kubernetes.registry"  # the editor's amldeploy.kubernetes.registry: --registry's default
SERVICE_TYPE_ENV = "AMLDEPLOY_KUBERNETES_SERVICE_TYPE"
POLL_S = 2.0
UNSCHEDULABLE_GRACE_S = 60.0  # a cluster autoscaler may add a node meanwhile
CRASH_LOG_LINES = 40
PING_CACHE_S = 10.0

_ping_lock = threading.Lock()
_pings: dict[ClusterOptions, tuple[float, str | None]] = {}


class KubernetesTarget:
    name = "kubernetes"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.options = ClusterOptions.from_settings({})
        self.settings: dict[str, str | None] = {}

    def configure(self, settings: Mapping[str, str | None]) -> None:
        self.settings = dict(settings)
        self.options = ClusterOptions.from_settings(settings)

    # --- what a deploy creates ------------------------------------------------------------------------------

    def _spec(self, request: DeployRequest) -> tuple[KubeSpec, list[str]]:
        import yaml

        try:
            raw = yaml.safe_load(request.deployment.text) if request.deployment.text else None
        except yaml.YAMLError:
            raw = None
        path = request.deployment.path
        return spec_of(request.deployment.config, path.resolve().parent, raw if isinstance(raw, dict) else None)

    def _settings_of(self, request: DeployRequest) -> dict[str, str | None]:
        return {**self.settings, **{k: v for k, v in request.settings.items() if v}}

    def _with_registry(self, request: DeployRequest) -> DeployRequest:
        from amldeploy.ops.targets.images import with_registry

        return with_registry(request, self._settings_of(request).get(REGISTRY_SETTING))

    def _inputs(
        self,
        request: DeployRequest,
        spec: KubeSpec,
        namespace: str,
        image: Any,
        keys: ServiceKeys,
        hpa_version: str,
    ) -> mf.Inputs:
        settings = self._settings_of(request)
        service_type = settings.get(SERVICE_TYPE_SETTING) or os.environ.get(SERVICE_TYPE_ENV) or "ClusterIP"
        if service_type not in mf.SERVICE_TYPES:
            raise OpsError(
                f"the service type {service_type!r} is not one amldeploy creates",
                f"use one of: {', '.join(mf.SERVICE_TYPES)} (--service-type)",
            )
        return mf.Inputs(
            name=request.name,
            namespace=namespace,
            image=image.ref,
            spec=spec,
            keys=keys,
            service_type=service_type,
            hpa_version=hpa_version,
            pull_secret=image.pull_secret,
            tls=read_tls(spec.tls_files),
            image_digest=image.digest,
            created=now_iso(),
            deployed=now_iso(),
            models=[m.to_json() for m in request.models],
            folder=str(request.inference.path.resolve().parent),
        )

    def dry_run(self, request: DeployRequest, reporter: Reporter) -> list[dict[str, Any]]:
        """The objects a deploy would apply, for review or GitOps: no cluster, no engine; Secrets redacted."""
        from amldeploy.ops.targets.images import planned

        request = self._with_registry(request)
        spec, warnings = self._spec(request)
        for warning in warnings:
            reporter.warning(warning)
        settings = self._settings_of(request)
        options = ClusterOptions.from_settings(settings)
        namespace = spec.namespace or options.namespace or "default"
        image = planned(request, self.root)
        keys = spec.front_end.keys()
        inputs = self._inputs(request, spec, namespace, image, keys, mf.HPA_VERSIONS[0])
        return mf.redacted(mf.objects(inputs))

    # --- package --------------------------------------------------------------------------------------------

    def package(self, request: DeployRequest, reporter: Reporter) -> dict[str, Any]:
        """The image a deploy would run: built on the local engine and, with a registry, pushed there."""
        from amldeploy.ops.targets.images import packaged

        return packaged(self._with_registry(request), self.root, reporter)

    # --- deploy ---------------------------------------------------------------------------------------------

    def deploy(self, request: DeployRequest, reporter: Reporter) -> Service:
        request = self._with_registry(request)
        spec, warnings = self._spec(request)  # a config it cannot deploy fails before anything happens
        for warning in warnings:
            reporter.warning(warning)
        options = ClusterOptions.from_settings(self._settings_of(request))
        with service_lock(_lock_root(options), self.name, request.name, "deploy", reporter):
            from amldeploy.ops.targets.images import provide

            reporter.step("Connecting to the cluster")
            cluster = connect(options)
            try:
                version = _server_version(cluster)
                reporter.done(True, f"{cluster.where}, Kubernetes {version}")
                namespace = cluster.namespace_for(spec.namespace)
                image = provide(request, self.root, reporter)
                ap.ensure_namespace(cluster, namespace, reporter)
                keys = self._keys_for(cluster, request.name, namespace, spec)
                hpa = mf.newest_hpa_version(cluster.served_versions("autoscaling"))
                inputs = self._inputs(request, spec, namespace, image, keys, hpa)
                items = mf.objects(inputs)
                ap.apply_objects(cluster, items, reporter)
                for removed in ap.prune(cluster, items, request.name, namespace):
                    reporter.log(f"Removed {removed} (the config no longer asks for it)")
                return self._wait(cluster, request.name, namespace, reporter)
            finally:
                cluster.close()

    def _keys_for(self, cluster: Cluster, name: str, namespace: str, spec: KubeSpec) -> ServiceKeys:
        """The config's keys, else those the service has (a redeploy keeps them), else new ones."""
        front_end = spec.front_end
        if front_end.primary_key and front_end.secondary_key:
            return front_end.keys()
        existing = _secret_keys(ap.get(cluster, "v1", "Secret", namespace, mf.names(name)["keys"]))
        if existing is None:
            return front_end.keys()
        return keys_for(front_end.primary_key or existing.primary, front_end.secondary_key or existing.secondary)

    def _wait(self, cluster: Cluster, name: str, namespace: str, reporter: Reporter) -> Service:
        reporter.step(f"Waiting for the rollout of {name}")
        unschedulable_since: float | None = None
        while True:
            deployment = ap.get(cluster, "apps/v1", "Deployment", namespace, name)
            if deployment is None:
                reporter.done(False, "deleted")
                raise OpsError(f"the Deployment {name} was deleted during the deploy", "deploy again")
            pods = ap.labelled_pods(cluster, namespace, name)
            events = ap.events(cluster, namespace)
            verdict = st.verdict(deployment, pods, events)
            if verdict.state is State.HEALTHY:
                reporter.done(True, "healthy")
                return self._describe(cluster, deployment, pods, events)
            if verdict.state is State.UNSCHEDULABLE:
                unschedulable_since = unschedulable_since or time.monotonic()
            else:
                unschedulable_since = None
            crashed = verdict.state is State.UNHEALTHY and verdict.reason != "Unhealthy"
            waited_out = (
                unschedulable_since is not None and time.monotonic() - unschedulable_since > UNSCHEDULABLE_GRACE_S
            )
            if verdict.state is State.FAILED or crashed or waited_out:
                reporter.done(False, verdict.reason)
                service = self._describe(cluster, deployment, pods, events)
                service.state, service.error = verdict.state, verdict.error

                tail = _crash_log(cluster, namespace, name, crashed)
                raise DeployFailed(f"{name} is {verdict.state}: {verdict.error}", _hint(verdict), service, tail)
            reporter.progress(verdict.message or str(verdict.state))
            time.sleep(POLL_S)

    # --- everything else ------------------------------------------------------------------------------------

    def _describe(
        self, cluster: Cluster, deployment: Mapping[str, Any], pods: Any = None, events: Any = None
    ) -> Service:
        meta = deployment.get("metadata") or {}
        namespace, name = str(meta.get("namespace")), str(meta.get("name"))
        if pods is None:
            pods = ap.labelled_pods(cluster, namespace, name)
        if events is None:
            events = ap.events(cluster, namespace)
        service_obj = ap.get(cluster, "v1", "Service", namespace, name)
        service = st.describe(deployment, pods, events, service_obj)
        if cluster.context:
            service.details["context"] = cluster.context
        return service

    def _connect(self) -> Cluster | None:
        """A client when the cluster is configured and answers; None otherwise (no services there then)."""
        if why_unavailable(self.options) is not None:
            return None
        return connect(self.options)

    def _namespaces(self, cluster: Cluster) -> builtins.list[str | None]:
        """Where to look for services: the namespace given, else every namespace (else the context's, for a user
        who may not list across them)."""
        if self.options.namespace:
            return [self.options.namespace]
        return [None, cluster.namespace_for(None)]

    def _deployments(self, cluster: Cluster, service: str | None) -> builtins.list[dict[str, Any]]:
        last: OpsError | None = None
        for namespace in self._namespaces(cluster):
            try:
                return ap.labelled(cluster, "Deployment", namespace, service)
            except OpsError as exc:  # forbidden across namespaces: the next is narrower
                last = exc
        assert last is not None
        raise last

    def list(self) -> builtins.list[Service]:
        cluster = self._connect()
        if cluster is None:
            return []
        try:
            deployments = self._deployments(cluster, None)
            services = [self._describe(cluster, d) for d in deployments]
        finally:
            cluster.close()
        return sorted(services, key=lambda s: s.name)

    def _find(self, cluster: Cluster, name: str) -> dict[str, Any]:
        found = self._deployments(cluster, name)
        if not found:
            raise self._missing(name, cluster.where)
        # The same name in two namespaces: the one of the namespace setting, else the context's, else the newest.
        preferred = cluster.namespace_for(None)
        found.sort(
            key=lambda d: (d["metadata"].get("namespace") == preferred, d["metadata"].get("creationTimestamp", ""))
        )
        return found[-1]

    def get(self, name: str) -> Service:
        cluster = self._connect()
        if cluster is None:
            raise self._missing(name, self._where())
        try:
            return self._describe(cluster, self._find(cluster, name))
        finally:
            cluster.close()

    def keys(self, name: str) -> ServiceKeys:
        cluster = self._require()
        try:
            deployment = self._find(cluster, name)
            namespace = str(deployment["metadata"]["namespace"])
            keys = _secret_keys(ap.get(cluster, "v1", "Secret", namespace, mf.names(name)["keys"]))
        finally:
            cluster.close()
        if keys is None:
            raise OpsError(
                f"the Secret {mf.names(name)['keys']} of '{name}' holds no keys",
                f"redeploy it (amldeploy deploy {name} ...)",
            )
        return keys

    def logs(
        self,
        name: str,
        follow: bool = False,
        tail: int | None = None,
        stop: Callable[[], bool] | None = None,
        previous: bool = False,
    ) -> Iterator[str]:
        from amldeploy.ops.targets.kubernetes import logs as lg

        cluster = self._require()
        try:
            namespace = str(self._find(cluster, name)["metadata"]["namespace"])
        except BaseException:
            cluster.close()
            raise
        if not follow or previous:
            try:
                return iter(lg.read(cluster, namespace, name, tail, previous))
            finally:
                cluster.close()
        return lg.follow(cluster, namespace, name, tail, stop or (lambda: False))

    def delete(self, name: str, reporter: Reporter, purge: bool = False) -> None:
        with service_lock(_lock_root(self.options), self.name, name, "delete", reporter):
            cluster = self._require()
            try:
                namespace = str(self._find(cluster, name)["metadata"]["namespace"])
                ap.delete_service(cluster, name, namespace, reporter)
            finally:
                cluster.close()

    @contextlib.contextmanager
    def reach(self, service: Service) -> Iterator[Service]:
        """The service with an address reachable from here: its load balancer's, else a port-forward to one of its
        ready pods, open while the context is held."""
        if service.base_uri is not None:
            yield service
            return
        from amldeploy.ops.targets.kubernetes.forward import port_forward

        cluster = self._require()
        try:
            namespace = str(service.details.get("namespace") or cluster.namespace_for(None))
            with port_forward(cluster, namespace, service.name) as port:
                reached = Service(**{f: getattr(service, f) for f in service.__dataclass_fields__})
                reached.host, reached.port = "127.0.0.1", port
                yield reached
        finally:
            cluster.close()

    def tls_trust(self, service: Service) -> str | None:
        """The certificate of a service that serves TLS (``tls.crt`` of its TLS Secret: public, no key)."""
        import base64

        cluster = self._require()
        try:
            namespace = str(service.details.get("namespace") or cluster.namespace_for(None))
            secret = ap.get(cluster, "v1", "Secret", namespace, mf.names(service.name)["tls"])
        finally:
            cluster.close()
        data = (secret or {}).get("data") or {}
        cert = data.get("tls.crt")
        return base64.b64decode(cert).decode("ascii", "replace") if isinstance(cert, str) else None

    # --- helpers --------------------------------------------------------------------------------------------

    def _require(self) -> Cluster:
        why = why_unavailable(self.options)
        if why is not None:
            raise OpsError(f"the Kubernetes target cannot be used: {why}", _unavailable_hint(why))
        return connect(self.options)

    def _where(self) -> str:
        why = why_unavailable(self.options)
        return "the Kubernetes cluster" + (f" ({why})" if why else "")

    def _missing(self, name: str, where: str) -> ServiceNotFound:
        missing = ServiceNotFound(name, where)
        holder = current_holder(_lock_root(self.options), self.name, name)
        if holder is not None and holder.operation == "deploy":
            missing.hint = f"{holder.in_progress(name)}: run the command again once it has ended"
        return missing


def _server_version(cluster: Cluster) -> str:
    try:
        answer = cluster.request("GET", "/version", timeout=PROBE_TIMEOUT_S * 3) or {}
    except ApiError as exc:
        raise api_failure(cluster, exc, "get", "the server version", None) from None
    return str(answer.get("gitVersion") or "?")


def _secret_keys(secret: Mapping[str, Any] | None) -> ServiceKeys | None:
    import base64

    data = (secret or {}).get("data") or {}
    try:
        primary, secondary = (base64.b64decode(data[k]).decode("utf-8") for k in mf.SECRET_KEYS)
    except (KeyError, ValueError):
        return None
    return ServiceKeys(primary, secondary) if primary and secondary else None


def _lock_root(options: ClusterOptions) -> Path:
    """A cluster's services are the same from every folder of this machine: so is the lock of each (one set per
    kubeconfig and context)."""
    kubeconfig = options.kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    return shared_root(f"kubernetes {kubeconfig} {options.context or '(current context)'}")


def _crash_log(cluster: Cluster, namespace: str, name: str, crashed: bool) -> list[str]:
    """What the service printed before it failed: the container before the last restart when it crashed, else
    (or when that one is gone already: the kubelet then answers with a line saying it cannot find it) the current
    one, which after a crash is the crashed container waiting for its restart."""
    from amldeploy.ops.targets.kubernetes.logs import read

    for previous in (True, False) if crashed else (False,):
        try:
            tail = read(cluster, namespace, name, CRASH_LOG_LINES, previous=previous)
        except (ApiError, OpsError):
            continue
        if any("unable to retrieve container logs" not in line for line in tail):
            return tail
    return []


def _hint(verdict: st.Verdict) -> str:
    if verdict.reason in st.IMAGE_PULL_FAILURES:
        return (
            "check the image name and that the cluster may pull it: push it with --registry HOST[/NAMESPACE] "
            "(--registry-username for a private registry), or give an image already pushed with --image REF"
        )
    if verdict.state is State.UNSCHEDULABLE:
        return (
            "ask for less (containerResourceRequirements cpu/memoryInGB, gpuCores) or add nodes that have it; "
            "'kubectl describe nodes' shows what each can take"
        )
    if verdict.reason in st.CONFIG_FAILURES:
        return "see the message above ('kubectl describe pod' shows more), fix it, then deploy again"
    return (
        "fix the error in the log lines above (init() runs when the pod starts), then deploy again; the previous "
        "pods, if any, keep serving until then"
    )


def why_unavailable(options: ClusterOptions) -> str | None:
    """None when a cluster is configured and answers (cached for ``PING_CACHE_S``), else why not."""
    why = configured(options)
    if why is not None:
        return why
    now = time.monotonic()
    with _ping_lock:
        cached = _pings.get(options)
        if cached is not None and now - cached[0] < PING_CACHE_S:
            return cached[1]
    reason: str | None = None
    try:
        cluster = connect(options)
        try:
            cluster.request("GET", "/version", timeout=PROBE_TIMEOUT_S)
        finally:
            cluster.close()
    except ApiError as exc:
        if exc.status == 401:
            reason = "the cluster refused the kubeconfig's credentials (401)"
    except OpsError as exc:
        reason = exc.message
    with _ping_lock:
        _pings[options] = (time.monotonic(), reason)
    return reason


def _unavailable_hint(why: str) -> str:
    from amldeploy.ops.targets.kubernetes.cluster import NO_KUBECONFIG_HINT

    if why.startswith("no kubeconfig"):
        return NO_KUBECONFIG_HINT
    return "check the cluster ('kubectl cluster-info'), or choose another context with --context"


def _available() -> bool:
    return why_unavailable(ClusterOptions.from_settings({})) is None


def _reason() -> str | None:
    why = why_unavailable(ClusterOptions.from_settings({}))
    return None if why is None else f"{why}; {_unavailable_hint(why)}"


def _place(values: Mapping[str, str | None]) -> tuple[str, ...]:
    """The kubeconfig files, the context and the namespace (empty: the current context; every namespace)."""
    options = ClusterOptions.from_settings(values)
    files = os.pathsep.join(str(p.resolve()) for p in kubeconfig_files(options))
    return files, options.context or "", options.namespace or ""


def _unreachable(values: Mapping[str, str | None]) -> str | None:
    return why_unavailable(ClusterOptions.from_settings(values))


def _settings(root: Path, values: Mapping[str, str | None]) -> list[TargetSetting]:
    options = ClusterOptions.from_settings(values)
    files = ", ".join(str(p) for p in kubeconfig_files(options))
    return [
        TargetSetting("context", "Context", options.context or "(the kubeconfig's current context)"),
        TargetSetting(
            "namespace", "Namespace", options.namespace or "(the config's, else the context's, else default)"
        ),
        TargetSetting("kubeconfig", "Kubeconfig", files),
    ]


def _rows(service: Service) -> list[tuple[str, str]]:
    details = service.details
    return service.rows(
        [
            ("Namespace", str(details.get("namespace") or "-")),
            ("Deployment", f"{details.get('deployment') or '-'} ({details.get('replicas') or '-'} ready)"),
            ("Image", str(details.get("image") or "-")),
            ("Service type", str(details.get("serviceType") or "-")),
            ("Restarts", str(details.get("restartCount", 0))),
        ]
    )


TARGET = TargetInfo(
    "kubernetes",
    "a Deployment, Service and autoscaler on the Kubernetes cluster of a kubeconfig context (AKS or any other)",
    KubernetesTarget,
    available=_available,
    compute_types=("AKS", "AKSENDPOINT"),
    label="Kubernetes",
    reason=_reason,
    settings=_settings,
    rows=_rows,
    place=_place,
    unreachable=_unreachable,
)

"""The ACI target: an ACI deployment config as a container group in a resource group of an Azure subscription,
created with azure-mgmt-containerinstance (API 2023-05-01) and signed in with azure-identity.

Azure is the only record of a service: the container group named after it and tagged ``amldeploy-service=<name>``.
ARM never returns ``secureValue``s, and amldeploy writes no key to a file: keys the config names are read again
from that config (its path is a tag; a fingerprint tag says whether they are the group's); keys a deploy generated
are shown once by ``amldeploy deploy`` and known to the process that deployed (an editor's server) until it ends.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from amldeploy.ops.errors import EXIT_USAGE, Cancelled, DeployFailed, OpsError, ServiceNotFound
from amldeploy.ops.keys import ServiceKeys
from amldeploy.ops.locks import service_lock
from amldeploy.ops.reporter import Reporter
from amldeploy.ops.service import Service, now_iso
from amldeploy.ops.states import State
from amldeploy.ops.targets.aci import group as gr
from amldeploy.ops.targets.aci import status as st
from amldeploy.ops.targets.aci.azure import AzureOptions, Clients, connect, error_code, translate
from amldeploy.ops.targets.base import DeployRequest, TargetInfo, TargetSetting
from amldeploy.ops.targets.tls import read_tls

# Where a group's address answers when it is not where DNS says (a test, a jump host, a private VNet reached
# through a tunnel): "HOST:PORT=HOST2:PORT2,..." with HOST the group's FQDN or IP.
ADDRESSES_ENV = "AMLDEPLOY_ACI_ADDRESSES"
REGISTRY_SETTING = "aci.registry"  # the editor's amldeploy.aci.registry: --registry's default
READY_TIMEOUT_ENV = "AMLDEPLOY_ACI_READY_TIMEOUT_S"
READY_TIMEOUT_S = 600.0
CRASH_LOG_LINES = 40
# The keys this process deployed each group with, by (subscription, resource group, name): an editor's server
# knows the keys it generated for as long as it runs; nothing is written anywhere.
_KNOWN: dict[tuple[str, str, str], ServiceKeys] = {}


def _forget(place: tuple[str, str, str], previous: ServiceKeys | None) -> None:
    if previous is None:
        _KNOWN.pop(place, None)
    else:
        _KNOWN[place] = previous


def _config_keys(path: Path) -> ServiceKeys | None:
    """The keys a deployment config names (keys.primaryKey and keys.secondaryKey), if it can be read and names both."""
    from amldeploy.config.load import ConfigError, load_deployment_config
    from amldeploy.ops.frontend import front_end_of

    try:
        front_end, _ = front_end_of(load_deployment_config(path).config)
    except (ConfigError, OSError, ValueError):
        return None
    if front_end.primary_key and front_end.secondary_key:
        return front_end.keys()
    return None


class AciTarget:
    name = "aci"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.settings: dict[str, str | None] = {}
        self.options = AzureOptions.from_settings({})

    def configure(self, settings: Mapping[str, str | None]) -> None:
        self.settings = dict(settings)
        self.options = AzureOptions.from_settings(settings)

    def _options(self, request: DeployRequest) -> AzureOptions:
        return AzureOptions.from_settings({**self.settings, **{k: v for k, v in request.settings.items() if v}})

    def _with_registry(self, request: DeployRequest) -> DeployRequest:
        """``request`` with the editor's ``amldeploy.aci.registry`` when it names no image and no registry."""
        from amldeploy.ops.targets.images import with_registry

        setting = {**self.settings, **{k: v for k, v in request.settings.items() if v}}.get(REGISTRY_SETTING)
        return with_registry(request, setting)

    # --- what a deploy creates ------------------------------------------------------------------------------

    def _spec(self, request: DeployRequest, reporter: Reporter) -> gr.AciSpec:
        """What the config asks of ACI, its warnings reported; ``OpsError`` for what cannot be deployed."""
        spec, warnings = gr.spec_of(request.deployment.config, request.deployment.path.resolve().parent)
        for warning in warnings:
            reporter.warning(warning)
        return spec

    def _inputs(
        self,
        request: DeployRequest,
        spec: gr.AciSpec,
        image: Any,
        keys: ServiceKeys,
        location: str,
        subscription: str,
        resource_group: str,
    ) -> gr.Inputs:
        inference = request.inference.config
        variables = inference.environment.environment_variables if inference.environment else None
        if not spec.dns_name_label and spec.subnet is None:
            label = gr.default_label(request.name, resource_group, subscription)
            spec = dataclasses.replace(spec, dns_name_label=label)
        return gr.Inputs(
            name=request.name,
            image=image.ref,
            spec=spec,
            keys=keys,
            location=location,
            subscription=subscription,
            resource_group=resource_group,
            pull_secret=image.pull_secret,
            tls=read_tls(spec.tls_files),
            environment=dict(variables or {}),
            image_digest=image.digest,
            created=now_iso(),
            config=str((request.keys_config or request.deployment.path).resolve()),
            models=tuple((m.name, m.version) for m in request.models),
        )

    def dry_run(self, request: DeployRequest, reporter: Reporter) -> list[dict[str, Any]]:
        """The container group a deploy would PUT, for review or GitOps: contacts nothing; secrets as ``***``."""
        from amldeploy.ops.targets.images import planned, registry_of

        request = self._with_registry(request)
        spec = self._spec(request, reporter)
        if not request.image and not registry_of(request):
            reporter.warning(
                "no --registry or --image: a deploy would refuse, ACI cannot pull an image built on this machine"
            )
        options = self._options(request)
        subscription = options.subscription or "<subscription>"
        resource_group = options.resource_group or "<resource group>"
        location = spec.location or options.region or "<the resource group's location>"
        image = planned(request, self.root)
        inputs = self._inputs(request, spec, image, spec.front_end.keys(), location, subscription, resource_group)
        group = {"name": request.name, **gr.body(inputs)}
        return [gr.redacted(group)]

    # --- package --------------------------------------------------------------------------------------------

    def package(self, request: DeployRequest, reporter: Reporter) -> dict[str, Any]:
        """The image a deploy would run: built on the local engine and, with a registry, pushed there."""
        from amldeploy.ops.targets.images import packaged

        return packaged(self._with_registry(request), self.root, reporter)

    # --- deploy ---------------------------------------------------------------------------------------------

    def deploy(self, request: DeployRequest, reporter: Reporter) -> Service:
        from amldeploy.ops.targets.images import provide, registry_of

        request = self._with_registry(request)
        spec = self._spec(request, reporter)  # a config it cannot deploy fails before anything happens
        if not request.image and not registry_of(request):
            raise OpsError(
                "ACI pulls the service's image from a registry, and none is given",
                "give --registry HOST[/NAMESPACE] (an Azure Container Registry, say; --registry-username for a "
                "private one) to build and push it, or --image REF of an image already pushed; or run it on this "
                "machine with --target docker (or --target process)",
                EXIT_USAGE,
            )
        options = self._options(request)
        options.require()
        with service_lock(self.root, self.name, request.name, "deploy", reporter):
            reporter.step("Signing in to Azure")
            clients = connect(options)
            try:
                location = spec.location or options.region or clients.resource_group_location()
                reporter.done(True, f"{clients.where}, {location}")
                image = provide(request, self.root, reporter)
                existing = self._fetch(clients, request.name)
                existed = existing is not None
                keys = self._keys_for(request.name, spec, clients)
                where = (location, clients.subscription, clients.resource_group)
                inputs = self._inputs(request, spec, image, keys, *where)
                created = st.tags_of(existing).get(gr.CREATED_TAG) if existing is not None else None
                if created:  # a redeploy: the service was created then
                    inputs = dataclasses.replace(inputs, created=created)
                place = (clients.subscription, clients.resource_group.lower(), request.name)
                previous = _KNOWN.get(place)
                generated = not (spec.front_end.primary_key and spec.front_end.secondary_key) and keys != previous
                _KNOWN[place] = keys
                try:
                    self._put(clients, request.name, gr.body(inputs), reporter)
                    service = self._wait(clients, request.name, reporter)
                    service.models = list(request.models)  # as deployed (the tag has no paths of this machine)
                except Cancelled:
                    self._undo(clients, request.name, existed)
                    _forget(place, previous)
                    raise
                except OpsError as exc:
                    refused = not isinstance(exc, DeployFailed) or (
                        exc.service is not None and exc.service.state is State.UNSCHEDULABLE
                    )
                    if refused:  # the group was not changed: its keys are still the previous ones
                        _forget(place, previous)
                    raise
                if generated and spec.front_end.auth_enabled:
                    service.generated_keys = keys  # shown once by the deploy command, never stored
                return service
            finally:
                clients.close()

    def _undo(self, clients: Clients, name: str, existed: bool) -> None:
        """After a cancel: a group this deploy created goes again (an update cannot be taken back: it stays)."""
        if existed:
            return
        with contextlib.suppress(Exception):
            clients.aci.container_groups.begin_delete(clients.resource_group, name).result()

    def _put(self, clients: Clients, name: str, body: Mapping[str, Any], reporter: Reporter) -> None:
        from azure.core.exceptions import HttpResponseError

        reporter.step(f"Creating the container group {name}")
        data = json.dumps(body).encode("utf-8")  # sent as is: exactly what --dry-run shows
        try:
            poller = clients.aci.container_groups.begin_create_or_update(
                clients.resource_group, name, data, content_type="application/json"
            )
            while not poller.done():
                reporter.progress(f"provisioning: {poller.status()}")
                poller.wait(max(clients.options.poll_interval_s, 0.2))
            poller.result()
        except HttpResponseError as exc:
            code = error_code(exc)
            if code in st.UNSCHEDULABLE_CODES:
                reporter.done(False, code)
                service = Service(name, self.name, State.UNSCHEDULABLE, "ACI", error=str(exc.message or exc))
                raise DeployFailed(
                    f"{name} is Unschedulable: {code}: {_first_line(exc)}",
                    "ask for less (containerResourceRequirements cpu/memoryInGB), choose another region "
                    "(location), or ask for more quota ('az container list-usage --location REGION' shows it)",
                    service,
                ) from None
            if code == "ContainerGroupTransitioning":
                reporter.done(False, code)
                raise OpsError(
                    f"the container group {name} is still changing (a deploy or delete of it is under way)",
                    f"wait for it ('amldeploy show {name}'), then deploy again",
                ) from None
            if exc.status_code in (401, 403) or code in ("ResourceGroupNotFound", "SubscriptionNotFound"):
                reporter.done(False, code or str(exc.status_code))
                raise translate(exc, f"create the container group {name}", clients) from None
            reporter.done(False, code or "failed")
            self._fail_from_group(clients, name, f"provisioning failed: {code}: {_first_line(exc)}")
        except Exception as exc:
            reporter.done(False, "failed")
            raise translate(exc, f"create the container group {name}", clients) from None
        reporter.done(True, "provisioned")

    def _fail_from_group(self, clients: Clients, name: str, fallback: str) -> None:
        group = self._fetch(clients, name)
        if group is None:
            raise OpsError(f"{name}: {fallback}", "see the message above, fix it, then deploy again")
        service = st.describe(group, clients.subscription, clients.resource_group)
        if service.state is not State.FAILED:
            service.state, service.error = State.FAILED, fallback
        judged = st.verdict(group)
        raise DeployFailed(
            f"{name} is Failed: {service.error or fallback}", _hint(judged), service, self._tail(clients, name)
        )

    def _wait(self, clients: Clients, name: str, reporter: Reporter) -> Service:
        reporter.step(f"Waiting for {name} to answer")
        deadline = time.monotonic() + float(os.environ.get(READY_TIMEOUT_ENV) or READY_TIMEOUT_S)
        while True:
            group = self._fetch(clients, name)
            if group is None:
                reporter.done(False, "deleted")
                raise OpsError(f"the container group {name} was deleted during the deploy", "deploy again")
            service = st.describe(group, clients.subscription, clients.resource_group)
            judged = st.verdict(group)
            if judged.state is State.HEALTHY and self._answers(service):
                reporter.done(True, "healthy")
                return service
            if judged.state in (State.FAILED, State.UNHEALTHY) or time.monotonic() > deadline:
                if judged.state is State.HEALTHY:
                    service.state, service.error = State.UNHEALTHY, "GET / did not answer in time"
                reporter.done(False, judged.reason)
                raise DeployFailed(
                    f"{name} is {service.state}: {service.error}", _hint(judged), service, self._tail(clients, name)
                )
            reporter.progress(judged.error or str(judged.state))
            time.sleep(max(clients.options.poll_interval_s, 0.5))

    def _answers(self, service: Service) -> bool:
        """Whether GET / answers over the group's address; true when that cannot be tried from here (no public
        address, a name that does not resolve here, TLS): ARM's Running then stands for it."""
        private = service.details.get("ipType") == "Private"
        if service.details.get("tls") or private or service.base_uri is None:
            return True
        import socket

        from amldeploy.ops.health import request

        with self.reach(service) as reached:
            try:
                socket.getaddrinfo(reached.host, reached.port)
            except OSError:
                return True
            try:
                return request("GET", f"{reached.base_uri}/", timeout=5).status == 200
            except OSError:
                return False

    # --- keys -----------------------------------------------------------------------------------------------

    def _known_keys(self, clients: Clients, name: str, group: Any) -> ServiceKeys | None:
        """The keys the group runs with, if they can be known here: those this process deployed it with, else those
        of the deployment config it was deployed from (its tag), when the group's fingerprint says they are its."""
        fingerprint = st.tags_of(group).get(gr.KEYS_TAG) if group is not None else None
        remembered = _KNOWN.get((clients.subscription, clients.resource_group.lower(), name))
        if remembered is not None and gr.fingerprint_matches(remembered, fingerprint):
            return remembered
        config = st.tags_of(group).get(gr.CONFIG_TAG) if group is not None else None
        if config:
            configured = _config_keys(Path(config))
            if configured is not None and gr.fingerprint_matches(configured, fingerprint):
                return configured
        return None

    def _keys_for(self, name: str, spec: gr.AciSpec, clients: Clients) -> ServiceKeys:
        """The config's keys, else those the service has (a redeploy keeps them), else new ones."""
        front_end = spec.front_end
        if front_end.primary_key and front_end.secondary_key:
            return front_end.keys()
        known = self._known_keys(clients, name, self._fetch(clients, name))
        return known if known is not None else front_end.keys()

    def keys(self, name: str) -> ServiceKeys:
        clients = self._require()
        try:
            group = self._find(clients, name)
            known = self._known_keys(clients, name, group)
        finally:
            clients.close()
        if known is None:
            raise OpsError(
                f"the keys of '{name}' are not known here: Azure never returns them, amldeploy keeps none in a file, "
                "and they are not those of the deployment config it was deployed from",
                "they were printed once by the deploy that generated them; to choose keys, set keys.primaryKey and "
                f"keys.secondaryKey in the deployment config and deploy again (amldeploy deploy {name} ...)",
            )
        return known

    # --- everything else ------------------------------------------------------------------------------------

    def _require(self) -> Clients:
        why = self.options.missing()
        if why is not None:
            raise OpsError(
                f"the ACI target cannot be used: {why}", "give --subscription ID --resource-group NAME", EXIT_USAGE
            )
        return connect(self.options)

    def _fetch(self, clients: Clients, name: str) -> dict[str, Any] | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            group = clients.aci.container_groups.get(clients.resource_group, name)
        except ResourceNotFoundError as exc:
            if error_code(exc) in ("ResourceGroupNotFound", "SubscriptionNotFound"):
                raise translate(exc, f"read the container group {name}", clients) from None
            return None
        except Exception as exc:
            raise translate(exc, f"read the container group {name}", clients) from None
        body: dict[str, Any] = group.serialize(keep_readonly=True)
        return body

    def _find(self, clients: Clients, name: str) -> dict[str, Any]:
        group = self._fetch(clients, name)
        if group is None or st.tags_of(group).get(gr.SERVICE_TAG) != name:
            raise ServiceNotFound(name, f"ACI ({clients.where})")
        return group

    def list(self) -> builtins.list[Service]:
        if self.options.missing() is not None:
            return []
        clients = connect(self.options)
        try:
            groups = [
                g.serialize(keep_readonly=True)
                for g in clients.aci.container_groups.list_by_resource_group(clients.resource_group)
            ]
        except Exception as exc:
            raise translate(exc, "list the container groups", clients) from None
        finally:
            clients.close()
        services = []
        for group in groups:
            if st.is_service(group):
                services.append(st.describe(group, clients.subscription, clients.resource_group))
        return sorted(services, key=lambda s: s.name)

    def get(self, name: str) -> Service:
        if self.options.missing() is not None:
            raise ServiceNotFound(name, "ACI (no subscription and resource group chosen)")
        clients = connect(self.options)
        try:
            return st.describe(self._find(clients, name), clients.subscription, clients.resource_group)
        finally:
            clients.close()

    def _tail(self, clients: Clients, name: str, lines: int = CRASH_LOG_LINES) -> builtins.list[str]:
        try:
            return _read_logs(clients, name, lines, False)
        except Exception:
            return []

    def logs(
        self, name: str, follow: bool = False, tail: int | None = None, stop: Callable[[], bool] | None = None
    ) -> Iterator[str]:
        clients = self._require()
        try:
            self._find(clients, name)
            if not follow:
                return iter(_read_logs(clients, name, tail, False))
        except BaseException:
            clients.close()
            raise
        return _follow(self, clients, name, tail, stop or (lambda: False))

    def delete(self, name: str, reporter: Reporter) -> None:
        with service_lock(self.root, self.name, name, "delete", reporter):
            clients = self._require()
            try:
                self._find(clients, name)
                reporter.step(f"Deleting the container group {name}")
                try:
                    clients.aci.container_groups.begin_delete(clients.resource_group, name).result()
                except Exception as exc:
                    reporter.done(False, "failed")
                    raise translate(exc, f"delete the container group {name}", clients) from None
                reporter.done(True, "deleted")
                _KNOWN.pop((clients.subscription, clients.resource_group.lower(), name), None)
            finally:
                clients.close()

    def tls_trust(self, service: Service) -> str | None:
        """The certificate of a group that serves TLS: the ``sslCertificate`` of the deployment config it was
        deployed from (its path is a tag; a certificate is public), None when that config is not here."""
        clients = self._require()
        try:
            group = self._find(clients, service.name)
        finally:
            clients.close()
        config = st.tags_of(group).get(gr.CONFIG_TAG)
        if not config:
            return None
        from amldeploy.config.load import ConfigError, load_deployment_config

        try:
            path = Path(config)
            spec, _ = gr.spec_of(load_deployment_config(path).config, path.parent)
            return spec.tls_files[0].read_text(encoding="utf-8") if spec.tls_files else None
        except (ConfigError, OpsError, OSError, ValueError):
            return None

    @contextlib.contextmanager
    def reach(self, service: Service) -> Iterator[Service]:
        """The service at the address ``AMLDEPLOY_ACI_ADDRESSES`` maps its FQDN (or IP) and port to, if any."""
        mapped = _addresses().get(f"{service.host}:{service.port}")
        if mapped is None:
            yield service
            return
        reached = Service(**{f: getattr(service, f) for f in service.__dataclass_fields__})
        reached.host, reached.port = mapped
        yield reached


def _addresses() -> dict[str, tuple[str, int]]:
    """``FQDN:PORT=HOST:PORT,...``; ``@FILE``: the same, one per line, read again on each use (a tunnel or a test
    that learns the addresses as groups start)."""
    out: dict[str, tuple[str, int]] = {}
    given = os.environ.get(ADDRESSES_ENV) or ""
    if given.startswith("@"):
        try:
            given = Path(given[1:]).read_text(encoding="utf-8").replace("\n", ",")
        except OSError:
            given = ""
    for item in given.split(","):
        source, _, dest = item.strip().partition("=")
        host, _, port = dest.rpartition(":")
        if source and host and port.isdigit():
            out[source.lower()] = (host, int(port))
    return out


def _read_logs(clients: Clients, name: str, tail: int | None, timestamps: bool) -> builtins.list[str]:
    try:
        answer = clients.aci.containers.list_logs(
            clients.resource_group, name, gr.CONTAINER, tail=tail, timestamps=timestamps
        )
    except Exception as exc:
        raise translate(exc, f"read the log of {name}", clients) from None
    return (answer.content or "").splitlines()


def _follow(
    target: AciTarget, clients: Clients, name: str, tail: int | None, stop: Callable[[], bool]
) -> Iterator[str]:
    """The last ``tail`` lines, then each new one: ACI's log API has no stream, so it is polled with timestamps and
    a line is new when its timestamp is later than the last seen, or equal and not seen yet."""
    last = ""
    seen_at_last: builtins.list[str] = []
    first = True
    try:
        while not stop():
            try:
                lines = _read_logs(clients, name, tail if first else None, True)
            except OpsError:
                if target._fetch(clients, name) is None:
                    return
                raise
            fresh = []
            for line in lines:
                stamp, _, text = line.partition(" ")
                if stamp > last or (stamp == last and line not in seen_at_last):
                    fresh.append((stamp, text, line))
            for stamp, text, line in fresh:
                if stamp != last:
                    last, seen_at_last = stamp, []
                seen_at_last.append(line)
                yield text
            first = False
            deadline = time.monotonic() + max(clients.options.poll_interval_s, 1.0)
            while time.monotonic() < deadline and not stop():
                time.sleep(0.2)
    finally:
        clients.close()


def _first_line(exc: Any) -> str:
    text = str(getattr(getattr(exc, "error", None), "message", None) or getattr(exc, "message", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else ""


def _hint(judged: st.Verdict) -> str:
    if judged.reason == "ImagePull":
        return (
            "check the image name and that ACI may pull it: push it with --registry HOST[/NAMESPACE] "
            "(--registry-username for a private registry), or give an image already pushed with --image REF"
        )
    return (
        "fix the error in the log lines above (init() runs when the container starts), then deploy again; "
        "'amldeploy logs NAME' shows the whole log"
    )


def _available() -> bool:
    # The only target of computeType ACI: chosen even before a subscription is, so that its deploy says what to
    # give (--subscription, --resource-group) rather than that no target takes ACI.
    return True


def _place(values: Mapping[str, str | None]) -> tuple[str, ...]:
    """The Resource Manager endpoint, the subscription and the resource group (empty: not chosen)."""
    options = AzureOptions.from_settings(values)
    return options.arm_endpoint, options.subscription or "", (options.resource_group or "").lower()


def _unreachable(values: Mapping[str, str | None]) -> str | None:
    return AzureOptions.from_settings(values).missing()


def _settings(root: Path, values: Mapping[str, str | None]) -> builtins.list[TargetSetting]:
    options = AzureOptions.from_settings(values)
    return [
        TargetSetting("subscription", "Subscription", options.subscription or "(not chosen)"),
        TargetSetting("resourceGroup", "Resource group", options.resource_group or "(not chosen)"),
        TargetSetting("region", "Region", options.region or "(the config's location, else the resource group's)"),
        TargetSetting("armEndpoint", "Resource Manager", options.arm_endpoint),
    ]


def _rows(service: Service) -> builtins.list[tuple[str, str]]:
    details = service.details
    rows = [
        ("Resource group", str(details.get("resourceGroup") or "-")),
        ("Location", str(details.get("location") or "-")),
        ("FQDN", str(details.get("fqdn") or details.get("ip") or "-")),
        ("Image", str(details.get("image") or "-")),
        ("Restarts", str(details.get("restartCount", 0))),
    ]
    if details.get("cname"):
        rows.append(("CNAME", str(details["cname"])))
    return service.rows(rows)


TARGET = TargetInfo(
    "aci",
    "a container group in Azure Container Instances (a subscription's resource group)",
    AciTarget,
    available=_available,
    compute_types=("ACI",),
    label="Azure Container Instances",
    settings=_settings,
    rows=_rows,
    builds_with="docker",
    place=_place,
    unreachable=_unreachable,
)

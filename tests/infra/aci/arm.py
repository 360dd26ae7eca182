"""Azure Resource Manager for Microsoft.ContainerInstance 2023-05-01 (and the resource group it lives in), faked.

Every request goes through, in the order the real front door applies them:

1. the bearer token (401 ``AuthenticationFailed`` / ``InvalidAuthenticationToken`` / ``ExpiredAuthenticationToken`` /
   ``InvalidAuthenticationTokenAudience`` / ``InvalidAuthenticationTokenTenant``);
2. the subscription (404 ``SubscriptionNotFound``);
3. the spec (:mod:`tests.infra.aci.spec_check`): a request the spec does not allow is recorded in ``violations`` and
   answered 400 (``MissingApiVersionParameter``, ``InvalidApiVersionParameter`` or ``InvalidRequestContent``), or
   404 ``InvalidResourceType`` for a path the spec does not have;
4. role assignments (403 ``AuthorizationFailed`` naming the action and scope, see ``deny``);
5. faults queued by the test (``fail``: any status, code and message, for a number of calls);
6. the resource provider: container groups in memory, long-running operations as the real service runs them.

Long-running operations as recorded from the real service (API 2023-05-01): PUT answers 201 (200 on update) with the
group in ``Pending`` and an ``Azure-AsyncOperation`` header; the operation reports ``Pending`` for ``pending_polls``
polls, then ``Succeeded`` (or ``Failed`` with the error); DELETE answers 200 with the group, synchronously; restart
answers 204 and start 202, both with ``Azure-AsyncOperation``; stop answers 204. No ``Retry-After`` anywhere (the real
service sends none: a client must set its own polling interval). ``x-ms-secret`` properties (``secureValue``,
``password``, ``workspaceKey``, ``workspaceResourceId``) are never echoed back, and every response the fake sends is
checked against the spec too (``fake_problems``).

What a container does is scripted per image (:class:`ContainerScript`): running, crash loop, pull failure,
terminated, with restart count, events and logs. A :class:`Runner` decides it; the default reads the scripts. A
runner that starts the image on a local Docker engine can replace it (the FQDN would then resolve to the engine's
published port: not done yet).
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

import jwt

from tests.infra.aci.https import Request, Response
from tests.infra.aci.spec_check import Match, SpecChecker

PROVIDER = "Microsoft.ContainerInstance"
GROUP_TYPE = f"{PROVIDER}/containerGroups"
OPERATION_API_VERSION = "2018-06-01"  # what the real service puts in Azure-AsyncOperation
RESOURCE_GROUP_API_VERSIONS = ("2025-04-01", "2024-11-01", "2024-03-01", "2022-09-01", "2021-04-01")
ARM_AUDIENCES = (
    "https://management.azure.com/",
    "https://management.azure.com",
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
)

# The RBAC action ARM checks for each operation (what a 403 names).
ACTIONS = {
    "ContainerGroups_List": f"{GROUP_TYPE}/read",
    "ContainerGroups_ListByResourceGroup": f"{GROUP_TYPE}/read",
    "ContainerGroups_Get": f"{GROUP_TYPE}/read",
    "ContainerGroups_CreateOrUpdate": f"{GROUP_TYPE}/write",
    "ContainerGroups_Update": f"{GROUP_TYPE}/write",
    "ContainerGroups_Delete": f"{GROUP_TYPE}/delete",
    "ContainerGroups_Restart": f"{GROUP_TYPE}/restart/action",
    "ContainerGroups_Stop": f"{GROUP_TYPE}/stop/action",
    "ContainerGroups_Start": f"{GROUP_TYPE}/start/action",
    "Containers_ListLogs": f"{GROUP_TYPE}/containers/logs/read",
    "Containers_ExecuteCommand": f"{GROUP_TYPE}/containers/exec/action",
    "Containers_Attach": f"{GROUP_TYPE}/containers/attach/action",
    "ResourceGroups_Get": "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Providers_Register": f"{PROVIDER}/register/action",
    "Providers_Get": "Microsoft.Resources/subscriptions/providers/read",
}
PROVIDERS_API_VERSION = "2016-02-01"  # what azure-mgmt-core's auto-registration policy sends
OTHER_API_VERSIONS = {
    "ResourceGroups_Get": RESOURCE_GROUP_API_VERSIONS,
    "Providers_Get": (PROVIDERS_API_VERSION,),
    "Providers_Register": (PROVIDERS_API_VERSION,),
    "OperationStatus": (OPERATION_API_VERSION,),
}


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"error": {"code": code, "message": message}}, headers or {})


@dataclass
class ContainerScript:
    """What a container of a given image does once its group is provisioned."""

    state: str = "Running"  # Running | Waiting | Terminated
    detail_status: str = ""
    exit_code: int | None = None
    restart_count: int = 0
    events: list[dict[str, Any]] | None = None  # None: Pulling, Pulled, Started as the real service reports
    logs: str = ""
    # The create operation ends Failed with this (code, message), e.g. InaccessibleImage.
    provisioning_error: tuple[str, str] | None = None


@dataclass
class Fault:
    operation: str  # an operationId of the spec, "ResourceGroups_Get", "OperationStatus", or "*"
    status: int
    code: str
    message: str
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Violation:
    method: str
    path: str
    operation: str | None
    problems: list[str]


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    operation: str | None
    status: int = 0


@dataclass
class Container:
    name: str
    image: str
    script: ContainerScript
    log_lines: list[tuple[str, str]] = field(default_factory=list)  # (timestamp, line)
    start_time: str = ""
    restarts: int = 0  # restarts asked for through the API
    handle: Any = None  # what a runner keeps for it (a Docker container)


@dataclass
class Group:
    subscription: str
    resource_group: str
    name: str
    request: dict[str, Any]  # the last PUT body, as sent
    provisioning_state: str = "Pending"
    stopped: bool = False
    containers: dict[str, Container] = field(default_factory=dict)
    ip: str = "20.0.0.1"

    @property
    def id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/providers/{GROUP_TYPE}/{self.name}"
        )

    @property
    def location(self) -> str:
        return str(self.request.get("location", ""))


@dataclass
class AsyncOperation:
    id: str
    group: Group | None
    polls_left: int
    result: str = "Succeeded"
    error: tuple[str, str] | None = None
    start_time: str = field(default_factory=now_iso)


class Runner(Protocol):
    """Brings a provisioned group's containers to life (scripted by default; a Docker engine could do it).

    ``start`` runs when the create (or start) operation succeeds, ``stop`` on stop and delete, ``refresh`` before the
    group is shown or its logs read: a runner backed by real containers updates each ``Container.script`` (state,
    restart count, exit code) and ``log_lines`` there, and may set ``Group.ip``.
    """

    def start(self, group: Group) -> tuple[str, str] | None:
        """Start the containers; an error (code, message) fails the operation, as InaccessibleImage does."""
        ...

    def stop(self, group: Group) -> None: ...

    def refresh(self, group: Group) -> None: ...


class ScriptedRunner:
    def refresh(self, group: Group) -> None:
        pass

    def start(self, group: Group) -> tuple[str, str] | None:
        for c in group.containers.values():
            c.start_time = now_iso()
            for line in c.script.logs.splitlines():
                c.log_lines.append((now_iso(), line))
        return None

    def stop(self, group: Group) -> None:
        pass


def _events(image: str, script: ContainerScript, at: str) -> list[dict[str, Any]]:
    if script.events is not None:
        return script.events

    def ev(name: str, message: str, kind: str = "Normal", count: int = 1) -> dict[str, Any]:
        return {
            "count": count,
            "firstTimestamp": at,
            "lastTimestamp": at,
            "name": name,
            "message": message,
            "type": kind,
        }

    if script.provisioning_error is not None:
        return [
            ev("Pulling", f'pulling image "{image}"'),
            ev("Failed", f'Failed to pull image "{image}": {script.provisioning_error[1]}', "Warning"),
            ev("BackOff", f'Back-off pulling image "{image}"', "Normal"),
        ]
    out = [ev("Pulling", f'pulling image "{image}"'), ev("Pulled", f'Successfully pulled image "{image}"')]
    out.append(ev("Started", "Started container", count=script.restart_count + 1))
    if script.restart_count:
        out.append(ev("BackOff", "Back-off restarting failed container", "Warning", script.restart_count))
    return out


class Arm:
    def __init__(self, checker: SpecChecker, signing_key: bytes, tenant_id: str) -> None:
        self.checker = checker
        self.signing_key = signing_key
        self.tenant_id = tenant_id
        self.authority_url = ""  # set by FakeAzure: the issuer the tokens must come from
        self.subscriptions: set[str] = set()
        self.resource_groups: dict[tuple[str, str], str] = {}  # (subscription, name lower) -> location
        self.groups: dict[tuple[str, str, str], Group] = {}  # (subscription, rg lower, name lower)
        self.operations: dict[str, AsyncOperation] = {}
        self.images: dict[str, ContainerScript] = {}
        self.denied: set[str] = set()
        self.faults: list[Fault] = []
        self.registered = True  # Microsoft.ContainerInstance registered on the subscription
        self._registering = False
        self.revoked: set[str] = set()  # the "uti" claims of tokens that are rejected
        self.pending_polls = 2
        self.runner: Runner = ScriptedRunner()
        self.requests: list[Recorded] = []
        self.violations: list[Violation] = []
        self.fake_problems: list[str] = []
        self._lock = threading.RLock()

    # ---- entry point -------------------------------------------------------------------------------------------

    def handle(self, req: Request, base: str) -> Response:
        with self._lock:
            match = self.checker.operation(req.method, req.path)
            op_name = match.operation.operation_id if match else self._other_operation(req)
            body: Any
            try:
                body = req.json()
            except ValueError:
                body = req.body.decode("utf-8", "replace")
            rec = Recorded(req.method, req.path, req.query, dict(req.headers), body, op_name)
            self.requests.append(rec)
            resp = self._handle(req, base, match, op_name)
            rec.status = resp.status
            if match is not None:
                self.fake_problems += self.checker.check_response(match.operation, resp.status, resp.body)
            return resp

    def _other_operation(self, req: Request) -> str | None:
        parts = req.path.strip("/").split("/")
        low = [p.lower() for p in parts]
        if len(parts) == 4 and low[0] == "subscriptions" and low[2] == "resourcegroups":
            return "ResourceGroups_Get" if req.method == "GET" else None
        if len(parts) == 4 and low[0] == "subscriptions" and low[2:] == ["providers", PROVIDER.lower()]:
            return "Providers_Get" if req.method == "GET" else None
        if len(parts) == 5 and low[2:] == ["providers", PROVIDER.lower(), "register"]:
            return "Providers_Register" if req.method == "POST" else None
        if len(parts) == 8 and low[2:5] == ["providers", PROVIDER.lower(), "locations"] and low[6] == "operations":
            return "OperationStatus" if req.method == "GET" else None
        return None

    def _handle(self, req: Request, base: str, match: Match | None, op_name: str | None) -> Response:
        claims_or_error = self._authenticate(req)
        if isinstance(claims_or_error, Response):
            return claims_or_error
        claims = claims_or_error
        parts = req.path.strip("/").split("/")
        if len(parts) >= 2 and parts[0].lower() == "subscriptions" and parts[1] not in self.subscriptions:
            return error(404, "SubscriptionNotFound", f"The subscription '{parts[1]}' could not be found.")
        if not self.registered and op_name not in ("ResourceGroups_Get", "Providers_Get", "Providers_Register", None):
            return error(
                409,
                "MissingSubscriptionRegistration",
                f"The subscription is not registered to use namespace '{PROVIDER}'. See https://aka.ms/rps-not-found "
                "for how to register subscriptions.",
            )
        if op_name is None:
            self.violations.append(Violation(req.method, req.path, None, ["no operation of the spec has this path"]))
            return self._unknown_path(req)
        if match is not None:
            problems = self.checker.check_request(match, req.query, req.headers, req.body)
            if problems:
                self.violations.append(Violation(req.method, req.path, op_name, problems))
                return self._bad_request(req, problems)
        else:  # outside the ContainerInstance spec: the api-versions the SDKs send
            known = OTHER_API_VERSIONS[op_name]
            version = (req.query.get("api-version") or [""])[0]
            if version not in known:
                problem = f"api-version {version!r} is not one of {', '.join(known)}"
                self.violations.append(Violation(req.method, req.path, op_name, [problem]))
                return self._bad_request(req, [problem], known)
        scope = req.path
        action = ACTIONS.get(op_name)
        if action in self.denied:
            return error(
                403,
                "AuthorizationFailed",
                f"The client '{claims['appid']}' with object id '{claims['oid']}' does not have authorization to "
                f"perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently "
                "granted, please refresh your credentials.",
            )
        fault = self._take_fault(op_name)
        if fault is not None:
            return error(fault.status, fault.code, fault.message, dict(fault.headers))
        if op_name == "ResourceGroups_Get":
            return self._resource_group(parts)
        if op_name == "OperationStatus":
            return self._operation_status(parts[7])
        if op_name in ("Providers_Get", "Providers_Register"):
            return self._provider(parts[1], register=op_name == "Providers_Register")
        assert match is not None
        handler = {
            "ContainerGroups_CreateOrUpdate": self._create_or_update,
            "ContainerGroups_Get": self._get,
            "ContainerGroups_List": self._list_all,
            "ContainerGroups_ListByResourceGroup": self._list_by_resource_group,
            "ContainerGroups_Update": self._update,
            "ContainerGroups_Delete": self._delete,
            "ContainerGroups_Restart": self._restart,
            "ContainerGroups_Stop": self._stop,
            "ContainerGroups_Start": self._start,
            "Containers_ListLogs": self._logs,
        }.get(op_name, self._unsupported)
        return handler(req, base, match.path_params)

    # ---- front door ----------------------------------------------------------------------------------------------

    def _authenticate(self, req: Request) -> dict[str, Any] | Response:
        header = req.header("Authorization")

        def unauthorized(code: str, message: str) -> Response:
            challenge = (
                f'Bearer authorization_uri="{self.authority_url}/{self.tenant_id}", error="invalid_token", '
                f'error_description="{message}"'
            )
            return error(401, code, message, {"WWW-Authenticate": challenge})

        if not header:
            return unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token:
            return unauthorized(
                "AuthenticationFailedInvalidHeader",
                "Authentication failed. The 'Authorization' header is provided in an invalid format.",
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self.signing_key, algorithms=["HS256"], options={"verify_exp": False, "verify_aud": False}
            )
        except jwt.PyJWTError:
            return unauthorized("InvalidAuthenticationToken", "The access token is invalid.")
        now = time.time()
        if claims.get("exp", 0) <= now:
            expiry = datetime.fromtimestamp(claims.get("exp", 0), timezone.utc).strftime("%m/%d/%Y %H:%M:%S")
            current = datetime.fromtimestamp(now, timezone.utc).strftime("%m/%d/%Y %H:%M:%S")
            return unauthorized(
                "ExpiredAuthenticationToken",
                f"The access token expiry UTC time '{expiry}' is earlier than current UTC time '{current}'.",
            )
        if claims.get("uti") in self.revoked:
            return unauthorized("InvalidAuthenticationToken", "The access token is invalid.")
        if claims.get("aud") not in ARM_AUDIENCES:
            return unauthorized(
                "InvalidAuthenticationTokenAudience",
                f"The access token has been obtained for wrong audience or resource '{claims.get('aud')}'. It should "
                "exactly match with one of the allowed audiences " + ",".join(f"'{a}'" for a in ARM_AUDIENCES) + ".",
            )
        if claims.get("tid") != self.tenant_id:
            return unauthorized(
                "InvalidAuthenticationTokenTenant",
                f"The access token is from the wrong issuer '{claims.get('iss')}'. It must match the tenant "
                f"'{self.authority_url}/{self.tenant_id}/' associated with this subscription.",
            )
        return claims

    def _unknown_path(self, req: Request) -> Response:
        ops = self.checker.path_matches(req.path)
        if ops:
            return error(
                405,
                "HttpMethodNotAllowed",
                f"The requested resource does not support http method '{req.method}'.",
            )
        return error(
            404,
            "InvalidResourceType",
            f"The resource type could not be found in the namespace '{PROVIDER}' for api version "
            f"'{(req.query.get('api-version') or [''])[0]}'.",
        )

    def _bad_request(self, req: Request, problems: list[str], supported: tuple[str, ...] = ()) -> Response:
        version = req.query.get("api-version")
        if not version:
            return error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if any(p.startswith("api-version") for p in problems):
            return error(
                400,
                "InvalidApiVersionParameter",
                f"The api-version '{version[0]}' is invalid. The supported versions are "
                f"'{','.join(supported or (self.checker.api_version,))}'.",
            )
        return error(
            400,
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: " + "; ".join(problems),
        )

    def _take_fault(self, op_name: str) -> Fault | None:
        for fault in self.faults:
            if fault.operation in (op_name, "*"):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    # ---- Microsoft.Resources and the operation status --------------------------------------------------------------

    def _resource_group(self, parts: list[str]) -> Response:
        sub, name = parts[1], parts[3]
        location = self.resource_groups.get((sub, name.lower()))
        if location is None:
            return error(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
        return Response(
            200,
            {
                "id": f"/subscriptions/{sub}/resourceGroups/{name}",
                "name": name,
                "type": "Microsoft.Resources/resourceGroups",
                "location": location,
                "properties": {"provisioningState": "Succeeded"},
            },
        )

    def _provider(self, subscription: str, *, register: bool) -> Response:
        if register:
            self._registering = True
            state = "Registered" if self.registered else "Registering"
        else:
            if self._registering:
                self.registered = True
            state = "Registered" if self.registered else "NotRegistered"
        body = {
            "id": f"/subscriptions/{subscription}/providers/{PROVIDER}",
            "namespace": PROVIDER,
            "registrationState": state,
        }
        return Response(200, body)

    def _operation_status(self, op_id: str) -> Response:
        op = self.operations.get(op_id)
        if op is None:
            return error(404, "OperationNotFound", f"The operation '{op_id}' could not be found.")
        body: dict[str, Any] = {"id": op_id, "status": "Pending", "startTime": op.start_time}
        if op.polls_left > 0:
            op.polls_left -= 1
            return Response(200, body)
        if op.group is not None and op.group.provisioning_state in ("Pending", "Creating", "Updating"):
            op.error = op.error or self.runner.start(op.group)
            op.result = "Failed" if op.error else "Succeeded"
            op.group.provisioning_state = op.result
        body["status"] = op.result
        body["endTime"] = now_iso()
        if op.error is not None:
            body["error"] = {"code": op.error[0], "message": op.error[1]}
        return Response(200, body)

    def _new_operation(self, base: str, group: Group | None, error_: tuple[str, str] | None = None) -> str:
        op = AsyncOperation(uuid.uuid4().hex, group, self.pending_polls, "Failed" if error_ else "Succeeded", error_)
        self.operations[op.id] = op
        location = (group.location if group else "westus").replace(" ", "").lower()
        sub = group.subscription if group else next(iter(self.subscriptions))
        return (
            f"{base}/subscriptions/{sub}/providers/{PROVIDER}/locations/{location}/operations/{op.id}"
            f"?api-version={OPERATION_API_VERSION}"
        )

    # ---- container groups ------------------------------------------------------------------------------------------

    def _group(self, params: dict[str, str]) -> Group | None:
        key = (params["subscriptionId"], params["resourceGroupName"].lower(), params["containerGroupName"].lower())
        return self.groups.get(key)

    def _not_found(self, params: dict[str, str]) -> Response:
        return error(
            404,
            "ResourceNotFound",
            f"The Resource '{GROUP_TYPE}/{params['containerGroupName']}' under resource group "
            f"'{params['resourceGroupName']}' was not found. For more details please go to "
            "https://aka.ms/ARMResourceNotFoundFix",
        )

    def render(self, group: Group) -> dict[str, Any]:
        """The group as the service returns it: the request plus the read-only state, secrets removed."""
        self.runner.refresh(group)
        body = copy.deepcopy(group.request)
        props = body.setdefault("properties", {})
        props.setdefault("sku", "Standard")
        props.setdefault("restartPolicy", "Always")
        props.setdefault("initContainers", [])
        props["provisioningState"] = group.provisioning_state
        provisioned = group.provisioning_state in ("Succeeded", "Failed")
        for spec in props.get("containers", []):
            c = group.containers[spec["name"].lower()]
            if provisioned:
                spec["properties"]["instanceView"] = self._container_view(group, c)
        ip = props.get("ipAddress")
        if isinstance(ip, dict):
            ip["ip"] = group.ip
            if ip.get("dnsNameLabel"):
                ip["fqdn"] = f"{ip['dnsNameLabel']}.{group.location.replace(' ', '').lower()}.azurecontainer.io"
        if provisioned:
            props["instanceView"] = {"events": [], "state": self._group_state(group)}
        body.update(id=group.id, name=group.name, type=GROUP_TYPE)
        return self._strip_secrets(body)

    def _container_view(self, group: Group, c: Container) -> dict[str, Any]:
        s = c.script
        if group.stopped:
            state: dict[str, Any] = {"state": "Terminated", "detailStatus": "Stopped", "exitCode": 0}
        elif group.provisioning_state == "Failed":
            state = {"state": "Waiting", "detailStatus": "ImagePullBackOff"}
        else:
            state = {"state": s.state, "detailStatus": s.detail_status}
            if c.start_time:
                state["startTime"] = c.start_time
            if s.exit_code is not None:
                state["exitCode"] = s.exit_code
            if s.state == "Terminated":
                state["finishTime"] = now_iso()
        view: dict[str, Any] = {
            "restartCount": s.restart_count,
            "currentState": state,
            "events": _events(c.image, s, c.start_time or now_iso()),
        }
        if s.restart_count:
            view["previousState"] = {
                "state": "Terminated",
                "detailStatus": "Error",
                "exitCode": s.exit_code if s.exit_code is not None else 1,
                "startTime": c.start_time,
                "finishTime": c.start_time,
            }
        return view

    def _group_state(self, group: Group) -> str:
        if group.stopped:
            return "Stopped"
        if group.provisioning_state == "Failed":
            return "Pending"
        states = [c.script for c in group.containers.values()]
        if any(s.state == "Running" for s in states):
            return "Running"
        if states and all(s.state == "Terminated" for s in states):
            return "Succeeded" if all((s.exit_code or 0) == 0 for s in states) else "Failed"
        return "Pending"

    def _strip_secrets(self, body: dict[str, Any]) -> dict[str, Any]:
        def walk(o: Any) -> None:
            if isinstance(o, dict):
                for k in [k for k in o if k in self.checker.secret_properties]:
                    del o[k]
                for v in o.values():
                    walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)

        walk(body)
        return body

    def _create_or_update(self, req: Request, base: str, params: dict[str, str]) -> Response:
        sub, rg = params["subscriptionId"], params["resourceGroupName"]
        if (sub, rg.lower()) not in self.resource_groups:
            return error(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")
        body = req.json()
        existing = self._group(params)
        if existing is not None and existing.provisioning_state in ("Pending", "Creating", "Updating"):
            return error(
                409,
                "ContainerGroupTransitioning",
                f"The container group '{existing.name}' is still transitioning, please retry later.",
            )
        containers: dict[str, Container] = {}
        failure: tuple[str, str] | None = None
        for spec in body["properties"]["containers"]:
            image = spec["properties"]["image"]
            script = copy.deepcopy(self.images.get(image, ContainerScript()))
            containers[spec["name"].lower()] = Container(spec["name"], image, script)
            failure = failure or script.provisioning_error
        group = Group(sub, existing.resource_group if existing else rg, params["containerGroupName"], body)
        group.containers = containers
        if existing:
            group.name = existing.name
            self.runner.stop(existing)  # the real service restarts the containers on an update
        group.ip = f"20.0.0.{len(self.groups) % 250 + 2}"
        self.groups[(sub, rg.lower(), group.name.lower())] = group
        location = self._new_operation(base, group, failure)
        return Response(200 if existing else 201, self.render(group), {"Azure-AsyncOperation": location})

    def _get(self, req: Request, base: str, params: dict[str, str]) -> Response:
        group = self._group(params)
        return Response(200, self.render(group)) if group else self._not_found(params)

    def _list(self, groups: Iterable[Group]) -> Response:
        return Response(200, {"value": [self.render(g) for g in groups]})

    def _list_by_resource_group(self, req: Request, base: str, params: dict[str, str]) -> Response:
        sub, rg = params["subscriptionId"], params["resourceGroupName"]
        if (sub, rg.lower()) not in self.resource_groups:
            return error(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")
        return self._list(g for k, g in self.groups.items() if k[:2] == (sub, rg.lower()))

    def _list_all(self, req: Request, base: str, params: dict[str, str]) -> Response:
        return self._list(g for k, g in self.groups.items() if k[0] == params["subscriptionId"])

    def _update(self, req: Request, base: str, params: dict[str, str]) -> Response:
        group = self._group(params)
        if group is None:
            return self._not_found(params)
        patch = req.json() or {}
        if "tags" in patch:
            group.request["tags"] = patch["tags"]
        return Response(200, self.render(group))

    def _delete(self, req: Request, base: str, params: dict[str, str]) -> Response:
        group = self._group(params)
        if group is None:
            return Response(204)
        self.runner.stop(group)
        del self.groups[(group.subscription, group.resource_group.lower(), group.name.lower())]
        return Response(200, self.render(group))

    def _restart(self, req: Request, base: str, params: dict[str, str]) -> Response:
        group = self._group(params)
        if group is None:
            return self._not_found(params)
        group.stopped = False
        self.runner.stop(group)
        for c in group.containers.values():
            c.script.restart_count += 1
            c.restarts += 1
        self.runner.start(group)
        return Response(204, None, {"Azure-AsyncOperation": self._new_operation(base, None)})

    def _stop(self, req: Request, base: str, params: dict[str, str]) -> Response:
        group = self._group(params)
        if group is None:
            return self._not_found(params)
        group.stopped = True
        self.runner.stop(group)
        return Response(204)

    def _start(self, req: Request, base: str, params: dict[str, str]) -> Response:
        group = self._group(params)
        if group is None:
            return self._not_found(params)
        group.stopped = False
        self.runner.start(group)
        return Response(202, None, {"Azure-AsyncOperation": self._new_operation(base, None)})

    def _logs(self, req: Request, base: str, params: dict[str, str]) -> Response:
        group = self._group(params)
        if group is None:
            return self._not_found(params)
        container = group.containers.get(req.path.rstrip("/").split("/")[-2].lower())
        if container is None:
            return error(
                404,
                "ContainerNotFound",
                f"The container '{req.path.rstrip('/').split('/')[-2]}' could not be found in container group "
                f"'{group.name}'.",
            )
        self.runner.refresh(group)
        lines = container.log_lines
        tail = req.query.get("tail")
        if tail:
            lines = lines[-int(tail[0]) :] if int(tail[0]) > 0 else []
        stamped = (req.query.get("timestamps") or ["false"])[0] == "true"
        content = "".join(f"{t} {line}\n" if stamped else f"{line}\n" for t, line in lines)
        return Response(200, {"content": content})

    def _unsupported(self, req: Request, base: str, params: dict[str, str]) -> Response:
        return error(501, "NotImplementedInFake", "This operation is in the spec but not played by the fake.")

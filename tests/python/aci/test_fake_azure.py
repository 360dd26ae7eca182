"""The local Azure (tests/infra/aci) is faithful: the real azure-identity and azure-mgmt-containerinstance work
against it as against Azure, and it rejects what Azure's spec does not allow, with Azure's error shape."""

from __future__ import annotations

import copy
import time
from typing import Any

import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.identity import CertificateCredential, ClientSecretCredential, DefaultAzureCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance import models as m
from azure.mgmt.resource.resources import ResourceManagementClient

from tests.infra.aci import FakeAzure, SpecChecker, example

GROUPS = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/containerGroups"


def example_group() -> m.ContainerGroup:
    """The group of the spec's own example (ContainerGroupsList.json), as the SDK model a target would build."""
    body = example("ContainerGroupsList")["responses"]["200"]["body"]["value"][0]
    group = m.ContainerGroup.deserialize(body)
    group.containers[0].environment_variables = [
        m.EnvironmentVariable(name="MODEL", value="m1"),
        m.EnvironmentVariable(name="API_KEY", secure_value="s3cret"),
    ]
    return group


def small_group(image: str = "registry.example/scorer:1", **kwargs: Any) -> m.ContainerGroup:
    return m.ContainerGroup(
        location="westeurope",
        os_type="Linux",
        restart_policy="Always",
        containers=[
            m.Container(
                name="scorer",
                image=image,
                resources=m.ResourceRequirements(requests=m.ResourceRequests(cpu=1.0, memory_in_gb=1.5)),
                ports=[m.ContainerPort(port=5001)],
            )
        ],
        ip_address=m.IpAddress(type="Public", ports=[m.Port(port=5001)], dns_name_label="scorer-x1"),
        **kwargs,
    )


def groups_path(azure: FakeAzure, name: str = "", api_version: str | None = "2023-05-01") -> str:
    path = GROUPS.format(sub=azure.subscription_id, rg=azure.resource_group) + (f"/{name}" if name else "")
    return path + (f"?api-version={api_version}" if api_version else "")


def valid_body() -> dict[str, Any]:
    return {
        "location": "westeurope",
        "properties": {
            "osType": "Linux",
            "containers": [
                {
                    "name": "scorer",
                    "properties": {"image": "img:1", "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}}},
                }
            ],
        },
    }


# ---- Entra ID ---------------------------------------------------------------------------------------------------


def test_client_secret_credential_gets_a_jwt_for_arm(
    azure: FakeAzure, azure_credential: ClientSecretCredential
) -> None:
    token = azure_credential.get_token(azure.arm_scope)
    claims = jwt.decode(token.token, options={"verify_signature": False})
    assert claims["aud"] == "https://management.azure.com/"
    assert claims["tid"] == azure.tenant_id and claims["appid"] == azure.client_id
    assert azure.token_requests == [
        {
            "client_id": azure.client_id,
            "grant_type": "client_credentials",
            "client_info": "1",
            "client_secret": "***",
            "scope": azure.arm_scope,
        }
    ]
    # MSAL read the tenant's OpenID configuration first, and asked nothing of the public cloud.
    assert [r.path for r in azure.entra.requests] == [
        f"/{azure.tenant_id}/v2.0/.well-known/openid-configuration",
        f"/{azure.tenant_id}/oauth2/v2.0/token",
    ]


def test_default_azure_credential_and_tls_trust_from_the_environment(
    azure: FakeAzure, azure_env: dict[str, str]
) -> None:
    """What a target does with ``azure_env`` alone: no ``connection_verify``, the CA comes from REQUESTS_CA_BUNDLE."""
    credential = DefaultAzureCredential(disable_instance_discovery=True)
    token = credential.get_token(azure.arm_scope)
    assert jwt.decode(token.token, options={"verify_signature": False})["appid"] == azure.client_id
    with ContainerInstanceManagementClient(
        credential, azure_env["AZURE_SUBSCRIPTION_ID"], base_url=azure_env["AMLDEPLOY_ARM_ENDPOINT"]
    ) as client:
        assert list(client.container_groups.list_by_resource_group(azure.resource_group)) == []


def test_certificate_credential_signs_an_assertion_the_authority_checks(azure: FakeAzure) -> None:
    credential = CertificateCredential(
        azure.tenant_id,
        azure.client_id,
        str(azure.certificate_path),
        authority=azure.authority_host,
        disable_instance_discovery=True,
        connection_verify=str(azure.ca_path),
    )
    assert credential.get_token(azure.arm_scope).token
    assert azure.token_requests[0]["client_assertion"] == "***"


def test_a_wrong_secret_fails_with_entras_error(azure: FakeAzure) -> None:
    credential = ClientSecretCredential(
        azure.tenant_id,
        azure.client_id,
        "not-the-secret",
        authority=azure.authority_host,
        disable_instance_discovery=True,
        connection_verify=str(azure.ca_path),
    )
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215: Invalid client secret provided"):
        credential.get_token(azure.arm_scope)


# ---- container groups through the real SDK --------------------------------------------------------------------------


def test_the_spec_example_round_trips(azure: FakeAzure, aci_client: ContainerInstanceManagementClient) -> None:
    azure.pending_polls = 3
    poller = aci_client.container_groups.begin_create_or_update(azure.resource_group, "demo1", example_group())
    created = poller.result()
    assert poller.status() == "Succeeded"
    assert created.provisioning_state == "Succeeded"
    assert created.containers[0].instance_view.current_state.state == "Running"
    # secureValue is sent but never echoed, as by the real service.
    put = next(r for r in azure.requests if r.method == "PUT")
    assert put.body["properties"]["containers"][0]["properties"]["environmentVariables"][1]["secureValue"] == "s3cret"
    echoed = {e.name: (e.value, e.secure_value) for e in created.containers[0].environment_variables}
    assert echoed == {"MODEL": ("m1", None), "API_KEY": (None, None)}
    # The real LRO dance: 201 + Azure-AsyncOperation, Pending polls, Succeeded, then the resource.
    assert azure.operations() == [
        "ContainerGroups_CreateOrUpdate",
        *["OperationStatus"] * 4,
        "ContainerGroups_Get",
    ]
    assert [r.status for r in azure.requests][:2] == [201, 200]

    got = aci_client.container_groups.get(azure.resource_group, "demo1")
    assert got.ip_address.ip and got.volumes[0].azure_file.share_name == "share1"
    assert [g.name for g in aci_client.container_groups.list_by_resource_group(azure.resource_group)] == ["demo1"]
    assert [g.name for g in aci_client.container_groups.list()] == ["demo1"]
    deleted = aci_client.container_groups.begin_delete(azure.resource_group, "demo1").result()
    assert deleted.name == "demo1"
    with pytest.raises(ResourceNotFoundError, match="ResourceNotFound"):
        aci_client.container_groups.get(azure.resource_group, "demo1")
    assert azure.violations == []


def test_update_restart_stop_start_and_fqdn(azure: FakeAzure, aci_client: ContainerInstanceManagementClient) -> None:
    groups = aci_client.container_groups
    groups.begin_create_or_update(azure.resource_group, "g", small_group()).result()
    updated = groups.begin_create_or_update(azure.resource_group, "g", small_group(tags={"service": "s"})).result()
    assert updated.tags == {"service": "s"}
    assert updated.ip_address.fqdn == "scorer-x1.westeurope.azurecontainer.io"
    assert next(r.status for r in reversed(azure.requests) if r.method == "PUT") == 200
    groups.begin_restart(azure.resource_group, "g").result()
    assert groups.get(azure.resource_group, "g").containers[0].instance_view.restart_count == 1
    groups.stop(azure.resource_group, "g")
    assert groups.get(azure.resource_group, "g").instance_view.state == "Stopped"
    groups.begin_start(azure.resource_group, "g").result()
    assert groups.get(azure.resource_group, "g").instance_view.state == "Running"


def test_logs_tail_and_timestamps(azure: FakeAzure, aci_client: ContainerInstanceManagementClient) -> None:
    azure.on_image("registry.example/scorer:1", logs="booting\nready")
    aci_client.container_groups.begin_create_or_update(azure.resource_group, "g", small_group()).result()
    azure.append_logs("g", "scorer", "POST /score 200")
    logs = aci_client.containers.list_logs(azure.resource_group, "g", "scorer")
    assert logs.content == "booting\nready\nPOST /score 200\n"
    assert aci_client.containers.list_logs(azure.resource_group, "g", "scorer", tail=1).content == "POST /score 200\n"
    stamped = aci_client.containers.list_logs(azure.resource_group, "g", "scorer", tail=1, timestamps=True)
    assert stamped.content.endswith("Z POST /score 200\n")


def test_resource_group_location_and_missing_group(azure: FakeAzure, azure_credential: ClientSecretCredential) -> None:
    with ResourceManagementClient(
        azure_credential, azure.subscription_id, base_url=azure.arm_url, connection_verify=str(azure.ca_path)
    ) as resources:
        assert resources.resource_groups.get(azure.resource_group).location == azure.location
        with pytest.raises(ResourceNotFoundError, match="ResourceGroupNotFound"):
            resources.resource_groups.get("nope")


def test_unknown_subscription(azure: FakeAzure, azure_credential: ClientSecretCredential) -> None:
    with ContainerInstanceManagementClient(
        azure_credential, "99999999-0000-0000-0000-000000000000", base_url=azure.arm_url,
        connection_verify=str(azure.ca_path),
    ) as client, pytest.raises(ResourceNotFoundError, match="SubscriptionNotFound"):  # fmt: skip
        client.container_groups.get(azure.resource_group, "g")


# ---- container states ----------------------------------------------------------------------------------------------


def test_image_pull_failure_fails_the_operation(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient
) -> None:
    azure.pull_fails("registry.example/missing:1")
    poller = aci_client.container_groups.begin_create_or_update(
        azure.resource_group, "g", small_group("registry.example/missing:1")
    )
    with pytest.raises(HttpResponseError, match="InaccessibleImage") as info:
        poller.result()
    assert info.value.error is not None and info.value.error.code == "InaccessibleImage"
    assert poller.status() == "Failed"
    group = aci_client.container_groups.get(azure.resource_group, "g")
    view = group.containers[0].instance_view
    assert group.provisioning_state == "Failed"
    assert view.current_state.state == "Waiting"
    assert [e.name for e in view.events] == ["Pulling", "Failed", "BackOff"]


def test_crash_loop_reports_restarts_and_events(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient
) -> None:
    azure.crash_loop("registry.example/crash:1", restarts=4, exit_code=3, logs="Traceback: boom")
    created = aci_client.container_groups.begin_create_or_update(
        azure.resource_group, "g", small_group("registry.example/crash:1")
    ).result()
    view = created.containers[0].instance_view
    assert created.provisioning_state == "Succeeded"
    assert (view.current_state.state, view.restart_count) == ("Waiting", 4)
    assert view.current_state.detail_status.startswith("CrashLoopBackOff")
    assert view.previous_state.exit_code == 3
    assert "BackOff" in [e.name for e in view.events]
    azure.set_container("g", "scorer", state="Terminated", exit_code=3, detail_status="Error")
    again = aci_client.container_groups.get(azure.resource_group, "g")
    assert again.containers[0].instance_view.current_state.state == "Terminated"
    assert again.instance_view.state == "Failed"


# ---- errors -----------------------------------------------------------------------------------------------------------


def test_403_names_the_missing_action(azure: FakeAzure, aci_client: ContainerInstanceManagementClient) -> None:
    azure.deny("ContainerGroups_CreateOrUpdate")
    with pytest.raises(HttpResponseError) as info:
        aci_client.container_groups.begin_create_or_update(azure.resource_group, "g", small_group())
    assert info.value.status_code == 403
    assert info.value.error is not None and info.value.error.code == "AuthorizationFailed"
    assert "does not have authorization to perform action 'Microsoft.ContainerInstance/containerGroups/write'" in (
        info.value.message
    )
    with pytest.raises(ResourceNotFoundError):  # reads are still allowed
        aci_client.container_groups.get(azure.resource_group, "g")


def test_401_for_a_revoked_token_and_without_one(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient
) -> None:
    aci_client.container_groups.begin_create_or_update(azure.resource_group, "g", small_group()).result()
    azure.revoke_tokens()
    with pytest.raises(ClientAuthenticationError, match="InvalidAuthenticationToken") as info:
        aci_client.container_groups.get(azure.resource_group, "g")
    assert info.value.status_code == 401
    status, body = azure.raw("GET", groups_path(azure, "g"))
    assert (status, body["error"]["code"]) == (401, "AuthenticationFailed")
    fresh = ClientSecretCredential(
        azure.tenant_id,
        azure.client_id,
        azure.client_secret,
        authority=azure.authority_host,
        disable_instance_discovery=True,
        connection_verify=str(azure.ca_path),
    )
    assert azure.raw("GET", groups_path(azure, "g"), token=fresh.get_token(azure.arm_scope).token)[0] == 200


def test_a_token_for_another_audience_is_refused(azure: FakeAzure, azure_credential: ClientSecretCredential) -> None:
    with ContainerInstanceManagementClient(
        azure_credential, azure.subscription_id, base_url=azure.arm_url,
        credential_scopes=["https://storage.azure.com/.default"], connection_verify=str(azure.ca_path),
    ) as client, pytest.raises(ClientAuthenticationError, match="InvalidAuthenticationTokenAudience"):  # fmt: skip
        client.container_groups.get(azure.resource_group, "g")


@pytest.mark.parametrize(
    ("knob", "status", "code"),
    [("quota_reached", 409, "ContainerGroupQuotaReached"), ("capacity_unavailable", 409, "ServiceUnavailable")],
)
def test_quota_and_capacity(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient, knob: str, status: int, code: str
) -> None:
    getattr(azure, knob)()
    with pytest.raises(HttpResponseError) as info:
        aci_client.container_groups.begin_create_or_update(azure.resource_group, "g", small_group())
    assert info.value.status_code == status
    assert info.value.error is not None and info.value.error.code == code
    # The fault was used up: the next try goes through.
    aci_client.container_groups.begin_create_or_update(azure.resource_group, "g", small_group()).result()


def test_an_unregistered_provider_without_the_right_to_register_it(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient
) -> None:
    azure.unregister_provider()
    azure.deny("Providers_Register")
    with pytest.raises(HttpResponseError, match="MissingSubscriptionRegistration") as info:
        aci_client.container_groups.get(azure.resource_group, "g")
    assert info.value.status_code == 409
    assert [(r.operation, r.status) for r in azure.requests] == [
        ("ContainerGroups_Get", 409),
        ("Providers_Register", 403),
    ]


def test_the_sdk_registers_the_provider_itself(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("azure.mgmt.core.policies._base.time.sleep", lambda _s: None)  # it waits 10 s per poll
    azure.unregister_provider()
    with pytest.raises(ResourceNotFoundError):
        aci_client.container_groups.get(azure.resource_group, "g")
    assert [r.operation for r in azure.requests] == [
        "ContainerGroups_Get",
        "Providers_Register",
        "Providers_Get",
        "ContainerGroups_Get",
    ]


def test_a_500_is_retried_by_the_sdk(azure: FakeAzure, aci_client: ContainerInstanceManagementClient) -> None:
    aci_client.container_groups.begin_create_or_update(azure.resource_group, "g", small_group()).result()
    azure.server_error("ContainerGroups_Get")
    assert aci_client.container_groups.get(azure.resource_group, "g").name == "g"
    assert [r.status for r in azure.requests if r.operation == "ContainerGroups_Get"][-2:] == [500, 200]


def test_a_429_is_retried_after_the_time_it_names(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient
) -> None:
    azure.throttle("ContainerGroups_ListByResourceGroup", retry_after_s=1)
    started = time.monotonic()
    assert list(aci_client.container_groups.list_by_resource_group(azure.resource_group)) == []
    assert time.monotonic() - started >= 1
    assert [r.status for r in azure.requests] == [429, 200]


def test_a_conflict_while_transitioning(azure: FakeAzure, aci_client: ContainerInstanceManagementClient) -> None:
    # Nobody polls: the group stays Pending, as on the real service until its operation completes.
    aci_client.container_groups.begin_create_or_update(azure.resource_group, "g", small_group(), polling=False)
    with pytest.raises(HttpResponseError, match="ContainerGroupTransitioning") as info:
        aci_client.container_groups.begin_create_or_update(azure.resource_group, "g", small_group())
    assert info.value.status_code == 409


# ---- the spec check ----------------------------------------------------------------------------------------------


def _token(azure: FakeAzure, credential: ClientSecretCredential) -> str:
    return credential.get_token(azure.arm_scope).token


def test_a_valid_raw_request_passes(azure: FakeAzure, azure_credential: ClientSecretCredential) -> None:
    status, body = azure.raw("PUT", groups_path(azure, "g"), valid_body(), token=_token(azure, azure_credential))
    assert status == 201 and body["properties"]["provisioningState"] == "Pending"


def _drop_os_type(b: dict[str, Any]) -> None:
    del b["properties"]["osType"]


def _cpu_as_string(b: dict[str, Any]) -> None:
    b["properties"]["containers"][0]["properties"]["resources"]["requests"]["cpu"] = "1"


def _misspelt_key(b: dict[str, Any]) -> None:
    b["properties"]["containers"][0]["properties"]["enviromentVariables"] = []


def _ip_without_ports(b: dict[str, Any]) -> None:
    b["properties"]["ipAddress"] = {"type": "Public"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_drop_os_type, "'osType' is a required property"),
        (_cpu_as_string, "'1' is not of type 'number'"),
        (_misspelt_key, "'enviromentVariables' was unexpected"),
        (_ip_without_ports, "'ports' is a required property"),
    ],
    ids=["missing-required", "wrong-type", "unknown-property", "nested-required"],
)
def test_an_invalid_body_gets_azures_400(
    azure: FakeAzure, azure_credential: ClientSecretCredential, change: Any, expected: str
) -> None:
    body = valid_body()
    change(body)
    status, reply = azure.raw("PUT", groups_path(azure, "g"), body, token=_token(azure, azure_credential))
    assert status == 400
    assert set(reply) == {"error"} and reply["error"]["code"] == "InvalidRequestContent"
    assert expected in reply["error"]["message"]
    [violation] = azure.take_violations()
    assert violation.operation == "ContainerGroups_CreateOrUpdate" and expected in " ".join(violation.problems)


@pytest.mark.parametrize(
    ("api_version", "code"),
    [(None, "MissingApiVersionParameter"), ("2021-03-01", "InvalidApiVersionParameter")],
)
def test_the_api_version_is_checked(
    azure: FakeAzure, azure_credential: ClientSecretCredential, api_version: str | None, code: str
) -> None:
    status, reply = azure.raw("GET", groups_path(azure, "g", api_version), token=_token(azure, azure_credential))
    assert (status, reply["error"]["code"]) == (400, code)
    assert len(azure.take_violations()) == 1


def test_query_parameters_and_unknown_paths_are_checked(
    azure: FakeAzure, azure_credential: ClientSecretCredential
) -> None:
    token = _token(azure, azure_credential)
    logs = groups_path(azure, "g/containers/scorer/logs") + "&tail=ten"
    assert azure.raw("GET", logs, token=token)[0] == 400
    unknown = (
        f"/subscriptions/{azure.subscription_id}/providers/Microsoft.ContainerInstance/widgets?api-version=2023-05-01"
    )
    status, reply = azure.raw("GET", unknown, token=token)
    assert (status, reply["error"]["code"]) == (404, "InvalidResourceType")
    problems = [p for v in azure.take_violations() for p in v.problems]
    assert problems == [
        "query parameter 'tail': 'ten' is not of type 'integer'",
        "no operation of the spec has this path",
    ]


def test_the_sdk_does_not_enforce_required_fields_but_the_fake_does(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient
) -> None:
    group = small_group()
    group.containers[0].resources.requests.memory_in_gb = None  # a target bug the SDK lets through
    with pytest.raises(HttpResponseError, match="'memoryInGB' is a required property") as info:
        aci_client.container_groups.begin_create_or_update(azure.resource_group, "g", group)
    assert info.value.status_code == 400
    assert len(azure.take_violations()) == 1


def test_the_checker_accepts_the_specs_own_examples_and_catches_secrets() -> None:
    checker = SpecChecker(strict=True)
    listed = example("ContainerGroupsList")
    list_op = checker.operation("GET", "/subscriptions/subid/providers/Microsoft.ContainerInstance/containerGroups")
    assert list_op is not None
    assert checker.check_response(list_op.operation, 200, listed["responses"]["200"]["body"]) == []

    stop = example("ContainerGroupsStop")["parameters"]
    path = GROUPS.format(sub=stop["subscriptionId"], rg=stop["resourceGroupName"])
    stop_op = checker.operation("POST", f"{path}/{stop['containerGroupName']}/stop")
    assert stop_op is not None and stop_op.operation.operation_id == "ContainerGroups_Stop"
    assert checker.check_request(stop_op, {"api-version": [stop["api-version"]]}, {}, b"") == []
    assert checker.check_response(stop_op.operation, 204, None) == []

    leaked = copy.deepcopy(listed["responses"]["200"]["body"])
    leaked["value"][0]["properties"]["imageRegistryCredentials"][0]["password"] = "p"
    assert checker.check_response(list_op.operation, 200, leaked) == [
        "ContainerGroups_List 200: secret property 'password' sent in a response"
    ]

"""What the ACI target says when Azure refuses or the group does not come up: not signed in, 401, 403 naming the
action and the role, quota and capacity (Unschedulable), an image that cannot be pulled (Failed), a crash loop
(Unhealthy, with its log); and logs followed by polling, each line once."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from amldeploy.ops.errors import Cancelled, DeployFailed, OpsError
from amldeploy.ops.reporter import RecordingReporter
from amldeploy.ops.states import State
from amldeploy.ops.targets.aci.target import AciTarget
from tests.infra.aci import FakeAzure
from tests.python.aci.helpers import IMAGE, deploy
from tests.python.cli_run import Result, run_amldeploy

PLAIN = json.dumps({"computeType": "ACI", "containerResourceRequirements": {"cpu": 1, "memoryInGB": 1.5}})


def test_not_signed_in_says_how_to_sign_in(
    target: AciTarget, project: Path, azure: FakeAzure, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", "/nonexistent")  # no Azure CLI, PowerShell or azd to ask
    monkeypatch.setenv("IDENTITY_ENDPOINT", "https://127.0.0.1:9/token")  # no managed identity either: refused
    monkeypatch.setenv("IDENTITY_HEADER", "x")
    with pytest.raises(OpsError) as raised:
        deploy(target, project, PLAIN)
    assert raised.value.message.startswith("not signed in to Azure"), raised.value.message
    assert raised.value.hint and "az login" in raised.value.hint and "AZURE_CLIENT_SECRET" in raised.value.hint
    assert not [r for r in azure.requests if r.method == "PUT"]


def test_a_401_says_to_sign_in_again(target: AciTarget, project: Path, azure: FakeAzure) -> None:
    azure.fail("ContainerGroups_CreateOrUpdate", 401, "ExpiredAuthenticationToken", "The access token expiry UTC time")
    with pytest.raises(OpsError) as raised:
        deploy(target, project, PLAIN)
    assert "401 ExpiredAuthenticationToken" in raised.value.message
    assert raised.value.hint and "sign in again" in raised.value.hint


def test_a_403_names_the_action_and_the_role(target: AciTarget, project: Path, azure: FakeAzure) -> None:
    azure.deny("Microsoft.ContainerInstance/containerGroups/write")
    with pytest.raises(OpsError) as raised:
        deploy(target, project, PLAIN)
    message, hint = raised.value.message, raised.value.hint or ""
    assert "403 AuthorizationFailed" in message
    assert "Microsoft.ContainerInstance/containerGroups/write" in message
    assert f"/resourceGroups/{azure.resource_group}" in message
    assert "Contributor" in hint and "az role assignment create" in hint


@pytest.mark.parametrize("fault", ["quota_reached", "capacity_unavailable"])
def test_quota_or_capacity_is_unschedulable(target: AciTarget, project: Path, azure: FakeAzure, fault: str) -> None:
    getattr(azure, fault)()
    with pytest.raises(DeployFailed) as raised:
        deploy(target, project, PLAIN)
    assert raised.value.service is not None and raised.value.service.state is State.UNSCHEDULABLE
    assert "Unschedulable" in raised.value.message
    assert raised.value.hint and "memoryInGB" in raised.value.hint


def test_an_image_that_cannot_be_pulled_is_failed(target: AciTarget, project: Path, azure: FakeAzure) -> None:
    azure.pull_fails(IMAGE)
    with pytest.raises(DeployFailed) as raised:
        deploy(target, project, PLAIN)
    service = raised.value.service
    assert service is not None and service.state is State.FAILED
    assert "InaccessibleImage" in raised.value.message or "pulled" in raised.value.message
    assert raised.value.hint and "--registry" in raised.value.hint
    assert target.get("sk-aci").state is State.FAILED


def test_a_crash_loop_is_unhealthy_with_its_log(target: AciTarget, project: Path, azure: FakeAzure) -> None:
    azure.crash_loop(IMAGE, restarts=4, exit_code=3, logs="loading model\nRuntimeError: the model file is missing\n")
    with pytest.raises(DeployFailed) as raised:
        deploy(target, project, PLAIN)
    service = raised.value.service
    assert service is not None and service.state is State.UNHEALTHY
    assert "4 restarts" in (service.error or "") and "exit code 3" in (service.error or "")
    assert any("the model file is missing" in line for line in raised.value.log_tail), raised.value.log_tail


def test_no_registry_and_no_image_is_a_usage_error(target: AciTarget, project: Path) -> None:
    with pytest.raises(OpsError) as raised:
        deploy(target, project, PLAIN, image=None)
    assert "--registry" in (raised.value.hint or "") and raised.value.status == 2


def test_logs_follow_by_polling_without_duplicates(target: AciTarget, project: Path, azure: FakeAzure) -> None:
    deploy(target, project, PLAIN)
    azure.append_logs("sk-aci", "scoring", "first\nsecond")
    lines: list[str] = []
    stop = threading.Event()

    def collect() -> None:
        lines.extend(target.logs("sk-aci", follow=True, stop=stop.is_set))

    follower = threading.Thread(target=collect, daemon=True)
    follower.start()
    time.sleep(1.5)
    azure.append_logs("sk-aci", "scoring", "third\nthird")  # the same text twice is two lines
    deadline = time.monotonic() + 10
    while lines.count("third") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)  # more polls: nothing may come twice
    stop.set()
    follower.join(10)
    assert lines == ["first", "second", "third", "third"]
    assert target.logs("sk-aci", tail=1) is not None
    target.delete("sk-aci", RecordingReporter())


def test_throttling_and_a_server_error_are_retried(target: AciTarget, project: Path, azure: FakeAzure) -> None:
    azure.throttle("ContainerGroups_CreateOrUpdate", retry_after_s=1)
    azure.server_error("ContainerGroups_Get")
    service = deploy(target, project, PLAIN)
    assert service.state is State.HEALTHY
    statuses = [
        r.status for r in azure.requests if r.operation in ("ContainerGroups_CreateOrUpdate", "ContainerGroups_Get")
    ]
    assert 429 in statuses and 500 in statuses


def test_a_group_still_transitioning_is_a_conflict_to_wait_for(
    target: AciTarget, project: Path, azure: FakeAzure
) -> None:
    azure.fail("ContainerGroups_CreateOrUpdate", 409, "ContainerGroupTransitioning", "still transitioning")
    with pytest.raises(OpsError) as raised:
        deploy(target, project, PLAIN)
    assert "still changing" in raised.value.message and not isinstance(raised.value, DeployFailed)


def test_the_azure_sdks_stay_unimported_until_the_target_talks_to_azure(tmp_path: Path) -> None:
    import subprocess
    import sys

    check = (
        "import sys\n"
        "from pathlib import Path\n"
        "from amldeploy.ops.targets.base import all_services, choose_target, target_names\n"
        "assert 'aci' in target_names() and choose_target('ACI') == 'aci'\n"
        "assert [s for s in all_services(Path.cwd()) if s.target == 'aci'] == []\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'azure'))\n"
    )
    env = {"KUBECONFIG": str(tmp_path / "none"), "DOCKER_HOST": "unix:///nonexistent/docker.sock", "PATH": ""}
    proc = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


class CancellingReporter(RecordingReporter):
    """An editor's cancel button pressed while the group provisions."""

    def progress(self, message: str, fraction: float | None = None) -> None:
        super().progress(message, fraction)
        if message.startswith("provisioning"):
            raise Cancelled()


def test_a_cancelled_deploy_removes_the_group_it_created(target: AciTarget, project: Path, azure: FakeAzure) -> None:
    from amldeploy.ops.prepare import prepare_deploy

    (project / "deploymentconfig.json").write_text(PLAIN)
    prepared = prepare_deploy(
        "sk-cancel", project / "inferenceconfig.json", project / "deploymentconfig.json", [], project, "aci"
    )
    prepared.request.image = IMAGE
    with pytest.raises(Cancelled):
        target.deploy(prepared.request, CancellingReporter())
    assert "ContainerGroups_Delete" in azure.operations()
    assert target.list() == []
    assert not (project / ".amldeploy" / "aci").exists()


def test_a_refused_redeploy_keeps_the_keys_of_the_running_group(
    target: AciTarget, project: Path, azure: FakeAzure
) -> None:
    deploy(target, project, json.dumps({"computeType": "ACI", "authEnabled": True}))
    keys = target.keys("sk-aci")
    azure.deny("Microsoft.ContainerInstance/containerGroups/write")
    new_keys = {"primaryKey": "newPrimaryKey0123456789ABCDEFGHIJ", "secondaryKey": "newSecondaryKey0123456789ABCDEF"}
    with pytest.raises(OpsError):
        deploy(target, project, json.dumps({"computeType": "ACI", "authEnabled": True, "keys": new_keys}))
    assert target.keys("sk-aci") == keys


def cli_deploy(project: Path, env: dict[str, str], *extra: str) -> Result:
    (project / "deploymentconfig.json").write_text(PLAIN)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "AZURE_"))}
    base.update(env, AMLDEPLOY_ACI_POLL_INTERVAL_S="0", DOCKER_HOST="unix:///nonexistent/docker.sock")
    args = ("deploy", "sk-cli", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--image", IMAGE)
    return run_amldeploy((*args, *extra), project, base, timeout=120)


def test_the_command_line_names_the_missing_role(project: Path, azure: FakeAzure, azure_env: dict[str, str]) -> None:
    azure.deny("ContainerGroups_CreateOrUpdate")
    result = cli_deploy(project, azure_env, "--resource-group", azure.resource_group)
    assert result.status == 1, result.both
    assert "Microsoft.ContainerInstance/containerGroups/write" in result.err and "Contributor" in result.err


def test_the_command_line_says_what_to_choose_and_how_to_sign_in(
    project: Path, azure: FakeAzure, azure_env: dict[str, str]
) -> None:
    missing = cli_deploy(project, azure_env)
    assert missing.status == 2 and "--resource-group" in missing.err, missing.both
    unsigned = {k: v for k, v in azure_env.items() if k != "AZURE_CLIENT_SECRET"}
    unsigned.update(PATH="/nonexistent", IDENTITY_ENDPOINT="https://127.0.0.1:9/token", IDENTITY_HEADER="x")
    result = cli_deploy(project, unsigned, "--resource-group", azure.resource_group)
    assert result.status == 1 and "not signed in to Azure" in result.err and "az login" in result.err, result.both


def test_the_subscription_defaults_to_the_azure_clis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from amldeploy.ops.targets.aci.azure import AzureOptions

    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path))
    assert AzureOptions.from_settings({}).subscription is None
    profile = {"subscriptions": [{"id": "sub-a"}, {"id": "sub-b", "isDefault": True}]}
    (tmp_path / "azureProfile.json").write_bytes(json.dumps(profile).encode("utf-8-sig"))
    assert AzureOptions.from_settings({}).subscription == "sub-b"
    assert AzureOptions.from_settings({"aci.subscription": "sub-c"}).subscription == "sub-c"


def test_a_provisioning_failure_is_failed_with_azures_reason(
    target: AciTarget, project: Path, azure: FakeAzure
) -> None:
    reason = ("SubnetFull", "The subnet of the container group has no free IP address left.")
    azure.on_image(IMAGE, provisioning_error=reason)
    with pytest.raises(DeployFailed) as raised:
        deploy(target, project, PLAIN)
    service = raised.value.service
    assert service is not None and service.state is State.FAILED
    assert "SubnetFull" in raised.value.message or reason[1] in raised.value.message, raised.value.message
    assert target.get("sk-aci").state is State.FAILED

"""The v1 state of a container group from ARM's shapes (provisioning state, the scoring container's current state,
restart count, events), without Azure."""

from __future__ import annotations

from typing import Any

import pytest

from amldeploy.ops.states import State
from amldeploy.ops.targets.aci.status import describe, verdict


def group(
    provisioning: str = "Succeeded",
    state: str | None = "Running",
    detail: str = "",
    restarts: int = 0,
    policy: str = "Always",
    exit_code: int | None = None,
    group_state: str | None = None,
) -> dict[str, Any]:
    container: dict[str, Any] = {"image": "r/sk:1"}
    if state is not None:
        current: dict[str, Any] = {"state": state, "detailStatus": detail}
        if exit_code is not None:
            current["exitCode"] = exit_code
        container["instanceView"] = {"currentState": current, "restartCount": restarts, "events": []}
    props: dict[str, Any] = {
        "provisioningState": provisioning,
        "restartPolicy": policy,
        "containers": [{"name": "scoring", "properties": container}],
        "ipAddress": {
            "type": "Public",
            "ip": "20.1.2.3",
            "fqdn": "sk.westeurope.azurecontainer.io",
            "ports": [{"port": 5001}],
        },
    }
    if group_state:
        props["instanceView"] = {"state": group_state}
    return {"name": "sk", "location": "westeurope", "tags": {"amldeploy-service": "sk"}, "properties": props}


@pytest.mark.parametrize(
    ("shape", "state", "reason"),
    [
        (group("Pending", None), State.TRANSITIONING, "Pending"),
        (group("Updating", None), State.TRANSITIONING, "Updating"),
        (group(), State.HEALTHY, "Running"),
        (group(restarts=2), State.HEALTHY, "Running"),
        (group(state="Waiting", detail="CrashLoopBackOff: Back-off", restarts=3), State.UNHEALTHY, "CrashLoopBackOff"),
        (group(state="Waiting", detail="ContainerCreating"), State.TRANSITIONING, "Waiting"),
        (group("Failed", "Waiting", "ImagePullBackOff"), State.FAILED, "ImagePull"),
        (group("Failed", None), State.FAILED, "ProvisioningFailed"),
        (group(state="Terminated", exit_code=3, policy="Never"), State.FAILED, "Terminated"),
        (group(state="Terminated", exit_code=3), State.UNHEALTHY, "Terminated"),
        (group(state="Terminated", exit_code=0, group_state="Stopped"), State.FAILED, "Stopped"),
    ],
)
def test_states(shape: dict[str, Any], state: State, reason: str) -> None:
    judged = verdict(shape)
    assert (judged.state, judged.reason) == (state, reason)


def test_a_service_is_described_from_its_group() -> None:
    service = describe(group(restarts=1), "sub", "rg")
    assert (service.name, service.target, service.state) == ("sk", "aci", State.HEALTHY)
    assert service.scoring_uri == "http://sk.westeurope.azurecontainer.io:5001/score"
    assert service.details["restartCount"] == 1 and service.details["resourceGroup"] == "rg"

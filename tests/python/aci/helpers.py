"""What the ACI target's tests share: the keys and files of the test project, a deploy through the target in the
test's process (``--image`` given: nothing is built), and the container group the fake received."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from amldeploy.ops.prepare import prepare_deploy
from amldeploy.ops.reporter import RecordingReporter
from amldeploy.ops.service import Service
from amldeploy.ops.targets.aci.target import AciTarget
from tests.infra.aci import FakeAzure

PRIMARY = "aciPrimaryKey0123456789ABCDEFGHIJ"
SECONDARY = "aciSecondaryKey0123456789ABCDEFGH"
CERT_TEXT = "MIIBacicertificatebody"
KEY_TEXT = "MIIEaciprivatekeybody"
IMAGE = "registry.example.com/team/sk:0123456789ab"
REGISTRY_PASSWORD = "registry-s3cret-password"


def aci_config(**fields: Any) -> str:
    config: dict[str, Any] = {
        "computeType": "ACI",
        "containerResourceRequirements": {"cpu": 1.5, "memoryInGB": 2.5},
        "authEnabled": True,
        "keys": {"primaryKey": PRIMARY, "secondaryKey": SECONDARY},
    }
    config.update(fields)
    return json.dumps(config)


def deploy(target: AciTarget, project: Path, config: str, name: str = "sk-aci", **fields: Any) -> Service:
    (project / "deploymentconfig.json").write_text(config)
    prepared = prepare_deploy(
        name, project / "inferenceconfig.json", project / "deploymentconfig.json", ["model.joblib"], project, "aci"
    )
    prepared.request.image = IMAGE
    for key, value in fields.items():
        setattr(prepared.request, key, value)
    return target.deploy(prepared.request, RecordingReporter())


def put_body(azure: FakeAzure, name: str = "sk-aci") -> dict[str, Any]:
    puts = [r for r in azure.requests if r.method == "PUT" and r.path.lower().endswith(f"/containergroups/{name}")]
    assert puts, azure.operations()
    body: dict[str, Any] = puts[-1].body
    return body


def env_of(container: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {v["name"]: v for v in container["properties"]["environmentVariables"]}

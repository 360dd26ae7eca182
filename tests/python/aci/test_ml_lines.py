"""The v1 command lines, as scripts wrote them, on the ACI target: the local Azure (tests/infra/aci), which checks
every request against Azure's spec and runs the container group's image on the tests' Docker engine. v1 had no
ACI compute target: its line names none, and the subscription and resource group come from the environment
(AZURE_SUBSCRIPTION_ID, AMLDEPLOY_ACI_RESOURCE_GROUP). register → deploy → run → get-logs → get-keys (the keys of
the deployment config) → update with version 2 → list → delete, through ``amldeploy ml`` as a user runs it; keys
given only on the command line (``--kp/--ks``, ``regen-key``) are refused with the reason, since nobody could
read them back from ACI."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import docker
import pytest

from tests.infra.aci import FakeAzure
from tests.python.cli_run import EXAMPLE, Result, example_project, run_amldeploy

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SAMPLE = (EXAMPLE / "sample-request.json").read_text(encoding="utf-8").strip()
PRIMARY = "mlPrimaryKey0123456789ABCDEFGHIJKL"
SECONDARY = "mlSecondaryKey0123456789ABCDEFGHIJ"
MODEL = "sklearn_mnist"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    config = json.loads((EXAMPLE / "deploymentconfig.aci.json").read_text(encoding="utf-8"))
    config["keys"] = {"primaryKey": PRIMARY, "secondaryKey": SECONDARY}  # v1's ACI config took them too
    return example_project(tmp_path / "project", {"deploymentconfig.aci.json": config})


class Ml:
    def __init__(self, project: Path, env: dict[str, str]) -> None:
        self.project, self.env = project, env

    def __call__(self, *args: str, timeout: float = 900, **env_vars: str) -> Result:
        return run_amldeploy(("ml", *args), self.project, {**self.env, **env_vars}, timeout)


def ml_env(azure: FakeAzure, azure_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "DOCKER_", "AZURE_", "KUBE"))}
    env.update(azure_env)
    env.update(
        AMLDEPLOY_ACI_POLL_INTERVAL_S="0.2",
        AMLDEPLOY_ACI_RESOURCE_GROUP=azure.resource_group,
        AMLDEPLOY_MODEL_REGISTRY=str(tmp_path / "models"),
        AMLDEPLOY_DATA_DIR=str(tmp_path / "data"),
        KUBECONFIG=str(tmp_path / "no-kubeconfig"),
    )
    return env


@pytest.fixture
def ml(
    project: Path,
    tmp_path: Path,
    azure: FakeAzure,
    azure_env: dict[str, str],
    docker_client: docker.DockerClient,
    docker_env: dict[str, str],
) -> Ml:
    client = docker_client
    azure.run_on_docker(client)
    env = ml_env(azure, azure_env, tmp_path)
    env.update(
        DOCKER_HOST=docker_env["DOCKER_HOST"],
        AMLDEPLOY_DOCKER_BASE_IMAGE=docker_env["AMLDEPLOY_TEST_BASE_IMAGE"],
        AMLDEPLOY_DOCKER_CA_BUNDLE=str(CA_BUNDLE),
        AMLDEPLOY_REGISTRY=f"{docker_env['AMLDEPLOY_TEST_REGISTRY']}/amldeploy-ml-aci-test",
    )
    return Ml(project, env)


def addresses(azure: FakeAzure, name: str, service: dict[str, Any]) -> str:
    """AMLDEPLOY_ACI_ADDRESSES: the group's FQDN and port, mapped to where the fake publishes its container."""
    host, port = azure.endpoint(name, int(service["port"]))
    return f"{service['host']}:{service['port']}={host}:{port}"


def run_until(ml: Ml, name: str, mapped: str, timeout: float = 90) -> Result:
    """``ml service run`` until the container answers (ACI says Running before the server listens)."""
    deadline = time.monotonic() + timeout
    while True:
        result = ml("service", "run", "-n", name, "-d", SAMPLE, AMLDEPLOY_ACI_ADDRESSES=mapped)
        if result.status == 0 or time.monotonic() > deadline:
            return result
        time.sleep(1)


def registered(ml: Ml, version: int) -> None:
    result = ml("model", "register", "-n", MODEL, "--asset-path", "outputs/model.joblib", "--tag", "area=mnist")
    assert result.status == 0, result.both
    assert result.json()["version"] == version


def test_the_v1_lines_on_aci(ml: Ml, azure: FakeAzure) -> None:
    name = f"mlaci-{uuid.uuid4().hex[:6]}"
    registered(ml, 1)
    try:
        deployed = ml(
            "model", "deploy", "-n", name, "-m", f"{MODEL}:1", "--ic", "inferenceconfig.json",
            "--dc", "deploymentconfig.aci.json",
        )  # fmt: skip
        assert deployed.status == 0, deployed.both[-4000:]
        service = deployed.json()
        assert service["target"] == "aci" and service["state"] == "Healthy", service
        assert [(m["name"], m["version"]) for m in service["models"]] == [(MODEL, 1)]
        assert "keys" not in service  # the config's: nothing generated to show

        answer = run_until(ml, name, addresses(azure, name, service))
        assert answer.status == 0, answer.both
        prediction = answer.json()
        assert isinstance(prediction, list) and len(prediction) == 1 and isinstance(prediction[0], float)
        logs = ml("service", "get-logs", "-n", name)
        assert logs.status == 0, logs.both
        assert f"azureml-models/{MODEL}/1/model.joblib" in logs.out, logs.both
        keys = ml("service", "get-keys", "-n", name)
        assert keys.status == 0, keys.both
        assert keys.json() == {"primaryKey": PRIMARY, "secondaryKey": SECONDARY}

        regen = ml("service", "regen-key", "-n", name, "-k", "Primary")
        assert regen.status == 2, regen.both
        assert "could not be read back" in regen.err and "keys.primaryKey" in regen.err

        registered(ml, 2)
        updated = ml("service", "update", "-n", name, "-m", f"{MODEL}:2")
        assert updated.status == 0, updated.both[-4000:]
        assert [m["version"] for m in updated.json()["models"]] == [2]
        again = run_until(ml, name, addresses(azure, name, updated.json()))
        assert again.status == 0 and again.json() == prediction, again.both  # the same bytes, version 2
        assert f"azureml-models/{MODEL}/2/model.joblib" in ml("service", "get-logs", "-n", name).out
        assert ml("service", "get-keys", "-n", name).json() == keys.json()

        # A flag over the config: deployed from a generated copy, which holds no key; the keys stay the file's.
        resized = ml("service", "update", "-n", name, "--cc", "0.5")
        assert resized.status == 0, resized.both[-4000:]
        copies = list((ml.project / ".amldeploy" / "ml").rglob("deploymentconfig.json"))
        assert copies and all(PRIMARY not in c.read_text(encoding="utf-8") for c in copies)
        assert json.loads(copies[0].read_text(encoding="utf-8"))["containerResourceRequirements"]["cpu"] == 0.5
        assert ml("service", "get-keys", "-n", name).json() == keys.json()
        assert run_until(ml, name, addresses(azure, name, resized.json())).json() == prediction

        listed = ml("service", "list", "-o", "table")
        assert listed.status == 0, listed.both
        assert [line for line in listed.out.splitlines() if name in line], listed.out
        # The models it runs are read back from Azure (a tag), so v1's filters and the registry know them.
        by_model = ml("service", "list", "--model-id", f"{MODEL}:2")
        assert [s["name"] for s in by_model.json()] == [name], by_model.both
        assert ml("service", "list", "--model-id", f"{MODEL}:1").json() == []
        shown = ml("service", "show", "-n", name).json()
        assert [(m["name"], m["version"]) for m in shown["models"]] == [(MODEL, 2)]
        assert ml("model", "delete", "-i", f"{MODEL}:2").status == 1  # in use by the service

        deleted = ml("service", "delete", "-n", name)
        assert deleted.status == 0, deleted.both
        assert name not in ml("service", "list").out
        assert ml("model", "delete", "-i", f"{MODEL}:2").status == 0  # no longer in use
    finally:
        ml("service", "delete", "-n", name, timeout=120)
    assert not [r for r in azure.requests if r.method == "GET" and "secureValue" in json.dumps(r.body or {})]


def test_keys_given_only_on_the_command_line_are_refused_on_aci(
    project: Path, tmp_path: Path, azure: FakeAzure, azure_env: dict[str, str]
) -> None:
    env = ml_env(azure, azure_env, tmp_path)
    env["DOCKER_HOST"] = "unix:///nonexistent/amldeploy-tests/docker.sock"  # nothing is built
    ml = Ml(project, env)
    registered(ml, 1)
    config = json.loads((project / "deploymentconfig.aci.json").read_text(encoding="utf-8"))
    del config["keys"]
    (project / "nokeys.aci.json").write_text(json.dumps(config), encoding="utf-8")

    for dc, flags in (
        ("nokeys.aci.json", ("--kp", "cliPrimary0123456789", "--ks", "cliSecondary0123456789")),
        ("deploymentconfig.aci.json", ("--kp", "anotherPrimary0123456789")),
    ):
        refused = ml(
            "model", "deploy", "-n", "mlaci-keys", "-m", f"{MODEL}:1", "--ic", "inferenceconfig.json",
            "--dc", dc, *flags,
        )  # fmt: skip
        assert refused.status == 2, refused.both
        assert "--kp/--ks: not supported" in refused.err and "could not be read back" in refused.err
        assert "keys.primaryKey and keys.secondaryKey" in refused.err  # the fix
        assert "cliPrimary" not in refused.both and "anotherPrimary" not in refused.both
    assert not [r for r in azure.requests if r.method == "PUT"]
    assert not (project / ".amldeploy" / "ml" / "mlaci-keys" / "state.json").exists()


def test_an_update_that_would_change_unknown_keys_is_refused_until_the_config_names_them(
    ml: Ml, project: Path, azure: FakeAzure
) -> None:
    """Deployed with ``--ct`` to an ACI compute target: no subscription or resource group in the environment, the
    service commands find the group through the record the deploy named."""
    name = f"mlaci-{uuid.uuid4().hex[:6]}"
    for variable in ("AZURE_SUBSCRIPTION_ID", "AMLDEPLOY_ACI_RESOURCE_GROUP"):
        del ml.env[variable]
    added = run_amldeploy(
        ("target", "add", "myaci", "--type", "aci", "--subscription", azure.subscription_id,
         "--resource-group", azure.resource_group, "--region", azure.location),
        project, ml.env, 60,
    )  # fmt: skip
    assert added.status == 0, added.both
    registered(ml, 1)
    config = json.loads((project / "deploymentconfig.aci.json").read_text(encoding="utf-8"))
    del config["keys"]
    (project / "nokeys.aci.json").write_text(json.dumps(config), encoding="utf-8")
    try:
        deployed = ml(
            "model", "deploy", "-n", name, "-m", f"{MODEL}:1", "--ic", "inferenceconfig.json",
            "--dc", "nokeys.aci.json", "--ct", "myaci",
        )  # fmt: skip
        assert deployed.status == 0, deployed.both[-4000:]
        assert deployed.json()["target"] == "aci"
        printed = deployed.json()["keys"]  # generated, shown this once
        assert ml("service", "get-keys", "-n", name).status == 1  # another process: not known here

        puts = len([r for r in azure.requests if r.method == "PUT"])
        refused = ml("service", "update", "-n", name, "-m", f"{MODEL}:1")
        assert refused.status == 2, refused.both
        assert "the update would give" in refused.err and "new keys" in refused.err
        assert "keys.primaryKey, keys.secondaryKey" in refused.err and "--dc FILE" in refused.err
        assert len([r for r in azure.requests if r.method == "PUT"]) == puts  # nothing was changed

        (project / "nokeys.aci.json").write_text(json.dumps({**config, "keys": printed}), encoding="utf-8")
        updated = ml("service", "update", "-n", name, "--dc", "nokeys.aci.json")
        assert updated.status == 0, updated.both[-4000:]
        assert "keys" not in updated.json()  # the config's, nothing new
        assert ml("service", "get-keys", "-n", name).json() == printed  # the keys its clients have
        assert name in ml("service", "list").out  # the record's resource group is listed too
        assert ml("service", "delete", "-n", name).status == 0
        assert name not in ml("service", "list").out
    finally:
        ml("service", "delete", "-n", name, timeout=120)

"""``--ct NAME`` / ``--compute-target NAME``: a record supplies the target and the settings the target reads;
flags given as well win; a record that contradicts the deployment config's computeType is an error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from amldeploy.lsp.settings import TARGET_SETTINGS
from amldeploy.ops.computetargets import TYPE_SETTINGS, resolve_compute_target
from amldeploy.ops.errors import OpsError
from tests.python.cli_run import Result
from tests.python.computetargets.conftest import AKS_ID, KUBECONFIG, Run, deploy_args


def objects(result: Result) -> dict[str, dict[str, Any]]:
    assert result.status == 0, result.both
    docs = [d for d in yaml.safe_load_all(result.out) if d is not None]
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in docs}


def image_of(found: dict[str, dict[str, Any]]) -> str:
    image: str = found["Deployment/sklearn-demo"]["spec"]["template"]["spec"]["containers"][0]["image"]
    return image


@pytest.fixture
def myaks(cli: Run) -> None:
    args = ("--resource-id", AKS_ID, "--namespace", "team-ct", "--registry", "myacr.example/ml")
    assert cli("target", "add", "myaks", "--type", "aks", *args).status == 0


@pytest.mark.usefixtures("myaks")
@pytest.mark.parametrize("flag", ["--ct", "--compute-target"])
def test_a_named_target_supplies_the_kubernetes_settings(cli: Run, flag: str) -> None:
    found = objects(cli(*deploy_args(), "--dry-run", flag, "myaks"))
    assert {o["metadata"]["namespace"] for o in found.values()} == {"team-ct"}
    assert image_of(found).startswith("myacr.example/ml/sklearn-demo:")


@pytest.mark.usefixtures("myaks")
def test_explicit_flags_win_over_the_record(cli: Run) -> None:
    flags = ("--namespace", "team-flag", "--registry", "flag.example/x")
    found = objects(cli(*deploy_args(), "--dry-run", "--ct", "myaks", *flags))
    assert {o["metadata"]["namespace"] for o in found.values()} == {"team-flag"}
    assert image_of(found).startswith("flag.example/x/sklearn-demo:")


@pytest.mark.usefixtures("myaks")
def test_the_record_wins_over_the_environment(cli: Run) -> None:
    found = objects(cli(*deploy_args(), "--dry-run", "--ct", "myaks", AMLDEPLOY_KUBERNETES_NAMESPACE="team-env"))
    assert {o["metadata"]["namespace"] for o in found.values()} == {"team-ct"}


@pytest.mark.usefixtures("myaks")
def test_the_records_context_is_the_one_the_deploy_connects_to(cli: Run, tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(KUBECONFIG, encoding="utf-8")
    result = cli(*deploy_args(), "--ct", "myaks", KUBECONFIG=str(kubeconfig))
    assert result.status != 0
    # the context is the AKS cluster's name, from the resource id: this kubeconfig has no such context
    assert f"the kubeconfig {kubeconfig} has no context 'prod-aks' (it has: dev)" in result.err
    explicit = cli(*deploy_args(), "--ct", "myaks", "--context", "dev", KUBECONFIG=str(kubeconfig))
    assert explicit.status != 0 and "prod-aks" not in explicit.err  # --context dev was used: no such complaint


def test_an_aks_config_without_ct_uses_the_current_context(cli: Run) -> None:
    found = objects(cli(*deploy_args(), "--dry-run"))  # v1 failed here; amldeploy uses the kubeconfig's context
    assert {o["metadata"]["namespace"] for o in found.values()} == {"default"}


def test_a_record_of_another_compute_type_is_an_error(cli: Run) -> None:
    assert cli("target", "add", "myaci", "--type", "aci", "--subscription", "s", "--resource-group", "g").status == 0
    result = cli(*deploy_args("aks.json"), "--dry-run", "--ct", "myaci")
    assert result.status == 2
    assert "--ct myaci is an aci compute target, but the deployment config's computeType is 'AKS'" in result.err
    assert "--target aci" in result.err
    assert cli("target", "add", "myaks", "--type", "kubernetes").status == 0
    result = cli(*deploy_args("aci.json"), "--dry-run", "--ct", "myaks")
    assert result.status == 2 and "computeType is 'ACI' (kubernetes takes AKS or AKSENDPOINT)" in result.err
    result = cli(*deploy_args("local.json"), "--dry-run", "--ct", "myaks")
    assert result.status == 2 and "computeType is 'local'" in result.err
    # --target saying the same as the record sends the config there anyway; saying otherwise contradicts it
    sent = objects(cli(*deploy_args("local.json"), "--dry-run", "--ct", "myaks", "--target", "kubernetes"))
    assert "Deployment/sklearn-demo" in sent
    clash = cli(*deploy_args(), "--dry-run", "--ct", "myaks", "--target", "docker")
    assert clash.status == 2 and "--target docker contradicts --ct myaks, a kubernetes compute target" in clash.err


def test_an_unknown_name_says_which_are_known_and_how_to_add_one(cli: Run) -> None:
    assert cli("target", "add", "other", "--type", "process").status == 0
    for args in (deploy_args(), ("list",), ("show", "sklearn-demo")):
        result = cli(*args, "--ct", "myaks")
        assert result.status == 2, result.both
        assert "there is no compute target named 'myaks' (known: other)" in result.err
        assert "amldeploy target add myaks" in result.err
    as_json = cli(*deploy_args(), "--ct", "myaks", "--output", "json")
    assert as_json.status == 2 and "known: other" in as_json.json()["error"]["message"]


def test_a_corrupt_record_stops_the_deploy_naming_the_file(cli: Run, records: Path) -> None:
    records.mkdir(parents=True)
    (records / "myaks.json").write_text("not json", encoding="utf-8")
    result = cli(*deploy_args(), "--dry-run", "--ct", "myaks")
    assert result.status == 1
    assert str(records / "myaks.json") in result.err and "amldeploy target remove myaks" in result.err


def test_resolve_compute_target_gives_the_settings_keys_the_targets_read(tmp_path: Path) -> None:
    """The API ``--ct`` and the editor use: the record's target and settings under the editor's keys."""
    from amldeploy.ops.computetargets import ComputeTargets, make_target

    store = ComputeTargets(tmp_path)
    store.add(make_target("myaci", "aci", {"aci.subscription": "s", "aci.region": "westeurope"}))
    assert resolve_compute_target("myaci", tmp_path) == ("aci", {"aci.subscription": "s", "aci.region": "westeurope"})
    editor_keys = set(TARGET_SETTINGS) | {"kubernetes.kubeconfig", "docker.host"}
    assert {key for keys in TYPE_SETTINGS.values() for key in keys} <= editor_keys
    with pytest.raises(OpsError, match="there is no compute target named 'nope' \\(known: myaci\\)"):
        resolve_compute_target("nope", tmp_path)


def test_local_records_choose_their_target_and_a_docker_records_engine(cli: Run) -> None:
    assert cli("target", "add", "here", "--type", "process").status == 0
    chosen = cli(*deploy_args("aks.json"), "--dry-run", "--ct", "here")  # local targets run any config
    assert chosen.status == 2 and "the process target has no dry run" in chosen.err
    engine = "unix:///nonexistent/amldeploy-tests/recorded-engine.sock"
    assert cli("target", "add", "laptop", "--type", "docker", "--docker-host", engine).status == 0
    result = cli(*deploy_args("local.json"), "--ct", "laptop")
    assert result.status == 1, result.both
    assert f"no Docker engine answers at {engine}" in result.err  # the record's engine, not the environment's

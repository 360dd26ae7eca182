"""``amldeploy target add | list | show | remove``: the records, their names, and what a bad one says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.python.computetargets.conftest import AKS_ID, Run


def test_add_list_show_remove(cli: Run, records: Path) -> None:
    added = cli("target", "add", "myaks", "--type", "kubernetes", "--context", "prod", "--namespace", "ml")
    assert added.status == 0, added.both
    assert "--ct myaks" in added.out and "kubernetes.context:   prod" in added.out
    aci = ("--subscription", "sub-1", "--resource-group", "ml-rg", "--region", "westeurope")
    added = cli("target", "add", "myaci", "--type", "aci", *aci, "--registry", "myacr.azurecr.io/ml")
    assert added.status == 0, added.both
    assert cli("target", "add", "laptop", "--type", "docker", "--docker-host", "unix:///run/d.sock").status == 0
    assert cli("target", "add", "here", "--type", "process").status == 0

    listed = cli("target", "list")
    assert listed.status == 0, listed.both
    lines = listed.out.splitlines()
    assert lines[0].split() == ["NAME", "TYPE", "SETTINGS"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["here", "process"],
        ["laptop", "docker"],
        ["myaci", "aci"],
        ["myaks", "kubernetes"],
    ]
    data = cli("target", "list", "--output", "json").json()
    assert data["errors"] == [] and data["root"] == str(records)
    by_name = {t["name"]: t for t in data["computeTargets"]}
    assert by_name["myaci"]["settings"] == {
        "aci.subscription": "sub-1",
        "aci.resourceGroup": "ml-rg",
        "aci.region": "westeurope",
        "aci.registry": "myacr.azurecr.io/ml",
    }
    assert by_name["myaci"]["target"] == "aci" and by_name["myaci"]["computeType"] == "ACI"
    assert by_name["laptop"]["settings"] == {"docker.host": "unix:///run/d.sock"}
    assert by_name["here"]["settings"] == {}

    shown = cli("target", "show", "myaks", "--output", "json").json()
    assert shown["settings"] == {"kubernetes.context": "prod", "kubernetes.namespace": "ml"}
    assert shown["file"] == str(records / "myaks.json")
    text = cli("target", "show", "myaks")
    assert "kubernetes.namespace: ml" in text.out

    removed = cli("target", "remove", "myaks")
    assert removed.status == 0 and "nothing in the cluster or in Azure was touched" in removed.out
    assert not (records / "myaks.json").exists()
    assert [t["name"] for t in cli("target", "list", "--output", "json").json()["computeTargets"]] == [
        "here",
        "laptop",
        "myaci",
    ]
    assert sorted(p.name for p in records.iterdir()) == ["here.json", "laptop.json", "myaci.json"]  # no temp files


def test_the_records_hold_no_credentials_and_are_plain_json(cli: Run, records: Path) -> None:
    refused = cli("target", "add", "myaci", "--type", "aci", "--registry", "user:secret@myacr.azurecr.io")
    assert refused.status == 2 and "credentials are never recorded" in refused.err
    assert "secret" not in refused.out and not (records / "myaci.json").exists()
    assert cli("target", "add", "myaci", "--type", "aci", "--registry", "myacr.azurecr.io").status == 0
    record = json.loads((records / "myaci.json").read_text(encoding="utf-8"))
    assert record["name"] == "myaci" and record["type"] == "aci"
    assert record["settings"] == {"aci.registry": "myacr.azurecr.io"}


def test_an_aks_resource_id_names_the_context_az_aks_get_credentials_creates(cli: Run) -> None:
    added = cli("target", "add", "prod", "--type", "aks", "--resource-id", AKS_ID, "--output", "json")
    assert added.status == 0, added.both
    data = added.json()
    assert data["type"] == "kubernetes" and data["resourceId"] == AKS_ID
    assert data["settings"] == {"kubernetes.context": "prod-aks"}
    given = cli("target", "add", "prod2", "--type", "aks", "--resource-id", AKS_ID, "--context", "mine")
    assert given.status == 0
    assert cli("target", "show", "prod2", "--output", "json").json()["settings"]["kubernetes.context"] == "mine"
    bad = cli("target", "add", "prod3", "--type", "aks", "--resource-id", "prod-aks")
    assert bad.status == 2 and "is not the resource id of an AKS cluster" in bad.err
    assert "managedClusters" in bad.err


@pytest.mark.parametrize("name", ["ab", "my-aks-01", "A" + "b" * 15])
def test_names_that_follow_v1s_rule(cli: Run, name: str) -> None:
    result = cli("target", "add", name, "--type", "process")
    assert result.status == 0, result.both
    assert cli("target", "show", name).status == 0


@pytest.mark.parametrize("name", ["a", "1aks", "my_aks", "aks-", "A" + "b" * 16, "my.aks", "../evil"])
def test_names_that_break_v1s_rule_are_refused(cli: Run, records: Path, name: str) -> None:
    result = cli("target", "add", name, "--type", "process")
    assert result.status == 2, result.both
    assert "is not a valid compute target name" in result.err
    assert "2 to 16 letters, digits and '-'" in result.err
    assert not records.exists() or list(records.iterdir()) == []


def test_a_setting_the_type_does_not_have_is_refused(cli: Run) -> None:
    result = cli("target", "add", "laptop", "--type", "docker", "--context", "prod")
    assert result.status == 2
    assert "a docker compute target has no setting kubernetes.context" in result.err
    assert "docker.host" in result.err
    unknown = cli("target", "add", "x1", "--type", "mainframe")
    assert unknown.status == 2 and "kubernetes, aci, docker, process" in unknown.err


def test_an_existing_name_is_refused_unless_overwritten(cli: Run) -> None:
    assert cli("target", "add", "myaks", "--type", "kubernetes", "--context", "a").status == 0
    again = cli("target", "add", "myaks", "--type", "kubernetes", "--context", "b")
    assert again.status == 2 and "exists" in again.err and "--overwrite" in again.err
    assert cli("target", "add", "MyAks", "--type", "kubernetes").status == 2  # the same name, in another case
    assert cli("target", "add", "myaks", "--type", "kubernetes", "--context", "b", "--overwrite").status == 0
    assert cli("target", "show", "myaks", "--output", "json").json()["settings"] == {"kubernetes.context": "b"}


def test_an_unknown_name_lists_the_known_ones_and_how_to_add_one(cli: Run) -> None:
    empty = cli("target", "show", "myaks")
    assert empty.status == 2 and "none is recorded yet" in empty.err
    assert cli("target", "add", "other", "--type", "process").status == 0
    result = cli("target", "show", "myaks")
    assert result.status == 2
    assert "there is no compute target named 'myaks' (known: other)" in result.err
    assert "amldeploy target add myaks --type kubernetes" in result.err
    assert "computetarget attach aks" in result.err
    assert cli("target", "remove", "myaks").status == 2


def test_a_corrupt_record_names_its_file_and_the_fix(cli: Run, records: Path) -> None:
    assert cli("target", "add", "good", "--type", "process").status == 0
    (records / "broken.json").write_text('{"name": "broken", "type": ', encoding="utf-8")
    (records / "wrong.json").write_text('{"name": "wrong", "type": "mainframe"}', encoding="utf-8")

    shown = cli("target", "show", "broken")
    assert shown.status == 1
    assert f"the compute target record {records / 'broken.json'} cannot be read" in shown.err
    assert "amldeploy target remove broken" in shown.err

    listed = cli("target", "list")
    assert listed.status == 1  # what can be read is listed; what cannot is an error
    assert "good" in listed.out
    assert str(records / "broken.json") in listed.err and str(records / "wrong.json") in listed.err
    assert "its type 'mainframe' is none of kubernetes, aci, docker, process" in listed.err
    errors = cli("target", "list", "--output", "json").json()["errors"]
    assert len(errors) == 2 and all("amldeploy target remove" in e["hint"] for e in errors)

    assert cli("target", "remove", "broken").status == 0  # removing it is the fix
    assert not (records / "broken.json").exists()


def _add_in_parallel(env: dict[str, str], cwd: Path, names: list[str]) -> list[subprocess.Popen[str]]:
    procs = []
    for name in names:
        args = [sys.executable, "-m", "amldeploy", "target", "add", name, "--type", "kubernetes", "--context", name]
        procs.append(
            subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    for proc in procs:
        proc.communicate(timeout=120)
    return procs


def test_concurrent_adds_of_different_names_all_land(
    cli: Run, env: dict[str, str], project: Path, records: Path
) -> None:
    names = [f"aks-{i}" for i in range(8)]
    procs = _add_in_parallel(env, project, names)
    assert [p.returncode for p in procs] == [0] * len(names)
    data = cli("target", "list", "--output", "json").json()
    assert data["errors"] == []
    assert {t["name"]: t["settings"]["kubernetes.context"] for t in data["computeTargets"]} == {n: n for n in names}
    assert sorted(p.name for p in records.iterdir()) == sorted(f"{n}.json" for n in names)


def test_concurrent_adds_of_one_name_record_it_once(cli: Run, env: dict[str, str], project: Path) -> None:
    procs = _add_in_parallel(env, project, ["same"] * 6)
    assert sorted(p.returncode for p in procs) == [0] + [2] * 5
    assert cli("target", "show", "same", "--output", "json").json()["settings"] == {"kubernetes.context": "same"}

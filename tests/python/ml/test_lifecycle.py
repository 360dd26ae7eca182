"""The v1 command lines of issue 17, verbatim apart from the names, on the process target: register → deploy →
run → get-logs → register version 2 → service update → delete; package, download, list, model delete."""

from __future__ import annotations

import json
from pathlib import Path

from tests.python.cli_run import Cli
from tests.python.ml.conftest import SAMPLE


def _register(ml: Cli, *extra: str) -> dict:
    result = ml("model", "register", "-n", "sklearn_mnist", "--asset-path", "outputs/model.joblib", *extra)
    assert result.status == 0, result.both
    data: dict = result.json()
    return data


def test_register_deploy_run_logs_update_delete(ml: Cli, project: Path) -> None:
    first = _register(ml, "--tag", "area=mnist")
    assert (first["id"], first["version"], first["tags"]) == ("sklearn_mnist:1", 1, {"area": "mnist"})

    deployed = ml(
        "model", "deploy", "-n", "myservice", "-m", "sklearn_mnist:1",
        "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json",
    )  # fmt: skip
    assert deployed.status == 0, deployed.both
    service = deployed.json()
    assert service["state"] == "Healthy" and service["target"] == "process"
    assert [(m["name"], m["version"]) for m in service["models"]] == [("sklearn_mnist", 1)]

    answer = ml("service", "run", "-n", "myservice", "-d", SAMPLE)
    assert answer.status == 0, answer.both
    prediction = answer.json()
    assert isinstance(prediction, list) and len(prediction) == 1 and isinstance(prediction[0], float)

    logs = ml("service", "get-logs", "-n", "myservice")
    assert logs.status == 0, logs.both
    assert "model loaded from" in logs.out and "azureml-models/sklearn_mnist/1/model.joblib" in logs.out
    assert len(ml("service", "get-logs", "-n", "myservice", "-l", "2").out.splitlines()) == 2
    start = ml("service", "get-logs", "-n", "myservice", "--init", "-l", "1")
    assert start.status == 0 and "--init" in start.err and len(start.out.splitlines()) == 1

    assert _register(ml)["version"] == 2
    updated = ml("service", "update", "-n", "myservice", "-m", "sklearn_mnist:2")
    assert updated.status == 0, updated.both
    assert [m["version"] for m in updated.json()["models"]] == [2]
    assert ml("service", "run", "-n", "myservice", "-d", SAMPLE).json() == prediction  # the same bytes
    (project / "request.json").write_text(SAMPLE, encoding="utf-8")
    assert ml("service", "run", "-n", "myservice", "-d", "@request.json").json() == prediction  # az's @FILE
    unreadable = ml("service", "run", "-n", "myservice", "-d", "@missing.json")
    assert unreadable.status == 2 and "cannot read the input data file 'missing.json'" in unreadable.err

    shown = ml("service", "show", "-n", "myservice", "--query", "models[0].version")
    assert shown.status == 0 and shown.out.strip() == "2"

    refused = ml("model", "delete", "-i", "sklearn_mnist:2")
    assert refused.status == 1 and "used by myservice" in refused.err
    assert ml("model", "delete", "-i", "sklearn_mnist:1").status == 0  # no service uses it any more

    deleted = ml("service", "delete", "-n", "myservice")
    assert deleted.status == 0, deleted.both
    assert ml("service", "list").json() == []
    assert ml("model", "delete", "-i", "sklearn_mnist:2").status == 0
    assert ml("model", "list").json() == []


def test_single_dash_spellings_and_flags_over_the_configs(ml: Cli, project: Path) -> None:
    _register(ml)
    deployed = ml(
        "model", "deploy", "-n", "dashes", "-m", "sklearn_mnist", "-ic", "inferenceconfig.json",
        "-dc=deploymentconfig.json", "-cp", "ACI", "-ae", "true", "-tm", "5000", "--target", "process",
    )  # fmt: skip
    assert deployed.status == 0, deployed.both
    assert deployed.json()["authEnabled"] is True
    generated = json.loads((project / ".amldeploy/ml/dashes/deploymentconfig.json").read_text())
    assert generated == {"computeType": "ACI", "authEnabled": True, "scoringTimeoutMs": 5000}
    keys = ml("service", "get-keys", "-n", "dashes").json()
    assert sorted(keys) == ["primaryKey", "secondaryKey"]
    again = ml("service", "regen-key", "-n", "dashes", "-k", "Secondary", "-s", "s3cretKeyOfThirtyTwoCharacters00")
    assert again.status == 0, again.both
    assert "deployed again" in again.err
    after = ml("service", "get-keys", "-n", "dashes").json()
    assert after == {"primaryKey": keys["primaryKey"], "secondaryKey": "s3cretKeyOfThirtyTwoCharacters00"}
    assert "s3cretKey" not in "".join(p.read_text() for p in (project / ".amldeploy/ml").rglob("*.json"))


def test_deploy_without_dc_runs_v1s_aci_default_here_and_says_so(ml: Cli) -> None:
    _register(ml)
    deployed = ml("model", "deploy", "-n", "nodc", "-m", "sklearn_mnist:1", "--ic", "inferenceconfig.json")
    assert deployed.status == 0, deployed.both
    assert "no --dc: v1 deployed to ACI" in deployed.err
    assert deployed.json()["computeType"] == "ACI" and deployed.json()["target"] == "process"
    again = ml("model", "deploy", "-n", "nodc", "-m", "sklearn_mnist:1", "--ic", "inferenceconfig.json")
    assert again.status == 1 and "--overwrite" in again.err  # v1 refused to replace without it


def test_update_of_tags_only_keeps_the_service_running(ml: Cli) -> None:
    _register(ml)
    args = ("-n", "tagged", "-m", "sklearn_mnist:1", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json")
    assert ml("model", "deploy", *args, "--tag", "team=a").status == 0
    pid = ml("service", "show", "-n", "tagged").json()["pid"]
    updated = ml("service", "update", "-n", "tagged", "--add-tag", "stage=prod", "--remove-tag", "team", "-d", "v2")
    assert updated.status == 0, updated.both
    assert (updated.json()["tags"], updated.json()["description"]) == ({"stage": "prod"}, "v2")
    assert ml("service", "show", "-n", "tagged").json()["pid"] == pid
    assert [s["name"] for s in ml("service", "list", "--tag", "stage=prod").json()] == ["tagged"]
    assert ml("service", "list", "--tag", "team").json() == []
    table = ml("service", "list", "-o", "table")
    assert table.out.splitlines()[0].startswith("Name") and "tagged" in table.out


def test_package_download_and_list(ml: Cli, project: Path, tmp_path: Path) -> None:
    _register(ml, "--tag", "area=mnist")
    packaged = ml("model", "package", "-m", "sklearn_mnist:1", "--ic", "inferenceconfig.json", "--output-path", "./pkg")
    assert packaged.status == 0, packaged.both
    assert (project / "pkg" / "Dockerfile").is_file()
    assert list((project / "pkg").rglob("model.joblib")), "the model is in the build context"

    downloaded = ml("model", "download", "--model-id", "sklearn_mnist:1", "--target-dir", "model_folder")
    assert downloaded.status == 0, downloaded.both
    copy = project / "model_folder" / "model.joblib"
    assert copy.read_bytes() == (project / "outputs" / "model.joblib").read_bytes()
    assert ml("model", "download", "-i", "sklearn_mnist:1", "-t", "model_folder").status == 2  # exists
    assert ml("model", "download", "-i", "sklearn_mnist:1", "-t", "model_folder", "--overwrite").status == 0

    listed = ml("model", "list", "--tag", "area=mnist", "-o", "json")
    assert [m["id"] for m in listed.json()] == ["sklearn_mnist:1"]
    assert ml("model", "list", "--tag", "area=other").json() == []
    assert ml("model", "list", "-o", "tsv", "--query", "[].[name, version]").out == "sklearn_mnist\t1\n"
    assert ml("model", "show", "-n", "sklearn_mnist", "-o", "yaml").out.startswith("id: sklearn_mnist:1\n")
    metadata = tmp_path / "meta.json"
    again = ml("model", "register", "-n", "sklearn_mnist", "-p", "outputs/model.joblib", "-t", str(metadata))
    assert again.status == 0 and json.loads(metadata.read_text())["modelId"] == "sklearn_mnist:2"
    updated = ml("model", "update", "-i", "sklearn_mnist:2", "--add-tag", "x=1", "--description", "second")
    assert (updated.json()["tags"], updated.json()["description"]) == ({"x": "1"}, "second")


def test_profile_then_deploy_with_its_result(ml: Cli, project: Path, tmp_path: Path) -> None:
    metadata = tmp_path / "model.json"
    assert ml("model", "register", "-n", "sklearn_mnist", "-p", "outputs/model.joblib", "-t", str(metadata)).status == 0
    profiled = ml(
        "model", "profile", "-n", "myprofile", "-f", str(metadata), "--ic", "inferenceconfig.json",
        "-d", SAMPLE, "-t", "myprofileresult.json",
    )  # fmt: skip
    assert profiled.status == 0, profiled.both
    result = json.loads((project / "myprofileresult.json").read_text())
    assert result["recommendedCpu"] > 0 and result["recommendedMemoryInGB"] > 0
    assert ml("service", "list").json() == []  # the profiled service is gone

    deployed = ml(
        "model", "deploy", "-n", "sized", "-f", str(metadata), "--ic", "inferenceconfig.json",
        "--dc", "deploymentconfig.json", "--pi", "myprofileresult.json", "--cp", "ACI", "--target", "process",
    )  # fmt: skip
    assert deployed.status == 0, deployed.both
    generated = json.loads((project / ".amldeploy/ml/sized/deploymentconfig.json").read_text())
    assert generated["containerResourceRequirements"] == {
        "cpu": result["recommendedCpu"],
        "memoryInGB": result["recommendedMemoryInGB"],
    }
    assert [m["name"] for m in deployed.json()["models"]] == ["sklearn_mnist"]


def test_ct_deploys_to_a_recorded_compute_target(ml: Cli, project: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.python.ml.conftest import base_env

    recorded = subprocess.run(
        [sys.executable, "-m", "amldeploy", "target", "add", "here", "--type", "process"],
        cwd=project, env=base_env(tmp_path / "registry"), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    listed = ml("computetarget", "list", "-w", "ws")
    assert listed.status == 0 and "here" in listed.out, listed.both
    _register(ml)
    deployed = ml(
        "model", "deploy", "-n", "oncompute", "-m", "sklearn_mnist:1", "-ic", "inferenceconfig.json", "-ct", "here"
    )
    assert deployed.status == 0, deployed.both
    assert (deployed.json()["target"], deployed.json()["computeType"]) == ("process", "local")
    assert "no --dc" not in deployed.err
    unknown = ml("model", "deploy", "-n", "elsewhere", "--ic", "inferenceconfig.json", "--ct", "nosuch")
    assert unknown.status == 2 and "nosuch" in unknown.err, unknown.both

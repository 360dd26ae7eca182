"""v1's ``az ml computetarget`` command lines, through ``amldeploy ml computetarget``: what they record, and
that every workspace flag amldeploy does not use is reported as ignored."""

from __future__ import annotations

import json
from pathlib import Path

from tests.python.computetargets.conftest import AKS_ID, Run

ARC_ID = "/subscriptions/0000-sub/resourceGroups/ml-rg/providers/Microsoft.Kubernetes/connectedClusters/arc-1"


def test_attach_aks_verbatim_records_the_cluster_and_reports_the_workspace_flags_ignored(
    ml: Run, cli: Run, records: Path
) -> None:
    result = ml("attach", "aks", "-n", "myaks", "-i", AKS_ID, "-g", "myresourcegroup", "-w", "myworkspace")
    assert result.status == 0, result.both
    assert "ignored: -w/--workspace-name myworkspace — amldeploy needs no workspace" in result.err
    assert "ignored: -g/--resource-group myresourcegroup — amldeploy needs no workspace" in result.err
    attached = result.json()
    assert attached["name"] == "myaks" and attached["computeType"] == "AKS"
    assert attached["resourceId"] == AKS_ID
    assert attached["settings"] == {"kubernetes.context": "prod-aks"}  # as az aks get-credentials names it
    assert "kubeconfig context 'prod-aks'" in result.err
    # The same record amldeploy target reads.
    assert cli("target", "show", "myaks", "--output", "json").json()["settings"] == attached["settings"]
    assert json.loads((records / "myaks.json").read_text(encoding="utf-8"))["resourceId"] == AKS_ID


def test_attach_aks_long_flags_and_amldeploys_extra_settings(ml: Run) -> None:
    args = ("--name", "myaks", "--compute-resource-id", AKS_ID, "--subscription-id", "ws-sub", "--path", ".")
    extra = ("--context", "prod", "--namespace", "ml", "--registry", "myacr.azurecr.io/ml")
    result = ml("attach", "aks", *args, *extra)
    assert result.status == 0, result.both
    assert "ignored: --subscription-id ws-sub — amldeploy needs no workspace" in result.err
    assert "ignored: --path . — amldeploy needs no workspace" in result.err
    assert result.json()["settings"] == {
        "kubernetes.context": "prod",
        "kubernetes.namespace": "ml",
        "kubernetes.registry": "myacr.azurecr.io/ml",
    }


def test_attach_kubernetes_takes_the_namespace_and_ignores_the_identity(ml: Run) -> None:
    args = ("-n", "arc", "-i", ARC_ID, "--namespace", "team-a", "--identity-type", "SystemAssigned")
    result = ml("attach", "kubernetes", *args)
    assert result.status == 0, result.both
    assert "ignored: --identity-type SystemAssigned" in result.err
    assert result.json()["settings"] == {"kubernetes.context": "arc-1", "kubernetes.namespace": "team-a"}


def test_list_show_detach_and_delete(ml: Run) -> None:
    assert ml("attach", "aks", "-n", "aks-a", "-i", AKS_ID).status == 0
    assert ml("attach", "aks", "-n", "aks-b", "-i", AKS_ID, "--context", "b").status == 0
    listed = ml("list", "-w", "myworkspace", "-g", "myresourcegroup")
    assert listed.status == 0, listed.both
    assert [(t["name"], t["computeType"]) for t in listed.json()] == [("aks-a", "AKS"), ("aks-b", "AKS")]
    assert "ignored: -w/--workspace-name myworkspace" in listed.err
    table = ml("list", "-o", "table")
    assert table.out.splitlines()[0].split() == ["Name", "ComputeType", "Target"]
    assert table.out.splitlines()[1].split() == ["aks-a", "AKS", "kubernetes"]

    shown = ml("show", "-n", "aks-b", "-v")
    assert shown.status == 0 and shown.json()["settings"] == {"kubernetes.context": "b"}
    assert "ignored: -v/--verbose" in shown.err

    detached = ml("detach", "-n", "aks-a", "-g", "myresourcegroup", "-w", "myworkspace")
    assert detached.status == 0 and detached.json() == {"name": "aks-a", "removed": True}
    deleted = ml("delete", "-n", "aks-b")
    assert deleted.status == 0
    assert "the cluster itself is left as it is" in deleted.err
    assert ml("list").json() == []
    missing = ml("show", "-n", "aks-a")
    assert missing.status == 2 and "there is no compute target named 'aks-a'" in missing.err


def test_what_amldeploy_cannot_do_is_refused_with_the_reason(ml: Run, records: Path) -> None:
    created = ml("create", "aks", "-n", "myaks", "--agent-count", "3", "-w", "myworkspace")
    assert created.status == 2
    assert "amldeploy creates no clusters" in created.err and "az aks create" in created.err
    remote = ml("attach", "remote", "-n", "vm", "--address", "10.0.0.4")
    assert remote.status == 2 and "runs no training" in remote.err
    bad_id = ml("attach", "aks", "-n", "myaks", "-i", "prod-aks")
    assert bad_id.status == 2 and "is not the resource id of an AKS cluster" in bad_id.err
    bad_name = ml("attach", "aks", "-n", "my_aks", "-i", AKS_ID)
    assert bad_name.status == 2 and "is not a valid compute target name" in bad_name.err
    assert not records.exists() or list(records.iterdir()) == []

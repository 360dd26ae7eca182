"""Every v1 flag amldeploy ignores or refuses says so; ``--help`` says what maps where; ``-ic``-style spellings."""

from __future__ import annotations

from pathlib import Path

import pytest

from amldeploy.commands.ml import MAPPING
from amldeploy.commands.ml.flags import COMMANDS, IGNORE, REFUSE, WORKSPACE, Flag, normalise
from tests.python.cli_run import Cli

# The required arguments of each command, with values that make the command end quickly (nothing is deployed).
REQUIRED = {
    ("model", "register"): ["-n", "m"],
    ("model", "deploy"): ["-n", "svc-x", "--ic", "missing.json", "--dc", "missing.json"],
    ("model", "download"): ["-i", "m:1", "-t", "d"],
    ("model", "update"): ["-i", "m:1"],
    ("model", "delete"): ["-i", "m:1"],
    ("model", "profile"): ["-n", "svc-x"],
    ("model", "package"): [],
    ("model", "list"): [],
    ("model", "show"): ["-i", "m:1"],
    ("service", "regen-key"): ["-n", "svc-x", "-k", "Primary"],
    ("service", "update"): ["-n", "svc-x"],
    ("service", "list"): [],
}


def _cases(handling: str) -> list[tuple[str, str, Flag]]:
    cases = []
    for (group, command), flags in COMMANDS.items():
        for flag in flags:
            if flag.handling == handling:
                cases.append((group, command, flag))
    if handling == IGNORE:
        cases += [("model", "list", flag) for flag in WORKSPACE]
        cases += [("service", "show", flag) for flag in WORKSPACE]
    return cases


def _argv(group: str, command: str, flag: Flag, spelling: str) -> list[str]:
    args = [group, command, *REQUIRED.get((group, command), ["-n", "svc-x"]), spelling]
    if flag.kind != "switch":
        args.append("VALUE1")
    return args


@pytest.mark.parametrize(("group", "command", "flag"), _cases(IGNORE), ids=lambda v: getattr(v, "shown", v))
def test_every_ignored_flag_is_reported(ml: Cli, group: str, command: str, flag: Flag) -> None:
    for spelling in flag.names:
        result = ml(*_argv(group, command, flag, spelling))
        value = "" if flag.kind == "switch" else " VALUE1"
        assert f"ignored: {spelling}{value} — {flag.reason}" in result.err, result.both
        assert "unrecognized arguments" not in result.err


@pytest.mark.parametrize(("group", "command", "flag"), _cases(REFUSE), ids=lambda v: getattr(v, "shown", v))
def test_every_refused_flag_is_refused_with_its_reason(ml: Cli, group: str, command: str, flag: Flag) -> None:
    for spelling in flag.names:
        result = ml(*_argv(group, command, flag, spelling))
        assert result.status == 2, result.both
        assert f"{spelling} VALUE1: not supported: {flag.reason}" in result.err


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["model", "deploy", "-n", "svc-x", "--ic", "a.json", "--token-auth-enabled", "true"], "not Azure AD tokens"),
        (["service", "update", "-n", "svc-x", "--ic", "a.json", "--token-auth-enabled"], "not Azure AD tokens"),
        (["model", "deploy", "-n", "svc-x", "--ic", "inferenceconfig.json", "-e", "AzureML-Minimal"], "workspace"),
        (["model", "deploy", "-n", "svc-x", "--ic", "inferenceconfig.json", "-ct", "myaks"], "compute target"),
        (["model", "register", "-n", "m", "--asset-path", "azureml://datastores/x/paths/m.pkl"], "cloud path"),
        (["model", "register", "-n", "m", "--asset-path", "outputs/nope.pkl", "--run-id", "r1"], "no runs"),
        (["service", "get-access-token", "-n", "svc-x"], "not Azure AD tokens"),
        (["model", "package", "-m", "m:1", "--ic", "inferenceconfig.json"], "--output-path"),
        (["model", "register", "-n", "m", "-p", "outputs/model.joblib", "--model-framework", "Caffe"], "Caffe"),
    ],
)
def test_values_amldeploy_cannot_honour_are_refused(ml: Cli, args: list[str], reason: str) -> None:
    result = ml(*args)
    assert result.status == 2, result.both
    assert reason in result.err


def test_the_environment_of_the_inference_config_is_accepted_by_name(ml: Cli, project: Path) -> None:
    result = ml(
        "model", "deploy", "-n", "svc-x", "--ic", "inferenceconfig.json", "--dc", "nope.json",
        "-e", "sklearn-example-env", "--ev", "1",
    )  # fmt: skip
    assert "workspace environment" not in result.err
    assert "nope.json" in result.err


def test_help_lists_what_maps_where(ml: Cli) -> None:
    top = ml("--help")
    assert top.status == 0
    for (group, command), text in MAPPING.items():
        assert f"az ml {group} {command}" in top.out and text in top.out
    for flag in WORKSPACE:
        assert flag.shown in top.out
    model = ml("model", "--help")
    assert "az ml model deploy" in model.out and "az ml service run" not in model.out
    assert "--experiment-name (model register)" in model.out
    assert "--image-digest (service list)" in ml("service", "--help").out


def test_normalise_rewrites_only_v1s_single_dash_flags() -> None:
    argv = ["-ic", "i.json", "-dc=d.json", "-ct", "aks", "-nr", "2", "-m", "m:1", "-d", "-x", "--", "-ic"]
    assert normalise(argv) == [
        "--ic", "i.json", "--dc=d.json", "--ct", "aks", "--nr", "2", "-m", "m:1", "-d", "-x", "--", "-ic",
    ]  # fmt: skip


def test_unknown_flags_are_usage_errors(ml: Cli) -> None:
    result = ml("model", "list", "--no-such-flag")
    assert result.status == 2 and "unrecognized arguments: --no-such-flag" in result.err

"""``amldeploy/configs``, ``amldeploy/checkName`` and ``amldeploy/swagger`` through a real client (pytest-lsp)
and ``python -m amldeploy lsp``: the editor's list of configs is the command line's, counted the same way."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from amldeploy.lsp import protocol
from amldeploy.lsp.params import plain
from amldeploy.lsp.protocol import REQUEST_FAILED
from tests.python.lsp.conftest import open_document
from tests.python.lsp.test_operations import DEPLOY_ARGS, Session, lsp, project  # noqa: F401 (fixtures)
from tests.python.ops.conftest import trained_model  # noqa: F401 (a fixture)

SCRIPT = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
FILES = {
    "app/inferenceconfig.json": '{"entryScript": "score.py", "sourceDirectory": "."}',
    "app/score.py": SCRIPT + "\nprint(undefined_name)\n",
    "app/deploymentconfig.json": '{"computeType": "local", "port": "80", "cpu_cores": 1,}',
    "svc/service.yml": "computeType: ACI\ncpu_cores: 1\n",  # named like nothing: found by its content
    "svc/notes.json": '{"title": "not a config"}',
    "node_modules/pkg/inferenceconfig.json": '{"entryScript": "x.py"}',
    ".amldeploy/services/old/deploymentconfig.json": '{"computeType": "local"}',
    "venv/lib/deploymentconfig.json": '{"computeType": "local"}',
}


@pytest.fixture
def tree(workspace: Path) -> Path:
    for relative, text in FILES.items():
        path = workspace / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return workspace


async def ask(client: LanguageClient, method: str, params: dict[str, Any]) -> Any:
    return plain(await client.protocol.send_request_async(method, params))


def by_path(answer: dict[str, Any], root: Path) -> dict[str, dict[str, Any]]:
    return {Path(f["path"]).relative_to(root).as_posix(): f for f in answer["files"]}


async def configs_when(client: LanguageClient, root: Path, check: Callable[[dict[str, dict[str, Any]]], bool]) -> Any:
    """The answer once ``check`` holds (a settings change reaches the server a moment after it is sent)."""
    deadline = time.monotonic() + 15
    while True:
        answer = await ask(client, protocol.CONFIGS, {})
        if check(by_path(answer, root)) or time.monotonic() > deadline:
            return answer
        await asyncio.sleep(0.1)


def cli_counts(root: Path) -> dict[str, tuple[int, int]]:
    """Errors and warnings per file as ``amldeploy validate FOLDER --format json`` reports them."""
    done = subprocess.run(
        [sys.executable, "-m", "amldeploy", "validate", ".", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    counts: dict[str, tuple[int, int]] = {}
    for item in json.loads(done.stdout):
        errors, warnings = counts.get(item["path"], (0, 0))
        counts[item["path"]] = (errors + (item["severity"] == "error"), warnings + (item["severity"] == "warning"))
    return counts


@pytest.mark.asyncio
async def test_configs_are_the_ones_validate_finds_with_the_same_counts(client: LanguageClient, tree: Path) -> None:
    answer = await ask(client, protocol.CONFIGS, {})
    assert answer["root"] == str(tree) and answer["truncated"] is False
    files = by_path(answer, tree)
    assert {k: v["kind"] for k, v in files.items()} == {
        "app/inferenceconfig.json": "inference",
        "app/deploymentconfig.json": "deployment",
        "svc/service.yml": "deployment",
        "app/score.py": "entryScript",
    }
    assert files["app/inferenceconfig.json"]["entryScript"] == str(tree / "app" / "score.py")
    cli = cli_counts(tree)
    assert {k: (v["errors"], v["warnings"]) for k, v in files.items()} == {k: cli.get(k, (0, 0)) for k in files}
    assert files["app/deploymentconfig.json"]["errors"] == 2  # the quoted port and the trailing comma
    assert "**/node_modules/**" in answer["exclude"] and "**/.*/**" in answer["exclude"]


@pytest.mark.asyncio
async def test_open_buffers_and_settings_count(client: LanguageClient, tree: Path) -> None:
    # Unsaved text wins over the disk: the fixed config has no problems, the script's new problem counts.
    open_document(client, tree / "app" / "deploymentconfig.json", '{"computeType": "local"}')
    open_document(client, tree / "app" / "score.py", "def run(data):\n    return data\n", "python")
    files = by_path(await configs_when(client, tree, lambda f: f["app/deploymentconfig.json"]["errors"] == 0), tree)
    assert (files["app/deploymentconfig.json"]["errors"], files["app/deploymentconfig.json"]["warnings"]) == (0, 0)
    assert files["app/score.py"]["errors"] >= 1  # no init()

    settings = {"severityOverrides": {"DC006": "error"}, "detectByContent": False}
    settings["fileAssociations"] = {"deployment": ["*deploymentconfig*.json", "*.deploy.json"]}
    (tree / "svc" / "aks.deploy.json").write_text('{"computeType": "AKS"}', encoding="utf-8")
    client.set_configuration(settings, section="amldeploy")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    files = by_path(await configs_when(client, tree, lambda f: "svc/service.yml" not in f), tree)
    assert "svc/service.yml" not in files, "found by content with detectByContent off"
    assert files["svc/aks.deploy.json"]["kind"] == "deployment"


@pytest.mark.asyncio
async def test_overridden_severities_change_the_counts(client: LanguageClient, tree: Path) -> None:
    client.set_configuration({"severityOverrides": {"DC006": "error"}, "disabledRules": ["DC002"]}, section="amldeploy")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    files = by_path(await configs_when(client, tree, lambda f: f["svc/service.yml"]["errors"] == 1), tree)
    assert (files["svc/service.yml"]["errors"], files["svc/service.yml"]["warnings"]) == (1, 0)
    # DC002 (the quoted port) is off; the trailing comma and the now-error unknown key remain.
    assert (files["app/deploymentconfig.json"]["errors"], files["app/deploymentconfig.json"]["warnings"]) == (2, 0)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("name", "problem", "suggestion"),
    [
        ("sklearn-demo", None, "sklearn-demo"),
        ("ab", "between 3 and 32 characters", "ab-service"),
        ("My Model_v2", "lowercase letters", "my-model-v2"),
        ("demo-", "end with a letter or number", "demo"),
        ("1demo", "start with a letter", "demo"),
        ("42", "between 3 and 32", "my-service"),
        ("a" * 40 + "--", "between 3 and 32", "a" * 32),
        ("", "between 3 and 32", "my-service"),
    ],
)
async def test_check_name_says_why_and_suggests_a_valid_name(
    client: LanguageClient, name: str, problem: str | None, suggestion: str
) -> None:
    answer = await ask(client, protocol.CHECK_NAME, {"name": name})
    assert answer["suggestion"] == suggestion
    if problem is None:
        assert answer["problem"] is None
    else:
        assert problem in answer["problem"]
    again = await ask(client, protocol.CHECK_NAME, {"name": suggestion})
    assert again["problem"] is None


@pytest.mark.asyncio
async def test_swagger_is_fetched_with_the_key(lsp: Session) -> None:  # noqa: F811
    failure = await lsp.failure(protocol.SWAGGER, {"name": "nobody"})
    assert failure.code == REQUEST_FAILED and "nobody" in failure.data["message"]
    params = {"name": "sk-swagger", **DEPLOY_ARGS, "deploymentConfig": "deploymentconfig.aci.json"}
    deployed = await lsp.request(protocol.DEPLOY, {**params, "models": ["model.joblib"], "target": "process"})
    assert deployed["service"]["authEnabled"] is True
    answer = await lsp.request(protocol.SWAGGER, {"name": "sk-swagger"})
    assert answer["uri"] == deployed["service"]["swaggerUri"]
    assert answer["document"]["swagger"] == "2.0" and "/score" in answer["document"]["paths"]
    with pytest.raises(JsonRpcException):
        await lsp.request(protocol.SWAGGER, {})

"""``amldeploy/profile`` through a real client: a process service of the example under a short load, with
``$/progress``, and the recommendation as an edit of the deployment config's OPEN document (its unsaved text,
positions in UTF-16 after non-ASCII text), which the server does not apply."""

from __future__ import annotations

import pytest
import yaml
from lsprotocol import types

from amldeploy.language.text import Position, TextIndex, encoding_named
from amldeploy.lsp import protocol
from amldeploy.lsp.params import REQUEST_FAILED
from tests.python.lsp.conftest import open_document, uri_of
from tests.python.lsp.test_operations import DEPLOY_ARGS, Session, lsp, project
from tests.python.ops.conftest import SAMPLE, trained_model

__all__ = ["lsp", "project", "trained_model"]  # fixtures, used by name

UNSAVED = '# Größe 📦 (unsaved)\ncomputeType: AKS   # ☁️\ncontainerResourceRequirements: {"📦 note": 0, cpu: 2}\n'


@pytest.mark.asyncio
async def test_profile_answers_figures_and_an_edit_of_the_open_config(lsp: Session) -> None:
    (lsp.root / "sample.json").write_text(SAMPLE, encoding="utf-8")
    config = lsp.root / "deploymentconfig.aks.yml"
    config.write_text("computeType: AKS\n", encoding="utf-8")
    open_document(lsp.client, config, UNSAVED)
    result = await lsp.request(protocol.DEPLOY, {"name": "sk-prof", **DEPLOY_ARGS, "models": ["model.joblib"]})
    assert result["service"]["state"] == "Healthy"

    token = "profile-sk-prof"
    lsp.client.progress_reports[token] = []
    params = {"name": "sk-prof", "samples": ["sample.json"], "durationS": 2, "concurrency": 2,
              "deploymentConfig": config.name, "workDoneToken": token}  # fmt: skip
    report = await lsp.request(protocol.PROFILE, params)
    assert report["name"] == "sk-prof" and report["target"] == "process"
    assert report["requests"] > 10 and report["errors"] == 0 and report["cpuCores"]["steady"] > 0
    begin = lsp.client.progress_reports[token][0]
    assert isinstance(begin, types.WorkDoneProgressBegin) and begin.title == "Profiling sk-prof"
    messages = [
        r.message or "" for r in lsp.client.progress_reports[token] if isinstance(r, types.WorkDoneProgressReport)
    ]
    assert any(m.startswith("Loading sk-prof: 2 connections for 2 s") for m in messages), messages

    edit = report["edit"]
    assert edit["uri"] == uri_of(config)
    # The config is AKS (in the open document; the file on disk says so too): limits are recommended with it.
    assert set(edit["values"]) == {"cpu", "memoryInGB", "cpuLimit", "memoryInGBLimit"}
    index = TextIndex(UNSAVED, encoding_named("utf-16"))
    start, end = (index.offset(Position(**edit["range"][side])) for side in ("start", "end"))
    assert UNSAVED[start - 1 : start + 1] == " 2", "the edit starts at the old cpu value, past the emoji"
    edited = UNSAVED[:start] + edit["newText"] + UNSAVED[end:]
    assert edited.startswith(UNSAVED.split("\n")[0] + "\ncomputeType: AKS   # ☁️\n")
    assert yaml.safe_load(edited)["containerResourceRequirements"] == {"📦 note": 0, **edit["values"]}
    assert config.read_text(encoding="utf-8") == "computeType: AKS\n", "the server applies nothing"

    failed = await lsp.failure(protocol.PROFILE, {"name": "sk-prof"})
    assert failed.code == REQUEST_FAILED and "give 'samples'" in failed.message
    missing = await lsp.failure(protocol.PROFILE, {"name": "nobody", "body": SAMPLE})
    assert missing.code == REQUEST_FAILED and "there is no service named 'nobody'" in missing.message

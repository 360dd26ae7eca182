"""Paths and strings a document names are safe to use: lone surrogates, NUL, names longer than the file system
allows, absolute paths and ``..`` give a problem or a plain "not found", in every feature and in the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from amldeploy.language.complete.core import _complete_config
from amldeploy.language.files import DiskFiles
from amldeploy.language.hover.core import _hover_config
from amldeploy.language.links import _links
from amldeploy.language.problems import Problem, printable
from amldeploy.language.symbols import _symbols
from amldeploy.language.validate import Kind, validate_config

SCORE = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
HOSTILE = {
    "lone surrogate": "\ud800.py",
    "NUL": "sc\x00ore.py",
    "name too long": "s" * 300 + ".py",
    "path too long": "d/" * 3000 + "score.py",
    "escape sequence": "\x1b[31mscore.py",
}
KEYS = {"entryScript": "IC010", "condaFile": "IC014", "sourceDirectory": "IC015"}


def config(tmp_path: Path, key: str, value: str) -> tuple[str, Path]:
    document = {"entryScript": "score.py", key: value}
    (tmp_path / "score.py").write_text(SCORE, encoding="utf-8")
    return json.dumps(document), tmp_path / "inferenceconfig.json"


def assert_printable(problems: list[Problem]) -> None:
    for p in problems:
        p.message.encode("utf-8")  # a lone surrogate would raise here
        assert not any(ord(c) < 0x20 and c not in "\n\t" for c in p.message), p.message


@pytest.mark.parametrize("key", sorted(KEYS))
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_path_is_not_found_and_the_message_prints(tmp_path: Path, key: str, case: str) -> None:
    text, path = config(tmp_path, key, HOSTILE[case])
    problems = validate_config(text, path, Kind.INFERENCE).problems
    found = [p for p in problems if p.code == KEYS[key]]
    assert found and "doesn't exist" in found[0].message, [(p.code, p.message) for p in problems]
    assert text[found[0].start : found[0].end] == json.dumps(HOSTILE[case])
    assert_printable(problems)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_editor_features_answer_on_hostile_paths(tmp_path: Path, case: str) -> None:
    text, path = config(tmp_path, "condaFile", HOSTILE[case])
    inside = text.index('"condaFile"') + len('"condaFile": "') + 2
    files = DiskFiles()
    # The inner functions raise what the public wrappers would swallow: call them directly.
    hover = _hover_config(text, Kind.INFERENCE, inside, path, files)
    assert hover is not None and "condaFile" in hover.markdown
    assert [link.target.name for link in _links(text, Kind.INFERENCE, path, files)] == ["score.py"]
    assert isinstance(_complete_config(text, Kind.INFERENCE, inside, path, files), list)
    [outline] = _symbols(text, Kind.INFERENCE, path)
    assert [s.name for s in outline.children] == ["entryScript", "condaFile"]


def test_absolute_and_parent_paths_are_found(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "score.py").write_text(SCORE, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    for value in (str(elsewhere / "score.py"), "../elsewhere/score.py", "./../elsewhere/../elsewhere/score.py"):
        text = json.dumps({"entryScript": value})
        problems = validate_config(text, project / "inferenceconfig.json", Kind.INFERENCE).problems
        assert problems == [], [(p.code, p.message) for p in problems]
    text = json.dumps({"entryScript": "../" * 200 + "nowhere/score.py"})
    problems = validate_config(text, project / "inferenceconfig.json", Kind.INFERENCE).problems
    assert [p.code for p in problems] == ["IC010"]


def test_printable_escapes_only_what_cannot_be_shown() -> None:
    assert printable("port 'é🙂'\n") == "port 'é🙂'\n"
    assert printable("a\ud800b\x00c\x1b") == "a\\ud800b\\x00c\\x1b"


def test_cli_prints_hostile_paths_without_a_traceback(tmp_path: Path) -> None:
    documents = {
        "inferenceconfig.json": {"entryScript": "\ud800.py", "condaFile": "a\x00b.yml"},
        "long-inferenceconfig.json": {"entryScript": "s" * 300 + ".py", "sourceDirectory": "d/" * 3000},
    }
    for name, document in documents.items():
        (tmp_path / name).write_text(json.dumps(document), encoding="utf-8")
    for output in ("json", "text"):
        run = subprocess.run(
            [sys.executable, "-m", "amldeploy", "validate", "--format", output, str(tmp_path)],
            capture_output=True,
            timeout=60,
        )
        assert run.returncode == 1 and run.stderr == b"", run.stderr.decode(errors="replace")[-2000:]
        shown = run.stdout.decode("utf-8").replace("\\\\", "\\")
        assert {"IC010", "IC014", "IC015"} <= set(re.findall(r"IC0\d\d", shown)), shown
        assert "'\\ud800.py' doesn't exist" in shown and "'a\\x00b.yml' doesn't exist" in shown

"""`amldeploy validate`: output formats, exit status, folders, and bad input without tracebacks."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from amldeploy.commands.validate import run_validate

ROOT = Path(__file__).resolve().parents[3]
SCORE = "model = None\n\n\ndef init():\n    global model\n    model = 1\n\n\ndef run(data):\n    return data\n"


def validate(*paths: str | Path, fmt: str = "text") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run_validate([str(p) for p in paths], fmt, out, err)
    return status, out.getvalue(), err.getvalue()


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def test_example_project_is_clean() -> None:
    status, out, _ = validate(ROOT / "examples" / "sklearn")
    assert status == 0, out
    assert out.strip().endswith("0 errors, 0 warnings in 6 files")


def test_broken_example_reports_every_problem_with_positions() -> None:
    status, out, _ = validate(ROOT / "examples" / "broken", fmt="json")
    assert status == 1
    items = json.loads(out)
    codes = {item["code"] for item in items}
    assert {"IC016", "IC007", "IC002", "IC017", "IC018", "DC015", "DC016", "DC017", "DC018", "DC005"} <= codes
    assert {"SC013", "SC015", "SC010", "SC012"} <= codes  # the entry script named by the config is linted too
    for item in items:
        assert set(item) == {"path", "range", "severity", "code", "message"} | ({"data"} & set(item))
        assert item["severity"] in {"error", "warning", "information", "hint"}
        assert item["range"]["start"]["line"] >= 0


def test_text_output_is_compiler_style(tmp_path: Path) -> None:
    write(tmp_path, {"deploymentconfig.json": '{\n  "computeType": "local",\n  "port": "8890"\n}\n'})
    status, out, _ = validate(tmp_path / "deploymentconfig.json")
    assert status == 1
    first = out.splitlines()[0]
    assert first.endswith(
        "deploymentconfig.json:3:11: error DC002 port must be an integer in range [1, 65535] "
        '(v1 rejected a quoted port such as "8890").'
    )


def test_json_output_uses_lsp_utf16_positions(tmp_path: Path) -> None:
    write(tmp_path, {"deploymentconfig.json": '{"computeType": "local", "x": "🙂", "port": "1"}'})
    _, out, _ = validate(tmp_path / "deploymentconfig.json", fmt="json")
    problem = next(i for i in json.loads(out) if i["code"] == "DC002")
    text = '{"computeType": "local", "x": "🙂", "port": '
    assert problem["range"]["start"] == {"line": 0, "character": len(text) + 1}


def test_warnings_alone_exit_zero(tmp_path: Path) -> None:
    write(tmp_path, {"deploymentconfig.json": '{"computeType": "local", "prot": 1}'})
    status, out, _ = validate(tmp_path)
    assert status == 0
    assert "warning DC006" in out and "Did you mean 'port'?" in out


def test_folder_finds_configs_by_content_and_lints_their_script(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "deploy/aci.yml": "computeType: ACI\ncontainerResourceRequirements:\n  cpu: 0\n",
            "svc.json": '{"entryScript": "src/score.py"}',
            "src/score.py": "def init():\n    pass\n",
            "notes.json": '{"hello": 1}',
        },
    )
    status, out, _ = validate(tmp_path)
    assert status == 1
    assert "aci.yml:3:8: error DC004" in out
    assert "score.py:1:1: error SC003" in out
    assert "notes.json" not in out


@pytest.mark.parametrize(
    ("files", "target", "message"),
    [
        ({}, "missing.json", "no such file or folder"),
        ({"empty/readme.txt": "x"}, "empty", "no inference or deployment config found"),
        ({"other.json": '{"a": 1}'}, "other.json", "not an inference config"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, files: dict[str, str], target: str, message: str) -> None:
    write(tmp_path, files)
    status, out, err = validate(tmp_path / target)
    assert status == 2
    # One message naming the cause and the fix, and no "0 errors in 0 files" that would read as a clean result.
    assert out == "" and len(err.splitlines()) == 1 and message in err
    assert err.rstrip().endswith(
        "nothing was checked: give inference or deployment configs, entry scripts, or folders holding them"
    )


def test_a_usage_error_beside_checked_files_keeps_their_summary(tmp_path: Path) -> None:
    write(tmp_path, {"score.py": "def init():\n    pass\n\n\ndef run(data):\n    return data\n"})
    status, out, err = validate(tmp_path / "score.py", tmp_path / "missing.json")
    assert status == 2 and "missing.json: no such file or folder\n" in err and "nothing was checked" not in err
    assert out.endswith("in 1 file\n")


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"\x00\x01\x02binary", "JS009", "Binary file"),
        (b'{"computeType": "loc\xe9l"}', "JS010", "line 1, column 21"),
        (b"x" * (20 * 1024 * 1024), "JS008", "20.0 MB"),
    ],
)
def test_unreadable_input_is_a_clear_problem(tmp_path: Path, content: bytes, code: str, message: str) -> None:
    write(tmp_path, {"deploymentconfig.json": content})
    status, out, _ = validate(tmp_path / "deploymentconfig.json", fmt="json")
    assert status == 2
    [item] = json.loads(out)
    assert item["code"] == code and message in item["message"]


def test_malformed_json_keeps_going(tmp_path: Path) -> None:
    write(tmp_path, {"inferenceconfig.json": '{"entryScript": "score.py", "runtime": "r",', "score.py": SCORE})
    status, out, _ = validate(tmp_path / "inferenceconfig.json")
    assert status == 1
    assert "error JS002 Unexpected end of file: a closing '}' is missing." in out and "error IC003" in out


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    write(tmp_path, {"deploymentconfig.yaml": "computeType: aks\nnamespace: [unclosed\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "amldeploy", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "deploymentconfig.yaml:2:" in proc.stdout
    usage = subprocess.run([sys.executable, "-m", "amldeploy", "validate"], capture_output=True, text=True, check=False)
    assert usage.returncode == 2 and "usage:" in usage.stderr

"""Inference config rules (IC###): each fires on one fixture and stays quiet on its fixed twin."""

from __future__ import annotations

import pytest

from amldeploy.language.problems import Severity
from amldeploy.language.validate import Kind
from tests.python.unit.conftest import Check, assert_at, only

SCORE = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
CONDA = "name: e\ndependencies:\n  - python=3.11\n  - pip:\n      - numpy\n"


def test_clean_legacy_config(check: Check) -> None:
    _, _, problems = check(
        '{"entryScript": "score.py", "runtime": "python", "condaFile": "env.yml", "enableGpu": false}',
        Kind.INFERENCE,
        {"score.py": SCORE, "env.yml": CONDA},
    )
    assert problems == []


def test_clean_environment_config_in_source_directory(check: Check) -> None:
    _, _, problems = check(
        '{"entryScript": "score.py", "sourceDirectory": "src", "environment": {"name": "my-env", '
        '"python": {"condaDependencies": {"dependencies": ["python=3.11", {"pip": ["numpy"]}]}}}}',
        Kind.INFERENCE,
        {"src/score.py": SCORE},
    )
    assert problems == []


def test_missing_entry_script_key_points_at_the_opening_brace(check: Check) -> None:
    text, spans, problems = check('«{»"runtime": "python"}', Kind.INFERENCE)
    assert_at(text, problems, "IC001", spans[0], "entryScript")


def test_entry_script_not_found(check: Check) -> None:
    text, spans, problems = check('{"entryScript": «"scor.py"»}', Kind.INFERENCE, {"score.py": SCORE})
    assert_at(text, problems, "IC010", spans[0], "scor.py", "doesn't exist")


def test_entry_script_relative_to_source_directory(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": «"score.py"», "sourceDirectory": "src"}',
        Kind.INFERENCE,
        {"score.py": SCORE, "src/x.py": ""},
    )
    assert_at(text, problems, "IC010", spans[0], "sourceDirectory")


def test_source_directory_not_found(check: Check) -> None:
    text, spans, problems = check('{"entryScript": "score.py", "sourceDirectory": «"nowhere"»}', Kind.INFERENCE)
    assert_at(text, problems, "IC015", spans[0], "nowhere")
    assert only(problems, "IC010") == []  # one cause, one problem


def test_entry_script_must_be_python(check: Check) -> None:
    text, spans, problems = check('{"entryScript": «"score.R"»}', Kind.INFERENCE, {"score.R": "x"})
    assert_at(text, problems, "IC011", spans[0], "Python")


@pytest.mark.parametrize("name", ["1score.py", "class.py", "my-score.py"])
def test_entry_script_name_must_be_importable(check: Check, name: str) -> None:
    text, spans, problems = check(f'{{"entryScript": «"{name}"»}}', Kind.INFERENCE, {name: SCORE})
    assert_at(text, problems, "IC012", spans[0], name[:-3])


def test_entry_script_must_parse(check: Check) -> None:
    text, spans, problems = check('{"entryScript": «"score.py"»}', Kind.INFERENCE, {"score.py": "def init(:\n"})
    assert_at(text, problems, "IC013", spans[0], "line 1")


def test_conda_file_missing_and_invalid(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": "score.py", "condaFile": «"env.yml"»}', Kind.INFERENCE, {"score.py": SCORE}
    )
    assert_at(text, problems, "IC014", spans[0], "Conda file")
    text, spans, problems = check(
        '{"entryScript": "score.py", "condaFile": «"env.yml"»}',
        Kind.INFERENCE,
        {"score.py": SCORE, "env.yml": "dependencies: [python=3.11\n"},
    )
    assert_at(text, problems, "IC019", spans[0], "not valid YAML")


def test_extra_dockerfile_steps_must_exist(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": "score.py", "extraDockerfileSteps": «"steps"»}', Kind.INFERENCE, {"score.py": SCORE}
    )
    assert_at(text, problems, "IC014", spans[0], "steps")


def test_runtime_must_be_known(check: Check) -> None:
    text, spans, problems = check('{"entryScript": "score.py", "runtime": «"r"»}', Kind.INFERENCE, {"score.py": SCORE})
    assert_at(text, problems, "IC003", spans[0], "python")
    _, _, ok = check('{"entryScript": "score.py", "runtime": "spark-py"}', Kind.INFERENCE, {"score.py": SCORE})
    assert only(ok, "IC003") == []


def test_cuda_version_must_be_a_quoted_supported_version(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": "score.py", "cudaVersion": «10.0»}', Kind.INFERENCE, {"score.py": SCORE}
    )
    assert_at(text, problems, "IC002", spans[0], "string")
    text, spans, problems = check(
        '{"entryScript": "score.py", "cudaVersion": «"11.0"»}', Kind.INFERENCE, {"score.py": SCORE}
    )
    assert_at(text, problems, "IC003", spans[0], "10.0")
    _, _, ok = check('{"entryScript": "score.py", "cudaVersion": "10.0"}', Kind.INFERENCE, {"score.py": SCORE})
    assert ok == []


def test_environment_excludes_legacy_keys(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": "score.py", «"condaFile"»: "env.yml", «"runtime"»: "python", "environment": {"name": "e"}}',
        Kind.INFERENCE,
        {"score.py": SCORE, "env.yml": CONDA},
    )
    assert_at(text, problems, "IC016", spans[0], "condaFile", "environment")
    assert_at(text, problems, "IC016", spans[1], "runtime")


def test_base_image_xor_base_dockerfile(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": "score.py", "environment": {"docker": {"baseImage": "a", «"baseDockerfile"»: "FROM a"}}}',
        Kind.INFERENCE,
        {"score.py": SCORE},
    )
    assert_at(text, problems, "IC017", spans[0])
    _, _, ok = check(
        '{"entryScript": "score.py", "environment": {"docker": {"baseImage": "a", "baseDockerfile": null}}}',
        Kind.INFERENCE,
        {"score.py": SCORE},
    )
    assert only(ok, "IC017") == []


def test_base_image_registry_must_be_an_object(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": "score.py", "baseImageRegistry": «"mcr.microsoft.com"»}',
        Kind.INFERENCE,
        {"score.py": SCORE},
    )
    assert_at(text, problems, "IC002", spans[0])


def test_misspelled_extra_dockerfile_steps_is_a_warning_with_the_right_spelling(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": "score.py", «"extraDockerFileSteps"»: "steps"}', Kind.INFERENCE, {"score.py": SCORE}
    )
    problem = assert_at(text, problems, "IC007", spans[0], "extraDockerfileSteps")
    assert problem.severity == Severity.WARNING
    assert problem.data is not None and problem.data["replacement"] == "extraDockerfileSteps"
    assert only(problems, "IC006") == []


def test_unknown_key_is_a_warning_with_a_suggestion(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": "score.py", «"entryscript"»: 1}', Kind.INFERENCE, {"score.py": SCORE}
    )
    problem = assert_at(text, problems, "IC006", spans[0], "ignores", "entryScript")
    assert problem.severity == Severity.WARNING


def test_reserved_environment_name(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": "score.py", "environment": {"name": «"AzureML-Minimal"»}}',
        Kind.INFERENCE,
        {"score.py": SCORE},
    )
    assert_at(text, problems, "IC018", spans[0], "reserved")


def test_description_is_not_read(check: Check) -> None:
    text, spans, problems = check(
        '{"entryScript": "score.py", «"description"»: "x"}', Kind.INFERENCE, {"score.py": SCORE}
    )
    assert assert_at(text, problems, "IC020", spans[0]).severity == Severity.INFORMATION


def test_yaml_inference_config(check: Check) -> None:
    text, spans, problems = check(
        "entryScript: score.py\nruntime: python\ncondaFile: «missing.yml»\ncudaVersion: «10.0»\n",
        Kind.INFERENCE,
        {"score.py": SCORE},
        name="inferenceconfig.yml",
    )
    assert_at(text, problems, "IC014", spans[0])
    assert_at(text, problems, "IC002", spans[1])


def test_all_problems_at_once(check: Check) -> None:
    _, _, problems = check(
        '{"entryScript": "1score.py", "runtime": "r", "cudaVersion": 9, "extraDockerFileSteps": "x", "foo": 1}',
        Kind.INFERENCE,
    )
    assert {"IC012", "IC010", "IC003", "IC002", "IC007", "IC006"} <= {p.code for p in problems}

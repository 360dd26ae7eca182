"""Limits on hostile documents (JS011–JS015): each fires on its fixture at the place it is hit, stays quiet on
its twin, and leaves the rest of the file checked; the real CLI never crashes, hangs or prints a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from amldeploy.language.codes import RULES
from amldeploy.language.parse import limits
from amldeploy.language.parse.documents import parse_document
from amldeploy.language.problems import Problem
from amldeploy.language.validate import Kind, validate_config

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "limits"
# JS016 (a list or mapping as a YAML key) is no limit, but nested `? ? ?` keys were one of the hostile classes.
LIMIT_CODES = ["JS011", "JS012", "JS013", "JS014", "JS015", "JS016"]


def problems_of(path: Path) -> tuple[str, list[Problem]]:
    text = path.read_text(encoding="utf-8")
    return text, validate_config(text, path, Kind.DEPLOYMENT).problems


def fixtures(state: str) -> list[Path]:
    return sorted(FIXTURES.glob(f"js*-{state}-*"))


def test_every_limit_is_documented_and_has_both_fixtures() -> None:
    for code in LIMIT_CODES:
        assert code in RULES and RULES[code].doc
        assert any(p.name.startswith(f"{code.lower()}-fires-") for p in fixtures("fires")), code
        assert any(p.name.startswith(f"{code.lower()}-quiet-") for p in fixtures("quiet")), code


@pytest.mark.parametrize("path", fixtures("fires"), ids=lambda p: p.name)
def test_limit_fires_and_the_rest_is_still_checked(path: Path) -> None:
    code = path.name[:5].upper()
    _, problems = problems_of(path)
    assert code in {p.code for p in problems}
    # Every fixture also holds an ordinary mistake beside the hostile part: it is still reported.
    assert {p.code for p in problems} & {"DC002", "DC006"}, [(p.code, p.message) for p in problems]


@pytest.mark.parametrize("path", fixtures("quiet"), ids=lambda p: p.name)
def test_limit_stays_quiet_on_its_twin(path: Path) -> None:
    _, problems = problems_of(path)
    assert not {p.code for p in problems} & set(LIMIT_CODES), [(p.code, p.message) for p in problems]


def at(text: str, problems: list[Problem], code: str) -> list[str]:
    return [text[p.start : p.start + 12] for p in problems if p.code == code]


def test_deep_yaml_block_is_reported_at_the_first_line_too_deep() -> None:
    text, problems = problems_of(FIXTURES / "js011-fires-deploymentconfig.yml")
    # The document mapping, `notes`, then level0…level62: 64 collections; level63 opens the 65th.
    assert at(text, problems, "JS011") == ["level63:\n   "]
    port = next(p for p in problems if p.code == "DC002")
    assert text[port.start : port.end] == "eighty"


def test_deep_json_is_reported_at_the_first_bracket_too_deep() -> None:
    text, problems = problems_of(FIXTURES / "js011-fires-deploymentconfig.json")
    [problem] = [p for p in problems if p.code == "JS011"]
    assert text[: problem.start].count("[") == 63 and text[problem.start] == "["
    assert [p.code for p in problems if p.start > problem.start and p.code == "DC002"] == ["DC002"]


def test_long_number_is_one_problem_not_a_type_error_too() -> None:
    for name in ("js014-fires-deploymentconfig.yml", "js014-fires-deploymentconfig.json"):
        text, problems = problems_of(FIXTURES / name)
        [problem] = [p for p in problems if p.start == text.index("port") + 6 or p.code == "JS014"]
        assert problem.code == "JS014" and "characters" in problem.message


def test_alias_bomb_is_cut_at_the_budget() -> None:
    text, problems = problems_of(FIXTURES / "js012-fires-deploymentconfig.yml")
    refused = [p for p in problems if p.code == "JS012"]
    assert refused and all(text[p.start : p.end].startswith("*a") for p in refused)
    document = parse_document(text, "yaml")
    assert document.root is not None
    assert sum(1 for _ in document.root.walk()) < 2 * limits.MAX_ALIAS_VALUES


def test_merge_chain_is_cut_at_its_limit() -> None:
    text, problems = problems_of(FIXTURES / "js013-fires-deploymentconfig.yml")
    first = min((p for p in problems if p.code == "JS013"), key=lambda p: p.start)
    assert text[first.start : first.end] == f"*m{limits.MAX_MERGE_CHAIN}"


def test_too_many_values_points_at_the_first_one_left_out() -> None:
    text, problems = problems_of(FIXTURES / "js015-fires-deploymentconfig.json")
    [problem] = [p for p in problems if p.code == "JS015"]
    # The document, its three values and 99 996 list items make 100 000; the next item is the first left out.
    assert text[: problem.start].count(",") == 2 + 99_995 + 1


def test_masking_keeps_offsets_and_line_breaks() -> None:
    text = "a:\n" + "".join(" " * i + f"k{i}:\r\n" for i in range(1, 120)) + "b: 1\n"
    masked = limits.mask_deep_yaml_blocks(text)
    assert len(masked.text) == len(text)
    assert [i for i, c in enumerate(masked.text) if c in "\r\n"] == [i for i, c in enumerate(text) if c in "\r\n"]
    assert masked.text.count("k") == limits.MAX_DEPTH - 1 and masked.text.endswith("b: 1\n")
    assert len(masked.problems) == 1
    assert limits.mask_deep_yaml_blocks("a:\n  b: [1, 2]\n").text == "a:\n  b: [1, 2]\n"


HOSTILE = {
    "block-mappings.yml": ("JS011", "x:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(300))),
    "dash-sequences.yml": ("JS011", "x:\n  " + "- " * 300 + "x\n"),
    "dash-lines.yml": ("JS011", "x:\n" + "".join(" " * (i + 1) + "-\n" for i in range(300))),
    "flow.yml": ("JS011", "x: " + "[" * 5000 + "]" * 5000 + "\n"),
    "flow-unclosed.yml": ("JS001", "x: " + "{a: " * 5000 + "\n"),
    "nested.json": ("JS011", '{"x": ' + "[" * 50_000 + "]" * 50_000 + "}"),
    "unclosed.json": ("JS004", '{"x": ' + '{"a": [' * 20_000),
    "merge.yml": ("JS013", "m0: &m0 {x: 1}\n" + "".join(f"m{i}: &m{i} {{<<: *m{i - 1}}}\n" for i in range(1, 2000))),
    "alias-depth.yml": ("JS011", "x0: &x0 [1]\n" + "".join(f"x{i}: &x{i} [*x{i - 1}]\n" for i in range(1, 500))),
    "hex.yml": ("JS014", "port: 0x" + "f" * 4000 + "\n"),
    "digits.json": ("JS014", '{"port": ' + "9" * 5000 + "}"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_cli_reports_hostile_documents_without_crashing(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"deploymentconfig-{name}"
    code, body = HOSTILE[name]
    text = "computeType: local\n" + body if name.endswith(".yml") else '{"computeType": "local", ' + body[1:]
    path.write_text(text, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "amldeploy", "validate", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.stderr == ""
    codes = {item["code"] for item in json.loads(run.stdout)}
    assert code in codes, codes


def test_editor_features_never_build_a_huge_integer(tmp_path: Path) -> None:
    from amldeploy.language.complete.core import _complete_config
    from amldeploy.language.files import DiskFiles
    from amldeploy.language.hover.core import _hover_config
    from amldeploy.language.parse.documents import yaml_plain_scalar

    literal = "0x" + "f" * 4000
    assert yaml_plain_scalar(literal) == literal and yaml_plain_scalar("0x1f") == 31
    text = f"computeType: local\nport: {literal}\n"
    path = tmp_path / "deploymentconfig.yml"
    # The inner functions raise what the public wrappers would swallow.
    hover = _hover_config(text, Kind.DEPLOYMENT, text.index("0x") + 5, path, DiskFiles())
    assert hover is not None and "port" in hover.markdown
    assert isinstance(_complete_config(text, Kind.DEPLOYMENT, len(text) - 1, path, DiskFiles()), list)


def test_problems_in_a_long_list_name_their_item(tmp_path: Path) -> None:
    items = ",".join("1" for _ in range(20_000))
    text = '{"entryScript": "score.py", "environment": {"docker": {"arguments": [' + items + ', "ok", 2]}}}'
    problems = validate_config(text, tmp_path / "inferenceconfig.json", Kind.INFERENCE).problems
    paths = [p.data["path"][-1] for p in problems if p.code == "IC002" and p.data]
    assert paths[:2] == [0, 1] and paths[-2:] == [19_999, 20_001] and len(paths) == 20_001


@pytest.mark.parametrize(
    "name, text",
    [
        ("deploymentconfig.json", '{"computeType": "local", "x": ' + "[" * 100_000 + "]" * 100_000 + ', "|"}'),
        ("deploymentconfig.yml", "computeType: local\nx: " + "{a: " * 100_000 + "}" * 100_000 + "\n|"),
        (
            "deploymentconfig.yml",
            "computeType: local\nx:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(3000)) + "|",
        ),
    ],
    ids=["json", "yaml-flow", "yaml-block"],
)
def test_completion_after_a_deep_part_still_offers_keys(tmp_path: Path, name: str, text: str) -> None:
    from amldeploy.language.complete.core import _complete_config
    from amldeploy.language.files import DiskFiles

    offset = text.index("|")
    text = text.replace("|", "")
    items = _complete_config(text, Kind.DEPLOYMENT, offset, tmp_path / name, DiskFiles())
    assert "port" in {item.label for item in items}


def test_lines_built_to_make_patterns_backtrack_are_read_at_once(tmp_path: Path) -> None:
    """Each of these took minutes or longer (a pattern retried a run from every character); now milliseconds."""
    from amldeploy.language.complete.core import _complete_config
    from amldeploy.language.files import DiskFiles
    from amldeploy.language.validate import kind_from_content

    anchors = "computeType: local\n" + "&" * 60 + "\nport: eighty\n"
    problems = validate_config(anchors, tmp_path / "deploymentconfig.yml", Kind.DEPLOYMENT).problems
    assert "JS001" in {p.code for p in problems}
    assert kind_from_content("\n" * 1_000_000 + "computeType: local\n") == Kind.DEPLOYMENT
    long_line = "computeType: local\na" + " " * 1_000_000 + "b\n"
    path = tmp_path / "deploymentconfig.yml"
    assert "port" in {
        item.label for item in _complete_config(long_line, Kind.DEPLOYMENT, len(long_line), path, DiskFiles())
    }


def test_nested_complex_keys_are_one_problem_at_the_outermost_key() -> None:
    text, problems = problems_of(FIXTURES / "js016-fires-deploymentconfig.yml")
    assert at(text, problems, "JS016") == ["? ? ? ? nest", "[a, b]\n: 1\n"]
    deep = "computeType: local\n" + "? " * 2000 + "x\n"
    found = validate_config(deep, Path("deploymentconfig.yml"), Kind.DEPLOYMENT).problems
    assert [p.start for p in found if p.code == "JS016"] == [len("computeType: local\n? ")]

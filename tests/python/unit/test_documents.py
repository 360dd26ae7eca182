"""Tolerant JSON/YAML parsing: values, ranges, syntax problems at their place."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import yaml

from amldeploy.language.parse.documents import detect_language, parse_document
from amldeploy.language.problems import Severity
from tests.python.markers import marked


def codes(text: str, language: str = "json") -> list[str]:
    return [p.code for p in parse_document(text, language).problems]  # type: ignore[arg-type]


def test_json_values_and_key_ranges() -> None:
    text, spans = marked('{«"port"»: «8890», "ok": true, "n": null, "f": 0.5, "s": "a\\"b"}')
    doc = parse_document(text, "json")
    assert doc.problems == []
    assert doc.root is not None
    assert doc.root.to_python() == {"port": 8890, "ok": True, "n": None, "f": 0.5, "s": 'a"b'}
    member = doc.root.member("port")
    assert member is not None and member.value is not None
    assert (member.key_start, member.key_end) == spans[0]
    assert (member.value.start, member.value.end) == spans[1]
    assert member.value.path == ("port",)


def test_json_float_is_not_integer() -> None:
    doc = parse_document('{"port": 8890.0}', "json")
    assert doc.root is not None
    node = doc.root.get("port")
    assert node is not None and not node.is_integer


@pytest.mark.parametrize(
    ("source", "code", "kept"),
    [
        ('{"a": 1«,» , "b": 2}', "JS001", {"a": 1, "b": 2}),
        ('{"a": 1 «"b": 2»}', "JS002", {"a": 1, "b": 2}),
        ('{"a": 1«,» }', "JS001", {"a": 1}),
        ('«// note»\n{"a": 1}', "JS003", {"a": 1}),
        ('{"a": 1}«{}»', "JS004", {"a": 1}),
        (
            '{"entryScript": "s.py",\n "runtime": "python"\n «"condaFile"»: "e.yml"}',
            "JS002",
            {"entryScript": "s.py", "runtime": "python", "condaFile": "e.yml"},
        ),
    ],
)
def test_json_syntax_errors_keep_the_rest(source: str, code: str, kept: dict[str, object]) -> None:
    text, spans = marked(source)
    doc = parse_document(text, "json")
    assert doc.root is not None and doc.root.to_python() == kept
    problem = next(p for p in doc.problems if p.code == code)
    assert (problem.start, problem.end) == spans[0]


def test_unclosed_object_reports_missing_brace_and_keeps_members() -> None:
    doc = parse_document('{"a": {"x": 1, "y": [1, 2]', "json")
    assert doc.root is not None and doc.root.to_python() == {"a": {"x": 1, "y": [1, 2]}}
    assert "JS002" in [p.code for p in doc.problems]


def test_duplicate_key_warns_and_last_wins() -> None:
    text, spans = marked('{«"port"»: 1, "port": 2}')
    doc = parse_document(text, "json")
    assert doc.root is not None and doc.root.get("port") is not None
    assert doc.root.to_python() == {"port": 2}
    [problem] = doc.problems
    assert problem.code == "JS005" and (problem.start, problem.end) == spans[0]


def test_not_an_object() -> None:
    assert codes("[1, 2]") == ["JS006"]
    assert codes("- 1\n- 2\n", "yaml") == ["JS006"]


def test_yaml_values_follow_pyyaml_typing() -> None:
    text = "a: yes\nb: 0.5\nc: '10.0'\nd: 10.0\ne:\nf: ~\ng: [1, {h: 2}]\ni: |\n  line\n"
    doc = parse_document(text, "yaml")
    assert doc.problems == []
    assert doc.root is not None
    assert doc.root.to_python() == {
        "a": True,
        "b": 0.5,
        "c": "10.0",
        "d": 10.0,
        "e": None,
        "f": None,
        "g": [1, {"h": 2}],
        "i": "line\n",
    }


def test_yaml_ranges_and_anchors() -> None:
    text, spans = marked("computeType: aks\n«port»: «8890»\nx: &A {p: 1}\ny: *A\n")
    doc = parse_document(text, "yaml")
    assert doc.root is not None
    member = doc.root.member("port")
    assert member is not None and member.value is not None
    assert (member.key_start, member.key_end) == spans[0]
    assert (member.value.start, member.value.end) == spans[1]
    assert doc.root.to_python()["y"] == {"p": 1}


def test_yaml_syntax_error_keeps_other_keys() -> None:
    text, spans = marked("a: 1\nb: «[1, 2»\nc: 3\n")
    doc = parse_document(text, "yaml")
    assert doc.root is not None and doc.root.to_python()["a"] == 1
    problem = next(p for p in doc.problems if p.code == "JS001")
    assert (problem.start, problem.end) == spans[0]


def test_yaml_second_document() -> None:
    assert codes("a: 1\n---\nb: 2\n", "yaml") == ["JS004"]


def test_emoji_before_node_gives_code_point_offsets() -> None:
    text, spans = marked('{"name": "🙂🙂", «"x"»: 1, "x": 2}')
    [problem] = parse_document(text, "json").problems
    assert (problem.start, problem.end) == spans[0]


def test_detect_language() -> None:
    assert detect_language('{"a": 1}', "x.json") == "json"
    assert detect_language("a: 1", "x.yml") == "yaml"
    assert detect_language("entryScript: score.py\n", "inferenceconfig.json") == "yaml"
    assert detect_language("", "x.json") == "json"


V1_LOADERS: dict[str, Callable[[str], object]] = {"json": json.loads, "yaml": yaml.safe_load}
BROKEN = ["{", "}", '{"a":', "[[[[", "a: [", ":\n:", "a: 1\n: 2", "\x00", '{"\\u12"}']


@pytest.mark.parametrize("text", ["", " ", "\n\n"])
def test_a_blank_document_has_no_root_and_no_syntax_error(text: str) -> None:
    for language in ("json", "yaml"):
        document = parse_document(text, language)  # type: ignore[arg-type]
        assert document.root is None and document.problems == []


@pytest.mark.parametrize(("text", "language"), [(text, language) for text in BROKEN for language in ("json", "yaml")])
def test_what_v1_could_not_parse_is_an_error_inside_the_text(text: str, language: str) -> None:
    with pytest.raises((ValueError, yaml.YAMLError)):
        V1_LOADERS[language](text)
    problems = parse_document(text, language).problems  # type: ignore[arg-type]
    errors = [p for p in problems if p.severity == Severity.ERROR]
    assert errors, f"{language} {text!r} parsed without an error"
    assert all(0 <= p.start <= p.end <= len(text) for p in problems), [(p.code, p.start, p.end) for p in problems]

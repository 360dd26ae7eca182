"""YAML documents longer than tree-sitter-yaml's 32 767 lines are read whole: parsed in pieces, joined at the
mapping each piece continues, with the offsets of the whole text (non-ASCII before the cut included)."""

from __future__ import annotations

from pathlib import Path

from amldeploy.language.parse import pieces
from amldeploy.language.parse.documents import parse_document
from amldeploy.language.validate import Kind, validate_config

KEYS = 50_000


def tags(n: int) -> str:
    return "computeType: ACI\ndescription: 'réseau: prod'\ntags:\n" + "".join(
        f"  team{i}: owner-{i}\n" for i in range(n)
    )


def test_a_long_nested_mapping_keeps_every_key_at_its_place() -> None:
    text = tags(KEYS) + "port: eighty\n"
    document = parse_document(text, "yaml")
    assert [p.code for p in document.problems] == []
    assert document.root is not None
    node = document.root.get("tags")
    assert node is not None and len(node.members) == KEYS
    last = node.members[-1]
    assert text[last.key_start : last.key_end] == f"team{KEYS - 1}"
    assert last.value is not None and text[last.value.start : last.value.end] == f"owner-{KEYS - 1}"
    port = document.root.member("port")
    assert port is not None and port.value is not None and port.value.value == "eighty"


def test_problems_after_the_cut_are_reported_where_they_are(tmp_path: Path) -> None:
    text = tags(KEYS) + "location: 7\n"
    problems = validate_config(text, tmp_path / "deploymentconfig.yml", Kind.DEPLOYMENT).problems
    [wrong] = [p for p in problems if p.code == "DC002"]
    assert text[wrong.start : wrong.end] == "7" and wrong.start == text.rindex("7")


def test_an_anchor_before_the_cut_serves_an_alias_after_it() -> None:
    text = "base: &base {cpu_cores: 1}\n" + "".join(f"k{i}: {i}\n" for i in range(40_000)) + "copy: *base\n"
    document = parse_document(text, "yaml")
    assert document.problems == []
    assert document.root is not None and document.root.to_python()["copy"] == {"cpu_cores": 1}


def test_pieces_start_at_key_lines_within_the_parser_limit() -> None:
    text = tags(100_000)
    starts = pieces.piece_starts(text)
    assert len(starts) >= 3
    lines = [text.count("\n", a, b) for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert max(lines) < 32_767
    assert all(text[s:].startswith("  team") for s in starts[1:])
    assert pieces.piece_starts("a: 1\n" * 100) == [0]


def test_long_comment_runs_are_skipped_with_offsets_kept(tmp_path: Path) -> None:
    run = "".join(f"# note {i}: é\n" for i in range(pieces.COMMENT_RUN))
    text = "computeType: local\n" + run + "description: 'réseau'\n" + run + "port: eighty\ntags:\n" + run + "  a: 1\n"
    assert pieces.squeeze_comments(text)[0].count("\n") == 5
    problems = validate_config(text, tmp_path / "deploymentconfig.yml", Kind.DEPLOYMENT).problems
    [port] = [p for p in problems if p.code == "DC002"]
    assert text[port.start : port.end] == "eighty"
    root = parse_document(text, "yaml").root
    assert root is not None and root.to_python()["tags"] == {"a": 1}
    tags = root.get("tags")
    assert tags is not None and text[tags.members[0].key_start :].startswith("a: 1")
    # Fewer comment lines than a run, or indented ones, are parsed as they are.
    assert pieces.squeeze_comments("a: 1\n" + "  # x\n" * 500)[1] == ([], [])

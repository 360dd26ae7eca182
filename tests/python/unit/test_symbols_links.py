"""Document symbols (the outline), document links (paths that open their file or folder), and a fuzz test:
no editor feature (hover, symbols, links, quick fixes) raises on any document, offset or range."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amldeploy.language.actions.core import Action, quick_fixes
from amldeploy.language.files import DiskFiles
from amldeploy.language.hover.core import hover_config, hover_script
from amldeploy.language.links import document_links
from amldeploy.language.symbols import Symbol, document_symbols
from amldeploy.language.validate import Kind, validate_config, validate_script
from tests.python.markers import marked, show

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
Outline = tuple[str, str, str, str, list[Any]]


def outline(text: str, symbol: Symbol) -> Outline:
    """(name, detail, kind, text of the range, children): readable, and checks the selection lies inside."""
    assert symbol.start <= symbol.selection_start <= symbol.selection_end <= symbol.end
    for child in symbol.children:
        assert symbol.start <= child.start <= child.end <= symbol.end
    return (
        symbol.name,
        symbol.detail,
        symbol.kind,
        text[symbol.start : symbol.end],
        [outline(text, c) for c in symbol.children],
    )


def test_outline_of_the_aks_example() -> None:
    path = EXAMPLES / "sklearn" / "deploymentconfig.aks.yml"
    text = path.read_text(encoding="utf-8")
    [root] = document_symbols(text, Kind.DEPLOYMENT, path)
    assert (root.selection_start, root.selection_end) == (0, 1)
    assert outline(text, root) == (
        "deploymentconfig.aks.yml",
        "AKS",
        "object",
        text.rstrip("\n"),
        [
            ("computeType", "AKS", "string", "computeType: AKS", []),
            ("namespace", "ml-services", "string", "namespace: ml-services", []),
            (
                "autoScaler",
                "{5 keys}",
                "object",
                text[text.index("autoScaler") : text.index("authEnabled") - 1],
                [
                    ("autoscaleEnabled", "true", "boolean", "autoscaleEnabled: true", []),
                    ("minReplicas", "1", "number", "minReplicas: 1", []),
                    ("maxReplicas", "3", "number", "maxReplicas: 3", []),
                    ("refreshPeriodInSeconds", "10", "number", "refreshPeriodInSeconds: 10", []),
                    ("targetUtilization", "70", "number", "targetUtilization: 70", []),
                ],
            ),
            ("authEnabled", "true", "boolean", "authEnabled: true", []),
            (
                "containerResourceRequirements",
                "{4 keys}",
                "object",
                "containerResourceRequirements:\n  cpu: 0.5\n  cpuLimit: 1\n  memoryInGB: 1.0\n  memoryInGBLimit: 2.0",
                [
                    ("cpu", "0.5", "number", "cpu: 0.5", []),
                    ("cpuLimit", "1", "number", "cpuLimit: 1", []),
                    ("memoryInGB", "1.0", "number", "memoryInGB: 1.0", []),
                    ("memoryInGBLimit", "2.0", "number", "memoryInGBLimit: 2.0", []),
                ],
            ),
            ("scoringTimeoutMs", "60000", "number", "scoringTimeoutMs: 60000", []),
            ("maxConcurrentRequestsPerContainer", "1", "number", "maxConcurrentRequestsPerContainer: 1", []),
            ("maxQueueWaitMs", "500", "number", "maxQueueWaitMs: 500", []),
            (
                "livenessProbeRequirements",
                "{2 keys}",
                "object",
                "livenessProbeRequirements:\n  initialDelaySeconds: 10\n  periodSeconds: 10",
                [
                    ("initialDelaySeconds", "10", "number", "initialDelaySeconds: 10", []),
                    ("periodSeconds", "10", "number", "periodSeconds: 10", []),
                ],
            ),
        ],
    )
    member = root.children[0]
    assert text[member.selection_start : member.selection_end] == "computeType"


def test_outline_of_json_with_arrays_duplicates_and_a_key_being_typed() -> None:
    text = '{"entryScript": "score.py", "a": [1, {"b": null}], "a": [], "c": {}, "typing"}'
    [root] = document_symbols(text, Kind.INFERENCE, Path("inferenceconfig.json"))
    assert outline(text, root) == (
        "inferenceconfig.json",
        "score.py",
        "object",
        text,
        [
            ("entryScript", "score.py", "string", '"entryScript": "score.py"', []),
            (
                "a",
                "[2 items]",
                "array",
                '"a": [1, {"b": null}]',
                [
                    ("[0]", "1", "number", "1", []),
                    ("[1]", "{1 key}", "object", '{"b": null}', [("b", "null", "null", '"b": null', [])]),
                ],
            ),
            ("a", "[]", "array", '"a": []', []),
            ("c", "{}", "object", '"c": {}', []),
            ("typing", "", "key", '"typing"', []),
        ],
    )


@pytest.mark.parametrize(
    ("text", "kind", "detail"),
    [
        ('{"port": 1}', Kind.DEPLOYMENT, "no computeType"),
        ('{"computeType": "aci"}', Kind.DEPLOYMENT, "aci"),
        ("entryScript: src/score.py\n", Kind.INFERENCE, "src/score.py"),
    ],
)
def test_root_detail(text: str, kind: Kind, detail: str) -> None:
    assert document_symbols(text, kind, Path("c.json"))[0].detail == detail


def test_long_values_are_shortened() -> None:
    text = '{"computeType": "local", "x": "' + "a " * 40 + '"}'
    detail = document_symbols(text, Kind.DEPLOYMENT, Path("c.json"))[0].children[1].detail
    assert len(detail) == 40 and detail.endswith("…")


@pytest.mark.parametrize("text", ["", "[1, 2]", "- a\n- b\n", "42", "null", '"text"', "not: [valid", "{"])
def test_no_outline_without_an_object(text: str) -> None:
    assert document_symbols(text, Kind.DEPLOYMENT, Path("c.yml")) == []


def test_an_object_cut_short_mid_edit_keeps_its_outline() -> None:
    [root] = document_symbols('{"computeType": "local", "port": ', Kind.DEPLOYMENT, Path("c.json"))
    assert root.kind == "object" and [child.name for child in root.children] == ["computeType", "port"]


# -- links ------------------------------------------------------------------------------------------------
def write(folder: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize(
    "source",
    [
        '{"sourceDirectory": "«src»", "entryScript": "«score.py»", "condaFile": "«env.yml»", '
        '"extraDockerfileSteps": "missing.txt"}',
        "sourceDirectory: «src»\nentryScript: '«score.py»'\ncondaFile: \"«env.yml»\"\nextraDockerfileSteps: gone\n",
    ],
)
def test_inference_links(tmp_path: Path, source: str) -> None:
    write(tmp_path, {"src/score.py": "", "src/env.yml": "dependencies: []\n"})
    text, spans = marked(source)
    links = document_links(text, Kind.INFERENCE, tmp_path / "inferenceconfig.json", DiskFiles())
    assert [(link.start, link.end) for link in links] == spans, [show(text, x.start, x.end) for x in links]
    src = (tmp_path / "src").resolve()
    assert [link.target for link in links] == [src, src / "score.py", src / "env.yml"]
    assert "folder" in links[0].tooltip and "score.py" in links[1].tooltip


def test_entry_script_without_source_directory(tmp_path: Path) -> None:
    write(tmp_path, {"app/score.py": ""})
    text, spans = marked('{"entryScript": "«app/score.py»"}')
    [link] = document_links(text, Kind.INFERENCE, tmp_path / "inferenceconfig.json", DiskFiles())
    assert (link.start, link.end) == spans[0]
    assert link.target == (tmp_path / "app" / "score.py").resolve()


def test_deployment_certificate_links(tmp_path: Path) -> None:
    write(tmp_path, {"tls/cert.pem": "x", "tls/key.pem": "y"})
    text, spans = marked(
        "computeType: ACI\nsslEnabled: true\nsslCertificate: «tls/cert.pem»\nsslKey: «tls/key.pem»\ncname: tls\n"
    )
    links = document_links(text, Kind.DEPLOYMENT, tmp_path / "deploymentconfig.yml", DiskFiles())
    assert [(link.start, link.end) for link in links] == spans
    assert links[1].target == (tmp_path / "tls" / "key.pem").resolve()


def test_no_links_for_paths_of_other_compute_types_or_other_kinds(tmp_path: Path) -> None:
    write(tmp_path, {"cert.pem": "x", "score.py": ""})
    text = '{"computeType": "AKS", "sslCertificate": "cert.pem", "namespace": "score.py"}'
    assert document_links(text, Kind.DEPLOYMENT, tmp_path / "d.json", DiskFiles()) == []
    assert document_links('{"entryScript": "score.py"}', Kind.ENTRY_SCRIPT, tmp_path / "i.json", DiskFiles()) == []


# -- no editor feature ever raises ------------------------------------------------------------------------
SEEDS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*/*config*.*"))]
SCRIPTS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*/score.py"))]
ALPHABET = st.sampled_from([*"{}[]:,\"' \n\t-#&*!|>0123456789.truefalsnl", "🙂", "é", "\\", "\r", "\x00"])


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> str:
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(text)))
        end = min(len(text), at + draw(st.integers(0, 8)))
        text = text[:at] + draw(st.text(ALPHABET, max_size=6)) + text[end:]
    return text


def in_bounds(text: str, start: int, end: int) -> None:
    assert 0 <= start <= end <= len(text)


def check_symbols(text: str, symbols: list[Symbol]) -> None:
    for s in symbols:
        in_bounds(text, s.start, s.end)
        assert s.start <= s.selection_start <= s.selection_end <= s.end
        check_symbols(text, s.children)


def check_actions(text: str, actions: list[Action]) -> None:
    for action in actions:
        for edit in action.edits:
            in_bounds(text, edit.start, edit.end)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated(SEEDS) | st.text(ALPHABET, max_size=60), st.integers(0, 4000), st.integers(0, 4000))
def test_config_features_never_raise(tmp_path: Path, text: str, a: int, b: int) -> None:
    start, end = sorted((a % (len(text) + 1), b % (len(text) + 1)))
    for kind, name in ((Kind.INFERENCE, "inferenceconfig.json"), (Kind.DEPLOYMENT, "deploymentconfig.yml")):
        path = tmp_path / name
        result = hover_config(text, kind, start, path, DiskFiles())
        if result is not None:
            in_bounds(text, result.start, result.end)
        check_symbols(text, document_symbols(text, kind, path))
        for link in document_links(text, kind, path, DiskFiles()):
            in_bounds(text, link.start, link.end)
        problems = validate_config(text, path, kind).problems
        check_actions(text, quick_fixes(text, kind, problems, start, end))


@settings(max_examples=100, deadline=None)
@given(mutated(SCRIPTS) | st.text(max_size=40), st.integers(0, 4000), st.integers(0, 4000))
def test_script_features_never_raise(text: str, a: int, b: int) -> None:
    start, end = sorted((a % (len(text) + 1), b % (len(text) + 1)))
    result = hover_script(text, start)
    if result is not None:
        in_bounds(text, result.start, result.end)
    check_actions(text, quick_fixes(text, "entry-script", validate_script(text), start, end))

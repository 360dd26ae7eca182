"""The language core never raises on any document: random text and mutations of real configs."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amldeploy.language.parse.documents import parse_document
from amldeploy.language.text import TextIndex
from amldeploy.language.validate import Kind, validate_config

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SEEDS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*/*config*.*"))]
ALPHABET = st.sampled_from([*"{}[]:,\"' \n\t-#&*!|>0123456789.truefalsnl", "🙂", "é", "\\", "\r", "\x00"])


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.text(ALPHABET, max_size=6))
        end = min(len(text), at + draw(st.integers(0, 8)))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[end:]
        else:
            text = text[:at] + piece + text[end:]
    return text


def _exercise(text: str, tmp: Path) -> None:
    index = TextIndex(text)
    for kind, name in ((Kind.INFERENCE, "inferenceconfig.json"), (Kind.DEPLOYMENT, "deploymentconfig.yml")):
        result = validate_config(text, tmp / name, kind)
        for problem in result.problems:
            assert 0 <= problem.start <= problem.end <= len(text)
            index.range(problem.start, problem.end)
    for language in ("json", "yaml"):
        doc = parse_document(text, language)  # type: ignore[arg-type]
        if doc.root is not None:
            for node in doc.root.walk():
                assert 0 <= node.start <= node.end <= len(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated())
def test_mutated_configs_never_raise(tmp_path: Path, text: str) -> None:
    _exercise(text, tmp_path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(ALPHABET, max_size=80) | st.text(max_size=40))
def test_random_text_never_raises(tmp_path: Path, text: str) -> None:
    _exercise(text, tmp_path)

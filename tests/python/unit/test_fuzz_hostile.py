"""Documents built to hurt, in the language core and through the CLI: a clear problem, never a crash or a hang.

Each class of issue 16 has a generator (``tests/python/hostile.py``): deep nesting of every JSON/YAML form,
alias bombs, merge-key chains, huge numbers, invalid Unicode, long or escaping paths, huge key counts. Beyond a
limit the document gets that limit's ``JS###`` problem; well inside it, it does not.
"""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from amldeploy.language.parse import limits
from amldeploy.language.problems import Problem, Severity
from amldeploy.language.text import TextIndex
from amldeploy.language.validate import Kind, classify, validate_config
from tests.python.hostile import (
    Hostile,
    aliases,
    any_hostile,
    deep,
    deep_doc,
    key_counts,
    long_runs,
    merges,
    number_doc,
    numbers,
    path_doc,
    paths,
    unicode_docs,
)

SCORE = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
# Far above anything a finished validation needs: it turns a hang (the alias bomb's endless walk) into a failure.
HANG_SECONDS = 30


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"validation did not finish in {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(doc: Hostile, folder: Path) -> list[Problem]:
    (folder / "score.py").write_text(SCORE, encoding="utf-8")
    path = folder / doc.name
    kind = classify(path, doc.text) or Kind.DEPLOYMENT
    with no_hang():
        problems = validate_config(doc.text, path, kind).problems
    index = TextIndex(doc.text)
    for problem in problems:
        assert 0 <= problem.start <= problem.end <= len(doc.text), problem
        index.range(problem.start, problem.end)
        # Printed by the CLI and sent by the server as UTF-8: a lone surrogate copied from the text would not be.
        problem.message.encode("utf-8")
    found = {p.code for p in problems}
    if doc.expect:
        assert doc.expect in found, f"{doc.cls}: expected {doc.expect}, got {sorted(found)}"
    if doc.forbid:
        assert doc.forbid not in found, f"{doc.cls}: {doc.forbid} inside the limit: {problems}"
    if doc.value:
        start, end = doc.value
        errors = [p for p in problems if p.severity == Severity.ERROR and p.start < end and start < p.end]
        assert errors, f"no error at the path value {doc.text[start:end][:80]!r}: {problems}"
    return problems


@fuzz(60)
@given(deep())
@example(deep_doc("block mapping", 300))
@example(deep_doc("dash sequence", 300))
@example(deep_doc("JSON [", 100_000))
@example(deep_doc("JSON {", 600))
def test_deep_nesting_of_every_form(tmp_path: Path, doc: Hostile) -> None:
    check(doc, tmp_path)


@fuzz(30)
@given(aliases())
def test_alias_bombs_are_refused_not_expanded(tmp_path: Path, doc: Hostile) -> None:
    check(doc, tmp_path)


@fuzz(25)
@given(merges())
def test_merge_key_chains(tmp_path: Path, doc: Hostile) -> None:
    check(doc, tmp_path)


@fuzz(40)
@given(numbers())
def test_huge_numbers(tmp_path: Path, doc: Hostile) -> None:
    check(doc, tmp_path)


@fuzz(40)
@given(unicode_docs())
@example(Hostile("YAML escape beyond Unicode", 'entryScript: "\\U00110000"\n', "inferenceconfig.yml"))
@example(Hostile("YAML escaped surrogate", 'entryScript: "\\ud800"\n', "inferenceconfig.yml"))
@example(Hostile("YAML escaped NUL", 'entryScript: "sc\\0ore.py"\n', "inferenceconfig.yml"))
def test_invalid_unicode(tmp_path: Path, doc: Hostile) -> None:
    check(doc, tmp_path)


@fuzz(25)
@given(paths())
def test_long_absolute_and_escaping_paths_get_an_error(tmp_path: Path, doc: Hostile) -> None:
    check(doc, tmp_path)


@fuzz(30)
@given(long_runs())
@example(Hostile("long run", "&" * 30 + "\n", "deploymentconfig.yml"))
def test_long_runs_of_one_token(tmp_path: Path, doc: Hostile) -> None:
    check(doc, tmp_path)


@pytest.mark.parametrize("depth", [40, 1000])
def test_nested_complex_keys_via_the_cli(tmp_path: Path, depth: int) -> None:
    # Each key was built from the text of the key inside it, escaped again: MemoryError past 1 GB at 40 levels.
    doc = Hostile("nested complex keys", "? " * depth + "\n", "deploymentconfig.yml")
    cli(tmp_path, doc, memory=1 << 30)  # the limit keeps a failure a MemoryError, not the machine's OOM killer


@fuzz(4)
@given(key_counts())
def test_huge_key_counts(tmp_path: Path, doc: Hostile) -> None:
    check(doc, tmp_path)


def test_the_limits_are_generous_for_real_configs() -> None:
    # A real v1 config is under ten levels deep, holds a few dozen keys, short numbers and an anchor or two.
    assert limits.MAX_DEPTH >= 32
    assert limits.MAX_VALUES >= 10_000
    assert limits.MAX_NUMBER_CHARS >= 20
    assert limits.MAX_MERGE_CHAIN >= 4
    assert limits.MAX_ALIAS_VALUES >= 1_000


def cli(folder: Path, doc: Hostile, memory: int | None = None) -> tuple[int, list[dict[str, object]]]:
    (folder / "score.py").write_text(SCORE, encoding="utf-8")
    path = folder / doc.name
    # What cannot be UTF-8 (a lone surrogate) is written as the bytes an editor would have saved.
    path.write_bytes(doc.text.encode("utf-8", "surrogatepass"))
    done = subprocess.run(
        [sys.executable, "-m", "amldeploy", "validate", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        cwd=folder,
        preexec_fn=None if memory is None else lambda: resource.setrlimit(resource.RLIMIT_AS, (memory, memory)),
    )
    assert done.returncode in (0, 1, 2), f"exit status {done.returncode}: {done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    items = json.loads(done.stdout)
    assert isinstance(items, list)
    return done.returncode, items


@fuzz(6)
@given(doc=any_hostile(big=False), n=st.integers(0, 10**6))
@example(doc=deep_doc("block mapping", 400), n=0)
@example(doc=path_doc("a" * 300 + ".py"), n=0)
@example(doc=Hostile("lone surrogate", '{"entryScript": "\\ud800"}', "inferenceconfig.json"), n=0)
@example(doc=number_doc("hex", "0x" + "f" * 4000, as_json=False), n=0)
@example(doc=Hostile("YAML escape beyond Unicode", 'entryScript: "\\U00110000"\n', "inferenceconfig.yml"), n=0)
def test_the_cli_answers_every_hostile_document(tmp_path: Path, doc: Hostile, n: int) -> None:
    folder = tmp_path / f"c{n}"
    folder.mkdir(exist_ok=True)
    status, items = cli(folder, doc)
    found = {str(item["code"]) for item in items}
    if doc.expect:
        assert doc.expect in found and status == 1, (status, sorted(found))


@fuzz(12)
@given(doc=unicode_docs() | paths(), n=st.integers(0, 10**6))
def test_the_cli_on_invalid_unicode_and_unusable_paths(tmp_path: Path, doc: Hostile, n: int) -> None:
    folder = tmp_path / f"u{n}"
    folder.mkdir(exist_ok=True)
    _, items = cli(folder, doc)
    if doc.value:
        start, end = doc.value  # a one-line ASCII document: offsets are columns
        ranges = [item["range"] for item in items if item["severity"] == "error"]
        assert any(r["start"]["character"] < end and start < r["end"]["character"] for r in ranges), items  # type: ignore[index]

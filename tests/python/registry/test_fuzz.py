"""What reads user input for the registry and ``amldeploy ml``, fuzzed: any argument list is parsed or refused
as a usage error (never a traceback), any model reference resolves or is an ``OpsError``, and any bytes in a
store entry are read or reported as a damaged entry."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amldeploy.commands.ml import build_parser, normalise
from amldeploy.ops.errors import OpsError
from amldeploy.ops.registry import CorruptEntry, ModelRegistry

WORDS = st.sampled_from(
    [
        "model", "service", "deploy", "register", "list", "show", "delete", "update", "run", "get-logs",
        "regen-key", "-n", "-m", "-ic", "-dc", "-ct", "--ic", "--dc", "--tag", "-k", "Primary", "-l", "5000",
        "--cc", "0.5", "-o", "table", "--query", "[0]", "-w", "-g", "--no-wait", "--model-framework", "Onnx",
        "-d", "@x", "--asset-path", "m:1", "=", "--", "-",
    ]
)  # fmt: skip
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.lists(st.one_of(WORDS, TEXT), max_size=12))
def test_any_argument_list_parses_or_is_a_usage_error(argv: list[str]) -> None:
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            build_parser().parse_args(normalise(list(argv)))
        except SystemExit as exc:
            assert exc.code in (0, 2)


@SETTINGS
@given(st.one_of(TEXT, st.from_regex(r"[a-z_]{1,5}(:[0-9]{1,12})?", fullmatch=True)))
def test_any_reference_resolves_or_says_why(tmp_path: Path, reference: str) -> None:
    registry = ModelRegistry(tmp_path / "store")
    if not registry.names():
        asset = tmp_path / "m.bin"
        asset.write_bytes(b"x")
        registry.register("m", asset)
    try:
        model = registry.resolve(reference)
    except OpsError as exc:
        assert exc.message and exc.hint
    else:
        assert model.name == "m"


@SETTINGS
@given(
    st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT),
            lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=4)),
            max_leaves=12,
        ).map(lambda value: json.dumps(value).encode()),
    )
)
def test_any_entry_bytes_are_read_or_reported(tmp_path: Path, content: bytes) -> None:
    registry = ModelRegistry(tmp_path / "fuzz-store")
    entry = registry.root / "models" / "m" / "1.json"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(content)
    try:
        registry.get("m", 1)
    except CorruptEntry as exc:
        assert "m:1 is damaged" in exc.message
    registry.list()  # never raises: a damaged entry becomes a problem
    assert len(registry.problems) <= 1


@pytest.mark.parametrize(
    "meta",
    [
        {"name": "m", "version": 1, "digest": "../../etc", "assetName": "x"},
        {"name": "m", "version": 1, "digest": "a" * 64, "assetName": "../../x"},
        {"name": "m", "version": 1, "digest": "a" * 64, "assetName": ".."},
        {"name": "other", "version": 1, "digest": "a" * 64, "assetName": "x"},
    ],
)
def test_entries_cannot_point_outside_the_store(tmp_path: Path, meta: dict[str, object]) -> None:
    registry = ModelRegistry(tmp_path / "store")
    entry = registry.root / "models" / "m" / "1.json"
    entry.parent.mkdir(parents=True)
    entry.write_text(json.dumps(meta))
    with pytest.raises(CorruptEntry):
        registry.get("m", 1)


@pytest.mark.parametrize("name", ["../outside", "..", "a/b", ""])
def test_no_name_leads_out_of_the_store(tmp_path: Path, name: str) -> None:
    registry = ModelRegistry(tmp_path / "store")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "1.json").write_text("{}")
    for attempt in (
        lambda: registry.get(name),
        lambda: registry.get(name, 1),
        lambda: registry.delete(name, 1, force=True),
        lambda: registry.update(name, 1, add_tags=["a=b"]),
    ):
        with pytest.raises(OpsError, match=r"invalid|no model named"):
            attempt()
    assert (tmp_path / "outside" / "1.json").read_text() == "{}"
    assert not (tmp_path / "outside" / "1.deleted").exists()

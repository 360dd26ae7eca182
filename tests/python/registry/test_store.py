"""The local model registry (ops/registry.py) on a real folder: versions, tags, content addressing, concurrent
registers, damaged entries, downloads and deletes."""

from __future__ import annotations

import json
import os
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from amldeploy.ops.errors import OpsError
from amldeploy.ops.model_specs import parse_model_specs
from amldeploy.ops.registry import REGISTRY_ENV, CorruptEntry, ModelRegistry


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(tmp_path / "store")


@pytest.fixture
def asset(tmp_path: Path) -> Path:
    path = tmp_path / "outputs" / "sklearn_mnist_model.pkl"
    path.parent.mkdir()
    path.write_bytes(b"model bytes \x00\x01")
    return path


def test_versions_tags_and_shared_storage(registry: ModelRegistry, asset: Path) -> None:
    first = registry.register("sklearn_mnist", asset, tags=["area=mnist"], description="first")
    second = registry.register("sklearn_mnist", asset, tags={"area": "mnist", "stage": "prod"})
    assert (first.version, second.version) == (1, 2)
    assert first.id == "sklearn_mnist:1" and first.asset_name == "sklearn_mnist_model.pkl"
    # The same bytes twice: two versions, one stored copy.
    assert first.digest == second.digest and first.path == second.path
    assert len(list((registry.root / "objects").iterdir())) == 1
    assert first.path.read_bytes() == asset.read_bytes()
    assert not first.path.stat().st_mode & stat.S_IWUSR  # deployments link to it: nobody writes through them
    # Changed bytes: a new object.
    asset.write_bytes(b"retrained")
    third = registry.register("sklearn_mnist", asset)
    assert third.version == 3 and third.digest != first.digest
    assert [m.version for m in registry.list()] == [3, 2, 1]
    assert [m.version for m in registry.list(tags=["area=mnist"])] == [2, 1]
    assert [m.version for m in registry.list(tags=["stage"])] == [2]
    assert [m.version for m in registry.list(latest_only=True)] == [3]
    assert registry.get("sklearn_mnist").version == 3
    assert registry.resolve("sklearn_mnist:1").description == "first"


def test_folder_framework_and_resources(registry: ModelRegistry, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    (folder / "variables").mkdir(parents=True)
    (folder / "saved_model.pb").write_bytes(b"pb")
    (folder / "variables" / "variables.index").write_bytes(b"ix")
    model = registry.register(
        "tf-model", folder, framework="tensorflow", framework_version="2.16", resources={"cpu": 1, "memoryInGB": 2}
    )
    assert model.framework == "TensorFlow" and model.framework_version == "2.16"
    assert model.resources == {"cpu": 1.0, "memoryInGB": 2.0}
    assert (model.path / "variables" / "variables.index").read_bytes() == b"ix"
    data = registry.get("tf-model", 1).to_json()
    assert data["framework"] == "TensorFlow" and data["resourceConfiguration"] == {"cpu": 1.0, "memoryInGB": 2.0}
    with pytest.raises(OpsError, match="framework 'keras' is not one v1 knew"):
        registry.register("x", folder, framework="keras")


def test_missing_names_and_versions(registry: ModelRegistry, asset: Path) -> None:
    with pytest.raises(OpsError, match="there is no model named 'nope'"):
        registry.resolve("nope")
    registry.register("m", asset)
    with pytest.raises(OpsError, match=r"model m has no version 7 \(it has 1\)") as caught:
        registry.resolve("m:7")
    assert caught.value.hint == "use -m m:1 (or -m m for the latest)"
    with pytest.raises(OpsError, match="is not a whole number"):
        registry.resolve("m:0")
    with pytest.raises(OpsError, match="invalid"):
        registry.register("-bad name", asset)
    with pytest.raises(OpsError, match="doesn't exist"):
        registry.register("m", asset.parent / "missing.pkl")


def _register_many(root: str, asset: str, count: int) -> list[int]:
    registry = ModelRegistry(Path(root))
    return [registry.register("shared", Path(asset), tags={"pid": str(os.getpid())}).version for _ in range(count)]


def test_concurrent_registers_of_one_name(registry: ModelRegistry, asset: Path) -> None:
    with ProcessPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_register_many, [str(registry.root)] * 4, [str(asset)] * 4, [6] * 4))
    versions = sorted(v for batch in results for v in batch)
    assert versions == list(range(1, 25))  # none lost, none given twice
    assert sorted(m.version for m in registry.list("shared")) == versions
    assert len(list((registry.root / "objects").iterdir())) == 1
    assert not list((registry.root / "tmp").iterdir())


def test_damaged_entries_are_named(registry: ModelRegistry, asset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REGISTRY_ENV, str(registry.root))
    registry.register("m", asset)
    registry.register("m", asset)
    entry = registry.root / "models" / "m" / "1.json"
    entry.write_text("{not json")
    with pytest.raises(CorruptEntry) as caught:
        registry.get("m", 1)
    assert "m:1 is damaged" in caught.value.message and str(entry) in caught.value.message
    assert "--force" in (caught.value.hint or "")
    # list keeps the readable versions and says which one it skipped.
    assert [m.version for m in registry.list()] == [2]
    assert len(registry.problems) == 1 and "m:1 is damaged" in registry.problems[0]
    # Stored bytes changed behind the registry's back: found before a deploy or download uses them.
    model = registry.get("m", 2)
    model.path.chmod(0o644)
    model.path.write_bytes(b"tampered")
    with pytest.raises(CorruptEntry, match="stored files changed since it was registered"):
        parse_model_specs(["m:2"], asset.parent)
    with pytest.raises(CorruptEntry):
        registry.download("m", 2, asset.parent / "out")
    # A damaged version can be removed by force, and its number is not given again.
    registry.delete("m", 1, force=True)
    assert registry.register("m", asset).version == 3


def test_download_delete_and_uses(registry: ModelRegistry, asset: Path, tmp_path: Path) -> None:
    one = registry.register("m", asset)
    registry.register("m", asset)
    copy = registry.download("m", 1, tmp_path / "model_folder")
    assert copy == tmp_path / "model_folder" / "sklearn_mnist_model.pkl" and copy.read_bytes() == asset.read_bytes()
    assert copy.stat().st_mode & stat.S_IWUSR
    with pytest.raises(OpsError, match="exists already"):
        registry.download("m", 1, tmp_path / "model_folder")
    registry.download("m", 1, tmp_path / "model_folder", overwrite=True)

    project = tmp_path / "project"
    project.mkdir()
    registry.record_use(one, "svc", project, "process")
    with pytest.raises(OpsError, match=r"model m:1 is used by svc \(process, ") as caught:
        registry.delete("m", 1)
    assert "--force" in (caught.value.hint or "")
    assert [u.service for u in registry.uses(one)] == ["svc"]
    registry.drop_use("svc", project, "process")
    assert registry.uses(one) == []
    registry.delete("m", 1)
    assert [m.version for m in registry.list()] == [2]
    assert registry.get("m", 2).path.exists()  # version 2 shares the bytes: they stay
    registry.delete("m", 2)
    assert not list((registry.root / "objects").iterdir())
    assert registry.register("m", asset).version == 3


def test_uses_of_a_vanished_folder_do_not_block(registry: ModelRegistry, asset: Path, tmp_path: Path) -> None:
    model = registry.register("m", asset)
    gone = tmp_path / "gone"
    gone.mkdir()
    registry.record_use(model, "svc", gone, "docker")
    gone.rmdir()
    registry.delete("m", 1)


def test_update_tags_and_properties(registry: ModelRegistry, asset: Path) -> None:
    registry.register("m", asset, tags=["a=1", "b=2"], properties=["source=run-1"])
    updated = registry.update("m", 1, add_tags=["c=3"], remove_tags=["a"], add_properties=["owner=me"])
    assert updated.tags == {"b": "2", "c": "3"}
    assert updated.properties == {"source": "run-1", "owner": "me"}
    with pytest.raises(OpsError, match="already has property source=run-1"):
        registry.update("m", 1, add_properties=["source=run-2"])
    with pytest.raises(OpsError, match="is not KEY=VALUE"):
        registry.register("m", asset, tags=["novalue"])


def test_model_references_in_commands(
    registry: ModelRegistry, asset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(REGISTRY_ENV, str(registry.root))
    registry.register("sklearn_mnist", asset, framework="ScikitLearn", framework_version="1.5")
    registry.register("sklearn_mnist", asset)
    latest, first = parse_model_specs(["sklearn_mnist", "sklearn_mnist:1"], tmp_path)
    assert (latest.name, latest.version, latest.framework) == ("sklearn_mnist", 2, None)
    assert (first.version, first.framework, first.framework_version) == (1, "ScikitLearn", "1.5")
    assert first.path.name == "sklearn_mnist_model.pkl"
    with pytest.raises(OpsError, match="model sklearn_mnist has no version 9"):
        parse_model_specs(["sklearn_mnist:9"], tmp_path)
    # A path still wins over a name, as before.
    (tmp_path / "sklearn_mnist").write_bytes(b"local")
    (local,) = parse_model_specs(["sklearn_mnist"], tmp_path)
    assert local.path == tmp_path / "sklearn_mnist" and local.version == 1
    with pytest.raises(OpsError, match=r"model path 'other\.pkl' doesn't exist") as caught:
        parse_model_specs(["other.pkl"], tmp_path)
    assert "registered model as NAME[:VERSION]" in (caught.value.hint or "")


def test_default_location_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REGISTRY_ENV, raising=False)
    monkeypatch.delenv("AMLDEPLOY_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert ModelRegistry().root == tmp_path / "data" / "amldeploy" / "models"
    monkeypatch.setenv(REGISTRY_ENV, str(tmp_path / "team"))
    assert ModelRegistry().root == tmp_path / "team"
    assert json.dumps(ModelRegistry().list()) == "[]"


def test_serve_takes_registered_models(registry: ModelRegistry, asset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from amldeploy.commands.serve import _Refused, _registered_models

    monkeypatch.setenv(REGISTRY_ENV, str(registry.root))
    monkeypatch.chdir(asset.parent)
    model = registry.register("sklearn_mnist", asset)
    assert _registered_models(["sklearn_mnist:1", asset.name]) == [f"{model.path}:sklearn_mnist:1", asset.name]
    with pytest.raises(_Refused, match="model sklearn_mnist has no version 2"):
        _registered_models(["sklearn_mnist:2"])

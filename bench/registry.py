"""Model registry benchmark: what ``register``, resolving ``-m NAME:VERSION`` for a deploy (which hashes the stored
bytes again) and ``download`` cost, against what the same work costs done by hand, side by side in one run.

    .venv/bin/python bench/registry.py [--mb 256] [--files 200] [--runs 3]

Workloads, each in a fresh temporary store on the same file system:

* one file of ``--mb`` MiB (random bytes: nothing compresses or dedupes below us);
* a folder of ``--files`` files holding the same number of bytes (a SavedModel-like tree).

For each, the baselines are ``shutil.copy2``/``copytree`` (a plain copy) and a copy followed by one sha256 pass
over the copy (what content addressing at least needs), and the figures are the medians of ``--runs`` runs:

* register: copy into the store, hash the copy, move it into place, write the entry (ratio against copy+hash);
* register again (the same bytes, a new version): hashing the copy finds the stored object, the copy is dropped;
* resolve for a deploy: ``parse_model_specs(["NAME:1"])``, which re-hashes the stored bytes (ratio against one
  sha256 pass over the file);
* download: the stored bytes checked against their digest, then copied out (ratio against copy+hash).

No target is set by the issue; the printed ratios say what the registry adds to the work it cannot avoid.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from amldeploy.ops.model_specs import parse_model_specs  # noqa: E402
from amldeploy.ops.registry import REGISTRY_ENV, ModelRegistry  # noqa: E402


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        with file.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy2(source, target)


def _remove(path: Path) -> None:
    for file in [path] if path.is_file() else path.rglob("*"):
        if file.is_file():
            file.chmod(0o644)
    shutil.rmtree(path) if path.is_dir() else path.unlink()


def _workloads(base: Path, megabytes: int, files: int) -> dict[str, Path]:
    size = megabytes << 20
    single = base / "model.bin"
    with single.open("wb") as handle:
        for _ in range(megabytes):
            handle.write(os.urandom(1 << 20))
    folder = base / "saved_model"
    (folder / "variables").mkdir(parents=True)
    per_file = size // files
    for index in range(files):
        (folder / "variables" / f"part-{index:05d}").write_bytes(os.urandom(per_file))
    return {f"one file, {megabytes} MiB": single, f"{files} files, {megabytes} MiB": folder}


def _one_run(asset: Path, work: Path, times: dict[str, list[float]]) -> None:
    times["copy"].append(_timed(lambda: _copy(asset, work / "plain")))
    times["copy+hash"].append(_timed(lambda: (_copy(asset, work / "hashed"), _sha(work / "hashed"))))
    times["hash"].append(_timed(lambda: _sha(asset)))
    registry = ModelRegistry(work / "store")
    times["register"].append(_timed(lambda: registry.register("bench", asset)))
    times["again"].append(_timed(lambda: registry.register("bench", asset)))
    os.environ[REGISTRY_ENV] = str(registry.root)
    times["resolve"].append(_timed(lambda: parse_model_specs(["bench:1"], work)))
    times["download"].append(_timed(lambda: registry.download("bench", 1, work / "downloaded")))


def measure(asset: Path, scratch: Path, runs: int) -> dict[str, list[float]]:
    keys = ("copy", "copy+hash", "hash", "register", "again", "resolve", "download")
    times: dict[str, list[float]] = {k: [] for k in keys}
    for run in range(runs):
        work = scratch / f"run-{run}"
        work.mkdir()
        _one_run(asset, work, times)
        for child in list(work.iterdir()):
            _remove(child)
        work.rmdir()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=256, help="bytes per workload, in MiB (default 256)")
    parser.add_argument("--files", type=int, default=200, help="files in the folder workload (default 200)")
    parser.add_argument("--runs", type=int, default=3, help="runs per workload; medians are printed (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="amldeploy-bench-registry-", dir=os.environ.get("TMPDIR")) as tmp:
        base = Path(tmp)
        inputs = base / "inputs"
        inputs.mkdir()
        for label, asset in _workloads(inputs, args.mb, args.files).items():
            scratch = base / "scratch"
            scratch.mkdir()
            times = {k: statistics.median(v) for k, v in measure(asset, scratch, args.runs).items()}
            shutil.rmtree(scratch)
            rate = args.mb / times["register"]
            print(f"{label}: register {times['register']:.3f} s ({rate:.0f} MiB/s)")
            print(f"  register / (copy + sha256)   {times['register'] / times['copy+hash']:.2f}×")
            print(f"  same bytes again / register  {times['again'] / times['register']:.2f}×  (stored once)")
            print(f"  resolve for deploy / sha256  {times['resolve'] / times['hash']:.2f}×  ({times['resolve']:.3f} s)")
            print(
                f"  download / (copy + sha256)   {times['download'] / times['copy+hash']:.2f}×  (checked, then copied)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

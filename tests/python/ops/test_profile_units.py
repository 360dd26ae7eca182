"""The parts of ``amldeploy profile`` that need no service: figures from readings, the recommendation, the edit
of a deployment config, percentiles, and the usage of a real process tree read from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import yaml

from amldeploy.ops.errors import OpsError
from amldeploy.ops.profile.apply import apply_recommendation, compute_type_of, single_edit
from amldeploy.ops.profile.load import percentile
from amldeploy.ops.profile.sizing import GB, Figures, figures, recommend
from amldeploy.ops.usage import Usage, process_tree, process_tree_usage


def _readings(cores: list[float], memory_mb: list[int], step: float = 0.5) -> list[tuple[float, Usage]]:
    out, cpu = [], 0.0
    for i, (c, m) in enumerate(zip(cores, memory_mb, strict=True)):
        cpu += c * step
        out.append((i * step, Usage(cpu, m * 1_000_000)))
    return out


def test_figures_split_rest_warm_up_and_steady_load() -> None:
    # 2 s at rest (0.01 cores, 100 MB), then 4 s of load: a warm-up spike, then a steady 0.5 cores; memory grows.
    cores = [0, 0.01, 0.01, 0.01, 0.01, 1.5, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    memory = [100, 100, 100, 100, 100, 150, 180, 190, 200, 200, 200, 210, 200]
    measured = figures(_readings(cores, memory), load_start=2.0, load_end=6.0)
    assert measured.idle_cpu == pytest.approx(0.01)
    assert measured.steady_cpu == pytest.approx(0.5)  # the spike is in the first half: not steady
    assert measured.peak_cpu == pytest.approx(1.5)
    assert (measured.idle_memory, measured.peak_memory) == (100_000_000, 210_000_000)
    assert measured.steady_memory == 200_000_000
    with pytest.raises(ValueError, match="too few readings"):
        figures(_readings([0, 0.1], [1, 1]), load_start=5.0, load_end=6.0)


def test_recommendation_rounds_up_with_headroom_and_adds_limits_for_aks() -> None:
    measured = Figures(0.0, 0.5, 1.5, 100_000_000, 200_000_000, 210_000_000)
    assert recommend(measured, "ACI", 0.3) == {"cpu": 0.7, "memoryInGB": 0.3}  # 0.65 → 0.7; 0.273 GB → 0.3
    assert recommend(measured, "AKS", 0.3) == {"cpu": 0.7, "memoryInGB": 0.3, "cpuLimit": 2.0, "memoryInGBLimit": 0.4}
    idle = Figures(0.0, 0.0, 0.0, 1, 1, 1)
    assert recommend(idle, "local", 0.3) == {"cpu": 0.1, "memoryInGB": 0.1}  # never below v1's smallest sizes
    big = Figures(0.0, 3.0, 3.0, 0, 0, 4 * GB)
    assert recommend(big, "ACI", 0.0) == {"cpu": 3.0, "memoryInGB": 4.0}  # exact values are not rounded up


def test_apply_changes_only_the_size_in_json_and_yaml_keeping_comments() -> None:
    values = {"cpu": 0.6, "memoryInGB": 0.3}
    text = (
        '{\n  "computeType": "ACI",\n  "containerResourceRequirements": {\n    "cpu": 2,\n    "gpuCores": 0\n  }\n}\n'
    )
    updated = apply_recommendation(text, values, "dc.json")
    assert updated == text.replace('"cpu": 2', '"cpu": 0.6').replace(
        '"gpuCores": 0', '"gpuCores": 0,\n    "memoryInGB": 0.3'
    )
    block = "# sized by hand\ncomputeType: AKS  # cluster\nautoScaler:\n  autoscaleEnabled: true\n"
    updated = apply_recommendation(block, {**values, "cpuLimit": 1.0}, "dc.yml")
    assert updated.startswith(block)
    assert yaml.safe_load(updated)["containerResourceRequirements"] == {**values, "cpuLimit": 1.0}
    assert "containerResourceRequirements:\n  cpu: 0.6\n  memoryInGB: 0.3\n  cpuLimit: 1.0\n" in updated
    assert compute_type_of(block) == "AKS" and compute_type_of("[1, 2]") is None
    with pytest.raises(OpsError, match="not a deployment config that can be edited"):
        apply_recommendation('{"computeType": "ACI",', values, "broken.json")
    with pytest.raises(OpsError, match="containerResourceRequirements is not an object"):
        apply_recommendation('{"containerResourceRequirements": 3}', values, "odd.json")


def test_single_edit_is_the_changed_middle() -> None:
    edit = single_edit("cpu: 1\nmem: 2\n", "cpu: 0.5\nmem: 2\n")
    assert (edit.start, edit.end, edit.new_text) == (5, 6, "0.5")
    assert single_edit("same", "same").new_text == ""


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.9), percentile(values, 0.99)) == (50.0, 90.0, 99.0)
    assert percentile([], 0.5) is None and percentile([7.0], 0.99) == 7.0


def test_process_tree_usage_counts_children_cpu_and_memory() -> None:
    # A parent that starts a child burning CPU: the tree's CPU time grows faster than the parent's alone.
    code = (
        "import subprocess, sys, time; c = subprocess.Popen([sys.executable, '-c', 'while True: pass']); time.sleep(30)"
    )
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 10
        while len(process_tree(parent.pid)) < 2:
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.05)
        first = process_tree_usage(parent.pid)
        time.sleep(0.5)
        second = process_tree_usage(parent.pid)
        assert second.cpu_seconds - first.cpu_seconds > 0.1  # the child's busy loop
        assert second.memory_bytes > 2 * 5_000_000  # two interpreters' resident memory
    finally:
        for pid in process_tree(parent.pid)[::-1]:
            os.kill(pid, 9)
        parent.wait()
    with pytest.raises(ProcessLookupError):
        process_tree_usage(parent.pid)

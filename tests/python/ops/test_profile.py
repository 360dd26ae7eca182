"""``amldeploy profile`` on the process target: a real service of the example model under a bounded load, its
figures, the recommendation, and ``--apply`` that changes only the size in the deployment config."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from tests.python.cli_run import Cli
from tests.python.ops.conftest import SAMPLE

CONFIG = "# the example, sized by amldeploy profile\ncomputeType: local  # here\nport: {port}\n"


def test_profile_measures_a_running_service_and_writes_only_the_size(cli: Cli, project: Path) -> None:
    from tests.python.ops.conftest import free_port

    config = project / "deploymentconfig.yml"
    config.write_text(CONFIG.format(port=free_port()), encoding="utf-8")
    before = config.read_text(encoding="utf-8")
    (project / "sample.json").write_text(SAMPLE, encoding="utf-8")
    deployed = cli("deploy", "prof-proc", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.yml",
                   "--model", "model.joblib", "--target", "process")  # fmt: skip
    assert deployed.status == 0, deployed.both

    started = time.monotonic()
    profiled = cli("profile", "prof-proc", "--sample", "sample.json", "--duration", "3", "--concurrency", "2",
                   "--apply", "deploymentconfig.yml", "--output", "json")  # fmt: skip
    took = time.monotonic() - started
    assert profiled.status == 0, profiled.both
    report = profiled.json()
    # Bounded: 3 s of load (plus the 2 s at rest and the start of the CLI), from 2 connections.
    assert 2.9 <= report["durationS"] <= 6.0 and took < 40, (report["durationS"], took)
    assert report["requests"] > 50 and report["errors"] == 0 and report["statuses"] == {"200": report["requests"]}
    latency = report["latencyMs"]
    assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"]
    assert report["throughputRps"] > 0
    cpu, memory = report["cpuCores"], report["memoryBytes"]
    assert cpu["steady"] > 0 and cpu["peak"] >= cpu["steady"]
    assert memory["idle"] > 10_000_000 and memory["peak"] >= memory["idle"]  # scikit-learn is loaded: tens of MB
    recommended = report["recommendation"]
    assert set(recommended) == {"cpu", "memoryInGB"}  # a local config: no limits
    assert recommended["cpu"] >= cpu["steady"] * 1.3 - 1e-9 and recommended["memoryInGB"] * 1e9 >= memory["peak"]

    after = config.read_text(encoding="utf-8")
    assert after.startswith(before), "the comments and every other line are kept as they were"
    assert yaml.safe_load(after) == {**yaml.safe_load(before), "containerResourceRequirements": recommended}
    assert report["applied"] == {"file": "deploymentconfig.yml", "values": recommended, "changed": True}
    valid = cli("validate", "deploymentconfig.yml")
    assert valid.status == 0, valid.both


def test_profile_refuses_a_sample_the_service_does_not_accept(cli: Cli, project: Path) -> None:
    deployed = cli("deploy", "prof-bad", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json",
                   "--model", "model.joblib", "--target", "process")  # fmt: skip
    assert deployed.status == 0, deployed.both
    (project / "bad.json").write_text('{"data": "not rows"}', encoding="utf-8")
    refused = cli("profile", "prof-bad", "--sample", "bad.json", "--duration", "2")
    assert refused.status == 1
    assert "amldeploy profile: sample 1 gets HTTP 500" in refused.err, refused.both
    assert "try it with 'amldeploy score prof-bad --file SAMPLE'" in refused.err
    missing = cli("profile", "no-such-service", "--sample", "bad.json")
    assert missing.status == 1 and "there is no service named 'no-such-service'" in missing.err
    unreadable = cli("profile", "prof-bad", "--sample", "nowhere.json")
    assert unreadable.status == 2 and "cannot read --sample nowhere.json" in unreadable.err
    bounded = cli("profile", "prof-bad", "--sample", "bad.json", "--concurrency", "1000")
    assert bounded.status == 2 and "--concurrency must be from 1 to 64" in bounded.err

"""``amldeploy profile`` on a real Docker service of the example model: the load is bounded, the figures come from
the engine's stats and are plausible, and ``--apply`` changes only the two size keys of the config."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.python.docker.fixtures_target import cli_for, services, sklearn_project, trained_model, unique

__all__ = ["services", "sklearn_project", "trained_model"]  # fixtures, used by name


def test_profile_a_docker_service_and_apply_its_size(
    docker_env: dict[str, str], docker_client: Any, sklearn_project: Path, services: list[str]
) -> None:
    cli = cli_for(docker_env, sklearn_project)
    name = unique("prof")
    services.append(name)
    config = sklearn_project / "deploymentconfig.aci.json"
    original = {"computeType": "ACI", "authEnabled": True, "location": "westeurope"}
    config.write_text(json.dumps(original, indent=4) + "\n", encoding="utf-8")
    deployed = cli("deploy", name, "--ic", "inferenceconfig.json", "--dc", config.name, "--model", "model.joblib",
                   "--target", "docker")  # fmt: skip
    assert deployed.status == 0, deployed.both
    container = docker_client.containers.get(f"amldeploy-{name}")
    idle = container.stats(stream=False)["memory_stats"]["usage"]

    started = time.monotonic()
    profiled = cli("profile", name, "--sample", "sample-request.json", "--duration", "4", "--apply", config.name,
                   "--output", "json")  # fmt: skip
    took = time.monotonic() - started
    assert profiled.status == 0, profiled.both
    report = profiled.json()
    assert report["target"] == "docker" and report["computeType"] == "ACI"
    assert 3.9 <= report["durationS"] <= 7.0 and took < 60, (report["durationS"], took)  # bounded
    assert report["errors"] == 0 and report["statuses"] == {"200": report["requests"]}  # the key was sent
    assert report["requests"] > 20
    assert report["cpuCores"]["steady"] > 0 and report["cpuCores"]["peak"] > 0
    memory = report["memoryBytes"]
    assert memory["peak"] >= memory["idle"] > 0
    assert memory["peak"] >= 0.5 * idle  # the engine's figure less its page cache, of the same container
    recommended = report["recommendation"]
    assert set(recommended) == {"cpu", "memoryInGB"}
    assert json.loads(config.read_text()) == {**original, "containerResourceRequirements": recommended}
    text = cli("profile", name, "--sample", "sample-request.json", "--duration", "1")
    assert text.status == 0, text.both
    assert f"Profiled {name} (docker target)" in text.out and "Recommended containerResourceRequirements" in text.out

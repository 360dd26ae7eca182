"""Docker target deploy benchmark: how long ``amldeploy deploy --target docker`` takes to a Healthy service.

    .venv/bin/python bench/deploy.py [--runs 3] [--cold-runs 1]

The workload is the example (examples/sklearn: score.py, inferenceconfig.json with numpy, scikit-learn and
joblib from pip; the Ridge model that examples/sklearn/train.py trains into a temporary folder), deployed with
``--model model.joblib`` and a local deployment config, against the project's test engine
(tests/infra/docker_engine.py ``ensure()``: a private dockerd, pull-free base images; started on first use).
As in the tests, the builds go FROM the test base image (Debian's python3 with the libstdc++ and libgomp that
numpy's wheels need), and pip in the build gets the machine's CA bundle (AMLDEPLOY_DOCKER_CA_BUNDLE).

Every deploy is timed from the CLI call to its return (the CLI returns once the service is Healthy); its build
part is the "Building ..." step's own time as the CLI reports it (stderr) (0 when the image existed: nothing built).

* cold: the first deploy of a project whose dependencies are in no build cache. "Cold" means exactly: the
  engine's classic builder finds no cached layer for any step of the service's Dockerfile, so every step runs,
  and pip downloads and installs every dependency (no pip cache survives between classic builds). The project
  and its requirements are unchanged; what makes it cold is the base: each cold run builds its own base image,
  the test base with a label unique to the run (``amldeploy.bench.run``), so it has an image id no earlier
  build descends from. A new tag alone would not do: the builder's cache is keyed by the parent image's id, not
  its tag. Not cold: the base image itself (built before the timer starts, from cached layers), the engine and
  the network (a caching proxy, if any, may serve the wheels faster than their origin would).
* warm: ``amldeploy delete`` (not timed) then the same deploy of the unchanged project: the image with the
  project's content tag exists, so nothing is built; what remains is starting the container and waiting for
  Healthy (the example's init() loads scikit-learn and the model).
* code-only: score.py gets a changed comment (the code is the same) and the running service is redeployed:
  the code layers are rebuilt, the dependency and model layers come from the cache, the new container replaces
  the old one once Healthy. Target: ≤ 5 s (median).
* image size: the service image's size against its base image's (``docker image inspect`` Size), and the
  difference (the dependencies, the model, the code).

Warm and code-only run ``--runs`` times (default 3) and the medians are printed, with the range; cold runs
``--cold-runs`` times (default 1: each takes 20-30 s here, mostly pip). A missed target prints a "TARGET
MISSED" line and exits with status 1; a failed deploy exits with status 2. Everything the bench made is removed
at the end, whatever happened: the services (containers and records), the image tags, and every image built on
the run's own base (found by its label), since no later build can reuse them; the test base below the label stays.
Defaults take under a minute once the test engine runs (its first start on a machine takes about a minute more);
the cold build is most of it. The cold deploy checks that it was cold: it must build, with no step from the
cache, or the bench fails. Each code-only deploy must build a new image.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.infra import docker_engine  # noqa: E402
from tests.python.cli_run import Result, train_example  # noqa: E402
from tests.python.docker.fixtures_target import (  # noqa: E402
    EXAMPLE,
    cli_for,
    remove_services,
)

CODE_ONLY_TARGET_S = 5.0
BENCH_REPO = "amldeploy-bench/python"
LABEL = "amldeploy.bench.run"  # on the run's own base, so on every image built from it
# The build step's outcome line, plain output: "Building T from B …: <id> (12.3 s)" or "  ✓ <id> (12.3 s)".
_DONE = re.compile(r"\((\d+(?:\.\d+)?) s\)\s*$")


def relabel(client: Any, base: str, folder: Path, tag: str, run: str) -> None:
    """``tag``: ``base`` with the label ``LABEL=run``, an image of its own id (no earlier build descends from it)."""
    folder.mkdir(parents=True)
    (folder / "Dockerfile").write_text(f"FROM {base}\nLABEL {LABEL}={run}\n", encoding="utf-8")
    client.images.build(path=str(folder), tag=tag, rm=True)


@dataclass
class Deploy:
    seconds: float
    build_s: float  # 0.0: the image existed
    cached: list[str]  # the build steps the engine took from its cache ("Using cache")


def build_seconds(out: str) -> float:
    """The "Building ..." step's time from the CLI's plain output; 0.0 when it built nothing."""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Building "):
            for after in lines[i:]:
                if (after.startswith(("Building ", "  ✓", "  ✗"))) and (m := _DONE.search(after)):
                    return float(m.group(1))
    return 0.0


def cached_steps(err: str) -> list[str]:
    """The build steps ("step 3/31: RUN ...") that the engine took from the cache of an earlier build, from the
    CLI's build log. A step whose cached layer this same build made already is not one: the final stage's
    ``USER root`` reuses the dependency stage's, the same instruction on the same parent."""
    cached: list[str] = []
    made: set[str] = set()
    step, hit = "", False
    for line in err.splitlines():
        text = line.strip()
        if line.startswith("  step "):
            step, hit = text, False
        elif text == "---> Using cache":
            hit = True
        elif text.startswith("---> ") and " " not in text[5:]:
            layer = text[5:]
            if hit and layer not in made:
                cached.append(step)
            made.add(layer)
            hit = False
    return cached


def remove_descendants(client: Any, label: str) -> None:
    """Every image carrying ``label`` (a label is inherited): the run's base, the service images, the dependency
    stage's and the build's intermediate images, all built on a base no later build can reuse. Newest first,
    children before parents, until a pass removes nothing."""
    while True:
        images = client.images.list(all=True, filters={"label": label})
        removed = 0
        for image in sorted(images, key=lambda im: im.attrs.get("Created", ""), reverse=True):
            with contextlib.suppress(Exception):
                client.images.remove(image.id, force=True, noprune=True)
                removed += 1
        if not images or not removed:
            return


def make_project(folder: Path, model: Path) -> Path:
    """A copy of examples/sklearn with the trained model and a local deployment config (as the tests do)."""
    folder.mkdir(parents=True)
    for name in ("score.py", "inferenceconfig.json", "environment.yml", "sample-request.json"):
        shutil.copy(EXAMPLE / name, folder / name)
    (folder / "deploymentconfig.json").write_text('{"computeType": "local"}\n', encoding="utf-8")
    shutil.copy(model, folder / "model.joblib")
    return folder


def fail(what: str, result: Result) -> None:
    print(f"FAILED: {what} (exit {result.status})\n{result.both[-4000:]}", flush=True)
    raise SystemExit(2)


def timed_deploy(cli: Callable[..., Result], name: str) -> Deploy:
    started = time.monotonic()
    result = cli("deploy", name, "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json",
                 "--model", "model.joblib", "--target", "docker")  # fmt: skip
    seconds = time.monotonic() - started
    if result.status != 0 or "is Healthy" not in result.both:
        fail(f"deploy {name}", result)
    return Deploy(seconds, build_seconds(result.err), cached_steps(result.err))


def delete(cli: Callable[..., Result], name: str) -> None:
    result = cli("delete", name)
    if result.status != 0:
        fail(f"delete {name}", result)


def image_of(cli: Callable[..., Result], name: str) -> str:
    result = cli("show", name, "--output", "json")
    if result.status != 0:
        fail(f"show {name}", result)
    return str(result.json()["image"])


def stats(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


def mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="warm and code-only deploys (default 3)")
    parser.add_argument("--cold-runs", type=int, default=1, help="cold deploys, each from its own base (default 1)")
    args = parser.parse_args()
    if args.runs < 1 or args.cold_runs < 1:
        parser.error("--runs and --cold-runs must be at least 1")

    import docker

    began = time.monotonic()
    env = docker_engine.ensure()
    client: Any = docker.DockerClient(base_url=env["DOCKER_HOST"], timeout=600)
    run_id = uuid.uuid4().hex[:8]
    name = f"bench-deploy-{run_id}"
    bases: list[str] = []  # the run's own base tags
    service_tags: set[str] = set()
    cli: Callable[..., Result] | None = None
    with tempfile.TemporaryDirectory(prefix="amldeploy-bench-deploy-") as tmp:
        tmp_path = Path(tmp)
        try:
            model = train_example(tmp_path / "model")
            project = make_project(tmp_path / "project", model)
            print(f"engine {env['DOCKER_HOST']}, test base {env['AMLDEPLOY_TEST_BASE_IMAGE']}, service {name}")
            print(f"workload: examples/sklearn (numpy, scikit-learn, joblib from pip), {args.runs} warm and "
                  f"code-only runs, {args.cold_runs} cold", flush=True)  # fmt: skip

            cold: list[Deploy] = []
            for i in range(args.cold_runs):
                base = f"{BENCH_REPO}:{run_id}-{i}"
                relabel(client, env["AMLDEPLOY_TEST_BASE_IMAGE"], tmp_path / f"base-{i}", base, f"{run_id}-{i}")
                bases.append(base)
                cli = cli_for({**env, "AMLDEPLOY_TEST_BASE_IMAGE": base}, project)
                d = timed_deploy(cli, name)
                service_tags.add(image_of(cli, name))
                print(f"  cold {i + 1}: {d.seconds:.2f} s (build {d.build_s:.2f} s, "
                      f"{len(d.cached)} steps from the cache)", flush=True)  # fmt: skip
                if d.build_s == 0.0 or d.cached:
                    print(f"FAILED: cold deploy {i + 1} was not cold: " + ("; ".join(d.cached) or "it built nothing"))
                    return 2
                cold.append(d)
                if i < args.cold_runs - 1:
                    delete(cli, name)
            assert cli is not None

            warm: list[Deploy] = []
            for i in range(args.runs):
                delete(cli, name)
                d = timed_deploy(cli, name)
                print(f"  warm {i + 1}: {d.seconds:.2f} s (build {d.build_s:.2f} s)", flush=True)
                warm.append(d)

            base_image = bases[-1]
            service_image = image_of(cli, name)
            base_size = int(client.images.get(base_image).attrs["Size"])
            service_size = int(client.images.get(service_image).attrs["Size"])

            code: list[Deploy] = []
            score = project / "score.py"
            original = score.read_text(encoding="utf-8")
            for i in range(args.runs):
                score.write_text(original + f"\n# bench edit {run_id}-{i}\n", encoding="utf-8")
                d = timed_deploy(cli, name)
                tag = image_of(cli, name)
                if tag in service_tags:
                    print(f"FAILED: code-only deploy {i + 1} did not build a new image ({tag})")
                    return 2
                service_tags.add(tag)
                print(f"  code-only {i + 1}: {d.seconds:.2f} s (build {d.build_s:.2f} s, "
                      f"{len(d.cached)} steps from the cache)", flush=True)  # fmt: skip
                code.append(d)
            delete(cli, name)
        finally:
            remove_services(client, [name])
            with contextlib.suppress(Exception):
                if cli is not None:
                    cli("delete", name)
            for ref in [*sorted(service_tags), *reversed(bases)]:
                with contextlib.suppress(Exception):
                    client.images.remove(ref, noprune=True)
            for i in range(len(bases)):
                remove_descendants(client, f"{LABEL}={run_id}-{i}")
            client.close()

    print()
    print(f"cold deploy:      {stats([d.seconds for d in cold])}, build {stats([d.build_s for d in cold])}")
    print(f"warm deploy:      {stats([d.seconds for d in warm])}, build {stats([d.build_s for d in warm])}")
    print(f"code-only deploy: {stats([d.seconds for d in code])}, build {stats([d.build_s for d in code])}")
    print(f"image size:       service {mb(service_size)}, base {mb(base_size)}, "
          f"difference {mb(service_size - base_size)} ({service_size / base_size:.2f}x the base)")  # fmt: skip
    cold_m, warm_m = statistics.median(d.seconds for d in cold), statistics.median(d.seconds for d in warm)
    code_m = statistics.median(d.seconds for d in code)
    print(f"ratios:           cold / warm {cold_m / warm_m:.1f}x, code-only / warm {code_m / warm_m:.2f}x")
    print(f"bench run time:   {time.monotonic() - began:.0f} s")
    if code_m > CODE_ONLY_TARGET_S:
        print(f"TARGET MISSED: code-only redeploy median {code_m:.2f} s (target ≤ {CODE_ONLY_TARGET_S:.0f} s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Commands on one service name at once, counted over rounds: what a user would see go wrong.

    .venv/bin/python bench/races.py [--rounds 10] [--server FOLDER]

Each round starts three ``amldeploy deploy twin`` at the same moment, then ``delete twin``; then deploys once and
starts two ``delete twin`` at the same moment. It counts the deploys that failed or said "crashed", the pids two
deploys both printed, the ``amldeploy serve`` processes that no record names (after the deploys) or that still
run (after the delete), and the pairs of deletes that both said "Deleted". Every count should be 0.

``--server`` runs another checkout's ``server/`` folder (with its ``schemas/`` next to it), to compare with an
older version. Not a speed benchmark: the figures are counts, and the correctness itself is guarded by
tests/python/ops/test_concurrent_operations.py.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sklearn"
sys.path.insert(0, str(ROOT))

from tests.python.procs import runtimes_of  # noqa: E402

DEPLOY = ["deploy", "twin", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json", "--model", "model.joblib"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--server", type=Path, default=ROOT / "server", help="the server/ folder to run")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMLDEPLOY_")}
    env["PYTHONPATH"] = str(args.server.resolve())
    with tempfile.TemporaryDirectory(prefix="amldeploy-races-") as folder:
        project = Path(folder)
        for name in ("score.py", "inferenceconfig.json", "environment.yml"):
            shutil.copy(EXAMPLE / name, project / name)
        (project / "deploymentconfig.json").write_text('{"computeType": "local"}\n', encoding="utf-8")
        subprocess.run([sys.executable, str(EXAMPLE / "train.py"), str(project / "model.joblib")], check=True, env=env)
        counts = dict.fromkeys(("failed", "crashed", "shared pid", "unnamed", "left", "both deleted"), 0)
        for _ in range(args.rounds):
            _round(project, env, counts)
    deploys = 3 * args.rounds
    print(
        f"{args.rounds} rounds: {counts['failed']}/{deploys} deploys failed, {counts['crashed']} said crashed, "
        f"{counts['shared pid']} printed a pid another deploy printed too, {counts['unnamed']} runtimes ran that no "
        f"record names, {counts['left']} still ran after 'delete twin', {counts['both deleted']}/{args.rounds} pairs "
        "of deletes both said Deleted"
    )
    return 0 if not any(counts.values()) else 1


def _round(project: Path, env: dict[str, str], counts: dict[str, int]) -> None:
    results = _at_once(project, env, DEPLOY, DEPLOY, DEPLOY)
    counts["failed"] += sum(1 for status, _, _ in results if status != 0)
    counts["crashed"] += sum(1 for _, out, err in results if "crashed" in out + err)
    pids = [m.group(1) for _, out, _ in results if (m := re.search(r"pid (\d+)\)", out))]
    counts["shared pid"] += len(pids) - len(set(pids))
    counts["unnamed"] += sum(1 for pid, root in runtimes_of(project).items() if _recorded_pid(root.parent) != pid)
    _at_once(project, env, ["delete", "twin"])
    time.sleep(0.5)
    counts["left"] += len(runtimes_of(project))
    _kill_all(project)
    _at_once(project, env, DEPLOY)
    deletes = _at_once(project, env, ["delete", "twin"], ["delete", "twin"])
    counts["both deleted"] += sum(1 for _, out, _ in deletes if "Deleted" in out) == 2
    _kill_all(project)
    shutil.rmtree(project / ".amldeploy" / "services", ignore_errors=True)


def _at_once(project: Path, env: dict[str, str], *commands: list[str]) -> list[tuple[int, str, str]]:
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "amldeploy", *command],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    results = []
    for proc in started:
        out, err = proc.communicate(timeout=180)
        results.append((proc.returncode, out, err))
    return results


def _recorded_pid(folder: Path) -> int | None:
    try:
        pid = json.loads((folder / "service.json").read_text(encoding="utf-8")).get("pid")
    except (OSError, ValueError):
        return None
    return pid if isinstance(pid, int) else None


def _kill_all(project: Path) -> None:
    for pid in runtimes_of(project):
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())

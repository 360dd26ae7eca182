"""The ``kubernetes`` client is imported only when the Kubernetes target talks to a cluster: registering the
target, listing targets, and a machine without a kubeconfig never load it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
from pathlib import Path
from amldeploy.ops.targets.base import all_services, target_names, target_info
assert "kubernetes" in target_names()
assert not target_info("kubernetes").available()
assert all_services(Path.cwd()) == []
loaded = sorted(m for m in sys.modules if m == "kubernetes" or m.startswith("kubernetes."))
print(loaded)
"""


def test_the_target_does_not_import_the_client_until_it_talks_to_a_cluster(tmp_path: Path) -> None:
    env = {"KUBECONFIG": str(tmp_path / "none"), "DOCKER_HOST": "unix:///nonexistent/docker.sock", "PATH": ""}
    proc = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"

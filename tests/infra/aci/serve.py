"""The local Azure of this folder as a process of its own, for the editor's end-to-end tests (which are not pytest):

    python -m tests.infra.aci.serve DIR        (DOCKER_HOST: the tests' engine, tests/infra/docker/ensure.sh)

runs the groups' images on the Docker engine, writes ``DIR/env.json`` once it listens (the environment that points
azure-identity and the ACI target at it: ``FakeAzure.env()``, an empty Azure CLI folder, and
``AMLDEPLOY_ACI_ADDRESSES=@DIR/addresses``) and keeps ``DIR/addresses`` up to date: one ``FQDN:PORT=127.0.0.1:PORT``
line per port of each running group, the way its FQDN would reach it. On SIGTERM or SIGINT it removes the
containers it ran, writes what violated Azure's spec to ``DIR/violations.json`` (``[]``: nothing did) and exits.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from tests.infra.aci import FakeAzure


def _addresses(fake: FakeAzure) -> list[str]:
    lines = []
    for group in list(fake.arm.groups.values()):
        ip = (group.request.get("properties") or {}).get("ipAddress") or {}
        label = ip.get("dnsNameLabel")
        if not label:
            continue
        fqdn = f"{label}.{group.location.replace(' ', '').lower()}.azurecontainer.io"
        for port in ip.get("ports") or []:
            try:
                host, bound = fake.endpoint(group.name, int(port["port"]))
            except (LookupError, KeyError, ValueError, AssertionError):
                continue
            lines.append(f"{fqdn}:{port['port']}={host}:{bound}")
    return lines


def main(argv: list[str]) -> int:
    import docker

    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    directory = Path(argv[0]).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "azure-cli").mkdir(exist_ok=True)
    addresses = directory / "addresses"
    addresses.write_text("", encoding="utf-8")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    client = docker.DockerClient(base_url=os.environ["DOCKER_HOST"], timeout=300)
    (directory / "fake").mkdir(exist_ok=True)
    with FakeAzure.start(directory / "fake") as fake:
        fake.run_on_docker(client)
        env: dict[str, Any] = {
            **fake.env(),
            "AZURE_CONFIG_DIR": str(directory / "azure-cli"),
            "AMLDEPLOY_ACI_ADDRESSES": f"@{addresses}",
        }
        env["resourceGroup"] = fake.resource_group
        (directory / "env.json.partial").write_text(json.dumps(env), encoding="utf-8")
        os.replace(directory / "env.json.partial", directory / "env.json")
        try:
            while not stop.wait(0.5):
                text = "".join(line + "\n" for line in _addresses(fake))
                if text != addresses.read_text(encoding="utf-8"):
                    (directory / "addresses.partial").write_text(text, encoding="utf-8")
                    os.replace(directory / "addresses.partial", addresses)
        finally:
            found = [str(v) for v in fake.violations]
            (directory / "violations.json").write_text(json.dumps(found, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

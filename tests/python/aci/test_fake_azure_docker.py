"""The local ARM can run a group's images for real on the tests' Docker engine: what it reports (states, exit codes,
logs) then comes from the engine, and the group's port answers (what ``score`` over the FQDN needs)."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator

import docker
import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.containerinstance import models as m

from tests.infra import docker_engine
from tests.infra.aci import FakeAzure

SERVER = """\
import http.server, os
print("ready", flush=True)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = os.environ["MODEL"].encode() + b" " + os.environ["API_KEY"].encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
http.server.HTTPServer(("0.0.0.0", 5001), H).serve_forever()
"""


@pytest.fixture(scope="module")
def engine() -> Iterator[tuple[docker.DockerClient, str]]:
    env = docker_engine.ensure()
    client = docker.DockerClient(base_url=env["DOCKER_HOST"], timeout=120)
    try:
        yield client, env["AMLDEPLOY_TEST_BASE_IMAGE"]
    finally:
        client.close()


def group(image: str, command: list[str], restart_policy: str = "Always") -> m.ContainerGroup:
    return m.ContainerGroup(
        location="westeurope",
        os_type="Linux",
        restart_policy=restart_policy,
        containers=[
            m.Container(
                name="scorer",
                image=image,
                command=command,
                environment_variables=[
                    m.EnvironmentVariable(name="MODEL", value="m1"),
                    m.EnvironmentVariable(name="API_KEY", secure_value="s3cret"),
                ],
                resources=m.ResourceRequirements(requests=m.ResourceRequests(cpu=1.0, memory_in_gb=1.0)),
                ports=[m.ContainerPort(port=5001)],
            )
        ],
        ip_address=m.IpAddress(type="Public", ports=[m.Port(port=5001)], dns_name_label="scorer-d1"),
    )


def wait_for(predicate, timeout: float = 30):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_a_group_runs_answers_logs_and_is_removed(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient, engine: tuple[docker.DockerClient, str]
) -> None:
    client, image = engine
    azure.run_on_docker(client)
    created = aci_client.container_groups.begin_create_or_update(
        azure.resource_group, "live", group(image, ["python3", "-u", "-c", SERVER])
    ).result()
    assert created.provisioning_state == "Succeeded" and created.ip_address.ip == "127.0.0.1"
    host, port = azure.endpoint("live", 5001)

    def answer() -> bytes | None:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/", timeout=2) as resp:
                return resp.read()  # type: ignore[no-any-return]
        except OSError:
            return None

    assert wait_for(answer) == b"m1 s3cret"  # secureValue reaches the container, never the API's answers
    view = aci_client.container_groups.get(azure.resource_group, "live").containers[0].instance_view
    assert view.current_state.state == "Running" and view.restart_count == 0
    logs = aci_client.containers.list_logs(azure.resource_group, "live", "scorer").content.splitlines()
    assert logs[0] == "ready" and '"GET / HTTP/1.1" 200' in logs[1]
    running = {"label": f"amldeploy.test.fake-aci.group={created.id}"}
    assert len(client.containers.list(filters=running)) == 1
    aci_client.container_groups.begin_delete(azure.resource_group, "live").result()
    assert client.containers.list(all=True, filters=running) == []


def test_an_exiting_container_is_terminated_with_its_exit_code(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient, engine: tuple[docker.DockerClient, str]
) -> None:
    client, image = engine
    azure.run_on_docker(client)
    aci_client.container_groups.begin_create_or_update(
        azure.resource_group, "crash", group(image, ["sh", "-c", "echo boom; exit 3"], restart_policy="Never")
    ).result()

    def terminated() -> m.ContainerGroup | None:
        g = aci_client.container_groups.get(azure.resource_group, "crash")
        return g if g.containers[0].instance_view.current_state.state == "Terminated" else None

    final = wait_for(terminated)
    assert final is not None
    assert final.containers[0].instance_view.current_state.exit_code == 3
    assert final.instance_view.state == "Failed"
    assert aci_client.containers.list_logs(azure.resource_group, "crash", "scorer").content == "boom\n"


def test_an_image_that_cannot_be_pulled_fails_the_operation(
    azure: FakeAzure, aci_client: ContainerInstanceManagementClient, engine: tuple[docker.DockerClient, str]
) -> None:
    client, _ = engine
    azure.run_on_docker(client)
    poller = aci_client.container_groups.begin_create_or_update(
        azure.resource_group, "nopull", group("127.0.0.1:9/amldeploy/missing:1", ["true"])
    )
    with pytest.raises(HttpResponseError, match="InaccessibleImage"):
        poller.result()
    assert aci_client.container_groups.get(azure.resource_group, "nopull").provisioning_state == "Failed"

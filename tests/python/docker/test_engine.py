"""What a user of the Docker target needs from the engine the tests set up (tests/infra/docker/ensure.sh).

A build FROM the Python base installs a package from PyPI into a venv; behind this machine's TLS-intercepting proxy
that works only when the build is given the proxy's CA, which the base image does not carry. The image then
serves HTTP on a port published on 127.0.0.1, and an image pushed to the local registry comes back from a pull.
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.errors import BuildError
from docker.models.images import Image

# A small pure-Python package, pinned so that the build cache of the engine holds across runs.
PACKAGE = "six==1.17.0"
APP_TAG = "amldeploy-test/smoke-app:latest"

BUILD_STAGE = """\
ARG BASE
FROM ${BASE} AS build
"""
WITH_CA = """\
COPY ca-bundle.pem /build/ca-bundle.pem
ENV PIP_CERT=/build/ca-bundle.pem
"""
INSTALL = f"""\
RUN python3 -m venv /opt/venv \\
 && /opt/venv/bin/pip install --disable-pip-version-check --no-cache-dir --retries 0 --timeout 20 {PACKAGE}
"""
# The image keeps the venv only: the CA stays in the build stage.
FINAL_STAGE = """\
FROM ${BASE}
COPY --from=build /opt/venv /opt/venv
COPY app.py /app/app.py
EXPOSE 5001
CMD ["/opt/venv/bin/python", "/app/app.py"]
"""
APP = """\
import http.server, json, six

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"six": six.__version__, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

http.server.HTTPServer(("0.0.0.0", 5001), Handler).serve_forever()
"""


def host_ca_bundle() -> Path:
    """The CAs this machine trusts (with the egress proxy's, where there is one): what --ca-bundle would pass."""
    for candidate in (os.environ.get("AMLDEPLOY_TEST_CA_BUNDLE"), os.environ.get("SSL_CERT_FILE")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return Path(ssl.get_default_verify_paths().openssl_cafile).resolve()


def write_context(ctx: Path, *, with_ca: bool) -> Path:
    ctx.mkdir(parents=True, exist_ok=True)
    (ctx / "Dockerfile").write_text(BUILD_STAGE + (WITH_CA if with_ca else "") + INSTALL + FINAL_STAGE)
    (ctx / "app.py").write_text(APP)
    if with_ca:
        (ctx / "ca-bundle.pem").write_bytes(host_ca_bundle().read_bytes())
    return ctx


def build(client: docker.DockerClient, ctx: Path, base: str, tag: str | None = None) -> Image:
    image, _logs = client.images.build(path=str(ctx), tag=tag, buildargs={"BASE": base}, rm=True, forcerm=True)
    return image


def build_log_text(error: BuildError) -> str:
    return "".join(str(chunk.get("stream") or chunk.get("error") or "") for chunk in error.build_log)


def output_of(client: docker.DockerClient, image: str, command: list[str]) -> bytes:
    """What a command prints in a container of the image. containers.run(remove=True) can return before the
    engine has copied a short-lived container's output to its log (it then returns b""); this waits for it."""
    container = client.containers.run(image, command, detach=True)
    try:
        assert container.wait(timeout=60)["StatusCode"] == 0, container.logs()
        deadline = time.monotonic() + 5
        while not (out := container.logs(stdout=True, stderr=True)) and time.monotonic() < deadline:
            time.sleep(0.05)
        return bytes(out)
    finally:
        container.remove(force=True)


def get_json(url: str, deadline_s: float) -> dict[str, str]:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                assert response.status == 200
                return dict(json.load(response))
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="module")
def app_image(
    docker_client: docker.DockerClient, docker_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Image:
    ctx = write_context(tmp_path_factory.mktemp("with-ca"), with_ca=True)
    return build(docker_client, ctx, docker_env["AMLDEPLOY_TEST_BASE_IMAGE"], APP_TAG)


@pytest.fixture
def running(docker_client: docker.DockerClient, app_image: Image) -> Iterator[str]:
    """The app image running with its port 5001 published on a free port of 127.0.0.1; yields its URL."""
    container = docker_client.containers.run(
        app_image.id, detach=True, ports={"5001/tcp": ("127.0.0.1", None)}, labels={"amldeploy-test": "smoke"}
    )
    try:
        container.reload()
        binding = container.attrs["NetworkSettings"]["Ports"]["5001/tcp"][0]
        assert binding["HostIp"] == "127.0.0.1"
        yield f"http://127.0.0.1:{binding['HostPort']}/"
    finally:
        container.remove(force=True)


def test_base_images_are_as_advertised(docker_client: docker.DockerClient, docker_env: dict[str, str]) -> None:
    out = output_of(
        docker_client,
        docker_env["AMLDEPLOY_TEST_BASE_IMAGE"],
        ["python3", "-c", "import sys, ssl, venv, ensurepip; print(sys.version_info >= (3, 10))"],
    )
    assert out.strip() == b"True"
    out = output_of(
        docker_client,
        docker_env["AMLDEPLOY_TEST_NOPY_IMAGE"],
        ["sh", "-c", "command -v python3 python || echo no-python"],
    )
    assert out.strip() == b"no-python"


def test_pip_in_a_build_without_the_proxy_ca_fails_on_the_certificate(
    docker_client: docker.DockerClient, docker_env: dict[str, str], tmp_path: Path
) -> None:
    ctx = write_context(tmp_path, with_ca=False)
    try:
        image = build(docker_client, ctx, docker_env["AMLDEPLOY_TEST_BASE_IMAGE"])
    except BuildError as error:
        log = build_log_text(error)
        assert "CERTIFICATE_VERIFY_FAILED" in log, log[-3000:]
        assert "No matching distribution found for six" in log, log[-3000:]
    else:
        docker_client.images.remove(image.id, force=True)
        pytest.skip("no TLS-intercepting proxy on the way to the package index: a build needs no extra CA here")


def test_an_image_built_with_the_ca_serves_on_a_published_loopback_port(
    running: str, app_image: Image, docker_client: docker.DockerClient
) -> None:
    answer = get_json(running + "health", deadline_s=15)
    assert answer == {"six": "1.17.0", "path": "/health"}
    # The CA was given to the build stage only; the image does not carry it.
    out = output_of(docker_client, app_image.id, ["sh", "-c", "ls /build 2>&1 || true"])
    assert b"No such file or directory" in out


def test_an_image_pushed_to_the_local_registry_comes_back_from_a_pull(
    docker_client: docker.DockerClient, docker_env: dict[str, str], app_image: Image, tmp_path: Path
) -> None:
    registry = docker_env["AMLDEPLOY_TEST_REGISTRY"]
    assert registry.startswith("127.0.0.1:")
    stamp = uuid.uuid4().hex
    (tmp_path / "stamp").write_text(stamp)
    (tmp_path / "Dockerfile").write_text(f"FROM {APP_TAG}\nCOPY stamp /stamp\n")
    repo, tag = f"{registry}/amldeploy-test/smoke", stamp[:12]
    ref = f"{repo}:{tag}"
    image, _ = docker_client.images.build(path=str(tmp_path), tag=ref, rm=True)
    try:
        events = list(docker_client.images.push(repo, tag=tag, stream=True, decode=True))
        errors = [event for event in events if "error" in event]
        assert not errors, errors
        with urllib.request.urlopen(f"http://{registry}/v2/amldeploy-test/smoke/tags/list", timeout=5) as response:
            assert tag in json.load(response)["tags"]

        # Gone from the engine (its own layer too), then back from the registry with the same content.
        docker_client.images.remove(ref)
        with pytest.raises(docker.errors.ImageNotFound):
            docker_client.images.get(image.id)
        pulled = docker_client.images.pull(repo, tag=tag)
        assert pulled.id == image.id
        assert output_of(docker_client, ref, ["cat", "/stamp"]).decode() == stamp
    finally:
        _delete_from_registry(registry, "amldeploy-test/smoke", tag)
        with contextlib.suppress(docker.errors.ImageNotFound):
            docker_client.images.remove(ref)


def _delete_from_registry(registry: str, name: str, tag: str) -> None:
    """Deletes the tag's manifest (the registry runs with delete enabled), so the runs leave no tags behind."""
    accept = "application/vnd.docker.distribution.manifest.v2+json"
    url = f"http://{registry}/v2/{name}/manifests/{tag}"
    head = urllib.request.Request(url, method="HEAD", headers={"Accept": accept})
    try:
        with urllib.request.urlopen(head, timeout=5) as response:
            digest = response.headers["Docker-Content-Digest"]
    except urllib.error.HTTPError:
        return
    delete = urllib.request.Request(f"http://{registry}/v2/{name}/manifests/{digest}", method="DELETE")
    with urllib.request.urlopen(delete, timeout=5) as response:
        assert response.status == 202

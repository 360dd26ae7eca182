"""``export iot-edge``: the manifest passes the official deployment-manifest schema (SchemaStore's, copied into
schema/ with its source and licence), runs the image the Docker target packages, and holds no secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from amldeploy.config.load import load_inference_config
from amldeploy.ops.export.iot_edge import PASSWORD_REF, USERNAME_REF, image_reference, registry_host
from amldeploy.ops.export.run import Exported, export_iot_edge_files
from amldeploy.ops.package.plan import plan_package

from .conftest import Project

SCHEMA = json.loads((Path(__file__).parent / "schema" / "azure-iot-edge-deployment-2.0.json").read_text())


def export(project: Project, tmp_path: Path, ic: dict[str, Any], dc: dict[str, Any], **kw: Any) -> tuple[Exported, Any]:
    out = tmp_path / "edge"
    models = [f"{project.model}:clf:2"]
    result = export_iot_edge_files(project.ic(**ic), project.dc(**dc), models, project.root, out, project.root, **kw)
    manifest = json.loads((out / "deployment.json").read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(manifest)
    return result, manifest


def module(manifest: dict[str, Any], name: str = "proj") -> dict[str, Any]:
    modules: dict[str, Any] = manifest["modulesContent"]["$edgeAgent"]["properties.desired"]["modules"]
    assert list(modules) == [name]
    return dict(modules[name])


def test_the_manifest_runs_the_packaged_image_from_the_registry(project: Project, tmp_path: Path) -> None:
    ic = {"environment": {"environmentVariables": {"MODE": "edge"}}}
    dc = {"computeType": "ACI", "containerResourceRequirements": {"cpu": 0.5, "memoryInGB": 1}, "authEnabled": True}
    result, manifest = export(project, tmp_path, ic, dc, registry="myacr.azurecr.io/ml")
    # The same tag as the Docker target's package of the same project: the content hash.
    tag = plan_package("proj", load_inference_config(project.root / "inferenceconfig.json"), [project.spec()]).tag
    assert result.details["contentTag"] == tag
    mod = module(manifest)
    assert mod["settings"]["image"] == f"myacr.azurecr.io/ml/{tag}"
    assert (mod["status"], mod["restartPolicy"]) == ("running", "always")
    assert mod["env"] == {"MODE": {"value": "edge"}}
    options = json.loads(mod["settings"]["createOptions"])
    assert options["ExposedPorts"] == {"5001/tcp": {}}
    assert options["HostConfig"]["PortBindings"] == {"5001/tcp": [{"HostPort": "5001"}]}
    assert (options["HostConfig"]["NanoCpus"], options["HostConfig"]["Memory"]) == (500_000_000, 1024**3)
    agent = manifest["modulesContent"]["$edgeAgent"]["properties.desired"]
    assert set(agent["systemModules"]) == {"edgeAgent", "edgeHub"}
    credentials = agent["runtime"]["settings"]["registryCredentials"]
    assert credentials == {"myacr": {"username": USERNAME_REF, "password": PASSWORD_REF, "address": "myacr.azurecr.io"}}
    assert "authEnabled" in {f.key for f in result.dropped}
    assert (tmp_path / "edge" / "MIGRATION.md").is_file()


def test_image_and_port_options_and_a_local_configs_port(project: Project, tmp_path: Path) -> None:
    _, manifest = export(
        project, tmp_path, {}, {"computeType": "local", "port": 8890}, image="edge.example.com:5000/svc"
    )
    mod = module(manifest)
    assert mod["settings"]["image"].startswith("edge.example.com:5000/svc:")
    options = json.loads(mod["settings"]["createOptions"])
    assert options["HostConfig"]["PortBindings"]["5001/tcp"] == [{"HostPort": "8890"}]
    _, manifest = export(project, tmp_path, {}, {"computeType": "local"}, image="edge.example.com/svc:v3", port=80)
    mod = module(manifest)
    assert mod["settings"]["image"] == "edge.example.com/svc:v3"
    assert json.loads(mod["settings"]["createOptions"])["HostConfig"]["PortBindings"]["5001/tcp"] == [
        {"HostPort": "80"}
    ]


def test_the_base_registrys_password_never_reaches_the_manifest(project: Project, tmp_path: Path) -> None:
    ic = {
        "environment": {
            "docker": {
                "baseImage": "base:1",
                "baseImageRegistry": {"address": "private.azurecr.io", "username": "u", "password": "hunter2-secret"},
            }
        }
    }
    aks = {"computeType": "AKS", "containerResourceRequirements": {"cpu": 1, "cpuLimit": 2, "memoryInGB": 2}}
    _, manifest = export(project, tmp_path, ic, aks, registry="private.azurecr.io", name="scorer")
    written = "".join(p.read_text() for p in (tmp_path / "edge").iterdir())
    assert "hunter2-secret" not in written
    options = json.loads(module(manifest, "scorer")["settings"]["createOptions"])
    assert options["HostConfig"]["NanoCpus"] == 2_000_000_000  # the limit, as the Docker target runs it


def test_without_a_registry_the_manifest_says_the_device_cannot_pull(project: Project, tmp_path: Path) -> None:
    result, manifest = export(project, tmp_path, {}, {"computeType": "local"})
    assert (
        manifest["modulesContent"]["$edgeAgent"]["properties.desired"]["runtime"]["settings"]["registryCredentials"]
        == {}
    )
    assert any("cannot pull" in n for n in result.notes)


@pytest.mark.parametrize(
    ("registry", "image", "expected"),
    [
        (None, None, "svc:0123456789ab"),
        ("myacr.azurecr.io", None, "myacr.azurecr.io/svc:0123456789ab"),
        ("https://myacr.azurecr.io/team/", None, "myacr.azurecr.io/team/svc:0123456789ab"),
        (None, "localhost:5000/x", "localhost:5000/x:0123456789ab"),
        (None, "localhost:5000/x:v1", "localhost:5000/x:v1"),
    ],
)
def test_image_reference(registry: str | None, image: str | None, expected: str) -> None:
    assert image_reference("svc:0123456789ab", registry, image) == expected


def test_registry_host() -> None:
    assert registry_host("myacr.azurecr.io/svc:1") == "myacr.azurecr.io"
    assert registry_host("localhost:5000/svc") == "localhost:5000"
    assert registry_host("team/svc:1") is None
    assert registry_host("svc:1") is None

"""The Dockerfile for each base the inference config can choose, and the order of its steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from amldeploy.ops.errors import OpsError
from amldeploy.ops.model_specs import ModelSpec
from amldeploy.ops.package.plan import plan_package

from .conftest import Project

CONDA_ENV = {"python": {"condaDependencies": {"dependencies": ["python=3.11", "numpy=1.26.4", {"pip": ["joblib"]}]}}}


def _index(text: str, needle: str) -> int:
    assert needle in text, needle
    return text.index(needle)


def test_default_base_and_the_order_of_the_steps(project: Project, wheel: Path) -> None:
    model = project.root / "model.pkl"
    model.write_bytes(b"m")
    package = plan_package("svc", project.loaded(environment=CONDA_ENV), [ModelSpec(model, "m", 3)], wheel=wheel)
    text = package.dockerfile
    order = [
        "FROM python:3.12-slim AS amldeploy-base",
        "sys.version_info < (3, 10)",
        "python3 -m venv /opt/amldeploy/venv",
        "pip install -r /tmp/amldeploy/requirements.txt",
        "RUN pip install uvicorn==",
        "pip install --no-deps /tmp/amldeploy/wheels/amldeploy-0.1.0-py3-none-any.whl",
        "\nFROM amldeploy-base\n",
        "COPY --from=amldeploy-deps /opt/amldeploy/venv /opt/amldeploy/venv",
        "COPY models/ /var/azureml-app/azureml-models/",
        'ENV AZUREML_MODEL_DIR="/var/azureml-app/azureml-models/m/3"',
        "COPY app/ /var/azureml-app/",
        "USER 10001",
        "EXPOSE 5001",
        "HEALTHCHECK",
        'ENTRYPOINT ["/opt/amldeploy/venv/bin/python", "-m", "amldeploy.runtime"]',
    ]
    positions = [_index(text, step) for step in order]
    assert positions == sorted(positions)
    assert "the base image python:3.12-slim needs Python 3.10" in text
    assert package.context.entries["build/requirements.txt"].data == b"numpy==1.26.4\njoblib\n"
    assert "models/m/3/model.pkl" in package.context.entries
    assert "urllib.request.urlopen('http://127.0.0.1:5001/'" in text


def test_several_models_point_the_model_dir_at_their_parent(project: Project, wheel: Path) -> None:
    a, b = project.root / "a.pkl", project.root / "b.pkl"
    a.write_bytes(b"a")
    b.write_bytes(b"b")
    package = plan_package("svc", project.loaded(), [ModelSpec(a, "a"), ModelSpec(b, "b")], wheel=wheel)
    assert 'ENV AZUREML_MODEL_DIR="/var/azureml-app/azureml-models"\n' in package.dockerfile


def test_environment_base_image_in_its_registry_keeps_the_password_out(project: Project, wheel: Path) -> None:
    docker = {
        "baseImage": "team/base:1",
        "baseImageRegistry": {"address": "myregistry.example.com", "username": "bob", "password": "s3cret-pw"},
    }
    package = plan_package("svc", project.loaded(environment={"docker": docker}), [], wheel=wheel)
    assert "FROM myregistry.example.com/team/base:1 AS amldeploy-base" in package.dockerfile
    assert package.registry is not None and package.registry.password == "s3cret-pw"
    assert "s3cret-pw" not in repr(package.registry)
    assert b"s3cret-pw" not in package.context.tar_bytes()
    assert "s3cret-pw" not in str(package.to_json())


def test_legacy_base_image_wins_over_the_default(project: Project, wheel: Path) -> None:
    package = plan_package("svc", project.loaded(baseImage="python:3.11-slim"), [], base_image="x:1", wheel=wheel)
    assert package.dockerfile.count("FROM python:3.11-slim AS amldeploy-base") == 1


def test_base_dockerfile_content_comes_first_and_its_last_stage_is_the_base(project: Project, wheel: Path) -> None:
    base = "FROM python:3.12 AS builder\nRUN echo build\nFROM python:3.12-slim\nRUN apt-get update\n"
    package = plan_package("svc", project.loaded(environment={"docker": {"baseDockerfile": base}}), [], wheel=wheel)
    text = package.dockerfile
    assert _index(text, "FROM python:3.12 AS builder") < _index(text, "FROM python:3.12-slim AS amldeploy-base")
    assert _index(text, "RUN apt-get update") < _index(text, "FROM amldeploy-base AS amldeploy-deps")
    assert "the base Dockerfile (environment.docker.baseDockerfile) needs Python 3.10" in text


def test_base_dockerfile_with_a_named_last_stage(project: Project, wheel: Path) -> None:
    base = "FROM python:3.12-slim AS runtime\n"
    package = plan_package("svc", project.loaded(environment={"docker": {"baseDockerfile": base}}), [], wheel=wheel)
    assert "FROM python:3.12-slim AS runtime\nFROM runtime AS amldeploy-base" in package.dockerfile


def test_ca_bundle_is_used_in_the_build_stage_only(project: Project, wheel: Path, tmp_path: Path) -> None:
    ca = tmp_path / "corp.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    package = plan_package("svc", project.loaded(), [], ca_bundle=ca, wheel=wheel)
    text = package.dockerfile
    final = text.index("\nFROM amldeploy-base\n")
    assert _index(text, "COPY build/ca-bundle.pem") < final
    assert _index(text, "PIP_CERT=") < final
    assert "ca-bundle" not in text[final:]
    assert "build/ca-bundle.pem" in package.context.entries


def test_extra_steps_and_environment_variables(project: Project, wheel: Path) -> None:
    (project.root / "extra.docker").write_text("RUN echo extra-step\n")
    loaded = project.loaded(extraDockerfileSteps="extra.docker")
    package = plan_package("svc", loaded, [], wheel=wheel)
    text = package.dockerfile
    assert _index(text, "COPY --from=amldeploy-deps") < _index(text, "RUN echo extra-step") < _index(text, "COPY app/")
    env = {"environmentVariables": {"GREETING": 'say "hi" $HOME'}}
    text = plan_package("svc", project.loaded(environment=env), [], wheel=wheel).dockerfile
    assert 'ENV GREETING="say \\"hi\\" \\$HOME"' in text
    assert 'ENV AZUREML_ENTRY_SCRIPT="score.py"' in text and 'ENV AML_APP_ROOT="/var/azureml-app"' in text


def test_conda_only_package_is_an_error_naming_it(project: Project, wheel: Path) -> None:
    env = {"python": {"condaDependencies": {"dependencies": ["cudatoolkit=11.3", "numpy"]}}}
    with pytest.raises(OpsError) as caught:
        plan_package("svc", project.loaded(environment=env), [], wheel=wheel)
    assert "cudatoolkit=11.3" in caught.value.message
    assert "conda" in (caught.value.hint or "")


def test_conda_only_package_on_a_conda_base_uses_conda(project: Project, wheel: Path) -> None:
    deps = ["python=3.10", "cudatoolkit=11.3", {"pip": ["joblib"]}]
    env = {"python": {"condaDependencies": {"dependencies": deps}}, "docker": {"baseImage": "continuumio/miniconda3"}}
    package = plan_package("svc", project.loaded(environment=env), [], wheel=wheel)
    text = package.dockerfile
    assert "conda env create --prefix /opt/amldeploy/venv" in text
    assert _index(text, "conda env create") < _index(text, "the conda environment needs Python 3.10")
    data = package.context.entries["build/environment.yml"].data
    assert data is not None and b"cudatoolkit=11.3" in data and b"joblib" in data
    assert "build/requirements.txt" not in package.context.entries


def test_user_managed_dependencies_install_nothing_but_see_the_base(project: Project, wheel: Path) -> None:
    env = {"python": {"userManagedDependencies": True}}
    package = plan_package("svc", project.loaded(environment=env), [], wheel=wheel)
    assert "python3 -m venv --system-site-packages /opt/amldeploy/venv" in package.dockerfile
    assert "requirements.txt" not in package.dockerfile

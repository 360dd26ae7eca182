"""``export v2`` on a matrix of v1 configs: what it writes is loaded by Azure's own v2 loaders (azure-ai-ml,
offline), and the mapped values are checked on what they loaded."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

with warnings.catch_warnings():  # azure-ai-ml's schemas warn about marshmallow 4 as they are imported
    warnings.simplefilter("ignore")
    from azure.ai.ml import load_online_deployment, load_online_endpoint
    from azure.ai.ml.entities import (
        KubernetesOnlineDeployment,
        KubernetesOnlineEndpoint,
        ManagedOnlineDeployment,
        ManagedOnlineEndpoint,
    )

from amldeploy.ops.export.fates import UNCLAIMED
from amldeploy.ops.export.run import Exported, export_v2_files

from .conftest import Project

# azure-ai-ml's loaders warn about marshmallow 4 on every load.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

AKS = {"computeType": "AKS"}


def export(
    project: Project, tmp_path: Path, ic: dict[str, Any], dc: dict[str, Any], models: list[str] | None = None, **kw: Any
) -> tuple[Exported, Any, Any]:
    out = tmp_path / "v2"
    models = [f"{project.model}:clf:2"] if models is None else models
    result = export_v2_files(project.ic(**ic), project.dc(**dc), models, project.root, out, **kw)
    unclaimed = [f.key for f in result.fates if f.note == UNCLAIMED]
    assert unclaimed == [], f"keys without a fate: {unclaimed}"
    for name in ("endpoint.yml", "deployment.yml"):
        assert (out / name).read_text().startswith("$schema: https://azuremlschemas.azureedge.net/latest/")
    return result, load_online_endpoint(out / "endpoint.yml"), load_online_deployment(out / "deployment.yml")


def fate(result: Exported, key: str) -> tuple[str | None, str]:
    [found] = [f for f in result.fates if f.key == key]
    return found.to, found.note


def test_aci_is_a_managed_deployment_on_the_smallest_instance_type_that_fits(project: Project, tmp_path: Path) -> None:
    dc = {
        "computeType": "ACI",
        "containerResourceRequirements": {"cpu": 1, "memoryInGB": 4},
        "authEnabled": True,
        "location": "westeurope",
        "dnsNameLabel": "my-svc",
        "sslEnabled": True,
        "sslCertificate": "cert.pem",
        "sslKey": "key.pem",
        "cname": "ml.example.com",
        "appInsightsEnabled": True,
        "vnetName": "vnet",
        "subnetName": "sub",
        "keys": {"primaryKey": "p-secret", "secondaryKey": "s-secret"},
    }
    (project.root / "cert.pem").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    (project.root / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n")
    result, endpoint, deployment = export(project, tmp_path, {}, dc, endpoint="my-endpoint")
    assert isinstance(endpoint, ManagedOnlineEndpoint) and isinstance(deployment, ManagedOnlineDeployment)
    assert endpoint.name == deployment.endpoint_name == "my-endpoint"
    assert endpoint.auth_mode == "key"
    # 1 core and 4 GB: Standard_DS1_v2 has 3.5 GB; the smallest 2-core size with 4 GB is Standard_F2s_v2.
    assert deployment.instance_type == "Standard_F2s_v2"
    assert deployment.instance_count == 1
    assert deployment.app_insights_enabled is True
    assert deployment.code_configuration.scoring_script == "score.py"
    assert (tmp_path / "v2" / deployment.code_configuration.code).resolve() == project.root.resolve()
    assert Path(deployment.model.path).resolve() == project.model.resolve()
    assert (deployment.model.name, deployment.model.version) == ("clf", "2")
    dropped = {f.key: f.note for f in result.dropped}
    assert set(dropped) == {
        "location",
        "dnsNameLabel",
        "sslEnabled",
        "sslCertificate",
        "sslKey",
        "cname",
        "vnetName",
        "subnetName",
        "keys.primaryKey",
        "keys.secondaryKey",
    }
    assert "custom domains" in dropped["cname"]
    migration = (tmp_path / "v2" / "MIGRATION.md").read_text()
    assert "| deployment | `dnsNameLabel` |" in migration and "| deployment | `authEnabled` |" in migration
    written = "".join(p.read_text(errors="replace") for p in (tmp_path / "v2").rglob("*") if p.is_file())
    assert "p-secret" not in written and "s-secret" not in written


def test_aci_without_auth_or_resources_gets_a_key_and_the_aci_defaults(project: Project, tmp_path: Path) -> None:
    result, endpoint, deployment = export(project, tmp_path, {}, {"computeType": "aci", "authEnabled": False})
    assert endpoint.auth_mode == "key"
    assert fate(result, "authEnabled") == ("endpoint.yml: auth_mode", "key: v2 endpoints always authenticate")
    assert deployment.instance_type == "Standard_DS1_v2"  # 0.1 cores, 0.5 GB
    assert any("always asks for one" in n for n in result.notes)


def test_local_becomes_managed_and_its_port_is_dropped(project: Project, tmp_path: Path) -> None:
    result, _endpoint, deployment = export(project, tmp_path, {}, {"computeType": "local", "port": 8890})
    assert isinstance(deployment, ManagedOnlineDeployment)
    assert [f.key for f in result.dropped] == ["port"]


def test_aks_defaults_autoscale_with_the_v1_front_end_settings(project: Project, tmp_path: Path) -> None:
    _result, endpoint, deployment = export(project, tmp_path, {}, AKS, compute="my-aks")
    assert isinstance(endpoint, KubernetesOnlineEndpoint) and isinstance(deployment, KubernetesOnlineDeployment)
    assert endpoint.compute == "my-aks"
    assert endpoint.auth_mode == "key"  # v1 AKS: key auth on by default
    scale = deployment.scale_settings
    assert (scale.type, scale.min_instances, scale.max_instances) == ("target_utilization", 1, 10)
    assert (scale.polling_interval, scale.target_utilization_percentage) == (1, 70)
    settings = deployment.request_settings
    assert settings.request_timeout_ms == 60000
    assert settings.max_concurrent_requests_per_instance == 1
    assert settings.max_queue_wait_ms == 500
    probe = deployment.liveness_probe
    assert (probe.initial_delay, probe.period, probe.timeout, probe.failure_threshold) == (310, 10, 2, 3)
    assert deployment.readiness_probe.initial_delay == 10
    assert deployment.resources.requests.cpu == "0.1" and deployment.resources.requests.memory == "0.5Gi"


def test_aks_autoscaler_requests_limits_probes_and_token_auth(project: Project, tmp_path: Path) -> None:
    dc = {
        **AKS,
        "computeTargetName": "prod-aks",
        "namespace": "ml",
        "autoScaler": {
            "autoscaleEnabled": True,
            "minReplicas": 2,
            "maxReplicas": 6,
            "refreshPeriodInSeconds": 15,
            "targetUtilization": 55,
        },
        "authEnabled": False,
        "tokenAuthEnabled": True,
        "containerResourceRequirements": {"cpu": 0.5, "cpuLimit": 2, "memoryInGB": 1.5, "memoryInGBLimit": 4},
        "gpuCores": 1,
        "scoringTimeoutMs": 20000,
        "maxConcurrentRequestsPerContainer": 4,
        "maxQueueWaitMs": 1500,
        "livenessProbeRequirements": {
            "initialDelaySeconds": 30,
            "periodSeconds": 5,
            "timeoutSeconds": 3,
            "successThreshold": 2,
            "failureThreshold": 6,
        },
        "dataCollection": {"storageEnabled": True},
    }
    result, endpoint, deployment = export(project, tmp_path, {}, dc)
    assert endpoint.compute == "prod-aks"
    assert endpoint.auth_mode == "aml_token"
    scale = deployment.scale_settings
    assert (scale.min_instances, scale.max_instances, scale.polling_interval) == (2, 6, 15)
    assert scale.target_utilization_percentage == 55
    assert deployment.instance_count == 2
    requests, limits = deployment.resources.requests, deployment.resources.limits
    assert (requests.cpu, requests.memory, requests.gpu) == ("0.5", "1.5Gi", "1")
    assert (limits.cpu, limits.memory, limits.gpu) == ("2", "4Gi", "1")
    settings = deployment.request_settings
    assert (settings.request_timeout_ms, settings.max_concurrent_requests_per_instance) == (20000, 4)
    assert settings.max_queue_wait_ms == 1500
    live, ready = deployment.liveness_probe, deployment.readiness_probe
    assert (live.initial_delay, live.period, live.timeout, live.success_threshold, live.failure_threshold) == (
        30,
        5,
        3,
        2,
        6,
    )
    assert (ready.period, ready.timeout, ready.failure_threshold) == (5, 3, 6)
    assert {f.key for f in result.dropped} == {"namespace", "dataCollection.storageEnabled"}


def test_aks_without_autoscale_has_fixed_replicas(project: Project, tmp_path: Path) -> None:
    dc = {**AKS, "autoScaler": {"autoscaleEnabled": False}, "numReplicas": 3}
    result, _, deployment = export(project, tmp_path, {}, dc)
    assert deployment.scale_settings.type == "default"
    assert deployment.instance_count == 3
    assert fate(result, "numReplicas")[0] == "deployment.yml: instance_count"
    assert any("placeholder" in n for n in result.notes)  # no compute named: said so


def test_aksendpoint_version_and_traffic(project: Project, tmp_path: Path) -> None:
    dc = {"computeType": "AKSENDPOINT", "versionName": "green", "trafficPercentile": 40, "numReplicas": 1}
    _, endpoint, deployment = export(project, tmp_path, {}, dc, compute="aks")
    assert deployment.name == "green"
    assert endpoint.traffic == {"green": 40}


def test_environment_variables_and_inline_conda_get_the_inference_server(project: Project, tmp_path: Path) -> None:
    ic = {
        "environment": {
            "name": "my-env",
            "version": "3",
            "environmentVariables": {"OMP_NUM_THREADS": "1", "MODE": "fast"},
            "python": {"condaDependencies": {"dependencies": ["python=3.10", {"pip": ["scikit-learn"]}]}},
        }
    }
    result, _, deployment = export(project, tmp_path, ic, {"computeType": "ACI"})
    assert deployment.environment_variables == {"OMP_NUM_THREADS": "1", "MODE": "fast"}
    env = deployment.environment
    assert (env.name, env.version) == ("my-env", "3")
    assert env.image == "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"
    assert env.conda_file["dependencies"][1] == {"pip": ["scikit-learn", "azureml-inference-server-http"]}
    assert any("azureml-inference-server-http was added" in n for n in result.notes)


def test_a_conda_file_with_azureml_defaults_is_kept_as_written(project: Project, tmp_path: Path) -> None:
    text = "# my env\nname: e\ndependencies:\n  - python=3.10\n  - pip:\n      - azureml-defaults>=1.44\n"
    (project.root / "env.yml").write_text(text)
    result, _, _ = export(project, tmp_path, {"condaFile": "env.yml", "runtime": "python"}, {"computeType": "ACI"})
    assert (tmp_path / "v2" / "environment" / "conda.yml").read_text() == text
    assert fate(result, "runtime")[0] is None


def test_custom_base_image_in_its_registry_and_no_password_written(project: Project, tmp_path: Path) -> None:
    ic = {
        "environment": {
            "docker": {
                "baseImage": "ml/base:1",
                "baseImageRegistry": {"address": "myacr.azurecr.io", "username": "u", "password": "hunter2-secret"},
            }
        }
    }
    result, _, deployment = export(project, tmp_path, ic, {"computeType": "ACI"})
    assert deployment.environment.image == "myacr.azurecr.io/ml/base:1"
    assert {f.key for f in result.dropped} == {"environment.docker.baseImageRegistry"}
    written = "".join(p.read_text(errors="replace") for p in (tmp_path / "v2").rglob("*") if p.is_file())
    assert "hunter2-secret" not in written


def test_legacy_base_image_and_gpu(project: Project, tmp_path: Path) -> None:
    ic = {"baseImage": "mcr.microsoft.com/azureml/onnxruntime:latest-cuda", "enableGpu": True, "cudaVersion": "10.0"}
    result, _, deployment = export(project, tmp_path, ic, {"computeType": "ACI"})
    assert deployment.environment.image == "mcr.microsoft.com/azureml/onnxruntime:latest-cuda"
    assert deployment.instance_type == "Standard_NC4as_T4_v3"
    assert fate(result, "cudaVersion")[0] is None


def test_base_dockerfile_becomes_a_build_context_with_the_conda_environment(project: Project, tmp_path: Path) -> None:
    ic = {
        "environment": {
            "docker": {"baseDockerfile": "FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04\nRUN echo hi\n"},
            "python": {"condaDependencies": {"dependencies": [{"pip": ["azureml-defaults"]}]}},
        }
    }
    result, _, deployment = export(project, tmp_path, ic, AKS)
    build = deployment.environment.build
    assert build.path == "environment/docker"
    assert build.dockerfile_path == "Dockerfile"
    assert deployment.environment.image is None
    dockerfile = (tmp_path / "v2" / "environment" / "docker" / "Dockerfile").read_text()
    assert dockerfile.startswith("FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04\nRUN echo hi\n")
    assert "conda env create -p /opt/amldeploy-env -f /opt/amldeploy-conda.yml" in dockerfile
    conda = yaml.safe_load((tmp_path / "v2" / "environment" / "docker" / "conda.yml").read_text())
    assert conda["dependencies"] == [{"pip": ["azureml-defaults"]}]
    assert fate(result, "environment.docker.baseDockerfile")[0] == "environment/docker/Dockerfile (environment.build)"


def test_user_managed_dependencies_use_the_image_alone(project: Project, tmp_path: Path) -> None:
    ic = {"environment": {"python": {"userManagedDependencies": True}, "docker": {"baseImage": "me/full:1"}}}
    _, _, deployment = export(project, tmp_path, ic, {"computeType": "ACI"})
    assert deployment.environment.image == "me/full:1"
    assert deployment.environment.conda_file is None


def test_several_models_go_into_one_folder_laid_out_as_v1(project: Project, tmp_path: Path) -> None:
    other = project.root / "vocab"
    other.mkdir()
    (other / "words.txt").write_text("a b")
    models = [f"{project.model}:clf:2", f"{other}:vocab:1"]
    result, _, deployment = export(project, tmp_path, {}, {"computeType": "ACI"}, models=models)
    out = tmp_path / "v2" / "model"
    assert (out / "clf" / "2" / "model.pkl").read_bytes() == b"model"
    assert (out / "vocab" / "1" / "vocab" / "words.txt").read_text() == "a b"
    assert Path(deployment.model.path).resolve() == out.resolve()
    assert any("one model per deployment" in n for n in result.notes)


def test_config_errors_stop_the_export_before_writing(project: Project, tmp_path: Path) -> None:
    from amldeploy.config.load import ConfigError

    with pytest.raises(ConfigError):
        export_v2_files(
            project.ic(), project.dc(computeType="ACI", authEnabled="yes"), [], project.root, tmp_path / "v2"
        )
    assert not (tmp_path / "v2").exists()


def test_extra_dockerfile_steps_build_on_the_image_after_the_environment(project: Project, tmp_path: Path) -> None:
    (project.root / "steps.dockerfile").write_text("RUN apt-get update && apt-get install -y libgomp1")
    (project.root / "env.yml").write_text("dependencies:\n  - pip:\n      - azureml-defaults\n")
    ic = {"condaFile": "env.yml", "extraDockerfileSteps": "steps.dockerfile", "baseImage": "me/conda-base:2"}
    result, _, deployment = export(project, tmp_path, ic, {"computeType": "ACI"})
    assert deployment.environment.build.path == "environment/docker" and deployment.environment.image is None
    dockerfile = (tmp_path / "v2" / "environment" / "docker" / "Dockerfile").read_text()
    assert dockerfile.startswith("FROM me/conda-base:2\n")
    conda_at, steps_at = dockerfile.index("conda env create"), dockerfile.index("apt-get install -y libgomp1")
    assert conda_at < steps_at  # v1's order: the environment, then the steps
    assert fate(result, "extraDockerfileSteps")[0] == "environment/docker/Dockerfile (environment.build)"
    assert fate(result, "baseImage")[0] == "environment/docker/Dockerfile (FROM)"


def test_the_examples_aks_yaml_config(tmp_path: Path) -> None:
    from tests.python.cli_run import EXAMPLE

    out = tmp_path / "v2"
    ic, dc = EXAMPLE / "inferenceconfig.json", EXAMPLE / "deploymentconfig.aks.yml"
    result = export_v2_files(ic, dc, [], EXAMPLE, out, compute="aks")
    assert [f.key for f in result.fates if f.note == UNCLAIMED] == []
    deployment = load_online_deployment(out / "deployment.yml")
    scale = deployment.scale_settings
    assert (scale.min_instances, scale.max_instances, scale.polling_interval) == (1, 3, 10)
    assert (deployment.resources.limits.cpu, deployment.resources.limits.memory) == ("1", "2Gi")
    assert deployment.environment_variables == {"OMP_NUM_THREADS": "1"}
    assert [f.key for f in result.dropped] == ["namespace"]
    assert (out / deployment.code_configuration.code / "score.py").resolve() == (EXAMPLE / "score.py").resolve()


def test_an_entry_script_outside_the_code_folder_is_refused(project: Project, tmp_path: Path) -> None:
    from amldeploy.ops.errors import OpsError

    (project.root / "src").mkdir()
    with pytest.raises(OpsError, match="lies outside the source directory"):
        export_v2_files(
            project.ic(sourceDirectory="src", entryScript="../score.py"),
            project.dc(computeType="ACI"),
            [],
            project.root,
            tmp_path / "v2",
        )

"""The Kubernetes objects of a deployment config: what a user notices in them, and that each is valid for the
schemas of today's clusters (kubernetes-validate, offline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from amldeploy.config.models import DEPLOYMENT_CONFIG_ADAPTER
from amldeploy.ops.errors import OpsError
from amldeploy.ops.keys import ServiceKeys
from amldeploy.ops.targets.kubernetes import manifests as mf
from amldeploy.ops.targets.kubernetes.spec import spec_of

KEYS = ServiceKeys("primaryKEY0123456789abcdefghijkl", "secondaryKEY0123456789abcdefghij")
CERT = "-----BEGIN CERTIFICATE-----\nMIIBcertificate\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIEprivatekeytext\n-----END PRIVATE KEY-----\n"
SCHEMA_VERSIONS = ("1.28.0", "1.37.0")


def build(config: dict[str, Any], raw: dict[str, Any] | None = None, **options: Any) -> dict[str, dict[str, Any]]:
    spec, _ = spec_of(DEPLOYMENT_CONFIG_ADAPTER.validate_python(config), Path("."), raw)
    inputs = mf.Inputs(
        name=options.pop("name", "sklearn-demo"),
        namespace=options.pop("namespace", spec.namespace or "default"),
        image=options.pop("image", "registry.example/ml/sklearn-demo:0123456789ab"),
        spec=spec,
        keys=KEYS,
        created="2026-01-01T00:00:00+00:00",
        deployed="2026-01-01T00:00:00+00:00",
        **options,
    )
    items = mf.objects(inputs)
    by_name = {f"{o['kind']}/{o['metadata']['name']}": o for o in items}
    assert len(by_name) == len(items)
    return by_name


def container(objects: dict[str, dict[str, Any]], name: str = "sklearn-demo") -> dict[str, Any]:
    pod = objects[f"Deployment/{name}"]["spec"]["template"]["spec"]
    [c] = pod["containers"]
    return dict(c)


def env(objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container(objects)["env"]}


CONFIGS: dict[str, dict[str, Any]] = {
    "aks-defaults": {"computeType": "AKS"},
    "replicas": {"computeType": "AKS", "numReplicas": 3, "authEnabled": False},
    "autoscale": {
        "computeType": "AKS",
        "autoScaler": {"autoscaleEnabled": True, "minReplicas": 2, "maxReplicas": 5, "targetUtilization": 50},
    },
    "limits": {
        "computeType": "AKS",
        "numReplicas": 1,
        "containerResourceRequirements": {"cpu": 0.5, "cpuLimit": 2, "memoryInGB": 1.5, "memoryInGBLimit": 4},
    },
    "gpu": {"computeType": "AKS", "numReplicas": 1, "gpuCores": 2},
    "namespace": {"computeType": "AKSENDPOINT", "namespace": "ml-team", "numReplicas": 1},
    "front-end": {
        "computeType": "aks",
        "numReplicas": 1,
        "scoringTimeoutMs": 120000,
        "maxConcurrentRequestsPerContainer": 4,
        "maxQueueWaitMs": 2000,
        "keys": {"primaryKey": KEYS.primary, "secondaryKey": KEYS.secondary},
        "livenessProbeRequirements": {"periodSeconds": 5, "initialDelaySeconds": 30, "failureThreshold": 6},
    },
    "aci-config": {"computeType": "ACI", "containerResourceRequirements": {"cpu": 1, "memoryInGB": 2}},
}


@pytest.mark.parametrize("hpa_version", ["autoscaling/v2", "autoscaling/v1"])
@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_every_object_is_valid_for_todays_clusters(case: str, hpa_version: str) -> None:
    objects = build(
        CONFIGS[case],
        service_type="LoadBalancer",
        hpa_version=hpa_version,
        pull_secret=mf.PullSecret("registry.example", "puller", "pull-password"),
        tls=(CERT, KEY),
    )
    for obj in objects.values():
        for version in SCHEMA_VERSIONS:
            kubernetes_validate.validate(obj, version, strict=True)


def test_the_autoscaler_of_a_120_server_is_valid_for_the_schemas_that_still_have_v2beta2() -> None:
    objects = build(CONFIGS["autoscale"], hpa_version="autoscaling/v2beta2")
    hpa = objects["HorizontalPodAutoscaler/sklearn-demo"]
    assert hpa["apiVersion"] == "autoscaling/v2beta2"
    kubernetes_validate.validate(hpa, "1.25.0", strict=True)


def test_aks_defaults_autoscale_from_one_to_ten_at_70_percent_cpu_with_key_auth() -> None:
    objects = build(CONFIGS["aks-defaults"])
    assert sorted(objects) == [
        "Deployment/sklearn-demo",
        "HorizontalPodAutoscaler/sklearn-demo",
        "Secret/sklearn-demo-keys",
        "Service/sklearn-demo",
    ]
    hpa = objects["HorizontalPodAutoscaler/sklearn-demo"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (1, 10)
    assert hpa["metrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}
    ]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "sklearn-demo"}
    assert objects["Deployment/sklearn-demo"]["spec"]["replicas"] == 1
    assert container(objects)["resources"] == {"requests": {"cpu": "100m", "memory": "512Mi"}}
    values = env(objects)
    assert values["AMLDEPLOY_AUTH_ENABLED"] == "true"
    assert values["AMLDEPLOY_SCORING_TIMEOUT_MS"] == "60000"
    assert values["AMLDEPLOY_MAX_CONCURRENT_REQUESTS"] == "1"
    assert values["AMLDEPLOY_MAX_QUEUE_WAIT_MS"] == "500"
    assert objects["Service/sklearn-demo"]["spec"]["type"] == "ClusterIP"


def test_autoscaler_v1_says_target_utilisation_as_a_cpu_percentage() -> None:
    objects = build(CONFIGS["autoscale"], hpa_version="autoscaling/v1")
    hpa = objects["HorizontalPodAutoscaler/sklearn-demo"]["spec"]
    assert hpa == {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "sklearn-demo"},
        "minReplicas": 2,
        "maxReplicas": 5,
        "targetCPUUtilizationPercentage": 50,
    }
    assert objects["Deployment/sklearn-demo"]["spec"]["replicas"] == 2  # the autoscaler's minimum to start


def test_num_replicas_turns_autoscaling_off() -> None:
    objects = build(CONFIGS["replicas"])
    assert objects["Deployment/sklearn-demo"]["spec"]["replicas"] == 3
    assert not [k for k in objects if k.startswith("HorizontalPodAutoscaler")]
    assert env(objects)["AMLDEPLOY_AUTH_ENABLED"] == "false"


def test_requests_limits_and_gpus() -> None:
    assert container(build(CONFIGS["limits"]))["resources"] == {
        "requests": {"cpu": "500m", "memory": "1536Mi"},
        "limits": {"cpu": "2000m", "memory": "4096Mi"},
    }
    assert container(build(CONFIGS["gpu"]))["resources"]["limits"] == {"nvidia.com/gpu": "2"}


def test_the_configs_namespace_is_where_every_object_goes() -> None:
    objects = build(CONFIGS["namespace"])
    assert {o["metadata"]["namespace"] for o in objects.values()} == {"ml-team"}


def test_liveness_follows_v1_defaults_and_readiness_probes_get_slash() -> None:
    probe = container(build(CONFIGS["aks-defaults"]))["livenessProbe"]
    assert probe == {
        "httpGet": {"path": "/", "port": "http", "scheme": "HTTP"},
        "periodSeconds": 10,
        "initialDelaySeconds": 310,
        "timeoutSeconds": 2,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    custom = container(build(CONFIGS["front-end"]))
    assert custom["livenessProbe"]["periodSeconds"] == 5
    assert custom["livenessProbe"]["initialDelaySeconds"] == 30
    assert custom["livenessProbe"]["failureThreshold"] == 6
    assert custom["readinessProbe"]["httpGet"] == {"path": "/", "port": "http", "scheme": "HTTP"}
    assert custom["ports"] == [{"name": "http", "containerPort": 5001, "protocol": "TCP"}]


def test_the_front_end_reaches_the_runtime_and_the_grace_period_outlasts_its_sigterm_wait() -> None:
    objects = build(CONFIGS["front-end"])
    values = env(objects)
    assert values["AMLDEPLOY_SCORING_TIMEOUT_MS"] == "120000"
    assert values["AMLDEPLOY_MAX_CONCURRENT_REQUESTS"] == "4"
    assert values["AMLDEPLOY_MAX_QUEUE_WAIT_MS"] == "2000"
    graceful = int(values["AMLDEPLOY_GRACEFUL_TIMEOUT_S"])
    assert graceful >= 120  # a request may run for a whole scoring timeout
    pod = objects["Deployment/sklearn-demo"]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > graceful
    strategy = objects["Deployment/sklearn-demo"]["spec"]["strategy"]
    assert strategy == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}


def test_keys_live_in_the_secret_only() -> None:
    objects = build(
        CONFIGS["front-end"], pull_secret=mf.PullSecret("registry.example", "puller", "pull-password"), tls=(CERT, KEY)
    )
    secret = objects["Secret/sklearn-demo-keys"]
    assert secret["type"] == "Opaque"
    import base64

    assert base64.b64decode(secret["data"]["primaryKey"]).decode() == KEYS.primary
    values = env(objects)
    assert values["AMLDEPLOY_PRIMARY_KEY"] == {"secretKeyRef": {"name": "sklearn-demo-keys", "key": "primaryKey"}}
    assert values["AMLDEPLOY_SECONDARY_KEY"] == {"secretKeyRef": {"name": "sklearn-demo-keys", "key": "secondaryKey"}}
    others = json.dumps([o for name, o in objects.items() if not name.startswith("Secret/")])
    for secret_text in (KEYS.primary, KEYS.secondary, "pull-password", "MIIEprivatekeytext"):
        assert secret_text not in others
    for obj in objects.values():
        meta = json.dumps([obj["metadata"].get("labels"), obj["metadata"].get("annotations")])
        assert KEYS.primary not in meta and "pull-password" not in meta


def test_every_object_is_labelled_with_its_service() -> None:
    for obj in build(CONFIGS["autoscale"], tls=(CERT, KEY)).values():
        assert obj["metadata"]["labels"][mf.SERVICE_LABEL] == "sklearn-demo"
        assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "amldeploy"


def test_tls_is_a_tls_secret_mounted_and_served_by_the_runtime_on_443() -> None:
    raw = {"computeType": "AKS", "sslEnabled": True, "sslCertificate": "cert.pem", "sslKey": "key.pem"}
    spec, _ = spec_of(DEPLOYMENT_CONFIG_ADAPTER.validate_python({"computeType": "AKS"}), Path("/configs"), raw)
    assert spec.tls_files == (Path("/configs/cert.pem"), Path("/configs/key.pem"))
    objects = build({"computeType": "AKS", "numReplicas": 1}, tls=(CERT, KEY))
    secret = objects["Secret/sklearn-demo-tls"]
    assert secret["type"] == "kubernetes.io/tls"
    assert sorted(secret["data"]) == ["tls.crt", "tls.key"]
    c = container(objects)
    assert c["volumeMounts"] == [{"name": "tls", "mountPath": mf.TLS_DIR, "readOnly": True}]
    assert env(objects)["AMLDEPLOY_SSL_CERTFILE"] == f"{mf.TLS_DIR}/tls.crt"
    assert env(objects)["AMLDEPLOY_SSL_KEYFILE"] == f"{mf.TLS_DIR}/tls.key"
    assert c["livenessProbe"]["httpGet"]["scheme"] == "HTTPS"
    assert objects["Service/sklearn-demo"]["spec"]["ports"][0]["port"] == 443


def test_ssl_enabled_without_its_files_is_refused() -> None:
    config = DEPLOYMENT_CONFIG_ADAPTER.validate_python({"computeType": "AKS"})
    with pytest.raises(OpsError, match="sslCertificate or sslKey is missing"):
        spec_of(config, Path("."), {"sslEnabled": True, "sslCertificate": "cert.pem"})


def test_load_balancer_and_image_pull_secret() -> None:
    objects = build(
        CONFIGS["replicas"],
        service_type="LoadBalancer",
        pull_secret=mf.PullSecret("registry.example", "puller", "pull-password"),
    )
    assert objects["Service/sklearn-demo"]["spec"]["type"] == "LoadBalancer"
    assert objects["Service/sklearn-demo"]["spec"]["ports"] == [
        {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}
    ]
    pull = objects["Secret/sklearn-demo-pull"]
    assert pull["type"] == "kubernetes.io/dockerconfigjson"
    import base64

    config = json.loads(base64.b64decode(pull["data"][".dockerconfigjson"]))
    assert config["auths"]["registry.example"]["username"] == "puller"
    pod = objects["Deployment/sklearn-demo"]["spec"]["template"]["spec"]
    assert pod["imagePullSecrets"] == [{"name": "sklearn-demo-pull"}]
    assert container(objects)["image"] == "registry.example/ml/sklearn-demo:0123456789ab"


def test_token_auth_is_refused_naming_key_auth() -> None:
    config = DEPLOYMENT_CONFIG_ADAPTER.validate_python(
        {"computeType": "AKS", "tokenAuthEnabled": True, "authEnabled": False}
    )
    with pytest.raises(OpsError) as caught:
        spec_of(config, Path("."))
    assert "tokenAuthEnabled" in caught.value.message
    assert "workspace" in caught.value.message
    assert caught.value.hint is not None
    assert "key auth" in caught.value.hint and '"authEnabled": true' in caught.value.hint


def test_redacted_hides_every_secret_value_and_keeps_the_rest() -> None:
    items = list(build(CONFIGS["front-end"], tls=(CERT, KEY)).values())
    shown = mf.redacted(items)
    for obj in shown:
        if obj["kind"] == "Secret":
            assert set(obj["data"].values()) == {mf.REDACTED}
    assert [o["kind"] for o in shown] == [o["kind"] for o in items]
    assert items[0]["data"]["primaryKey"] != mf.REDACTED  # the originals are untouched
    text = mf.to_yaml(shown)
    assert KEYS.primary not in text and "MIIEprivatekeytext" not in text


@pytest.mark.parametrize(
    ("served", "chosen"),
    [
        (["autoscaling/v1", "autoscaling/v2", "autoscaling/v2beta2"], "autoscaling/v2"),
        (["autoscaling/v1", "autoscaling/v2beta1", "autoscaling/v2beta2"], "autoscaling/v2beta2"),
        (["autoscaling/v1"], "autoscaling/v1"),
        ([], "autoscaling/v1"),
    ],
)
def test_the_newest_autoscaling_version_the_server_serves(served: list[str], chosen: str) -> None:
    assert mf.newest_hpa_version(served) == chosen

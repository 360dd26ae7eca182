"""Deployment config rules (DC###), per compute type, JSON and YAML."""

from __future__ import annotations

import pytest

from amldeploy.language.problems import Severity
from amldeploy.language.validate import Kind
from tests.python.unit.conftest import Check, assert_at, only

D = Kind.DEPLOYMENT
CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"


@pytest.mark.parametrize(
    "text",
    [
        '{"computeType": "local", "port": 8890}',
        '{"computeType": "LOCAL"}',
        '{"computeType": "aci", "containerResourceRequirements": {"cpu": 0.5, "memoryInGB": 1.0}, "authEnabled": true}',
        '{"computeType": "Aks", "autoScaler": {"autoscaleEnabled": true, "minReplicas": 1, "maxReplicas": 3}}',
        '{"computeType": "AKS", "autoScaler": {"autoscaleEnabled": false}, "numReplicas": 2, "namespace": "ml-1"}',
        '{"computeType": "AKSENDPOINT", "versionName": "v1", "trafficPercentile": 50}',
    ],
)
def test_clean_configs(check: Check, text: str) -> None:
    assert check(text, D)[2] == []


def test_compute_type_required_and_known(check: Check) -> None:
    text, spans, problems = check('«{»"port": 1}', D)
    assert_at(text, problems, "DC001", spans[0], "computeType")
    assert only(problems, "DC006") == []  # no noise about keys of some branch
    text, spans, problems = check('{"computeType": «"k8s"»}', D)
    assert_at(text, problems, "DC005", spans[0], "k8s")


@pytest.mark.parametrize(
    ("value", "code"), [('"8890"', "DC002"), ("70000", "DC004"), ("0", "DC004"), ("8890.0", "DC002")]
)
def test_local_port_is_an_integer_in_range(check: Check, value: str, code: str) -> None:
    text, spans, problems = check(f'{{"computeType": "local", "port": «{value}»}}', D)
    assert_at(text, problems, code, spans[0], "port")


@pytest.mark.parametrize(("value", "code"), [("0", "DC004"), ("-1", "DC004"), ('"1"', "DC002")])
def test_aci_cpu_positive_number(check: Check, value: str, code: str) -> None:
    text, spans, problems = check(f'{{"computeType": "ACI", "containerResourceRequirements": {{"cpu": «{value}»}}}}', D)
    assert_at(text, problems, code, spans[0], "cpu")


def test_aci_regional_limits(check: Check) -> None:
    text, spans, problems = check(
        '{"computeType": "ACI", "location": "westeurope", "containerResourceRequirements": {"cpu": 4, "memoryInGB": «15»}}',
        D,
    )
    assert_at(text, problems, "DC010", spans[0], "14", "westeurope")
    ok = check(
        '{"computeType": "ACI", "location": "East US", "containerResourceRequirements": {"memoryInGB": 15}}',
        D,
    )[2]
    assert only(ok, "DC010") == []
    text, spans, problems = check(
        '{"computeType": "ACI", "location": "marsnorth", "containerResourceRequirements": {"cpu": «5»}}', D
    )
    assert_at(text, problems, "DC010", spans[0], "4 CPU")


def test_ssl_needs_certificate_key_and_cname(check: Check) -> None:
    text, spans, problems = check('{"computeType": "ACI", «"sslEnabled"»: true, "sslCName": "x.example"}', D)
    assert_at(text, problems, "DC011", spans[0], "sslCertificate", "sslKey", "cname", "not 'sslCName'")
    problem = only(problems, "DC007")[0]
    assert problem.data is not None and problem.data["replacement"] == "cname"
    ok = check(
        '{"computeType": "ACI", "sslEnabled": true, "sslCertificate": "c.pem", "sslKey": "k.pem", "cname": "x.example"}',
        D,
        {"c.pem": CERT, "k.pem": KEY},
    )[2]
    assert ok == []


def test_ssl_files_must_be_pem(check: Check) -> None:
    text, spans, problems = check(
        '{"computeType": "ACI", "sslEnabled": true, "sslCertificate": «"c.pem"», "sslKey": «"k.pem"», "cname": "x"}',
        D,
        {"c.pem": "hello"},
    )
    assert_at(text, problems, "DC012", spans[0], "PEM")
    assert_at(text, problems, "DC012", spans[1], "doesn't exist")


def test_cmk_and_vnet_all_or_none(check: Check) -> None:
    text, spans, problems = check('{"computeType": "ACI", «"vaultBaseUrl"»: "https://v", «"vnetName"»: "n"}', D)
    assert_at(text, problems, "DC013", spans[0], "keyName", "keyVersion")
    assert_at(text, problems, "DC013", spans[1], "subnetName")
    ok = check('{"computeType": "ACI", "vaultBaseUrl": "https://v", "keyName": "k", "keyVersion": "1"}', D)[2]
    assert only(ok, "DC013") == []


def test_gpu_in_container_requirements_is_ignored(check: Check) -> None:
    text, spans, problems = check('{"computeType": "AKS", "containerResourceRequirements": {«"gpu"»: 1}}', D)
    problem = assert_at(text, problems, "DC014", spans[0], "gpuCores")
    assert problem.severity == Severity.WARNING
    assert only(problems, "DC006") == []
    text, spans, problems = check('{"computeType": "ACI", "containerResourceRequirements": {«"gpu"»: 1}}', D)
    assert_at(text, problems, "DC014", spans[0], "ACI")
    assert only(check('{"computeType": "AKS", "gpuCores": 1}', D)[2], "DC014") == []


def test_autoscale_rules(check: Check) -> None:
    text, spans, problems = check(
        '{"computeType": "AKS", "autoScaler": {"autoscaleEnabled": true}, «"numReplicas"»: 2}', D
    )
    assert_at(text, problems, "DC015", spans[0], "remove numReplicas")
    text, spans, problems = check('{"computeType": "aks", "autoScaler": {"autoscaleEnabled": «false»}}', D)
    assert_at(text, problems, "DC015", spans[0], "numReplicas is not provided")
    text, spans, problems = check('{"computeType": "aks", "autoScaler": {«"minReplicas"»: 2}}', D)
    assert_at(text, problems, "DC015", spans[0], "without enabling")
    text, spans, problems = check(
        '{"computeType": "aks", "autoScaler": {"autoscaleEnabled": true, "minReplicas": «4», "maxReplicas": 2}}',
        D,
    )
    assert_at(text, problems, "DC016", spans[0], "greater than maxReplicas")


def test_limits_not_below_requests(check: Check) -> None:
    text, spans, problems = check(
        '{"computeType": "aks", "containerResourceRequirements": '
        '{"cpu": 1, "cpuLimit": «0.5», "memoryInGB": 2, "memoryInGBLimit": «1»}}',
        D,
    )
    assert_at(text, problems, "DC017", spans[0], "cpuLimit")
    assert_at(text, problems, "DC017", spans[1], "memoryInGBLimit")


def test_key_and_token_auth_together(check: Check) -> None:
    text, spans, problems = check('{"computeType": "aks", "authEnabled": true, «"tokenAuthEnabled"»: true}', D)
    assert_at(text, problems, "DC018", spans[0])
    assert only(check('{"computeType": "aks", "authEnabled": false, "tokenAuthEnabled": true}', D)[2], "DC018") == []


@pytest.mark.parametrize("key", ["scoringTimeoutMs", "maxQueueWaitMs", "numReplicas"])
def test_counts_and_times_positive(check: Check, key: str) -> None:
    extra = ', "autoScaler": {"autoscaleEnabled": false}' if key == "numReplicas" else ""
    text, spans, problems = check(f'{{"computeType": "aks", "{key}": «0»{extra}}}', D)
    assert_at(text, problems, "DC004", spans[0])


def test_namespace_pattern(check: Check) -> None:
    text, spans, problems = check('{"computeType": "aks", "namespace": «"Bad_NS"»}', D)
    assert_at(text, problems, "DC005", spans[0])


def test_concurrency_note_and_keys_in_file(check: Check) -> None:
    text, spans, problems = check(
        '{"computeType": "aks", "maxConcurrentRequestsPerContainer": «4», "keys": {«"primaryKey"»: "s3cret"}}',
        D,
    )
    assert assert_at(text, problems, "DC019", spans[0], "serialised").severity == Severity.INFORMATION
    assert assert_at(text, problems, "DC020", spans[1]).severity == Severity.INFORMATION
    assert "s3cret" not in " ".join(p.message for p in problems)


def test_key_of_another_compute_type(check: Check) -> None:
    text, spans, problems = check('{"computeType": "aks", «"dnsNameLabel"»: "x"}', D)
    assert_at(text, problems, "DC006", spans[0], "ACI")


def test_yaml_deployment_config(check: Check) -> None:
    text, spans, problems = check(
        "computeType: aks\nautoScaler:\n  autoscaleEnabled: yes\n«numReplicas»: 2\nnamespace: «Bad_NS»\n",
        D,
        name="deploymentconfig.yml",
    )
    assert_at(text, problems, "DC015", spans[0])
    assert_at(text, problems, "DC005", spans[1])

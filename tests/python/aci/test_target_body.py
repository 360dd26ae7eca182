"""The ACI target against the local Azure (no Docker): the container group it PUTs, field by field (checked against
Azure's spec by the fake on every request), the services it lists and gets back from their tags, its keys, and
``deploy --dry-run`` printing the same body with its secrets hidden, contacting nothing."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from amldeploy.ops.reporter import RecordingReporter
from amldeploy.ops.states import State
from amldeploy.ops.targets.aci.target import AciTarget
from tests.infra.aci import FakeAzure
from tests.python.aci.helpers import (
    CERT_TEXT,
    IMAGE,
    KEY_TEXT,
    PRIMARY,
    REGISTRY_PASSWORD,
    SECONDARY,
    aci_config,
    deploy,
    env_of,
    put_body,
)
from tests.python.cli_run import run_amldeploy


def test_the_container_group_carries_the_config_field_by_field(
    target: AciTarget, project: Path, azure: FakeAzure
) -> None:
    config = aci_config(
        location="northeurope",
        dnsNameLabel="sk-label",
        sslEnabled=True,
        sslCertificate="cert.pem",
        sslKey="key.pem",
        cname="scoring.example.com",
        vaultBaseUrl="https://vault.vault.azure.net",
        keyName="cmk",
        keyVersion="0123456789abcdef",
    )
    azure.add_resource_group(azure.resource_group, "northeurope")  # the config's location wins anyway
    service = deploy(target, project, config, registry_username="puller", registry_password=REGISTRY_PASSWORD)
    assert service.state is State.HEALTHY, service.error
    assert service.details["fqdn"] == "sk-label.northeurope.azurecontainer.io" and service.port == 443
    assert service.scoring_uri == "https://scoring.example.com:443/score"  # the certificate's name, as v1 gave it
    assert service.details["cname"] == "scoring.example.com" and service.details["tls"] is True
    # score speaks HTTPS to it trusting its own certificate, read again from the config (a certificate is public).
    assert target.tls_trust(service) == (project / "cert.pem").read_text()

    body = put_body(azure)
    assert body["location"] == "northeurope"
    props = body["properties"]
    assert props["osType"] == "Linux" and props["restartPolicy"] == "Always"
    (container,) = props["containers"]
    c = container["properties"]
    assert c["image"] == IMAGE
    assert c["resources"] == {"requests": {"cpu": 1.5, "memoryInGB": 2.5}}
    assert c["ports"] == [{"port": 443, "protocol": "TCP"}]
    assert props["ipAddress"] == {
        "ports": [{"port": 443, "protocol": "TCP"}],
        "type": "Public",
        "dnsNameLabel": "sk-label",
    }
    env = env_of(container)
    assert env["AMLDEPLOY_PRIMARY_KEY"] == {"name": "AMLDEPLOY_PRIMARY_KEY", "secureValue": PRIMARY}
    assert env["AMLDEPLOY_SECONDARY_KEY"] == {"name": "AMLDEPLOY_SECONDARY_KEY", "secureValue": SECONDARY}
    assert env["AMLDEPLOY_AUTH_ENABLED"] == {"name": "AMLDEPLOY_AUTH_ENABLED", "value": "true"}
    assert env["AMLDEPLOY_SSL_CERTFILE"]["value"] == "/etc/amldeploy/tls/tls.crt"
    assert env["AMLDEPLOY_SSL_KEYFILE"]["value"] == "/etc/amldeploy/tls/tls.key"
    assert env["SERVER_PORT"]["value"] == "443"
    assert env["MODEL_FLAVOUR"]["value"] == "ridge"  # the environment's variables
    for probe in ("livenessProbe", "readinessProbe"):
        assert c[probe]["httpGet"] == {"path": "/", "port": 443, "scheme": "https"}
    assert c["volumeMounts"] == [{"name": "tls", "mountPath": "/etc/amldeploy/tls", "readOnly": True}]
    (volume,) = props["volumes"]
    assert base64.b64decode(volume["secret"]["tls.crt"]).decode().count(CERT_TEXT) == 1
    assert base64.b64decode(volume["secret"]["tls.key"]).decode().count(KEY_TEXT) == 1
    assert props["encryptionProperties"] == {
        "vaultBaseUrl": "https://vault.vault.azure.net",
        "keyName": "cmk",
        "keyVersion": "0123456789abcdef",
    }
    assert props["imageRegistryCredentials"] == [
        {"server": "registry.example.com", "username": "puller", "password": REGISTRY_PASSWORD}
    ]
    tags = body["tags"]
    assert tags["amldeploy-service"] == "sk-aci" and tags["amldeploy-compute-type"] == "ACI"
    flat = json.dumps(tags)
    for secret in (PRIMARY, SECONDARY, KEY_TEXT, REGISTRY_PASSWORD):
        assert secret not in flat
    # ARM never echoes a secureValue: the keys come back from the config.
    assert target.keys("sk-aci").primary == PRIMARY


def test_a_virtual_network_gives_the_subnet_id_and_a_private_address(
    target: AciTarget, project: Path, azure: FakeAzure
) -> None:
    deploy(target, project, aci_config(vnetName="vnet1", subnetName="aci-subnet", authEnabled=False))
    props = put_body(azure)["properties"]
    assert props["subnetIds"] == [
        {
            "id": f"/subscriptions/{azure.subscription_id}/resourceGroups/{azure.resource_group}/providers/"
            "Microsoft.Network/virtualNetworks/vnet1/subnets/aci-subnet"
        }
    ]
    assert props["ipAddress"]["type"] == "Private" and "dnsNameLabel" not in props["ipAddress"]
    assert put_body(azure)["location"] == azure.location  # no location in the config: the resource group's
    container = props["containers"][0]["properties"]
    assert container["ports"] == [{"port": 5001, "protocol": "TCP"}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/", "port": 5001, "scheme": "http"}
    assert "volumes" not in props and "encryptionProperties" not in props


def test_list_and_get_find_services_by_tag_and_generated_keys_survive_a_redeploy(
    target: AciTarget, project: Path, azure: FakeAzure
) -> None:
    config = json.dumps({"computeType": "ACI", "authEnabled": True})
    first = deploy(target, project, config, name="sk-one")
    assert first.auth_enabled and first.state is State.HEALTHY
    keys = target.keys("sk-one")
    assert first.generated_keys == keys  # for the deploy command to show, once
    again = deploy(target, project, config, name="sk-one")
    assert again.created == first.created
    assert target.keys("sk-one") == keys  # a redeploy from this process keeps them
    assert again.generated_keys is None  # nothing new to show
    assert [s.name for s in target.list()] == ["sk-one"]
    got = target.get("sk-one")
    assert got.details["resourceGroup"] == azure.resource_group and got.port == 5001
    assert got.host and got.host.endswith(f".{azure.location}.azurecontainer.io")
    assert not (project / ".amldeploy" / "aci").exists(), "no key is written to a file"
    target.delete("sk-one", RecordingReporter())
    assert target.list() == []


def test_dry_run_prints_the_body_with_secrets_hidden_and_contacts_nothing(project: Path, tmp_path: Path) -> None:
    (project / "deploymentconfig.json").write_text(
        aci_config(
            sslEnabled=True, sslCertificate="cert.pem", sslKey="key.pem", cname="a.example.com", location="westus"
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMLDEPLOY_", "AZURE_"))}
    env.update(
        DOCKER_HOST="unix:///nonexistent/docker.sock",
        AMLDEPLOY_ARM_ENDPOINT="https://127.0.0.1:9",
        AZURE_AUTHORITY_HOST="https://127.0.0.1:9",
    )
    args = ("deploy", "sk-dry", "--ic", "inferenceconfig.json", "--dc", "deploymentconfig.json")
    result = run_amldeploy(
        (
            *args,
            "--model",
            "model.joblib",
            "--target",
            "aci",
            "--dry-run",
            "--output",
            "json",
            "--subscription",
            "sub-1",
            "--resource-group",
            "rg-1",
            "--registry",
            "myacr.azurecr.io/team",
            "--registry-username",
            "u",
        ),
        project,
        env,
        timeout=120,
    )
    assert result.status == 0, result.both
    (group,) = result.json()["objects"]
    text = json.dumps(group)
    for secret in (PRIMARY, SECONDARY, CERT_TEXT, KEY_TEXT):
        assert secret not in text
    env_vars = env_of(group["properties"]["containers"][0])
    assert env_vars["AMLDEPLOY_PRIMARY_KEY"]["secureValue"] == "***"
    assert group["properties"]["volumes"][0]["secret"] == {"tls.crt": "***", "tls.key": "***"}
    assert group["location"] == "westus" and group["name"] == "sk-dry"
    image = group["properties"]["containers"][0]["properties"]["image"]
    assert image.startswith("myacr.azurecr.io/team/sk-dry:") and len(image.rsplit(":", 1)[1]) == 12

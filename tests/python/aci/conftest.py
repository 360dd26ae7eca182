"""Azure played locally for the ACI target's tests (tests/infra/aci, see its README.md).

* ``azure``: the fake (:class:`tests.infra.aci.FakeAzure`), fresh for each test: one tenant, subscription and
  resource group, its endpoints (``authority_host``, ``arm_url``, ``ca_path``), what it received (``requests``,
  ``token_requests``) and its knobs (``fail``, ``deny``, ``pull_fails``, ``crash_loop``, ...). After the test it
  asserts that no request violated Azure's spec and that no response of the fake did (a test that sends an invalid
  request on purpose takes its violations with ``azure.take_violations()``).
* ``azure_env``: the environment that points azure-identity and the target at it (AZURE_AUTHORITY_HOST,
  AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_SUBSCRIPTION_ID, AMLDEPLOY_ARM_ENDPOINT,
  REQUESTS_CA_BUNDLE, SSL_CERT_FILE, and an empty AZURE_CONFIG_DIR so no Azure CLI login is found): a dict for a
  subprocess, also set in ``os.environ`` for the test's duration, for code running in the test's process.
* ``azure_credential``: a real ``ClientSecretCredential`` for the fake's service principal.
* ``aci_client``: a real ``ContainerInstanceManagementClient`` on the fake ARM (no wait between polls).
* ``project``, ``target``: a folder with the example's score.py and configs, and the ACI target working in it on
  the fake's resource group, polling without waiting (the target's tests).

``azure.run_on_docker(client)`` runs the groups' images on the tests' Docker engine (test_fake_azure_docker.py).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.identity import ClientSecretCredential
from azure.mgmt.containerinstance import ContainerInstanceManagementClient

from amldeploy.ops.targets.aci.target import AciTarget
from tests.infra.aci import FakeAzure
from tests.python.aci.helpers import CERT_TEXT, KEY_TEXT
from tests.python.cli_run import EXAMPLE

# Variables that would send DefaultAzureCredential to another identity than the fake's service principal.
_OTHER_IDENTITIES = (
    "AZURE_USERNAME",
    "AZURE_PASSWORD",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "AZURE_TOKEN_CREDENTIALS",
)


@pytest.fixture(scope="session")
def azure_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeAzure]:
    with FakeAzure.start(tmp_path_factory.mktemp("fake-azure")) as fake:
        yield fake


@pytest.fixture
def azure(azure_servers: FakeAzure) -> Iterator[FakeAzure]:
    azure_servers.reset()
    yield azure_servers
    azure_servers.assert_faithful()


@pytest.fixture
def azure_env(azure: FakeAzure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    config_dir = tmp_path / "azure-cli-config"
    config_dir.mkdir()
    env = {**azure.env(), "AZURE_CONFIG_DIR": str(config_dir)}
    for name in _OTHER_IDENTITIES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def azure_credential(azure: FakeAzure) -> Iterator[ClientSecretCredential]:
    credential = ClientSecretCredential(
        azure.tenant_id,
        azure.client_id,
        azure.client_secret,
        authority=azure.authority_host,
        disable_instance_discovery=True,
        connection_verify=str(azure.ca_path),
    )
    with credential:
        yield credential


@pytest.fixture
def aci_client(
    azure: FakeAzure, azure_credential: ClientSecretCredential
) -> Iterator[ContainerInstanceManagementClient]:
    client = ContainerInstanceManagementClient(
        azure_credential,
        azure.subscription_id,
        base_url=azure.arm_url,
        credential_scopes=[azure.arm_scope],
        connection_verify=str(azure.ca_path),
        polling_interval=0,
    )
    with client:
        yield client


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("inferenceconfig.json", "score.py", "environment.yml"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    ic = json.loads((tmp_path / "inferenceconfig.json").read_text())
    ic["environment"] = {"environmentVariables": {"MODEL_FLAVOUR": "ridge"}}
    ic.pop("condaFile", None)
    (tmp_path / "inferenceconfig.json").write_text(json.dumps(ic))
    (tmp_path / "model.joblib").write_bytes(b"not a real model; the fake runs nothing")
    (tmp_path / "cert.pem").write_text(f"-----BEGIN CERTIFICATE-----\n{CERT_TEXT}\n-----END CERTIFICATE-----\n")
    (tmp_path / "key.pem").write_text(f"-----BEGIN PRIVATE KEY-----\n{KEY_TEXT}\n-----END PRIVATE KEY-----\n")
    return tmp_path


@pytest.fixture
def target(azure: FakeAzure, azure_env: dict[str, str], project: Path, monkeypatch: pytest.MonkeyPatch) -> AciTarget:
    monkeypatch.setenv("AMLDEPLOY_ACI_POLL_INTERVAL_S", "0")
    monkeypatch.setenv("AMLDEPLOY_ACI_READY_TIMEOUT_S", "20")
    target = AciTarget(project)
    target.configure({"aci.resourceGroup": azure.resource_group})
    return target

"""The documentation samples and the verified v1 messages of the reference: amldeploy's verdict must be v1's.

"Verdict" means: v1 refused the file (or crashed on it) ⇔ amldeploy reports at least one error. Each case also
names the code that carries the reason. Sources: the azure-docs includes for inference/ACI/AKS configs (2019
and later, with the 2019/2020 zh-CN include that combined ``environment`` and ``condaFile``), and the messages
verified with azureml-core 1.61 (see the project's reference notes).
"""

from __future__ import annotations

import pytest

from amldeploy.language.problems import Severity
from amldeploy.language.validate import Kind
from tests.python.unit.conftest import Check

SCORE = "def init():\n    pass\n\n\ndef run(data):\n    return data\n"
CONDA = "name: myenv\ndependencies:\n  - python=3.8\n  - pip:\n      - azureml-defaults\n"
FILES = {"score.py": SCORE, "myenv.yml": CONDA, "1score.py": SCORE, "class.py": SCORE, "score.R": "x"}
IC, DC = Kind.INFERENCE, Kind.DEPLOYMENT

DOC_ENVIRONMENT = """{
  "entryScript": "score.py",
  "environment": {
    "docker": {"arguments": [], "baseDockerfile": null, "baseImage": "mcr.microsoft.com/azureml/base:intelmpi2018.3-ubuntu16.04",
               "enabled": false, "sharedVolumes": true, "shmSize": null},
    "environmentVariables": {"EXAMPLE_ENV_VAR": "EXAMPLE_VALUE"},
    "name": "my-deploy-env",
    "python": {"baseCondaEnvironment": null, "condaDependencies": {"channels": ["conda-forge"],
               "dependencies": ["python=3.6.2", {"pip": ["azureml-defaults", "azureml-telemetry", "scikit-learn==0.22.1",
               "inference-schema[numpy-support]"]}], "name": "project_environment"},
               "condaDependenciesFile": null, "interpreterPath": "python", "userManagedDependencies": false},
    "version": "1"
  }
}"""

CASES = [
    # (case, kind, document, v1 accepted it, code carrying the verdict)
    (
        "doc: legacy inference config",
        IC,
        '{"entryScript": "score.py", "runtime": "python", "condaFile": "myenv.yml", "extraDockerfileSteps": null, '
        '"sourceDirectory": null, "enableGpu": false, "baseImage": null, "baseImageRegistry": null}',
        True,
        None,
    ),
    ("doc: environment inference config", IC, DOC_ENVIRONMENT, True, None),
    (
        "doc: entry script with -e AzureML-Minimal",
        IC,
        '{"entryScript": "score.py", "sourceDirectory": null}',
        True,
        None,
    ),
    (
        "doc 2019 zh-CN: environment + condaFile",
        IC,
        '{"entryScript": "score.py", "condaFile": "myenv.yml", "environment": {"name": "myenv"}}',
        False,
        "IC016",
    ),
    (
        "doc: baseImageRegistry as a string",
        IC,
        '{"entryScript": "score.py", "runtime": "python", "baseImageRegistry": "mcr.microsoft.com"}',
        False,
        "IC002",
    ),
    ("runtime r", IC, '{"entryScript": "score.py", "runtime": "r"}', False, "IC003"),
    ("cudaVersion 11.0", IC, '{"entryScript": "score.py", "cudaVersion": "11.0"}', False, "IC003"),
    ("cudaVersion number", IC, '{"entryScript": "score.py", "cudaVersion": 10.0}', False, "IC002"),
    ("no entryScript", IC, '{"runtime": "python"}', False, "IC001"),
    ("missing entry script file", IC, '{"entryScript": "missing.py"}', False, "IC010"),
    ("entry script not .py", IC, '{"entryScript": "score.R"}', False, "IC011"),
    ("entry script 1score.py", IC, '{"entryScript": "1score.py"}', False, "IC012"),
    ("entry script class.py", IC, '{"entryScript": "class.py"}', False, "IC012"),
    ("missing conda file", IC, '{"entryScript": "score.py", "condaFile": "missing.yml"}', False, "IC014"),
    (
        "missing source directory",
        IC,
        '{"entryScript": "score.py", "sourceDirectory": "nowhere"}',
        False,
        "IC015",
    ),
    (
        "baseImage + baseDockerfile",
        IC,
        '{"entryScript": "score.py", "environment": {"docker": {"baseImage": "a", "baseDockerfile": "FROM a"}}}',
        False,
        "IC017",
    ),
    (
        "extraDockerFileSteps silently ignored",
        IC,
        '{"entryScript": "score.py", "extraDockerFileSteps": "x"}',
        True,
        "IC007",
    ),
    (
        "doc 2019: ACI include",
        DC,
        '{"computeType": "aci", "containerResourceRequirements": {"cpu": 0.5, "memoryInGB": 1.0}, "authEnabled": true, '
        '"sslEnabled": false, "appInsightsEnabled": false}',
        True,
        None,
    ),
    (
        "doc 2019: AKS include",
        DC,
        '{"computeType": "aks", "autoScaler": {"autoscaleEnabled": true, "minReplicas": 1, "maxReplicas": 3, '
        '"refreshPeriodInSeconds": 1, "targetUtilization": 70}, "dataCollection": {"storageEnabled": true}, '
        '"authEnabled": true, "containerResourceRequirements": {"cpu": 0.5, "memoryInGB": 1.0}}',
        True,
        None,
    ),
    ("doc: local", DC, '{"computeType": "local", "port": 32267}', True, None),
    (
        "autoscale off, no numReplicas",
        DC,
        '{"computeType": "aks", "autoScaler": {"autoscaleEnabled": false}}',
        False,
        "DC015",
    ),
    (
        "autoscale on + numReplicas",
        DC,
        '{"computeType": "AKS", "autoScaler": {"autoscaleEnabled": true}, "numReplicas": 2}',
        False,
        "DC015",
    ),
    (
        "min > max",
        DC,
        '{"computeType": "aks", "autoScaler": {"autoscaleEnabled": true, "minReplicas": 5, "maxReplicas": 2}}',
        False,
        "DC016",
    ),
    (
        "minReplicas without autoscale",
        DC,
        '{"computeType": "aks", "autoScaler": {"minReplicas": 2}}',
        False,
        "DC015",
    ),
    (
        "auth + token auth",
        DC,
        '{"computeType": "aks", "authEnabled": true, "tokenAuthEnabled": true}',
        False,
        "DC018",
    ),
    ("namespace Bad_NS", DC, '{"computeType": "aks", "namespace": "Bad_NS"}', False, "DC005"),
    (
        "cpuLimit < cpu",
        DC,
        '{"computeType": "aks", "containerResourceRequirements": {"cpu": 1, "cpuLimit": 0.5}}',
        False,
        "DC017",
    ),
    (
        "periodSeconds 0",
        DC,
        '{"computeType": "aks", "livenessProbeRequirements": {"periodSeconds": 0}}',
        False,
        "DC004",
    ),
    (
        "AKS gpu accepted and ignored",
        DC,
        '{"computeType": "aks", "containerResourceRequirements": {"gpu": 1}}',
        True,
        "DC014",
    ),
    ("ACI ssl without files", DC, '{"computeType": "aci", "sslEnabled": true}', False, "DC011"),
    (
        "ACI only vaultBaseUrl",
        DC,
        '{"computeType": "aci", "vaultBaseUrl": "https://v.vault.azure.net"}',
        False,
        "DC013",
    ),
    ("ACI only vnetName", DC, '{"computeType": "aci", "vnetName": "vnet"}', False, "DC013"),
    (
        "ACI cpu string",
        DC,
        '{"computeType": "aci", "containerResourceRequirements": {"cpu": "1"}}',
        False,
        "DC002",
    ),
    ("ACI cpu 0", DC, '{"computeType": "aci", "containerResourceRequirements": {"cpu": 0}}', False, "DC004"),
    ("local port string", DC, '{"computeType": "local", "port": "8890"}', False, "DC002"),
    ("local port 70000", DC, '{"computeType": "local", "port": 70000}', False, "DC004"),
    ("no computeType", DC, '{"port": 1}', False, "DC001"),
    ("computeType k8s", DC, '{"computeType": "k8s"}', False, "DC005"),
]


@pytest.mark.parametrize(("case", "kind", "document", "accepted", "code"), CASES, ids=[c[0] for c in CASES])
def test_verdict_matches_v1(
    check: Check, case: str, kind: Kind, document: str, accepted: bool, code: str | None
) -> None:
    _, _, problems = check(document, kind, FILES)
    errors = [p for p in problems if p.severity == Severity.ERROR]
    assert (not errors) == accepted, f"{case}: {[(p.code, p.message) for p in problems]}"
    if code is not None:
        assert code in {p.code for p in problems}, f"{case}: {[(p.code, p.message) for p in problems]}"
    elif accepted:
        assert not [p for p in problems if p.severity <= Severity.WARNING], [(p.code, p.message) for p in problems]

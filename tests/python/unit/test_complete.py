"""Completion in config files and entry scripts: whole item lists at a ``|`` cursor, JSON and YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amldeploy.language.complete.core import Completion, _complete_config, complete_config, complete_script
from amldeploy.language.complete.entry import complete_entry
from amldeploy.language.files import DiskFiles
from amldeploy.language.rules.deployment import REGIONS
from amldeploy.language.validate import Kind

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

AKS_KEYS = {
    "computeType", "autoScaler", "dataCollection", "authEnabled", "tokenAuthEnabled",
    "containerResourceRequirements", "gpuCores", "appInsightsEnabled", "scoringTimeoutMs",
    "maxConcurrentRequestsPerContainer", "maxQueueWaitMs", "numReplicas", "keys", "livenessProbeRequirements",
    "namespace", "computeTargetName",
}  # fmt: skip
ACI_KEYS = {
    "computeType", "containerResourceRequirements", "location", "authEnabled", "sslEnabled", "sslCertificate",
    "sslKey", "cname", "dnsNameLabel", "appInsightsEnabled", "vaultBaseUrl", "keyName", "keyVersion",
    "vnetName", "subnetName", "keys",
}  # fmt: skip
AKS_ENDPOINT_KEYS = AKS_KEYS - {"computeTargetName"} | {"versionName", "trafficPercentile"}
INFERENCE_KEYS = {
    "entryScript", "sourceDirectory", "runtime", "condaFile", "extraDockerfileSteps", "enableGpu",
    "cudaVersion", "baseImage", "baseImageRegistry", "description", "environment",
}  # fmt: skip


def cursor(text: str) -> tuple[str, int]:
    """The text without its ``|`` marker, and the marker's offset."""
    offset = text.index("|")
    return text[:offset] + text[offset + 1 :], offset


def complete(
    source: str, kind: Kind = Kind.DEPLOYMENT, name: str = "deploymentconfig.json", folder: Path | None = None
) -> list[Completion]:
    text, offset = cursor(source)
    items = complete_config(text, kind, offset, (folder or Path("project")) / name, DiskFiles())
    return sorted(items, key=lambda c: (c.sort_text or "", c.label))


def labels(items: list[Completion]) -> list[str]:
    return [c.label for c in items]


def by_label(items: list[Completion]) -> dict[str, Completion]:
    return {c.label: c for c in items}


def script(source: str) -> list[Completion]:
    text, offset = cursor(source)
    return complete_script(text, offset)


# -- keys ----------------------------------------------------------------------------------------------------
def test_aks_root_offers_the_aks_keys_not_yet_written() -> None:
    items = complete('{"computeType": "aks", "namespace": "ml", |}')
    assert set(labels(items)) == AKS_KEYS - {"computeType", "namespace"}
    assert {c.kind for c in items} == {"property"}


def test_aks_yaml_example_root() -> None:
    text = (EXAMPLES / "sklearn" / "deploymentconfig.aks.yml").read_text(encoding="utf-8")
    present = {line.split(":")[0] for line in text.splitlines() if line and not line[0].isspace()}
    items = complete(text + "|", name="deploymentconfig.aks.yml")
    assert set(labels(items)) == AKS_KEYS - present
    assert present == {
        "computeType", "namespace", "autoScaler", "authEnabled", "containerResourceRequirements",
        "scoringTimeoutMs", "maxConcurrentRequestsPerContainer", "maxQueueWaitMs", "livenessProbeRequirements",
    }  # fmt: skip


def test_aci_root_never_offers_aks_keys() -> None:
    items = complete('{"computeType": "ACI", |}')
    assert set(labels(items)) == ACI_KEYS - {"computeType"}
    assert "autoScaler" not in labels(items)


def test_aks_endpoint_and_local_roots() -> None:
    assert set(labels(complete('{"computeType": "AKSENDPOINT", |}'))) == AKS_ENDPOINT_KEYS - {"computeType"}
    assert labels(complete('{"computeType": "local", |}')) == ["port"]


def test_container_resource_requirements_per_compute_type() -> None:
    aks = complete('{"computeType": "aks", "containerResourceRequirements": {|}}')
    assert labels(aks) == ["cpu", "cpuLimit", "memoryInGB", "memoryInGBLimit"]
    aci = complete('{"computeType": "aci", "containerResourceRequirements": {"cpu": 1, |}}')
    assert labels(aci) == ["memoryInGB"]


def test_missing_compute_type_offers_it_first_then_every_branch() -> None:
    items = complete("{\n  |\n}")
    assert labels(items)[0] == "computeType"
    assert set(labels(items)) == AKS_KEYS | ACI_KEYS | AKS_ENDPOINT_KEYS | {"port"}
    found = by_label(items)
    assert found["computeType"].detail == "string"
    assert found["computeType"].insert_text == '"computeType": "${1|local,ACI,AKS,AKSENDPOINT|}"'
    assert found["port"].detail == "integer · local"
    assert found["autoScaler"].detail == "object · AKS, AKSENDPOINT"
    assert found["authEnabled"].detail == "boolean · ACI, AKS, AKSENDPOINT"
    assert found["computeTargetName"].detail == "string · AKS"
    assert "Read for AKS and AKSENDPOINT only." in found["autoScaler"].documentation
    unknown = complete('{"computeType": "kubernetes", |}')
    assert set(labels(unknown)) == set(labels(items)) - {"computeType"}


def test_inference_root_sorts_required_and_common_keys_first() -> None:
    items = complete("{|}", Kind.INFERENCE, "inferenceconfig.json")
    assert set(labels(items)) == INFERENCE_KEYS
    assert labels(items)[0] == "entryScript"
    assert set(labels(items)[1:5]) == {"sourceDirectory", "runtime", "condaFile", "environment"}


def test_key_snippets_use_the_type_and_the_default() -> None:
    found = by_label(complete('{"computeType": "aks", |}'))
    assert found["maxQueueWaitMs"].insert_text == '"maxQueueWaitMs": ${1:500}'
    assert found["maxQueueWaitMs"].is_snippet
    assert found["authEnabled"].insert_text == '"authEnabled": ${1|true,false|}'
    assert found["tokenAuthEnabled"].insert_text == '"tokenAuthEnabled": ${1|false,true|}'
    assert found["numReplicas"].insert_text == '"numReplicas": ${1:2}'  # no default: the first example
    assert found["autoScaler"].insert_text == '"autoScaler": {$1}'
    assert found["namespace"].insert_text == '"namespace": "$1"'
    inference = by_label(complete("{|}", Kind.INFERENCE, "inferenceconfig.json"))
    assert inference["runtime"].insert_text == '"runtime": "${1|python,spark-py,python-slim|}"'
    assert inference["sourceDirectory"].insert_text == '"sourceDirectory": "$1"'
    assert inference["enableGpu"].insert_text == '"enableGpu": ${1|false,true|}'
    assert inference["environment"].insert_text == '"environment": {$1}'


def test_key_documentation_and_detail() -> None:
    found = by_label(complete('{"computeType": "aks", |}'))
    queue = found["maxQueueWaitMs"]
    assert queue.detail == "integer"
    assert queue.documentation.endswith("Default: `500`")
    assert "queue" in queue.documentation.lower()
    location = by_label(complete('{"computeType": "aci", |}'))["location"]
    assert location.documentation.startswith("**Azure region**")
    assert location.documentation.endswith("Default: the workspace region")


def test_key_replaces_the_quoted_word_at_the_cursor() -> None:
    text, _ = cursor('{"computeType": "aks", "ma|x"}')
    items = complete('{"computeType": "aks", "ma|x"}')
    assert {(c.start, c.end) for c in items} == {(23, 28)}
    assert text[23:28] == '"max"'
    assert "maxReplicas" not in by_label(items)  # autoScaler's key, not a root key
    queue = by_label(items)["maxQueueWaitMs"]
    assert queue.filter_text == '"maxQueueWaitMs"'


def test_key_under_the_cursor_is_offered_and_keeps_its_value() -> None:
    items = complete('{"computeType": "aci", "loc|": "westeurope"}')
    location = by_label(items)["location"]
    assert (location.insert_text, location.is_snippet) == ('"location"', False)
    assert (location.start, location.end) == (23, 28)


# -- documents in the middle of an edit --------------------------------------------------------------------
def test_unterminated_key_at_the_end() -> None:
    items = complete('{"computeType": "aks", "|')
    assert set(labels(items)) == AKS_KEYS - {"computeType"}
    assert {(c.start, c.end) for c in items} == {(23, 24)}
    assert by_label(items)["gpuCores"].insert_text == '"gpuCores": ${1:0}'


def test_empty_line_before_the_closing_brace() -> None:
    items = complete('{"computeType": "aci",\n  |\n}')
    assert set(labels(items)) == ACI_KEYS - {"computeType"}
    assert {(c.start, c.end) for c in items} == {(25, 25)}
    assert by_label(items)["sslEnabled"].insert_text == '"sslEnabled": ${1|false,true|}'


def test_trailing_comma_when_a_member_follows() -> None:
    items = complete('{"computeType": "aci",\n  |\n  "location": "westeurope"\n}')
    assert set(labels(items)) == ACI_KEYS - {"computeType", "location"}
    assert by_label(items)["cname"].insert_text == '"cname": "$1",'
    # A comma already there: none added.
    items = complete('{"computeType": "aci", "au|", "location": "westeurope"}')
    assert by_label(items)["authEnabled"].insert_text == '"authEnabled": ${1|false,true|}'


def test_half_typed_key_before_another_member_without_comma() -> None:
    items = complete('{"computeType": "aci",\n  "loc|"\n  "authEnabled": true\n}')
    assert set(labels(items)) == ACI_KEYS - {"computeType", "authEnabled"}
    assert by_label(items)["location"].insert_text == '"location": "$1",'


def test_missing_comma_after_the_previous_member() -> None:
    items = complete('{"computeType": "aci"\n  |\n}')
    assert set(labels(items)) == ACI_KEYS - {"computeType"}


def test_nested_object_that_does_not_parse() -> None:
    items = complete('{"computeType": "aci", "containerResourceRequirements": { "c| }}')
    assert labels(items) == ["cpu", "memoryInGB"]


def test_nothing_inside_a_comment_or_after_the_root() -> None:
    assert complete('{"computeType": "aci", // note|\n}') == []
    assert complete('{"computeType": "aci"} |') == []


# -- values ---------------------------------------------------------------------------------------------------
def test_enum_values_are_quoted_with_their_descriptions() -> None:
    items = complete('{"entryScript": "score.py", "runtime": |}', Kind.INFERENCE, "inferenceconfig.json")
    assert labels(items) == ['"python"', '"spark-py"', '"python-slim"']
    assert {c.kind for c in items} == {"enum"}
    assert items[0].documentation.startswith("Python runtime")
    cuda = complete('{"entryScript": "score.py", "cudaVersion": "1|"}', Kind.INFERENCE, "inferenceconfig.json")
    assert labels(cuda) == ['"9.0"', '"9.1"', '"10.0"']
    assert {(c.start, c.end) for c in cuda} == {(43, 46)}


def test_compute_type_values() -> None:
    items = complete('{"computeType": |}')
    assert labels(items) == ['"local"', '"ACI"', '"AKS"', '"AKSENDPOINT"']
    assert items[1].documentation.startswith("**Azure Container Instances**")
    assert [c.insert_text for c in items] == labels(items)


def test_boolean_values_preselect_the_default() -> None:
    items = complete('{"computeType": "aks", "authEnabled": |, "namespace": "x"}')
    assert labels(items) == ["true", "false"]
    assert [(c.preselect, c.detail) for c in items] == [(True, "default"), (False, "")]
    assert [c.insert_text for c in items] == ["true", "false"]


def test_number_values_offer_default_and_examples() -> None:
    items = complete('{"computeType": "aks",\n  "maxQueueWaitMs": |\n  "namespace": "x"\n}')
    assert labels(items) == ["500", "2000"]
    assert [(c.detail, c.preselect) for c in items] == [("default", True), ("example", False)]
    assert items[0].insert_text == "500,"


def test_null_where_the_type_allows_it() -> None:
    items = complete('{"entryScript": "s.py", "baseImage": |}', Kind.INFERENCE, "inferenceconfig.json")
    assert labels(items) == ['"myregistry.azurecr.io/score-base:1.0"', "null"]
    registry = complete('{"entryScript": "s.py", "baseImageRegistry": |}', Kind.INFERENCE, "inferenceconfig.json")
    assert labels(registry) == ["null", "{}"]
    assert registry[1].insert_text == "{$1}" and registry[1].is_snippet


def test_aci_location_offers_regions_with_their_limits() -> None:
    items = complete('{"computeType": "aci", "location": "|"}')
    assert labels(items) == [f'"{r}"' for r in REGIONS]
    found = by_label(items)
    assert found['"westeurope"'].documentation == "ACI limit in westeurope: 4 CPU / 14 GB per container group."
    assert found['"northcentralus"'].documentation.startswith("ACI limit in northcentralus: 2 CPU / 3.5 GB")
    assert "assumed is 4 CPU / 16 GB" in found['"uksouth"'].documentation
    assert complete('{"computeType": "aks", "location": |}') == []


def test_no_values_for_unknown_keys() -> None:
    assert complete('{"computeType": "aci", "colour": |}') == []


# -- files ------------------------------------------------------------------------------------------------------
@pytest.fixture
def project(tmp_path: Path) -> Path:
    for rel in (
        "score.py", "train.py", "notes.txt", "environment.yml", "env.yaml", "cert.pem", "tls.key",
        "src/score.py", "src/helper.py", "src/conda.yml", "src/pkg/__init__.py", "src/__pycache__/x.pyc",
        ".hidden.py", ".git/config", "node_modules/a.py", ".venv/bin/python",
    ):  # fmt: skip
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    return tmp_path


def test_entry_script_lists_folders_and_python_files(project: Path) -> None:
    items = complete('{"entryScript": "|"}', Kind.INFERENCE, "inferenceconfig.json", project)
    assert labels(items) == ["src/", "score.py", "train.py"]
    assert [c.kind for c in items] == ["folder", "file", "file"]
    assert {(c.start, c.end) for c in items} == {(17, 17)}
    assert [c.insert_text for c in items] == ["src/", "score.py", "train.py"]


def test_path_typed_so_far_names_the_folder(project: Path) -> None:
    items = complete('{"entryScript": "src/sc|"}', Kind.INFERENCE, "inferenceconfig.json", project)
    assert labels(items) == ["pkg/", "helper.py", "score.py"]
    assert {(c.start, c.end) for c in items} == {(21, 23)}  # only the last segment is replaced


def test_entry_script_is_relative_to_source_directory(project: Path) -> None:
    items = complete("entryScript: |\nsourceDirectory: src\ncondaFile: conda.yml\n", Kind.INFERENCE, "inf.yml", project)
    assert labels(items) == ["pkg/", "helper.py", "score.py"]
    conda = complete('{"sourceDirectory": "src", "condaFile": "|"}', Kind.INFERENCE, "i.json", project)
    assert labels(conda) == ["pkg/", "conda.yml"]


def test_conda_pem_and_folder_filters(project: Path) -> None:
    conda = complete('{"entryScript": "s.py", "condaFile": "|"}', Kind.INFERENCE, "i.json", project)
    assert labels(conda) == ["src/", "env.yaml", "environment.yml"]
    key = complete('{"computeType": "aci", "sslKey": "|"}', Kind.DEPLOYMENT, "d.json", project)
    assert labels(key) == ["src/", "cert.pem", "tls.key"]
    source = complete('{"entryScript": "s.py", "sourceDirectory": "|"}', Kind.INFERENCE, "i.json", project)
    assert labels(source) == ["src/"]


def test_unquoted_json_path_is_written_as_a_string(project: Path) -> None:
    items = complete('{"entryScript": |\n  "runtime": "python"}', Kind.INFERENCE, "i.json", project)
    found = by_label(items)
    assert (found["src/"].insert_text, found["src/"].is_snippet) == ('"src/$0",', True)
    assert (found["score.py"].insert_text, found["score.py"].is_snippet) == ('"score.py",', False)


def test_missing_folder_gives_nothing(project: Path) -> None:
    assert complete('{"entryScript": "nowhere/|"}', Kind.INFERENCE, "i.json", project) == []


# -- YAML ---------------------------------------------------------------------------------------------------------
def test_yaml_root_keys_and_snippets() -> None:
    items = complete("computeType: AKS\n|", name="deploymentconfig.yml")
    assert set(labels(items)) == AKS_KEYS - {"computeType"}
    found = by_label(items)
    assert found["autoScaler"].insert_text == "autoScaler:\n  $1"
    assert found["maxQueueWaitMs"].insert_text == "maxQueueWaitMs: ${1:500}"
    assert found["authEnabled"].insert_text == "authEnabled: ${1|true,false|}"
    assert found["namespace"].insert_text == "namespace: $1"
    assert {(c.start, c.end) for c in items} == {(17, 17)}


def test_yaml_nested_keys_at_their_indentation() -> None:
    items = complete("computeType: AKS\nautoScaler:\n  minReplicas: 1\n  |\nnamespace: x\n", name="d.yml")
    assert labels(items) == ["autoscaleEnabled", "maxReplicas", "refreshPeriodInSeconds", "targetUtilization"]
    env = complete(
        "entryScript: score.py\nenvironment:\n  pyt|\n  docker:\n    enabled: true\n", Kind.INFERENCE, "i.yml"
    )
    found = by_label(env)
    assert "docker" not in found
    assert found["python"].insert_text == "python:\n    $1"
    assert (found["python"].start, found["python"].end) == (37, 40)


def test_yaml_keys_below_the_cursor_count_as_present() -> None:
    items = complete("|\ncomputeType: aci\nlocation: westeurope\n", name="d.yml")
    assert set(labels(items)) == ACI_KEYS - {"computeType", "location"}


def test_yaml_values_after_the_colon() -> None:
    runtime = complete("entryScript: score.py\nruntime: |\n", Kind.INFERENCE, "i.yml")
    assert labels(runtime) == ["python", "spark-py", "python-slim"]
    cuda = complete("entryScript: score.py\ncudaVersion: |\n", Kind.INFERENCE, "i.yml")
    assert labels(cuda) == ['"9.0"', '"9.1"', '"10.0"']  # unquoted, YAML would read a number
    assert [c.filter_text for c in cuda] == ["9.0", "9.1", "10.0"]
    kinds = complete("computeType: a|\n", name="d.yml")
    assert labels(kinds) == ["local", "ACI", "AKS", "AKSENDPOINT"]
    assert {(c.start, c.end) for c in kinds} == {(13, 14)}
    bare = complete("computeType: aci\nsslEnabled:|\n", name="d.yml")
    assert [c.insert_text for c in bare] == [" true", " false"]


def test_yaml_flow_mapping() -> None:
    items = complete("computeType: aks\ncontainerResourceRequirements: {cpu: 1, |}\n", name="d.yml")
    assert labels(items) == ["cpuLimit", "memoryInGB", "memoryInGBLimit"]
    assert by_label(items)["cpuLimit"].insert_text == "cpuLimit: ${1:1}"


def test_yaml_sequence_item_of_mappings() -> None:
    source = (
        "entryScript: score.py\nenvironment:\n  python:\n    condaDependencies:\n"
        "      dependencies:\n        - python=3.11\n        - |\n"
    )
    items = complete(source, Kind.INFERENCE, "i.yml")
    assert labels(items) == ["pip"]
    assert items[0].insert_text == "pip:\n            - $1"


def test_yaml_nothing_in_comments_and_block_scalars() -> None:
    assert complete("computeType: aci # the target|\n", name="d.yml") == []
    source = "entryScript: score.py\ndescription: >-\n  text |\n"
    assert complete(source, Kind.INFERENCE, "i.yml") == []


# -- entry script -------------------------------------------------------------------------------------------------
def test_script_offers_missing_init_and_run() -> None:
    items = script("import os\n\n|")
    assert [c.label for c in items] == ["def init()", "def run(raw_data)"]
    init, run = items
    assert init.kind == "snippet" and init.is_snippet
    assert init.insert_text.startswith("import joblib\n\ndef init():\n")  # os is imported already
    assert 'os.getenv("AZUREML_MODEL_DIR"' in init.insert_text
    assert "joblib.load(" in init.insert_text
    assert run.insert_text.startswith("import json\nimport numpy as np\n\ndef run(raw_data):\n")
    assert (init.start, init.end) == (11, 11)


def test_script_offers_only_what_is_missing() -> None:
    items = script("def init():\n    pass\n\nde|")
    assert [c.label for c in items] == ["def run(raw_data)"]
    assert (items[0].start, items[0].end) == (22, 24)
    assert items[0].filter_text == "def run"
    assert script("def init():\n    pass\n\n\ndef run(data):\n    return data\n\n|") == []


def test_script_nothing_inside_a_function_body() -> None:
    assert script("def init():\n    x = 1\n|\n    y = 2\n") == []
    assert script("def init():\n    |\n") == []
    assert script('"""Doc\n|\n"""\n') == []
    assert script("def init(:\n|    pass\n") == []  # does not parse: the indentation decides


def test_script_decorators_above_an_undecorated_run() -> None:
    items = script("import numpy as np\n\ndef init():\n    pass\n\n|\ndef run(payload):\n    return payload\n")
    assert [c.label for c in items] == ["@input_schema / @output_schema"]
    text = items[0].insert_text
    assert text.startswith("from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType\n")
    assert "from inference_schema.schema_decorators import input_schema, output_schema\n" in text
    assert '@input_schema("payload", NumpyParameterType(' in text
    assert text.endswith("@output_schema(NumpyParameterType(np.array([${2:0}])))")
    decorated = "def init():\n    pass\n\n|\n@input_schema('data', None)\ndef run(data):\n    return data\n"
    assert script(decorated) == []


def test_script_model_dir_in_getenv_and_environ() -> None:
    for source, span in (
        ('def init():\n    p = os.getenv("AZ|")\n', (31, 33)),
        ("def init():\n    p = os.environ['|']\n", (32, 32)),
        ('p = os.environ.get("AZUREML_M|ODEL")\n', (20, 33)),
    ):
        items = script(source)
        assert [c.label for c in items] == ["AZUREML_MODEL_DIR"]
        assert (items[0].start, items[0].end) == span
        assert "azureml-models" in items[0].documentation


def test_script_syntax_error_falls_back_to_a_line_scan() -> None:
    items = script("import os\ndef init(:\n    pass\n\n|\n")
    assert [c.label for c in items] == ["def run(raw_data)"]


# -- robustness and speed ---------------------------------------------------------------------------------------
SEEDS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*/*config*.*"))]
PIECES = st.sampled_from([*"{}[]:,\"' \n\t-#&*!|>0123456789.truefalsnl/", "🙂", "é", "\\", "\r", "  ", "cpu", "- "])
FRAGMENTS = st.lists(PIECES, max_size=8).map("".join)


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, int]:
    text = draw(st.sampled_from(SEEDS)) if draw(st.booleans()) else draw(st.lists(PIECES, max_size=40).map("".join))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        end = min(len(text), at + draw(st.integers(0, 6)))
        text = text[:at] + draw(FRAGMENTS) + text[end:]
    return text, draw(st.integers(0, len(text)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edited(), st.sampled_from(["d.json", "d.yml"]), st.sampled_from([Kind.DEPLOYMENT, Kind.INFERENCE]))
def test_random_documents_never_raise(tmp_path: Path, case: tuple[str, int], name: str, kind: Kind) -> None:
    text, offset = case
    for item in _complete_config(text, kind, offset, tmp_path / name, DiskFiles()):
        assert 0 <= item.start <= offset <= item.end <= len(text), item
    for item in complete_entry(text, offset):  # unguarded: an exception here is a bug
        assert 0 <= item.start <= offset <= item.end <= len(text), item

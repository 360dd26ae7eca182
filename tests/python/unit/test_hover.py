"""Hover: `|` marks the cursor, «…» the range the hover covers; the markdown says what the schema knows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from amldeploy.language.files import DiskFiles
from amldeploy.language.hover.core import Hover, hover_config, hover_script
from amldeploy.language.validate import Kind
from tests.python.markers import marked, show

HoverAt = Callable[..., tuple[str, Hover | None]]


def cursor(source: str) -> tuple[str, int, list[tuple[int, int]]]:
    """Text without markers, the offset of `|`, and the «…» spans."""
    before = source[: source.index("|")]
    text, spans = marked(source.replace("|", "", 1))
    return text, len(before.replace("«", "").replace("»", "")), spans


@pytest.fixture
def hover(tmp_path: Path) -> HoverAt:
    def run(source: str, kind: Kind, files: dict[str, str] | None = None) -> tuple[str, Hover | None]:
        text, offset, spans = cursor(source)
        for name, content in (files or {}).items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(content, encoding="utf-8")
        suffix = ".json" if text.lstrip().startswith("{") else ".yml"
        config = tmp_path / (("inferenceconfig" if kind == Kind.INFERENCE else "deploymentconfig") + suffix)
        result = hover_config(text, kind, offset, config, DiskFiles())
        if spans:
            assert result is not None, show(text, offset, offset)
            assert (result.start, result.end) == spans[0], show(text, result.start, result.end)
        return text, result

    return run


def has(result: Hover | None, *words: str) -> str:
    assert result is not None
    for word in words:
        assert word in result.markdown, f"{word!r} not in:\n{result.markdown}"
    return result.markdown


AKS = "computeType: AKS\n"


def test_max_queue_wait(hover: HoverAt) -> None:
    _, result = hover(AKS + "«maxQ|ueueWaitMs»: 500\n", Kind.DEPLOYMENT)
    md = has(result, "**`maxQueueWaitMs`** · integer", "503", "**v1 default:** `500`", "> 0")
    has(result, "**On each target**", "* **process**:", "* **Docker**:", "* **ACI**:", "* **Kubernetes**:")
    assert md.index("503") < md.index("On each target")


def test_scoring_timeout_in_json(hover: HoverAt) -> None:
    _, result = hover('{"computeType": "aks", «"scoringTim|eoutMs"»: 60000}', Kind.DEPLOYMENT)
    has(result, "504", "`60000`", "**Allowed range:** > 0", "amldeploy's own front end")


def test_port(hover: HoverAt) -> None:
    _, result = hover('{"computeType": "local", «"po|rt"»: 8890}', Kind.DEPLOYMENT)
    has(result, "**Host port**", "random free port", "**Allowed range:** 1 to 65535")
    has(result, "* **process**: Host port the scoring host listens on.", "* **Docker**:")


def test_port_value_shows_the_key(hover: HoverAt) -> None:
    _, result = hover('{"computeType": "local", "port": «88|90»}', Kind.DEPLOYMENT)
    has(result, "**`port`**", "1 to 65535")


def test_compute_type_value_shows_its_branch(hover: HoverAt) -> None:
    _, result = hover('{"computeType": «"a|ci"», "location": "eastus"}', Kind.DEPLOYMENT)
    md = has(result, "**Azure Container Instances** deployment", "single replica", "**Allowed values** (any case)")
    assert md.index("single replica") < md.index("Deployment target")  # the value first, then the key


def test_compute_type_value_unknown(hover: HoverAt) -> None:
    _, result = hover("computeType: «ku|be»\n", Kind.DEPLOYMENT)
    has(result, "`kube` is not a compute type", "unknown deployment type")


def test_runtime_enum_value(hover: HoverAt) -> None:
    _, result = hover('{"entryScript": "score.py", "runtime": «"pyt|hon"»}', Kind.INFERENCE)
    md = has(result, '`"python"`: Python runtime', "**Allowed values**", '`"spark-py"`', "**`runtime`** · string")
    assert md.index("Python runtime") < md.index("**`runtime`**")


def test_cuda_version_lists_its_values(hover: HoverAt) -> None:
    _, result = hover('entryScript: score.py\n«cudaVe|rsion»: "10.0"\n', Kind.INFERENCE)
    has(result, '`"9.0"`', '`"9.1"`', '`"10.0"`: CUDA 10.0', '**v1 default:** `"9.1"`')


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("westeurope", ["**ACI limit in `westeurope`:** 4 CPU / 14 GB per container group."]),
        ("North Central US", ["2 CPU / 3.5 GB"]),
        ("marsnorth", ["`marsnorth` is not in amldeploy's table", "4 CPU / 16 GB"]),
    ],
)
def test_aci_location_limit(hover: HoverAt, location: str, words: list[str]) -> None:
    _, result = hover(f"computeType: ACI\nlocation: «{location[:2]}|{location[2:]}»\n", Kind.DEPLOYMENT)
    has(result, *words, "**Azure region**")
    _, result = hover(f"computeType: ACI\n«loca|tion»: {location}\n", Kind.DEPLOYMENT)
    has(result, *words)


def test_location_outside_aci_is_ignored(hover: HoverAt) -> None:
    _, result = hover("computeType: AKS\n«loca|tion»: westeurope\n", Kind.DEPLOYMENT)
    md = has(result, "ignored by v1", "computeType ACI")
    assert "ACI limit" not in md


CONDA = "name: env\ndependencies:\n  - python=3.10\n  - pip\n  - pip:\n    - scikit-learn==1.5.2\n    - joblib\n"


def test_conda_file(hover: HoverAt, tmp_path: Path) -> None:
    files = {"score.py": "", "env/conda.yml": CONDA}
    _, result = hover('{"entryScript": "score.py", "condaFile": «"env/co|nda.yml"»}', Kind.INFERENCE, files)
    has(result, "**Conda file** `conda.yml`", "**Python:** `3.10`", "`scikit-learn==1.5.2`, `joblib`")
    has(result, "`azureml-defaults` is not listed", "does not need it", str(tmp_path / "env" / "conda.yml"))
    has(result, "the file exists", "relative to `sourceDirectory`")
    _, result = hover('{"entryScript": "score.py", «"conda|File"»: "env/conda.yml"}', Kind.INFERENCE, files)
    has(result, "**`condaFile`**", "`scikit-learn==1.5.2`")


def test_conda_file_with_azureml_defaults(hover: HoverAt) -> None:
    files = {"conda.yml": CONDA + "    - azureml-defaults\n"}
    _, result = hover("entryScript: score.py\ncondaFile: «con|da.yml»\n", Kind.INFERENCE, files)
    md = has(result, "`azureml-defaults`", "`joblib`")
    assert "is not listed" not in md


def test_conda_file_missing_or_broken(hover: HoverAt) -> None:
    _, result = hover("entryScript: score.py\ncondaFile: «nowhe|re.yml»\n", Kind.INFERENCE)
    md = has(result, "**not found**")
    assert "pip packages" not in md
    _, result = hover("condaFile: «bro|ken.yml»\n", Kind.INFERENCE, {"broken.yml": "- a\n- b\n"})
    has(result, "does not parse: it must be a mapping")


def test_inline_conda_dependencies(hover: HoverAt) -> None:
    source = (
        '{"entryScript": "score.py", "environment": {"python": {«"condaDepen|dencies"»: {"dependencies": '
        '["python=3.11", {"pip": ["numpy"]}]}}}}'
    )
    _, result = hover(source, Kind.INFERENCE)
    has(result, "**Conda dependencies**", "**Python:** `3.11`", "**pip packages:** `numpy`", "is not listed")


def test_entry_script_path(hover: HoverAt, tmp_path: Path) -> None:
    source = 'sourceDirectory: src\nentryScript: «"sco|re.py"»\n'
    _, result = hover(source, Kind.INFERENCE, {"src/score.py": ""})
    has(
        result,
        f"`{tmp_path / 'src' / 'score.py'}`",
        "the file exists",
        "**`entryScript`**",
        "**Allowed range:** not empty",
    )
    _, result = hover('sourceDirectory: «s|rc»\nentryScript: "score.py"\n', Kind.INFERENCE, {"src/score.py": ""})
    has(result, "the folder exists", "relative to the config's folder")


@pytest.mark.parametrize(
    ("source", "kind", "words"),
    [
        ('{"computeType": "ACI", «"sslC|Name"»: "x"}', Kind.DEPLOYMENT, ["ignored by v1", "**`cname`**"]),
        ("computeType: AKS\n«numRepl|ica»: 2\n", Kind.DEPLOYMENT, ["ignored by v1", "Did you mean **`numReplicas`**?"]),
        ("entryScript: score.py\n«extraDockerFile|Steps»: s.txt\n", Kind.INFERENCE, ["`extraDockerfileSteps`"]),
        ('{"entryScript": "x.py", «"colo|ur"»: {"a": 1}}', Kind.INFERENCE, ["ignored by v1"]),
        ('{"entryScript": "x.py", "colour": {«"|a"»: 1}}', Kind.INFERENCE, ["ignored by v1"]),
        ('{"entryScript": "x.py", "colour": «|1»}', Kind.INFERENCE, ["**`colour`** · ignored by v1"]),
    ],
)
def test_unknown_keys(hover: HoverAt, source: str, kind: Kind, words: list[str]) -> None:
    _, result = hover(source, kind)
    has(result, *words)


def test_environment_variables_and_items(hover: HoverAt) -> None:
    source = '{"entryScript": "x.py", "environment": {"environmentVariables": {«"O|MP"»: "1"}}}'
    _, result = hover(source, Kind.INFERENCE)
    has(result, "**`OMP`** · string", "Value of the environment variable")
    source = (
        '{"entryScript": "x.py", "environment": {"python": {"condaDependencies": {"channels": [«"con|da-forge"»]}}}}'
    )
    _, result = hover(source, Kind.INFERENCE)
    has(result, "environment.python.condaDependencies.channels[0]", "conda channel")


@pytest.mark.parametrize(
    "source",
    [
        '{"computeType": "local",| "port": 1}',
        '{"computeType": "local", "port": 1}|',
        '|{"computeType": "local"}',
        "computeType: local\nport:\n  a: 1\n |\n",
        "",
        "|",
        "[1, |2]",
    ],
)
def test_nothing_to_say(tmp_path: Path, source: str) -> None:
    text, offset, _ = cursor(source) if "|" in source else (source, 0, [])
    assert hover_config(text, Kind.DEPLOYMENT, offset, tmp_path / "deploymentconfig.json", DiskFiles()) is None


def test_script_kind_and_offsets_out_of_range(tmp_path: Path) -> None:
    text = '{"computeType": "local"}'
    assert hover_config(text, Kind.ENTRY_SCRIPT, 3, tmp_path / "d.json", DiskFiles()) is None
    assert hover_config(text, Kind.DEPLOYMENT, -1, tmp_path / "d.json", DiskFiles()) is None
    assert hover_config(text, Kind.DEPLOYMENT, 999, tmp_path / "d.json", DiskFiles()) is None


# -- score.py ---------------------------------------------------------------------------------------------
SCRIPT = """\
import os
from azureml.contrib.services.aml_response import AMLResponse


def «in|it»():
    path = os.getenv("AZUREML_MODEL_DIR")


@rawhttp
def run(request):
    return AMLResponse("ok", 200)
"""


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (SCRIPT, ["**`init()`**", "once per worker", "without arguments", "global model"]),
        (
            SCRIPT.replace("«in|it»", "init").replace("def run", "def «r|un»"),
            ["Plain", "@input_schema", "@rawhttp", "`json.dumps`", "HTTP 500", "request_headers"],
        ),
        (SCRIPT.replace("«in|it»", "init").replace('"AZUREML', '"«AZU|REML').replace('DIR")', 'DIR»")'), ["several"]),
        (SCRIPT.replace("«in|it»", "init").replace("@rawhttp", "@«raw|http»"), ["raw HTTP request", "GET"]),
        (SCRIPT.replace("«in|it»", "init").replace("return AMLResponse", "return «AMLR|esponse»"), ["status code"]),
        (
            SCRIPT.replace("«in|it»", "init").replace("@rawhttp", "@«input_sch|ema»('data', T)"),
            ["param_name", "json.loads"],
        ),
        ("async def «r|un»(data):\n    pass\n", ["three ways"]),
    ],
)
def test_script_contract(source: str, words: list[str]) -> None:
    text, offset, spans = cursor(source)
    result = hover_script(text, offset)
    assert result is not None
    assert (result.start, result.end) == spans[0], show(text, result.start, result.end)
    has(result, *words)


@pytest.mark.parametrize(
    "source",
    ["x = ru|n(1)\n", "def runner|():\n    pass\n", "import o|s\n", "|", "def init(): pass\n|", "# ini|t\n"],
)
def test_script_nothing_to_say(source: str) -> None:
    text, offset, _ = cursor(source)
    assert hover_script(text, offset) is None
    assert hover_script(text, len(text) + 5) is None

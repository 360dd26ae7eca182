"""Quick fixes: each one, applied to the text, removes its problem and brings no new error (JSON and YAML)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from amldeploy.language.actions.core import Action, Edit, quick_fixes
from amldeploy.language.problems import Problem, Severity
from amldeploy.language.validate import Kind, validate_config, validate_script

ENV = {
    "score.py": "def init():\n    pass\n\n\ndef run(raw_data):\n    return raw_data\n",
    "steps.txt": "RUN true\n",
}


def apply(text: str, edits: list[Edit]) -> str:
    """Apply edits from the end, so that earlier offsets stay valid."""
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.new_text + text[edit.end :]
    return text


def errors(problems: list[Problem]) -> Counter[str]:
    return Counter(p.code for p in problems if p.severity == Severity.ERROR)


class Config:
    """A config file in a temporary folder (with an entry script and a Dockerfile steps file next to it)."""

    def __init__(self, folder: Path, text: str, kind: Kind) -> None:
        for name, content in ENV.items():
            (folder / name).write_text(content, encoding="utf-8")
        yaml = not text.lstrip().startswith("{")
        base = "inferenceconfig" if kind == Kind.INFERENCE else "deploymentconfig"
        self.path = folder / (base + (".yml" if yaml else ".json"))
        self.text, self.kind = text, kind
        self.problems = self.validate(text)

    def validate(self, text: str) -> list[Problem]:
        return validate_config(text, self.path, self.kind).problems

    def fix(self, code: str, title: str) -> tuple[str, Action]:
        """Apply the fix titled ``title`` of the problem ``code`` and check the result."""
        assert any(p.code == code for p in self.problems), [(p.code, p.message) for p in self.problems]
        actions = quick_fixes(self.text, self.kind, self.problems, 0, len(self.text))
        chosen = [a for a in actions if a.problem.code == code and title in a.title]
        assert chosen, [(a.problem.code, a.title) for a in actions]
        fixed = apply(self.text, chosen[0].edits)
        after = self.validate(fixed)
        count = Counter(p.code for p in after)[code]
        assert count < Counter(p.code for p in self.problems)[code], (fixed, after)
        new = errors(after) - errors(self.problems)
        assert not new, (fixed, [(p.code, p.message) for p in after])
        return fixed, chosen[0]


Make = Callable[[str, Kind], Config]


@pytest.fixture
def config(tmp_path: Path) -> Make:
    return lambda text, kind: Config(tmp_path, text, kind)


# -- keys ------------------------------------------------------------------------------------------------
RENAMES = [
    ('{"entryScript": "score.py", "extraDockerFileSteps": "steps.txt"}', Kind.INFERENCE, "IC007"),
    ("entryScript: score.py\nextraDockerFileSteps: steps.txt\n", Kind.INFERENCE, "IC007"),
    ('{"entryScript": "score.py", "sourceDirectry": "."}', Kind.INFERENCE, "IC006"),
    ('{"computeType": "ACI", "sslCName": "a.example.com"}', Kind.DEPLOYMENT, "DC007"),
    ("computeType: ACI\n'sslCName': a.example.com\n", Kind.DEPLOYMENT, "DC007"),
    ('{"computeType": "AKS", "numReplica": 2}', Kind.DEPLOYMENT, "DC006"),
    ("computeType: AKS\nnumReplica: 2\n", Kind.DEPLOYMENT, "DC006"),
]


@pytest.mark.parametrize(("text", "kind", "code"), RENAMES)
def test_rename_misspelled_key(config: Make, text: str, kind: Kind, code: str) -> None:
    fixed, action = config(text, kind).fix(code, "Rename")
    assert action.preferred
    right = action.problem.data["replacement"]
    wrong = action.problem.data["key"]
    assert right in fixed and f'"{wrong}"' not in fixed and f"{wrong}:" not in fixed
    assert len(action.edits) == 1 and action.edits[0].new_text == right  # quotes are kept


def test_rename_onto_an_existing_key_is_not_preferred(config: Make) -> None:
    c = config('{"computeType": "ACI", "cname": "a.example.com", "sslCName": "b.example.com"}', Kind.DEPLOYMENT)
    actions = quick_fixes(c.text, c.kind, c.problems, 0, len(c.text))
    rename = next(a for a in actions if a.title.startswith("Rename"))
    assert not rename.preferred


def test_remove_unknown_key(config: Make) -> None:
    fixed, _ = config('{"computeType": "local", "port": 8890, "colour": "blue"}', Kind.DEPLOYMENT).fix(
        "DC006", "Remove 'colour'"
    )
    assert fixed == '{"computeType": "local", "port": 8890}'


# -- removing a member: first, middle, last, only; JSON and YAML --------------------------------------------
ENVIRONMENT = '"environment": {"name": "e"}'
REMOVALS = [
    (
        '{\n  "runtime": "python",\n  "entryScript": "score.py",\n  ' + ENVIRONMENT + "\n}",
        '{\n  "entryScript": "score.py",\n  ' + ENVIRONMENT + "\n}",
    ),
    (
        '{\n  "entryScript": "score.py",\n  "runtime": "python",\n  ' + ENVIRONMENT + "\n}",
        '{\n  "entryScript": "score.py",\n  ' + ENVIRONMENT + "\n}",
    ),
    (
        '{\n  "entryScript": "score.py",\n  ' + ENVIRONMENT + ',\n  "runtime": "python"\n}',
        '{\n  "entryScript": "score.py",\n  ' + ENVIRONMENT + "\n}",
    ),
    (
        '{"entryScript": "score.py", ' + ENVIRONMENT + ', "runtime": "python"}',
        '{"entryScript": "score.py", ' + ENVIRONMENT + "}",
    ),
    (
        "runtime: python\nentryScript: score.py\nenvironment:\n  name: e\n",
        "entryScript: score.py\nenvironment:\n  name: e\n",
    ),
    (
        "entryScript: score.py\nenvironment:\n  name: e\nruntime: python  # legacy\n",
        "entryScript: score.py\nenvironment:\n  name: e\n",
    ),
    (
        "entryScript: score.py\nenvironment:\n  name: e\nruntime: python",
        "entryScript: score.py\nenvironment:\n  name: e\n",
    ),
]


@pytest.mark.parametrize(("text", "expected"), REMOVALS)
def test_remove_legacy_key_next_to_environment(config: Make, text: str, expected: str) -> None:
    fixed, _ = config(text, Kind.INFERENCE).fix("IC016", "Remove runtime")
    assert fixed == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"computeType": "local", "port": 1, "port": 2}', '{"computeType": "local", "port": 2}'),
        ('{"port": 1, "computeType": "local", "port": 2}', '{"computeType": "local", "port": 2}'),
        ("computeType: local\nport: 1\nport: 2\n", "computeType: local\nport: 2\n"),
    ],
)
def test_remove_earlier_duplicate(config: Make, text: str, expected: str) -> None:
    fixed, _ = config(text, Kind.DEPLOYMENT).fix("JS005", "Remove the earlier duplicate")
    assert fixed == expected


# -- DC014: containerResourceRequirements.gpu -----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{\n  "computeType": "AKS",\n  "containerResourceRequirements": {"cpu": 1, "gpu": 2}\n}',
            '{\n  "computeType": "AKS",\n  "containerResourceRequirements": {"cpu": 1},\n  "gpuCores": 2\n}',
        ),
        (
            '{"computeType": "AKS", "containerResourceRequirements": {"gpu": 1}, "authEnabled": true}',
            '{"computeType": "AKS", "containerResourceRequirements": {}, "authEnabled": true, "gpuCores": 1}',
        ),
        (
            "computeType: AKS\ncontainerResourceRequirements:\n  gpu: 1\n",
            "computeType: AKS\ncontainerResourceRequirements: {}\ngpuCores: 1\n",
        ),
        (
            "computeType: AKS\ncontainerResourceRequirements:\n  gpu: 1\n  cpu: 0.5\nauthEnabled: true\n",
            "computeType: AKS\ncontainerResourceRequirements:\n  cpu: 0.5\nauthEnabled: true\ngpuCores: 1\n",
        ),
    ],
)
def test_move_gpu_to_gpu_cores(config: Make, text: str, expected: str) -> None:
    fixed, action = config(text, Kind.DEPLOYMENT).fix("DC014", "Move gpu to the top-level gpuCores")
    assert fixed == expected
    assert action.preferred


def test_gpu_with_gpu_cores_already_set_is_removed(config: Make) -> None:
    text = "computeType: AKS\ngpuCores: 1\ncontainerResourceRequirements:\n  cpu: 1\n  gpu: 1\n"
    fixed, _ = config(text, Kind.DEPLOYMENT).fix("DC014", "Remove containerResourceRequirements.gpu")
    assert fixed == "computeType: AKS\ngpuCores: 1\ncontainerResourceRequirements:\n  cpu: 1\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"computeType": "ACI", "containerResourceRequirements": {"cpu": 1, "gpu": 1}}',
            '{"computeType": "ACI", "containerResourceRequirements": {"cpu": 1}}',
        ),
        (
            "computeType: ACI\ncontainerResourceRequirements:\n  gpu: 1\n  cpu: 1\n",
            "computeType: ACI\ncontainerResourceRequirements:\n  cpu: 1\n",
        ),
    ],
)
def test_gpu_on_aci_is_removed(config: Make, text: str, expected: str) -> None:
    fixed, _ = config(text, Kind.DEPLOYMENT).fix("DC014", "Remove containerResourceRequirements.gpu")
    assert fixed == expected


# -- IC002 / DC002: quotes ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"entryScript": "score.py", "cudaVersion": 10.0}',
            '{"entryScript": "score.py", "cudaVersion": "10.0"}',
        ),
        (
            '{"entryScript": "score.py", "cudaVersion": 10}',
            '{"entryScript": "score.py", "cudaVersion": "10.0"}',
        ),
        ("entryScript: score.py\ncudaVersion: 9\n", 'entryScript: score.py\ncudaVersion: "9.0"\n'),
        ("entryScript: score.py\ncudaVersion: 9.1\n", 'entryScript: score.py\ncudaVersion: "9.1"\n'),
    ],
)
def test_quote_cuda_version(config: Make, text: str, expected: str) -> None:
    fixed, action = config(text, Kind.INFERENCE).fix("IC002", "Quote cudaVersion")
    assert fixed == expected
    assert action.preferred


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ('{"computeType": "ACI", "dnsNameLabel": 12345}', Kind.DEPLOYMENT, '"dnsNameLabel": "12345"'),
        ("computeType: ACI\nlocation: 42\n", Kind.DEPLOYMENT, 'location: "42"'),
        ("entryScript: score.py\nenvironment:\n  version: 1\n", Kind.INFERENCE, 'version: "1"'),
    ],
)
def test_quote_the_number(config: Make, text: str, kind: Kind, expected: str) -> None:
    fixed, _ = config(text, kind).fix("IC002" if kind == Kind.INFERENCE else "DC002", "Quote the value")
    assert expected in fixed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"computeType": "local", "port": "8890"}', '{"computeType": "local", "port": 8890}'),
        ("computeType: local\nport: '8890'\n", "computeType: local\nport: 8890\n"),
        (
            '{"computeType": "ACI", "containerResourceRequirements": {"cpu": "0.5"}}',
            '{"computeType": "ACI", "containerResourceRequirements": {"cpu": 0.5}}',
        ),
        ('computeType: AKS\nauthEnabled: "true"\n', "computeType: AKS\nauthEnabled: true\n"),
    ],
)
def test_unquote_a_numeric_string(config: Make, text: str, expected: str) -> None:
    fixed, _ = config(text, Kind.DEPLOYMENT).fix("DC002", "Remove the quotes")
    assert fixed == expected


def test_no_unquote_for_text(config: Make) -> None:
    c = config('{"computeType": "local", "port": "eighty"}', Kind.DEPLOYMENT)
    assert not quick_fixes(c.text, c.kind, c.problems, 0, len(c.text))


# -- DC015 autoscale and replicas, DC018 auth ------------------------------------------------------------
BOTH_JSON = (
    '{\n  "computeType": "AKS",\n  "numReplicas": 2,\n'
    '  "autoScaler": {"autoscaleEnabled": true, "minReplicas": 1, "maxReplicas": 4}\n}'
)
BOTH_YAML = "computeType: AKS\nautoScaler:\n  autoscaleEnabled: true\n  maxReplicas: 4\nnumReplicas: 2\n"


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        (
            BOTH_JSON,
            "Remove numReplicas",
            '{\n  "computeType": "AKS",\n  '
            '"autoScaler": {"autoscaleEnabled": true, "minReplicas": 1, "maxReplicas": 4}\n}',
        ),
        (
            BOTH_JSON,
            "Disable autoscale (autoScaler.autoscaleEnabled: false)",
            '{\n  "computeType": "AKS",\n  "numReplicas": 2,\n  "autoScaler": {"autoscaleEnabled": false}\n}',
        ),
        (
            BOTH_YAML,
            "Remove numReplicas",
            "computeType: AKS\nautoScaler:\n  autoscaleEnabled: true\n  maxReplicas: 4\n",
        ),
        (
            BOTH_YAML,
            "Disable autoscale",
            "computeType: AKS\nautoScaler:\n  autoscaleEnabled: false\nnumReplicas: 2\n",
        ),
        (
            "computeType: AKS\nautoScaler:\n  autoscaleEnabled: false\n",
            "Add numReplicas: 1",
            "computeType: AKS\nautoScaler:\n  autoscaleEnabled: false\nnumReplicas: 1\n",
        ),
        (
            '{"computeType": "AKS", "autoScaler": {"autoscaleEnabled": false}}',
            "Add numReplicas: 1",
            '{"computeType": "AKS", "autoScaler": {"autoscaleEnabled": false}, "numReplicas": 1}',
        ),
        (
            '{"computeType": "AKS", "autoScaler": {"autoscaleEnabled": false}}',
            "Enable autoscale",
            '{"computeType": "AKS", "autoScaler": {"autoscaleEnabled": true}}',
        ),
        (
            "computeType: AKS\nautoScaler:\n  minReplicas: 2\n",
            "Enable autoscale",
            "computeType: AKS\nautoScaler:\n  minReplicas: 2\n  autoscaleEnabled: true\n",
        ),
        (
            '{"computeType": "AKS", "autoScaler": {"minReplicas": 2}}',
            "Enable autoscale",
            '{"computeType": "AKS", "autoScaler": {"minReplicas": 2, "autoscaleEnabled": true}}',
        ),
        (
            '{"computeType": "AKS", "numReplicas": 3, "autoScaler": {"autoscaleEnabled": false, "maxReplicas": 2}}',
            "Enable autoscale and remove numReplicas",
            '{"computeType": "AKS", "autoScaler": {"autoscaleEnabled": true, "maxReplicas": 2}}',
        ),
        (
            "computeType: AKS\nnumReplicas: 1\nautoScaler:\n  autoscaleEnabled: false\n  minReplicas: 2\n",
            "Remove autoScaler.minReplicas",
            "computeType: AKS\nnumReplicas: 1\nautoScaler:\n  autoscaleEnabled: false\n",
        ),
    ],
)
def test_autoscale_fixes(config: Make, text: str, title: str, expected: str) -> None:
    fixed, _ = config(text, Kind.DEPLOYMENT).fix("DC015", title)
    assert fixed == expected


@pytest.mark.parametrize(
    "text",
    [
        '{"computeType": "AKS", "authEnabled": true, "tokenAuthEnabled": true}',
        "computeType: aks\nauthEnabled: yes\ntokenAuthEnabled: yes\n",
    ],
)
def test_disable_token_auth(config: Make, text: str) -> None:
    fixed, _ = config(text, Kind.DEPLOYMENT).fix("DC018", "Disable tokenAuthEnabled")
    assert "tokenAuthEnabled: false" in fixed or '"tokenAuthEnabled": false' in fixed


def test_only_problems_in_range(config: Make) -> None:
    c = config('{"computeType": "local", "port": "1", "colour": 1}', Kind.DEPLOYMENT)
    at = c.text.index('"1"')
    assert {a.problem.code for a in quick_fixes(c.text, c.kind, c.problems, at, at)} == {"DC002"}
    assert quick_fixes(c.text, c.kind, c.problems, 1, 2) == []


# -- score.py ---------------------------------------------------------------------------------------------
PRELUDE = "import json\n\nimport joblib\n\nmodel = None\n\n\ndef init():\n    global model\n    model = joblib.load('m')\n\n\n"
INIT = "def init():\n    pass\n"


def fix_script(text: str, code: str, title: str = "") -> tuple[str, Action]:
    before = validate_script(text)
    assert any(p.code == code for p in before), [(p.code, p.message) for p in before]
    actions = quick_fixes(text, "entry-script", before, 0, len(text))
    chosen = [a for a in actions if a.problem.code == code and title in a.title]
    assert chosen, [(a.problem.code, a.title) for a in actions]
    fixed = apply(text, chosen[0].edits)
    after = validate_script(fixed)
    assert Counter(p.code for p in after)[code] < Counter(p.code for p in before)[code], fixed
    assert not errors(after) - errors(before), (fixed, [(p.code, p.message) for p in after])
    return fixed, chosen[0]


@pytest.mark.parametrize(
    ("text", "expected_end"),
    [
        ("import json\n\n\ndef run(raw_data):\n    return raw_data\n", "    return raw_data\n\n\ndef init():\n"),
        ("def run(raw_data):\n    return raw_data", "    return raw_data\n\n\ndef init():\n"),
        ("def run(raw_data):\n    return raw_data\n\n\n\n", "    return raw_data\n\n\n\ndef init():\n"),
        ("def run(raw_data):\r\n    return raw_data\r\n", "    return raw_data\r\n\r\n\r\ndef init():\r\n"),
    ],
)
def test_add_init_skeleton(text: str, expected_end: str) -> None:
    fixed, _ = fix_script(text, "SC002", "init() skeleton")
    assert fixed.startswith(text) and expected_end in fixed
    assert fixed.endswith("pass" + ("\r\n" if "\r\n" in text else "\n" if text.endswith("\n") else ""))


@pytest.mark.parametrize(
    ("text", "expected_start"),
    [
        (INIT, "import json\n\n\ndef init():\n"),
        ('"""Doc."""\n' + INIT, '"""Doc."""\nimport json\n\n\ndef init():\n'),
        (
            "from __future__ import annotations\nimport os\n\n" + INIT,
            "from __future__ import annotations\nimport json\nimport os\n",
        ),
        ("import json\n" + INIT, "import json\ndef init():\n"),
        ("", "import json\n\n\ndef run(raw_data):\n"),
        ("@functools.cache\ndef init():\n    pass\n", "import json\n\n\n@functools.cache\ndef init():\n"),
    ],
)
def test_add_run_skeleton(text: str, expected_start: str) -> None:
    fixed, _ = fix_script(text, "SC003", "run() skeleton")
    assert fixed.startswith(expected_start), fixed
    assert fixed.endswith("    return data\n")
    assert fixed.count("import json") == 1


@pytest.mark.parametrize(
    ("code", "before", "after", "preferred"),
    [
        ("SC010", "    return json.dumps({'a': 1})\n", "    return {'a': 1}\n", True),
        ("SC011", "    return model.predict(data)\n", "    return model.predict(data).tolist()\n", True),
        (
            "SC012",
            "    try:\n        return 1\n    except Exception as e:\n        return str(e)\n",
            "    try:\n        return 1\n    except Exception as e:\n        raise\n",
            False,
        ),
    ],
)
def test_replace_in_run(code: str, before: str, after: str, preferred: bool) -> None:
    fixed, action = fix_script(PRELUDE + "def run(data):\n" + before, code)
    assert fixed == PRELUDE + "def run(data):\n" + after
    assert action.preferred is preferred


def test_replace_old_joblib_import() -> None:
    text = "from sklearn.externals import joblib\n" + PRELUDE + "def run(data):\n    return 1\n"
    fixed, _ = fix_script(text, "SC013")
    assert fixed.startswith("import joblib\nimport json\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "model = None\n\n\ndef init():\n    model = load()\n\n\ndef run(data):\n    return model(data)\n",
            "def init():\n    global model\n    model = load()\n",
        ),
        (
            'model = None\n\n\ndef init():\n    """Load."""\n    model = load()\n\n\ndef run(data):\n    return model(data)\n',
            '    """Load."""\n    global model\n    model = load()\n',
        ),
        (
            "model = None\n\n\ndef init(): model = load()\n\n\ndef run(data):\n    return model(data)\n",
            "def init(): global model; model = load()\n",
        ),
    ],
)
def test_insert_global(text: str, expected: str) -> None:
    fixed, action = fix_script(text, "SC015", "global model")
    assert expected in fixed and action.preferred


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            PRELUDE + "def run(raw_data):\n    return raw_data['data']\n",
            "    raw_data = json.loads(raw_data)\n    return raw_data['data']\n",
        ),
        (
            INIT + "\n\ndef run(body):\n    return body.get('x')\n",
            "def run(body):\n    body = json.loads(body)\n    return body.get('x')\n",
        ),
    ],
)
def test_parse_the_body(text: str, expected: str) -> None:
    fixed, _ = fix_script(text, "SC019", "json.loads")
    assert expected in fixed
    assert fixed.count("import json") == 1


def test_remove_async() -> None:
    fixed, _ = fix_script(PRELUDE + "async def run(data):\n    return 1\n", "SC017", "remove async")
    assert fixed.endswith("\ndef run(data):\n    return 1\n")
    awaiting = PRELUDE + "async def run(data):\n    return await data\n"
    problems = validate_script(awaiting)
    assert not [
        a for a in quick_fixes(awaiting, "entry-script", problems, 0, len(awaiting)) if a.problem.code == "SC017"
    ]

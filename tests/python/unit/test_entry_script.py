"""The score.py lint: every rule fires where it should, stays quiet where it should, and never raises."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amldeploy.language.codes import RULES
from amldeploy.language.entry_script import parse as entry_script_parse
from amldeploy.language.entry_script.lint import lint_entry_script
from amldeploy.language.problems import Problem, Severity
from amldeploy.language.text import Position, TextIndex
from tests.python.markers import marked, show

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

# A module that satisfies the contract; cases append a ``run`` (or replace parts) to exercise one rule.
PRELUDE = """\
import json
import os

import joblib
import numpy as np

model = None


def init():
    global model
    model = joblib.load(os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model.pkl"))


"""
INIT_ONLY = "def init():\n    pass\n\n\n"
RUN_ONLY = "\n\ndef run(raw_data):\n    return raw_data\n"

ERRORS = {f"SC{n:03d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 15, 17, 18, 19, 20)}
WARNINGS = {"SC010", "SC011", "SC012", "SC014", "SC016"}


def only(problems: list[Problem], code: str) -> list[Problem]:
    return [p for p in problems if p.code == code]


def lint_marked(source: str) -> tuple[str, list[tuple[int, int]], list[Problem]]:
    text, spans = marked(source)
    return text, spans, lint_entry_script(text)


def the_problem(source: str, code: str, *words: str) -> tuple[str, list[tuple[int, int]], Problem]:
    """The one problem ``code`` of the marked source, at its first marked range, with ``words`` in its message."""
    text, spans, problems = lint_marked(source)
    found = only(problems, code)
    assert len(found) == 1, [(p.code, show(text, p.start, p.end)) for p in problems]
    problem = found[0]
    assert (problem.start, problem.end) == spans[0], (
        f"{code} at {show(text, problem.start, problem.end)!r}, expected {show(text, *spans[0])!r}"
    )
    for word in words:
        assert word in problem.message, problem.message
    return text, spans, problem


FIRING = [
    # SC001: syntax errors, at their place, and nothing else
    ("SC001", INIT_ONLY + "def run(data):\n    return «)»\n", ["Syntax error", "unmatched ')'"]),
    ("SC001", "def init(«:»\n    pass\n" + RUN_ONLY, ["Syntax error"]),
    ("SC001", 'x = «"»""never closed\n' + INIT_ONLY + RUN_ONLY, ["Syntax error", "unterminated"]),
    ("SC001", "x = 1«\x00»\n" + INIT_ONLY + RUN_ONLY, ["NUL", "UTF-8"]),
    ("SC001", "«x = " + "-" * 100_000 + "1»\n" + INIT_ONLY + RUN_ONLY, ["nested too deeply"]),
    # SC002 / SC003: missing functions, on the first line with content
    (
        "SC002",
        "\n«import os»\n" + RUN_ONLY,
        ["init()", "does not have a init() function defined", "status 3"],
    ),
    ("SC003", "«# the scoring script»\n" + INIT_ONLY, ["run()", "does not have a run() function defined"]),
    # SC004: not at module level
    (
        "SC004",
        "class Scorer:\n    def «init»(self):\n        pass\n" + RUN_ONLY,
        ["class `Scorer`", "top level"],
    ),
    ("SC004", "def main():\n    def «init»():\n        pass\n" + RUN_ONLY, ["function `main`"]),
    ("SC004", INIT_ONLY + 'if __name__ == "__main__":\n    def «run»(d):\n        return d\n', ["__main__"]),
    ("SC004", INIT_ONLY + "if TYPE_CHECKING:\n    def «run»(d):\n        return d\n", ["TYPE_CHECKING"]),
    # SC005: *args, **kwargs, positional-only
    ("SC005", INIT_ONLY + "def run(data, «*args»):\n    return data\n", ["*args", "cannot accept"]),
    ("SC005", INIT_ONLY + "def run(data, «**kwargs»):\n    return data\n", ["**kwargs"]),
    ("SC005", INIT_ONLY + "def run(data, «* rest: str»):\n    return data\n", ["*rest"]),
    (
        "SC005",
        INIT_ONLY + "def run(«data», /, request_headers):\n    return data\n",
        ["positional-only", "`/`"],
    ),
    # SC006: nothing to receive the body
    ("SC006", INIT_ONLY + "def «run»():\n    return 1\n", ["no parameter", "raw_data"]),
    ("SC006", INIT_ONLY + "def «run»(request_headers):\n    return 1\n", ["request_headers"]),
    # SC007: init with required parameters
    (
        "SC007",
        "def init(«model_dir, version»):\n    pass\n" + RUN_ONLY,
        ["`model_dir`, `version`", "without"],
    ),
    ("SC007", "def init(a=1, *, «key»):\n    pass\n" + RUN_ONLY, ["`key`"]),
    # SC008: @rawhttp with @input_schema
    (
        "SC008",
        INIT_ONLY
        + '«@rawhttp\n@input_schema("data", NumpyParameterType(np.array([1])))»\ndef run(data):\n    return 1\n',
        ["@rawhttp", "@input_schema", "Keep one"],
    ),
    # SC009: @input_schema names a parameter run() lacks
    (
        "SC009",
        INIT_ONLY + '@input_schema(«"Data"», NumpyParameterType(np.array([1])))\ndef run(data):\n    return 1\n',
        ['provided param_name "Data" is not in the decorated function', "`data`", "case-sensitive"],
    ),
    (
        "SC009",
        INIT_ONLY + "@input_schema(param_type=T, param_name=«'x'»)\ndef run(data):\n    return 1\n",
        ['param_name "x"'],
    ),
    # SC010: json.dumps returned
    (
        "SC010",
        PRELUDE + "def run(data):\n    return «json.dumps({'a': 1})»\n",
        ["twice", "Return the object"],
    ),
    (
        "SC010",
        PRELUDE + "from json import dumps\n\ndef run(data):\n    return «dumps(data)»\n",
        ["json.dumps"],
    ),
    ("SC010", PRELUDE + "def run(data):\n    out = «json.dumps(data)»\n    return out\n", ["json.dumps"]),
    # SC011: NumPy arrays returned
    (
        "SC011",
        PRELUDE + "def run(data):\n    return «model.predict(data)»\n",
        ["NumPy", "HTTP 500", ".tolist()"],
    ),
    ("SC011", PRELUDE + "def run(data):\n    y = model.predict_proba(data)\n    return «y»\n", ["NumPy"]),
    (
        "SC011",
        PRELUDE + "def run(data):\n    return «np.asarray(data) * 2»\n",
        ["(np.asarray(data) * 2).tolist()"],
    ),
    (
        "SC011",
        PRELUDE + "def run(data):\n    y = model.predict(data)\n    return {'result': «y»}\n",
        ["y.tolist()"],
    ),
    ("SC011", PRELUDE + "def run(data):\n    return «model.predict_proba(data)[:, 1]»\n", ["NumPy"]),
    ("SC011", PRELUDE + "def run(data):\n    x = scaler.transform(data)\n    return «x»\n", ["NumPy"]),
    # SC012: errors answered with HTTP 200
    (
        "SC012",
        PRELUDE + "def run(data):\n    try:\n        return 1\n    except Exception as e:\n        «return str(e)»\n",
        ["HTTP 200", "raise", "x-ms-run-function-failed: True"],
    ),
    (
        "SC012",
        PRELUDE
        + "def run(data):\n    try:\n        return 1\n    except Exception as e:\n"
        + "        «return {'error': f'{e}'}»\n",
        ["HTTP 200"],
    ),
    (
        "SC012",
        PRELUDE
        + "def run(data):\n    try:\n        return 1\n    except ValueError:\n        msg = 'bad ' + 'input'\n"
        + "        «return msg»\n",
        ["HTTP 200"],
    ),
    (
        "SC012",
        PRELUDE
        + "@rawhttp\ndef run(request):\n    try:\n        return 1\n    except Exception as e:\n"
        + "        «return 'failed: %s' % e»\n",
        ["AMLResponse(message, 500)"],
    ),
    # SC013: sklearn.externals.joblib
    ("SC013", "«from sklearn.externals import joblib»\n" + PRELUDE + RUN_ONLY, ["0.23", "import joblib"]),
    ("SC013", "«import sklearn.externals.joblib as jl»\n" + PRELUDE + RUN_ONLY, ["ModuleNotFoundError"]),
    # SC014: Model.get_model_path
    (
        "SC014",
        "from azureml.core.model import Model\n\n"
        + "def init():\n    global path\n    path = «Model.get_model_path('sklearn_mnist')»\n"
        + RUN_ONLY,
        ["azureml-core", "AZUREML_MODEL_DIR", "os.path.join"],
    ),
    # SC015: init assigns a local
    (
        "SC015",
        "model = None\n\n\ndef init():\n    «model» = load()\n\n\ndef run(data):\n    return model(data)\n",
        ["global model", "local variable", "None"],
    ),
    (
        "SC015",
        "def init():\n    import «numpy as np»\n\n\ndef run(data):\n    return np.sum(data).item()\n",
        ["global np", "NameError"],
    ),
    (
        "SC015",
        "def init():\n    with open('m.pkl', 'rb') as «f»:\n        pass\n\n\ndef run(data):\n    return f.name\n",
        ["global f"],
    ),
    # SC016: model loaded per request
    (
        "SC016",
        PRELUDE + "def run(data):\n    m = «joblib.load('model.pkl')»\n    return 1\n",
        ["every request", "init()"],
    ),
    (
        "SC016",
        PRELUDE + "def run(data):\n    m = «tf.keras.models.load_model(p)»\n    return 1\n",
        ["load_model"],
    ),
    (
        "SC016",
        PRELUDE + "def run(data):\n    s = «ort.InferenceSession(p)»\n    return 1\n",
        ["InferenceSession"],
    ),
    (
        "SC016",
        PRELUDE + "def run(data):\n    b = «xgb.Booster(model_file=p)»\n    return 1\n",
        ["every request"],
    ),
    (
        "SC016",
        PRELUDE + "def run(data):\n    m = «mlflow.pyfunc.load_model(p)»\n    return 1\n",
        ["every request"],
    ),
    # SC017: async
    ("SC017", PRELUDE + "«async» def run(data):\n    return 1\n", ["never awaits", "HTTP 500"]),
    ("SC017", "«async» def init():\n    pass\n" + RUN_ONLY, ["nothing is loaded"]),
    # SC018: generators
    ("SC018", PRELUDE + "def run(data):\n    for x in data:\n        «yield x»\n", ["generator", "return"]),
    ("SC018", "def init():\n    «yield from load()»\n" + RUN_ONLY, ["never loaded"]),
    # SC019: the undecorated body is a string
    (
        "SC019",
        PRELUDE + "def run(raw_data):\n    return «raw_data['data']»\n",
        ["string indices", "json.loads"],
    ),
    (
        "SC019",
        PRELUDE + "def run(body):\n    x = «body.get('data')»\n    return x\n",
        ["'get'", "json.loads(body)"],
    ),
    # SC020: json.loads of an already decoded input
    (
        "SC020",
        PRELUDE
        + '@input_schema("data", NumpyParameterType(np.array([[1.0, 2.0]])))\ndef run(data):\n'
        + "    x = «json.loads(data)»\n    return x\n",
        ["NumPy array", "directly"],
    ),
    (
        "SC020",
        PRELUDE
        + "@input_schema('Inputs', StandardPythonParameterType({'a': [1]}))\ndef run(Inputs):\n"
        + "    return «json.loads(Inputs)»\n",
        ["Python object"],
    ),
]


@pytest.mark.parametrize(("code", "source", "words"), FIRING, ids=[f"{c}-{i}" for i, (c, *_) in enumerate(FIRING)])
def test_rule_fires(code: str, source: str, words: list[str]) -> None:
    text, _, problem = the_problem(source, code, *words)
    assert problem.severity == (Severity.ERROR if code in ERRORS else Severity.WARNING)
    assert code in ERRORS | WARNINGS
    if code == "SC001":
        assert len(lint_entry_script(text)) == 1, "nothing else is reported when the file does not compile"


QUIET = [
    ("SC001", PRELUDE + "def run(data):\n    return data\n"),
    (
        "SC001",
        '"""Docstring.\n\nText at column 0.\n"""\n' + PRELUDE + "x = [\n1, 2,\n]\ndef run(d):\n    return d\n",
    ),
    ("SC002", "from other import *\n" + RUN_ONLY),
    ("SC002", "init = make_init()\n" + RUN_ONLY),
    ("SC003", INIT_ONLY + "from mylib import run\n"),
    ("SC004", "try:\n    def init():\n        pass\nexcept Exception:\n    raise\n" + RUN_ONLY),
    (
        "SC004",
        "if os.name == 'nt':\n    def init():\n        pass\nelse:\n    def init():\n        pass\n" + RUN_ONLY,
    ),
    ("SC004", INIT_ONLY + "class Model:\n    def run(self, x):\n        return x\n" + RUN_ONLY),
    ("SC005", INIT_ONLY + "def run(data, *, request_headers=None):\n    return data\n"),
    ("SC006", INIT_ONLY + "def run(data, request_headers):\n    return data\n"),
    ("SC007", "def init(model_dir='model', *, verbose=False):\n    pass\n" + RUN_ONLY),
    ("SC008", INIT_ONLY + "@rawhttp\ndef run(request):\n    return AMLResponse('ok', 200)\n"),
    ("SC009", INIT_ONLY + "@input_schema('data', T)\n@output_schema(T)\ndef run(data):\n    return 1\n"),
    ("SC009", INIT_ONLY + "@input_schema(NAME, T)\ndef run(data):\n    return 1\n"),
    ("SC010", PRELUDE + "def run(data):\n    return AMLResponse(json.dumps(data), 200)\n"),
    ("SC010", PRELUDE + "def run(data):\n    return json.loads(data)\n"),
    ("SC011", PRELUDE + "def run(data):\n    return model.predict(data).tolist()\n"),
    ("SC011", PRELUDE + "def run(data):\n    y = model.predict(data)\n    y = y.tolist()\n    return y\n"),
    ("SC011", PRELUDE + "def run(data):\n    return {'result': list(model.predict(data))}\n"),
    ("SC011", PRELUDE + "def run(data):\n    return int(model.predict(data)[0])\n"),
    (
        "SC011",
        PRELUDE + "@rawhttp\ndef run(request):\n    return AMLResponse(model.predict(request.json), 200)\n",
    ),
    ("SC011", PRELUDE + "def run(data):\n    return np.array2string(np.asarray(data))\n"),
    ("SC012", PRELUDE + "def run(data):\n    try:\n        return 1\n    except Exception:\n        raise\n"),
    (
        "SC012",
        PRELUDE + "def run(data):\n    try:\n        return 1\n    except KeyError:\n        return []\n",
    ),
    (
        "SC012",
        PRELUDE + "@rawhttp\ndef run(r):\n    try:\n        return 1\n    except Exception as e:\n"
        "        return AMLResponse(str(e), 500)\n",
    ),
    (
        "SC013",
        "try:\n    from sklearn.externals import joblib\nexcept ImportError:\n    import joblib\n" + PRELUDE,
    ),
    ("SC013", "import joblib\nfrom sklearn import externals\n" + PRELUDE + RUN_ONLY),
    ("SC014", PRELUDE + "def run(data):\n    return registry.get_model_path('x')\n"),
    ("SC015", PRELUDE + "def run(data):\n    return model.predict(data).tolist()\n"),
    (
        "SC015",
        "def init():\n    model = 1\n    return model\n\n\ndef run(data):\n    model = 2\n    return model\n",
    ),
    (
        "SC015",
        "import numpy as np\n\n\ndef init():\n    import numpy as np\n\n\ndef run(d):\n    return np.sum(d).item()\n",
    ),
    ("SC015", "def init():\n    helper = 1\n\n\ndef run(d):\n    return [helper for helper in d]\n"),
    (
        "SC016",
        PRELUDE + "def run(data):\n    global model\n    if model is None:\n        model = joblib.load('m')\n"
        "    return model.predict(data).tolist()\n",
    ),
    ("SC016", PRELUDE + "def run(data):\n    def later():\n        return joblib.load('m')\n    return 1\n"),
    ("SC017", PRELUDE + "async def helper():\n    pass\n\n\ndef run(data):\n    return data\n"),
    ("SC018", PRELUDE + "def run(data):\n    def rows():\n        yield 1\n    return list(rows())\n"),
    ("SC019", PRELUDE + "def run(raw_data):\n    data = json.loads(raw_data)['data']\n    return data\n"),
    (
        "SC019",
        PRELUDE + "def run(raw_data):\n    raw_data = json.loads(raw_data)\n    return raw_data['x']\n",
    ),
    ("SC019", PRELUDE + "@input_schema('data', T)\ndef run(data):\n    return data['x']\n"),
    ("SC019", PRELUDE + "@rawhttp\ndef run(request):\n    return request.get_data()\n"),
    (
        "SC019",
        PRELUDE + "def run(raw):\n    if isinstance(raw, dict):\n        return raw['data']\n    return raw\n",
    ),
    (
        "SC020",
        PRELUDE
        + "@input_schema('text', StandardPythonParameterType('hello'))\ndef run(text):\n    return json.loads(text)\n",
    ),
    ("SC020", PRELUDE + "def run(data):\n    return json.loads(data)\n"),
]


@pytest.mark.parametrize(("code", "source"), QUIET, ids=[f"{c}-{i}" for i, (c, _) in enumerate(QUIET)])
def test_rule_stays_quiet(code: str, source: str) -> None:
    text, _, problems = lint_marked(source)
    assert not only(problems, code), [show(text, p.start, p.end) for p in only(problems, code)]


def test_every_code_is_documented_and_tested() -> None:
    codes = sorted(c for c in RULES if c.startswith("SC"))
    assert codes == [f"SC{n:03d}" for n in range(1, len(codes) + 1)], "numbering is continuous"
    assert set(codes) == ERRORS | WARNINGS
    for code in codes:
        rule = RULES[code]
        assert rule.title and len(rule.doc) > 80, code
        assert rule.severity == (Severity.ERROR if code in ERRORS else Severity.WARNING)
    assert {c for c, *_ in FIRING} == set(codes)
    assert {c for c, _ in QUIET} == set(codes)


# --- data for quick fixes -----------------------------------------------------------------------------


def test_missing_functions_name_the_function_for_a_skeleton() -> None:
    problems = lint_entry_script("")
    assert [(p.code, p.start, p.end, dict(p.data or {})) for p in problems] == [
        ("SC002", 0, 0, {"function": "init"}),
        ("SC003", 0, 0, {"function": "run"}),
    ]


@pytest.mark.parametrize(
    ("source", "replacement"),
    [
        ("return «json.dumps({'a': [1, 2]})»", "{'a': [1, 2]}"),
        ("return «json.dumps(result, indent=2)»", None),
        ("return «json.dumps(*parts)»", None),
    ],
)
def test_double_json_replacement(source: str, replacement: str | None) -> None:
    _, _, problem = the_problem(PRELUDE + "def run(result):\n    parts = []\n    " + source + "\n", "SC010")
    assert (problem.data or {}).get("replacement") == replacement


@pytest.mark.parametrize(
    ("source", "replacement"),
    [
        ("return «model.predict(x)»", "model.predict(x).tolist()"),
        ("return «-model.decision_function(x)»", "(-model.decision_function(x)).tolist()"),
        ("return [«model.predict(x)»]", "model.predict(x).tolist()"),
    ],
)
def test_array_replacement(source: str, replacement: str) -> None:
    _, _, problem = the_problem(PRELUDE + "def run(x):\n    " + source + "\n", "SC011")
    assert problem.data == {"replacement": replacement}


@pytest.mark.parametrize(
    ("source", "replacement"),
    [
        ("«from sklearn.externals import joblib»", "import joblib"),
        ("«from sklearn.externals import joblib as jl»", "import joblib as jl"),
        ("«import sklearn.externals.joblib»", "import joblib"),
        ("«from sklearn.externals.joblib import load, dump»", "from joblib import load, dump"),
        ("«from sklearn.externals import joblib, six»", None),
    ],
)
def test_old_joblib_replacement(source: str, replacement: str | None) -> None:
    _, _, problem = the_problem(source + "\n" + INIT_ONLY + RUN_ONLY, "SC013")
    assert (problem.data or {}).get("replacement") == replacement


def test_init_local_data_points_after_the_docstring() -> None:
    source = (
        "model = scaler = None\n\n\ndef init():\n"
        '    """Load the model."""\n'
        "    «model, scaler» = joblib.load('m')\n\n\n"
        "def run(data):\n    return model.predict(scaler.transform(data)).tolist()\n"
    )
    text, _, problem = the_problem(source, "SC015", "global model, scaler", "local variables")
    assert problem.data is not None
    assert problem.data["names"] == ["model", "scaler"]
    assert problem.data["indent"] == "    "
    insert = problem.data["insertOffset"]
    assert text[insert:].startswith("model, scaler = joblib.load")


def test_init_locals_are_reported_once_per_statement() -> None:
    source = "def init():\n    a = 1\n    b = 2\n    a = 3\n\n\ndef run(data):\n    return a + b\n"
    problems = only(lint_entry_script(source), "SC015")
    assert [p.data["names"] for p in problems if p.data] == [["a"], ["b"]]


def test_body_is_text_data_inserts_json_loads() -> None:
    text, _, problem = the_problem(PRELUDE + "def run(raw):\n    return «raw['data']»\n", "SC019")
    assert problem.data is not None
    assert problem.data["param"] == "raw"
    assert text[problem.data["insertOffset"] :].startswith("return raw['data']")


def test_async_names_the_function() -> None:
    _, _, problem = the_problem(PRELUDE + "«async» def run(data):\n    return 1\n", "SC017")
    assert problem.data == {"function": "run"}


def test_error_result_suggests_raise_outside_rawhttp() -> None:
    source = PRELUDE + "def run(d):\n    try:\n        return 1\n    except Exception as e:\n        «return repr(e)»\n"
    _, _, problem = the_problem(source, "SC012")
    assert problem.data == {"replacement": "raise"}


# --- offsets: UTF-16, BOM, line endings ------------------------------------------------------------------


def test_emoji_before_the_node_counts_as_two_utf16_units() -> None:
    source = PRELUDE + 'def run(data):\n    label = "🙂"; return «model.predict(data)»\n'
    text, spans, problem = the_problem(source, "SC011")
    assert text[problem.start : problem.end] == "model.predict(data)"
    position = TextIndex(text).position(problem.start)
    line = text.splitlines()[position.line]
    assert line.startswith('    label = "🙂"; return')
    assert position.character == len('    label = "🙂"; return ') + 1
    assert TextIndex(text).offset(Position(position.line, position.character)) == spans[0][0]


def test_emoji_in_a_syntax_error_line() -> None:
    text, _, problem = the_problem('x = "🙂🙂" «$» 1\n' + INIT_ONLY + RUN_ONLY, "SC001")
    assert TextIndex(text).position(problem.start) == Position(0, len('x = "') + 4 + len('" '))


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_and_bom_keep_offsets_right(newline: str) -> None:
    source = "\ufeff" + PRELUDE + 'def run(data):\n    s = "é🙂"\n    return «model.predict(data)»\n'
    text, spans = marked(source.replace("\n", newline))
    problems = only(lint_entry_script(text), "SC011")
    assert [(p.start, p.end) for p in problems] == spans


# --- clean scripts ---------------------------------------------------------------------------------------

CLEAN_SKLEARN = '''\
"""Score a scikit-learn model: the init()/run() contract of Azure ML v1."""

import json
import logging
import os

import joblib
import numpy as np
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.schema_decorators import input_schema, output_schema

model = None


def init():
    """Load the model once per worker."""
    global model
    model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model.pkl")
    model = joblib.load(model_path)
    logging.info("model loaded from %s", model_path)


@input_schema("data", NumpyParameterType(np.array([[0.1, 1.2, 2.3, 3.4, 4.5]])))
@output_schema(NumpyParameterType(np.array([3726.995])))
def run(data):
    try:
        result = model.predict(data)
        return result.tolist()
    except Exception:
        logging.exception("scoring failed")
        raise
'''

CLEAN_RAWHTTP = """\
import json
import os

import joblib
from azureml.contrib.services.aml_request import AMLRequest, rawhttp
from azureml.contrib.services.aml_response import AMLResponse


def init():
    global model
    model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.joblib"))


@rawhttp
def run(request):
    if request.method != "POST":
        return AMLResponse("only POST is supported", 405)
    try:
        rows = json.loads(request.get_data(as_text=True))["data"]
    except (ValueError, KeyError) as e:
        return AMLResponse(f"bad request: {e}", 400)
    predictions = model.predict(rows).tolist()
    return AMLResponse(json.dumps({"predictions": predictions}), 200, {"Content-Type": "application/json"})
"""

CLEAN_OUTPUT_SCHEMA_ONLY = """\
import json

from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType
from inference_schema.schema_decorators import output_schema


def init():
    pass


@output_schema(StandardPythonParameterType({"label": "cat"}))
def run(raw_data, request_headers):
    data = json.loads(raw_data)
    return {"label": str(data.get("label", "cat")), "trace": request_headers.get("x-request-id")}
"""


@pytest.mark.parametrize("source", [CLEAN_SKLEARN, CLEAN_RAWHTTP, CLEAN_OUTPUT_SCHEMA_ONLY])
def test_realistic_scripts_are_clean(source: str) -> None:
    assert lint_entry_script(source) == []


def test_example_scripts() -> None:
    assert lint_entry_script((EXAMPLES / "sklearn" / "score.py").read_text(encoding="utf-8")) == []
    broken = lint_entry_script((EXAMPLES / "broken" / "score.py").read_text(encoding="utf-8"))
    assert {"SC013", "SC015", "SC010", "SC012"} <= {p.code for p in broken}


# --- robustness: never raise, and cutting into pieces changes nothing ------------------------------------

SEEDS = [CLEAN_SKLEARN, CLEAN_RAWHTTP, CLEAN_OUTPUT_SCHEMA_ONLY] + [marked(s)[0] for _, s, _ in FIRING[5:]]
ALPHABET = st.sampled_from(
    [
        *"()[]{}:,.'\"#@=*\\ \n\t\r-+/abcdefgijklmnoprstuxy_0123456789",
        *(
            "def ",
            "class ",
            "init",
            "run",
            "return ",
            "yield ",
            "global ",
            "import ",
            '"""',
            "🙂",
            "é",
            "\x00",
        ),
        *("\n    ", "\nif x:\n", "except Exception as e:", "json.dumps(", ".predict(", "async ", "lambda: "),
    ]
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        end = min(len(text), at + draw(st.integers(0, 12)))
        piece = draw(st.lists(ALPHABET, max_size=4).map("".join))
        action = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[end:]
        elif action == "replace":
            text = text[:at] + piece + text[end:]
        else:
            text = text[:end] + text[at:end] + text[end:]
    return text


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def logged_errors() -> Iterator[_Errors]:
    handler = _Errors()
    logger = logging.getLogger("amldeploy.language.entry_script.lint")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def _check(text: str, errors: _Errors) -> list[Problem]:
    problems = lint_entry_script(text)
    assert not errors.records, errors.records[0].getMessage()
    assert _key(lint_entry_script(text)) == _key(problems), "the second run, from the caches, agrees"
    index = TextIndex(text)
    for p in problems:
        assert 0 <= p.start <= p.end <= len(text), p
        index.range(p.start, p.end)
    return problems


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join) | st.text(max_size=60))
def test_random_text_never_raises(logged_errors: _Errors, text: str) -> None:
    _check(text, logged_errors)


def _whole(text: str) -> list[Problem]:
    """The lint with the script compiled as one piece, the reference for the cut-into-pieces fast path."""
    cuts = entry_script_parse._cuts
    entry_script_parse._cuts = lambda source: [0]
    try:
        return lint_entry_script(text)
    finally:
        entry_script_parse._cuts = cuts


def _key(problems: list[Problem]) -> list[tuple[object, ...]]:
    return [(p.code, p.start, p.end, p.message, dict(p.data or {})) for p in problems]


@settings(max_examples=300, deadline=None)
@given(mutated())
def test_mutated_scripts_never_raise_and_pieces_agree_with_the_whole(logged_errors: _Errors, text: str) -> None:
    problems = _check(text, logged_errors)
    assert _key(problems) == _key(_whole(text))


TRICKY = [
    '"""Module docstring.\n\nColumn-0 text.\ndef run(x):\n"""\n' + PRELUDE + RUN_ONLY,
    PRELUDE + "x = [\n1,\n2]\ny = f(\n'a')\n" + RUN_ONLY,
    PRELUDE + "total = 1 + \\\n2\n" + RUN_ONLY,
    PRELUDE + "@decorator(\n    1,\n)\n@other\ndef run(data):\n    return model.predict(data)\n",
    PRELUDE + "if True:\n    pass\nelse:\n    pass\ntry:\n    pass\nexcept Exception:\n    pass\n" + RUN_ONLY,
    PRELUDE + "s = '''\ndef init():\n    x = 1\n'''\n" + RUN_ONLY,
    PRELUDE + "def helper():\n    return 1\n\n\nclass Scorer:\n    pass\n" + RUN_ONLY,
    PRELUDE.replace("\n", "\r\n") + "def run(d):\r\n    return model.predict(d)\r\n",
    PRELUDE + "def run(d):\n    return d\n" + "x = (\n",
    # A statement after a function may share its piece; what it defines still counts.
    "def helper():\n    return 1\nX = 1\nif X:\n    def other():\n        pass\n\n\n"
    "def init():\n    other = 2\n\n\ndef run(d):\n    return other(d)\n",
    "X = 1\n" * 40 + "def init():\n    Y = 1\n\n\ndef run(d):\n    return Y + d\n" + "Y = 2\n" * 40,
]


@pytest.mark.parametrize("text", TRICKY, ids=range(len(TRICKY)))
def test_pieces_agree_with_the_whole(text: str) -> None:
    assert _key(lint_entry_script(text)) == _key(_whole(text))


@pytest.mark.parametrize(
    "source", [s for _, s, _ in FIRING] + [s for _, s in QUIET], ids=lambda s: f"{len(s)}-{hash(s) % 1000}"
)
def test_cached_trees_are_not_changed_by_the_rules(source: str) -> None:
    text = marked(source)[0]
    first = _key(lint_entry_script(text))
    assert _key(_whole(text)) == first
    assert _key(lint_entry_script(text)) == first


def test_deep_nesting_never_raises() -> None:
    deep_ok = "x = " + "[" * 150 + "]" * 150 + "\n"
    deep_bad = "x = " + "+".join(["1"] * 200_000) + "\n"
    for text in (deep_ok + PRELUDE + RUN_ONLY, deep_bad + PRELUDE + RUN_ONLY):
        lint_entry_script(text)
    run_deep = PRELUDE + "def run(d):\n    return " + "(" * 150 + "d" + ")" * 150 + "\n"
    assert lint_entry_script(run_deep) == []


def test_warnings_as_errors_do_not_turn_into_syntax_errors() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lint_entry_script(PRELUDE + 'PATTERN = "\\d+"\n' + RUN_ONLY) == []

"""The ``SC###`` rules of the ``score.py`` lint: codes, severities and the documentation users read.

The contract comes from Azure's inference server (azureml-inference-server-http), which imports the script,
calls ``init()`` once per worker and ``run(...)`` once per request, and JSON-encodes what ``run`` returns.
"""

from __future__ import annotations

from amldeploy.language.codes import rule
from amldeploy.language.problems import Severity

SYNTAX = rule(
    "SC001",
    Severity.ERROR,
    "Entry script does not compile",
    "Azure's server imports `score.py` when the container starts; a syntax error (or a NUL byte, or an "
    "expression nested too deeply for Python) makes the import fail, the worker exits and the service never "
    "becomes healthy. v1 refused to deploy a script that `ast.parse` rejects. Fix the code at the marked "
    "place; no other rule runs until the file compiles.",
)
NO_INIT = rule(
    "SC002",
    Severity.ERROR,
    "No module-level init()",
    "The server looks up `init` on the imported module and, when it is missing, stops with *User script at … "
    "does not have a init() function defined.* (exit status 3, the container crash-loops). Define "
    "`def init():` at the top level of the file (not indented); it runs once per worker and is where the "
    "model is loaded. A quick fix adds a skeleton.",
)
NO_RUN = rule(
    "SC003",
    Severity.ERROR,
    "No module-level run()",
    "The server looks up `run` on the imported module and, when it is missing, stops with *User script at … "
    "does not have a run() function defined.* (exit status 3). Define `def run(raw_data):` at the top level "
    "of the file; it is called once per scoring request. A quick fix adds a skeleton.",
)
NOT_MODULE_LEVEL = rule(
    "SC004",
    Severity.ERROR,
    "init()/run() is not at module level",
    "Only names bound when the module is imported count. A `def init`/`def run` inside a class or a function "
    'is not a module attribute, and one under `if __name__ == "__main__":` (or `if TYPE_CHECKING:`) never '
    "runs, because Azure imports the script as a module named `entry_module`. Defining them under another "
    "module-level `if`, `try` or `with` is fine: that code runs at import. Fix: move the function to the top "
    "level of the file, without indentation.",
)
RUN_SIGNATURE = rule(
    "SC005",
    Severity.ERROR,
    "run() takes *args, **kwargs or positional-only parameters",
    "The server inspects `run`'s signature before serving and refuses it with `run() cannot accept "
    "positional-only arguments, *args, or **kwargs.`: it passes the request by parameter name. "
    "Use plain named parameters such as `def run(raw_data):` or `def run(data, request_headers):`.",
)
RUN_NO_INPUT = rule(
    "SC006",
    Severity.ERROR,
    "run() has no input parameter",
    "The server needs at least one parameter besides `request_headers` to pass the request body to; "
    "`def run():` is refused at startup. Add one, for example `def run(raw_data):`.",
)
INIT_REQUIRED_PARAMS = rule(
    "SC007",
    Severity.ERROR,
    "init() has required parameters",
    "The server calls `init()` without arguments, so a required parameter raises `TypeError`, the worker "
    "exits with status 3 and the container crash-loops. Remove the parameters (read settings from "
    "environment variables such as `AZUREML_MODEL_DIR`) or give them default values.",
)
RAWHTTP_WITH_SCHEMA = rule(
    "SC008",
    Severity.ERROR,
    "@rawhttp together with @input_schema",
    "`@rawhttp` hands `run` the raw HTTP request while `@input_schema` asks the server to decode the JSON "
    "body into typed parameters; the server refuses the combination. Keep one: `@rawhttp` to read the "
    "request yourself, or `@input_schema` (plus `@output_schema`) for decoded inputs and a "
    "generated swagger.",
)
SCHEMA_UNKNOWN_PARAM = rule(
    "SC009",
    Severity.ERROR,
    "@input_schema names a parameter run() does not have",
    "The first argument of `@input_schema` is the name of the `run` parameter it fills (and the key of the "
    'JSON body). inference-schema checks it on the first request: *Error, provided param_name "x" is not in '
    "the decorated function.* Rename the schema name or the parameter so they match (the match is "
    "case-sensitive).",
)
DOUBLE_JSON = rule(
    "SC010",
    Severity.WARNING,
    "run() returns json.dumps(...)",
    "The server already encodes `run`'s return value with `json.dumps`; returning a JSON string encodes it "
    'twice, so clients receive a quoted string (`"{\\"a\\": 1}"`) and must call `json.loads` twice. '
    "Return the Python object itself (`return result`). A quick fix removes the `json.dumps` call.",
)
NOT_JSON_SERIALISABLE = rule(
    "SC011",
    Severity.WARNING,
    "run() returns a NumPy array",
    "`model.predict(...)`, `predict_proba`, `transform` and `numpy` functions return NumPy arrays (or NumPy "
    "scalars), which `json.dumps` cannot encode: the client gets HTTP 500 *An unexpected internal error "
    "occurred* while the logs show *Object of type ndarray is not JSON serializable*. Convert with "
    "`.tolist()` before returning. A quick fix appends `.tolist()`.",
)
ERROR_AS_RESULT = rule(
    "SC012",
    Severity.WARNING,
    "run() answers an exception with a normal result",
    'Returning a message (a string, `str(e)`, or a dict like `{"error": ...}`) from an `except` block '
    "answers HTTP 200: clients, retries, monitoring and Application Insights all see a success. Re-raise "
    "instead (`raise`): the server then answers 500 with the header `x-ms-run-function-failed: True` "
    "and logs the traceback. Under `@rawhttp`, return `AMLResponse(message, 500)` (or 400 for bad input).",
)
SKLEARN_EXTERNALS = rule(
    "SC013",
    Severity.ERROR,
    "sklearn.externals.joblib no longer exists",
    "scikit-learn removed the vendored `sklearn.externals.joblib` in version 0.23, so the import raises "
    "`ModuleNotFoundError` and `init` never runs. Use the standalone package: `import joblib` (and add "
    "`joblib` to the conda file). Models saved with the old import still load with `joblib.load`.",
)
GET_MODEL_PATH = rule(
    "SC014",
    Severity.WARNING,
    "Model.get_model_path needs azureml-core",
    "`Model.get_model_path` comes from the azureml-core SDK: it must be installed in the image and, for "
    "anything but the simplest layouts, it needs a workspace to resolve names. The server already tells you "
    'where the models are: `os.path.join(os.getenv("AZUREML_MODEL_DIR"), "<file>")` (the folder of the '
    "model with its original file names; with several models, `<name>/<version>/<file>` below it).",
)
LOCAL_IN_INIT = rule(
    "SC015",
    Severity.ERROR,
    "init() assigns a local that run() reads as a global",
    "Assigning a name inside `init` creates a local variable of `init` unless the function declares "
    "`global name`. The assignment then disappears when `init` returns, and `run` reads the module-level "
    "name instead: still `None` (or a `NameError`), so every request fails. Add `global model` (with the "
    "names) as the first statement of `init`. A quick fix inserts it.",
)
LOAD_IN_RUN = rule(
    "SC016",
    Severity.WARNING,
    "run() loads the model on every request",
    "`run` is called for each request, so `joblib.load`, `torch.load`, `load_model`, "
    "`InferenceSession(...)` or `Model.get_model_path` inside it repeat the slow load every time (and can "
    "hit the scoring timeout). Load once in `init()` into a global (`global model` then "
    "`model = joblib.load(path)`) and use it in `run`.",
)
ASYNC_ENTRY = rule(
    "SC017",
    Severity.ERROR,
    "init()/run() is async",
    "The server calls `init()` and `run()` as plain functions and never awaits them. An `async def init` "
    "returns a coroutine without running its body (the model is never loaded); an `async def run` returns a "
    "coroutine that `json.dumps` cannot encode, so every request fails with 500. Use `def` and call "
    "asynchronous libraries with `asyncio.run(...)` inside.",
)
GENERATOR_ENTRY = rule(
    "SC018",
    Severity.ERROR,
    "init()/run() is a generator",
    "A function containing `yield` returns a generator object when called and runs nothing until iterated. "
    "The server never iterates: `init` would not load anything, and `run`'s generator cannot be encoded as "
    "JSON (HTTP 500); the server does not stream responses. Build the whole result (for example a list) and "
    "`return` it.",
)
BODY_IS_TEXT = rule(
    "SC019",
    Severity.ERROR,
    "run() indexes the request body, which is a string",
    "Without `@input_schema` or `@rawhttp`, `run` receives the raw request body as a `str`, not parsed JSON. "
    '`raw_data["data"]` then fails with *string indices must be integers* and `raw_data.get(...)` with '
    "*'str' object has no attribute 'get'*: HTTP 500 on every request. Parse it first: "
    "`data = json.loads(raw_data)`.",
)
SCHEMA_INPUT_IS_DECODED = rule(
    "SC020",
    Severity.ERROR,
    "run() calls json.loads on an input that @input_schema already decoded",
    'With `@input_schema("data", NumpyParameterType(...))` (or Pandas, or a dict/list sample) the server '
    "parses the JSON body and passes `data` as an array, a DataFrame, a dict or a list. `json.loads(data)` "
    "then raises *the JSON object must be str, bytes or bytearray*: HTTP 500 on every request. Use the "
    "parameter directly.",
)

"""The contract between the scoring server and ``score.py``, shown when hovering over its names."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEF_BEFORE = re.compile(r"(?:^|[\s;:])def\s+$")

INIT = """**`init()`** · called once per worker when the service starts

* The scoring server imports this file as a module, then calls `init()` **without arguments**, before it \
answers any request.
* Load the model here and keep it in a module-level variable: declare it with `global model` first, or the \
assignment stays local to `init()` and `run()` never sees it.
* The model files are in the folder named by the `AZUREML_MODEL_DIR` environment variable.
* If `init()` raises, the worker stops and the service never becomes healthy; the traceback is in the log."""

RUN = """**`run(...)`** · called for every scoring request (`POST /score`)

The request reaches `run` in one of three ways:

1. **Plain** `def run(raw_data)`: the request body arrives as a **string**; parse it with \
`json.loads(raw_data)`.
2. **`@input_schema(name, ParameterType(...))`**: the server decodes the JSON body and passes `body[name]` \
to the parameter with that name, converted to a NumPy array, a pandas DataFrame or a Python object.
3. **`@rawhttp`**: `run(request)` receives the HTTP request itself and may answer with an `AMLResponse`.

Without `@rawhttp`, a parameter named `request_headers` receives the request's headers.

* The return value is **encoded with `json.dumps`** by the server: return plain Python values (dicts, lists, \
numbers, strings), not a JSON string and not NumPy arrays (convert them with `.tolist()`).
* An exception becomes **HTTP 500** (with the header `x-ms-run-function-failed: True`) and its traceback \
goes to the log.
* Calls are serialised per worker; a call slower than `scoringTimeoutMs` gets 504."""

MODEL_DIR = """**`AZUREML_MODEL_DIR`** · where the models are inside the service

* Set before `init()` runs. With **one** model it is that model's folder \
(`azureml-models/<name>/<version>`); with **several** it is the `azureml-models` folder above them, \
each model under `<name>/<version>/`.
* Files keep their original names: `os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model.pkl")`.
* amldeploy places models given with `--model PATH[:NAME[:VERSION]]` by the same rule on every target."""

INPUT_SCHEMA = """**`@input_schema(param_name, param_type)`** · from the `inference_schema` package

* The server decodes the JSON body and passes `body[param_name]` to the `run` parameter of that name \
(case-sensitive), converted by `param_type` (`NumpyParameterType`, `PandasParameterType`, \
`StandardPythonParameterType`).
* The parameter arrives decoded: do not call `json.loads` on it.
* Its sample describes the request in the generated swagger; pair it with `@output_schema`.
* It cannot be combined with `@rawhttp`."""

RAWHTTP = """**`@rawhttp`** · `run` receives the raw HTTP request

* `run(request)` gets the request object: `request.get_data()`, `request.get_json()`, `request.headers`, \
`request.args`, `request.method`.
* GET requests to `/score` reach `run` too (without `@rawhttp`, only POST does).
* Return an `AMLResponse` to choose the status code and headers, or any JSON-encodable value for a 200.
* It cannot be combined with `@input_schema`."""

AML_RESPONSE = """**`AMLResponse(message, status_code)`** · the answer of a `@rawhttp` `run()`

* Lets `run` choose the status code: `return AMLResponse("invalid input", 400)`; headers can be set on the \
object (`response.headers["Access-Control-Allow-Origin"] = "*"`).
* Use it to report errors under `@rawhttp`: a normal return value is always a 200.
* amldeploy's scoring host provides compatible `AMLRequest`/`AMLResponse` classes."""

_DOCS = {
    "AZUREML_MODEL_DIR": MODEL_DIR,
    "input_schema": INPUT_SCHEMA,
    "rawhttp": RAWHTTP,
    "AMLResponse": AML_RESPONSE,
}


def script_word(text: str, offset: int) -> tuple[str, int, int] | None:
    """(markdown, start, end) of the contract name under ``offset``, if any."""
    if not 0 <= offset <= len(text):
        return None
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    line_end = len(text)
    for brk in ("\n", "\r"):
        found = text.find(brk, offset)
        if found >= 0:
            line_end = min(line_end, found)
    for match in _WORD.finditer(text, line_start, line_end):
        if match.start() <= offset <= match.end():
            word = match.group()
            if word in ("init", "run"):
                if not _DEF_BEFORE.search(text[line_start : match.start()]):
                    return None
                return (INIT if word == "init" else RUN), match.start(), match.end()
            doc = _DOCS.get(word)
            return (doc, match.start(), match.end()) if doc is not None else None
    return None

"""``rawhttp``/``AMLRequest``/``AMLResponse`` work whether or not Azure's packages are installed."""

from __future__ import annotations

import json
from pathlib import Path

from amldeploy.ops.targets.process.launch import link_package
from amldeploy.runtime.compat import AMLResponse, is_response, response_parts
from amldeploy.runtime.request import Headers, Request
from tests.infra.azure_server import ensure
from tests.python.runtime.conftest import ROOT, Launcher

AZURE_PYTHON = ROOT / ".cache" / "azmlinfsrv-1.5.1" / "bin" / "python"


def test_legacy_import_path_without_the_packages(launch: Launcher) -> None:
    server = launch.start("rawhttp_legacy.py")
    reply = server.request("POST", "/score", "abc")
    assert (reply.status, reply.json()) == (202, {"method": "POST", "body": "abc"})
    assert reply.header("Content-Type") == "application/json"
    assert server.request("OPTIONS", "/score").json() == {"method": "OPTIONS", "body": ""}


def test_the_real_package_is_used_when_installed(launch: Launcher, tmp_path: Path) -> None:
    ensure()  # Azure's own server venv, built once by the project's script and cached in .cache/
    # Azure's own venv has Flask and azureml-inference-server-http: its AMLResponse is a flask.Response. amldeploy
    # and its server's libraries come in on PYTHONPATH, the way an isolated deploy runs them.
    link_package(tmp_path / "pythonpath")
    env = {"PYTHONPATH": str(tmp_path / "pythonpath")}
    server = launch.start("rawhttp.py", env=env, python=str(AZURE_PYTHON))
    reply = server.request("GET", "/score?a=1")
    assert (reply.status, reply.body) == (200, b"/score?a=1")
    assert reply.all("X-Custom") == ["a", "b"]
    failed = server.request("GET", "/score?status=503")
    assert (failed.status, failed.all("x-ms-run-function-failed")) == (503, ["True"])
    legacy = launch.start("rawhttp_legacy.py", env=env, python=str(AZURE_PYTHON))
    assert legacy.request("POST", "/score", "x").json() == {"method": "POST", "body": "x"}


def test_aml_response_shapes() -> None:
    text = AMLResponse("hi", 201, {"X-Multi": "a, b"})
    assert response_parts(text) == (
        201,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("x-ms-run-function-failed", "False"),
            ("X-Multi", "a"),
            ("X-Multi", "b"),
        ],
        b"hi",
    )
    typed = AMLResponse(b"\x00", 200, {"Content-Type": "image/png"})
    assert typed.headers.getlist("Content-Type") == ["image/png"]
    # Only that exact spelling replaces the default, as in Azure's class.
    lower = AMLResponse("x", 200, {"content-type": "text/plain"})
    assert lower.headers.getlist("Content-Type") == ["text/html; charset=utf-8", "text/plain"]
    assert AMLResponse(None, 200).get_data() == b"{}"
    as_json = AMLResponse({"a": 1}, 200, json_str=True, run_function_failed=True)
    assert (as_json.mimetype, json.loads(as_json.get_data()), as_json.headers["x-ms-run-function-failed"]) == (
        "application/json",
        {"a": 1},
        "True",
    )
    assert is_response(as_json)
    assert not is_response({"status_code": 200})


def test_request_object() -> None:
    body = b'{"k": [1]}'
    pairs = [("Host", "h:1"), ("content-type", "application/json"), ("X-A", "1"), ("x-a", "2"), ("X_B", "drop")]
    request = Request("POST", "/score", b"q=1&q=2&r=%C3%A9", pairs, body, "10.0.0.1", ("h", 1))
    assert dict(request.headers) == {"Host": "h:1", "Content-Type": "application/json", "X-A": "1,2"}
    assert request.headers.get("content_type") == "application/json"
    assert request.args.getlist("q") == ["1", "2"]
    assert request.args.get("r") == "é"
    assert request.full_path == "/score?q=1&q=2&r=%C3%A9"
    assert (request.is_json, request.json, request.get_data(as_text=True)) == (True, {"k": [1]}, body.decode())
    assert request.environ["HTTP_X_A"] == "1,2"
    assert Request("GET", "/score", b"", [], b"").full_path == "/score?"
    assert len(Headers([("A", "1"), ("b", "2")])) == 2


def test_shim_modules_are_a_last_resort(tmp_path: Path, launch: Launcher) -> None:
    # An installed package of the same name wins over the shims.
    package = tmp_path / "site" / "azureml_inference_server_http" / "api"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "aml_request.py").write_text(
        "_rawHttpRequested = False\n\ndef rawhttp(f):\n    global _rawHttpRequested\n    _rawHttpRequested = True\n"
        "    return f\n\nclass AMLRequest:\n    pass\n",
        encoding="utf-8",
    )
    (package / "aml_response.py").write_text("AMLResponse = None\n", encoding="utf-8")
    script = tmp_path / "score.py"
    script.write_text(
        "from azureml_inference_server_http.api.aml_request import rawhttp\n"
        "import azureml_inference_server_http.api.aml_request as mod\n\n"
        "def init():\n    pass\n\n@rawhttp\ndef run(request):\n"
        "    return {'installed': mod.__file__.endswith('site/azureml_inference_server_http/api/aml_request.py'),"
        " 'method': request.method}\n",
        encoding="utf-8",
    )
    server = launch.start(script, env={"PYTHONPATH": str(tmp_path / "site")})
    assert server.request("GET", "/score").json() == {"installed": True, "method": "GET"}


def test_form_parsing_consumes_the_body_as_in_flask() -> None:
    form_type = [("Content-Type", "application/x-www-form-urlencoded")]
    form_first = Request("POST", "/score", b"", form_type, b"a=1&b=%C3%A9")
    assert form_first.form.to_dict() == {"a": "1", "b": "é"}
    assert (form_first.get_data(), form_first.data) == (b"", b"")
    data_first = Request("POST", "/score", b"", form_type, b"a=1")
    assert data_first.get_data() == b"a=1"
    assert data_first.form.get("a") == "1"
    assert data_first.data == b"a=1"
    assert Request("POST", "/score", b"", form_type, b"a=1").data == b""
    stream_first = Request("POST", "/score", b"", [("Content-Type", "text/plain")], b"abc")
    assert stream_first.stream.read() == b"abc"
    assert stream_first.get_data() == b""

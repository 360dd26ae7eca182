"""Return values, errors, request ids, routes, swagger and CORS as Azure's server answers them."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import pytest

from amldeploy import __version__
from tests.python.runtime.conftest import SCRIPTS, Launcher, Server

INTERNAL = {"message": "An unexpected internal error occurred. Check the logs for more info."}
SCRIPT_FAILED = {"message": "An unexpected error occurred in scoring script. Check the logs for more info."}
NOT_FOUND = {
    "message": "The requested URL was not found on the server. If you entered the URL manually please check your "
    "spelling and try again."
}


@pytest.fixture(scope="module")
def plain(module_launch: Launcher) -> Server:
    return module_launch.start("plain.py")


def test_returned_string_is_encoded_again(plain: Server) -> None:
    reply = plain.request("POST", "/score", "string")
    assert reply.body == b'"{\\"a\\": 1}"'
    assert json.loads(reply.json()) == {"a": 1}


def test_none_is_an_empty_object(plain: Server) -> None:
    assert plain.request("POST", "/score", "none").body == b"{}"


def test_exec_time_header_on_score_answers(plain: Server) -> None:
    reply = plain.request("POST", "/score", "x")
    assert re.fullmatch(r"\d+\.\d{3}", reply.header("x-ms-run-fn-exec-ms") or "")


def test_unserialisable_result_is_an_internal_error(plain: Server) -> None:
    reply = plain.request("POST", "/score", "set")
    assert (reply.status, reply.json()) == (500, INTERNAL)
    assert reply.header("x-ms-run-function-failed") == "False"
    assert reply.header("x-ms-run-fn-exec-ms") is None


def test_exception_in_run_is_500_with_the_traceback_in_the_log(plain: Server) -> None:
    reply = plain.request("POST", "/score", "raise")
    assert (reply.status, reply.json()) == (500, SCRIPT_FAILED)
    assert reply.header("x-ms-run-function-failed") == "True"
    log = plain.log()
    assert "Traceback (most recent call last)" in log
    assert "ValueError: raised on purpose" in log


def test_print_reaches_the_log_at_once(plain: Server) -> None:
    marker = f"printed-{uuid.uuid4().hex}"
    assert plain.request("POST", "/score", f"print:{marker}").status == 200
    deadline = time.monotonic() + 5
    while marker not in plain.log() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker in plain.log()
    assert "plain: init done" in plain.log()


def test_one_log_line_per_request_in_azures_format(plain: Server) -> None:
    # Azure's line: method, path with query, status, duration, response size; never a header, key or body.
    reply = plain.send("POST", "/score?check=line", "x", {"x-request-id": "id-check", "Authorization": "Bearer k-1"})
    deadline = time.monotonic() + 5
    while "check=line" not in plain.log() and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = [line for line in plain.log().splitlines() if "check=line" in line]
    assert len(lines) == 1
    line = rf"I \[\d+\] amldeploy\.runtime - POST /score\?check=line 200 \d+\.\d{{3}}ms {len(reply.body)}$"
    assert re.search(line, lines[0]), lines[0]
    assert "id-check" not in plain.log() and "k-1" not in plain.log()


def test_amldeploy_probes_stay_out_of_the_access_log(plain: Server) -> None:
    # The editor's watcher checks GET / every few seconds: a followed log must not fill with those lines.
    plain.send("GET", "/?probe-check", "", {"X-AMLDeploy-Probe": "1"})
    plain.send("GET", "/?user-check", "")
    deadline = time.monotonic() + 5
    while "user-check" not in plain.log() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert re.search(r"GET /\?user-check 200 \d+\.\d{3}ms 7$", plain.log(), re.M)
    assert "probe-check" not in plain.log()


def test_health_probe(plain: Server) -> None:
    reply = plain.request("GET", "/")
    assert (reply.status, reply.body) == (200, b"Healthy")
    assert reply.header("Content-Type") == "text/html; charset=utf-8"
    assert reply.header("x-ms-server-version") == f"amldeploy/{__version__}"


def test_unknown_route_and_method(plain: Server) -> None:
    missing = plain.request("GET", "/nope")
    assert (missing.status, missing.json()) == (404, NOT_FOUND)
    assert missing.header("x-ms-run-function-failed") == "False"
    assert missing.header("x-request-id") is None  # Azure's hooks only run for known routes
    wrong = plain.request("DELETE", "/")
    assert (wrong.status, wrong.json()) == (405, {"message": "The method is not allowed for the requested URL."})


def test_generated_request_id_is_echoed_as_both_ids(plain: Server) -> None:
    reply = plain.request("GET", "/")
    request_id = reply.header("x-request-id") or ""
    assert uuid.UUID(request_id).version == 4
    assert reply.header("x-ms-request-id") == request_id
    assert reply.header("x-ms-client-request-id") is None


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ({"x-request-id": "r1"}, {"x-request-id": "r1", "x-ms-request-id": "r1", "x-ms-client-request-id": None}),
        ({"x-ms-client-request-id": "c1"}, {"x-ms-request-id": "c1", "x-ms-client-request-id": "c1"}),
        ({"x-ms-request-id": "l1"}, {"x-ms-request-id": "l1", "x-ms-client-request-id": "l1"}),
        (
            {"x-request-id": "r", "x-ms-request-id": "l", "x-ms-client-request-id": "c"},
            {"x-request-id": "r", "x-ms-request-id": "l", "x-ms-client-request-id": "c"},
        ),
        ({"TraceId": "t1"}, {"TraceId": "t1"}),
    ],
)
def test_request_id_rules(plain: Server, sent: dict[str, str], expected: dict[str, str | None]) -> None:
    reply = plain.send("POST", "/score", "x", sent)
    for name, value in expected.items():
        assert reply.header(name) == value, name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x-request-id", "x-request-id must not exceed 100 characters"),
        ("x-ms-client-request-id", "x-ms-request-id and x-ms-client-request-id must not exceed 100 characters"),
        ("x-ms-request-id", "x-ms-request-id and x-ms-client-request-id must not exceed 100 characters"),
    ],
)
def test_ids_over_100_characters_are_431(plain: Server, name: str, message: str) -> None:
    assert plain.send("GET", "/", None, {name: "a" * 100}).status == 200
    reply = plain.send("POST", "/score", "x", {name: "a" * 101})
    assert (reply.status, reply.json()) == (431, {"message": message})


def test_swagger_versions(plain: Server) -> None:
    v2 = plain.request("GET", "/swagger.json").json()
    assert v2["swagger"] == "2.0"
    assert v2["info"] == {
        "title": "ML service",
        "description": "API specification for the Azure Machine Learning service ML service",
        "version": "1.0",
    }
    assert v2["paths"]["/score"]["post"]["operationId"] == "RunMLService"
    assert v2["definitions"]["ServiceInput"] == {"type": "object", "example": {}}
    assert plain.request("GET", "/swagger.json?version=2.0").json() == v2
    assert plain.request("GET", "/swagger.json?version=3").json()["openapi"] == "3.0.3"
    assert plain.request("GET", "/swagger.json?version=3.1").json()["openapi"] == "3.1.0"
    bad = plain.request("GET", "/swagger.json?version=4")
    assert (bad.status, bad.json()) == (
        404,
        {"message": "Swagger version [4] is not valid. Supported versions: [2, 3, 3.1]."},
    )


def test_swagger_from_decorators_and_service_settings(launch: Launcher) -> None:
    env = {"SERVICE_NAME": "iris", "SERVICE_VERSION": "7", "SERVICE_PATH_PREFIX": "/api/v1/service/iris/"}
    server = launch.start("standard_schema.py", env=env)
    doc = server.request("GET", "/swagger.json?version=3").json()
    assert doc["info"]["title"] == "iris"
    assert doc["info"]["version"] == "7"
    assert "/api/v1/service/iris/score" in doc["paths"]
    service_input = doc["components"]["schemas"]["ServiceInput"]
    assert service_input["example"] == {"Inputs": {"data": [[1, 2]]}, "GlobalParameters": {"method": "predict"}}
    assert doc["components"]["schemas"]["ServiceOutput"]["example"] == {"Results": [3]}


DECLARED_SCHEMA = """\
def init():
    run.__amldeploy_swagger__ = {
        "input": {"type": "object", "properties": {"data": {"type": "array", "maxItems": 3}}},
        "output": {"type": "array", "items": {"type": "integer"}},
    }


def run(raw_data):
    return [1]
"""


def test_swagger_from_schemas_the_script_declares_in_init(launch: Launcher, tmp_path: Path) -> None:
    script = tmp_path / "declared.py"
    script.write_text(DECLARED_SCHEMA, encoding="utf-8")
    server = launch.start(script)
    v2 = server.request("GET", "/swagger.json").json()
    assert v2["definitions"]["ServiceInput"]["properties"]["data"]["maxItems"] == 3
    assert v2["definitions"]["ServiceOutput"] == {"type": "array", "items": {"type": "integer"}}
    v3 = server.request("GET", "/swagger.json?version=3.1").json()
    assert v3["components"]["schemas"]["ServiceInput"]["properties"]["data"]["maxItems"] == 3


def test_swagger_files_in_the_app_root_win(launch: Launcher, tmp_path: Path) -> None:
    app_root = tmp_path / "app"
    app_root.mkdir()
    (app_root / "swagger2.json").write_text('{"mine": 2}', encoding="utf-8")
    (app_root / "swagger3.json").write_text('{"mine": 3}', encoding="utf-8")
    server = launch.start("plain.py", env={"AML_APP_ROOT": str(app_root)})
    assert server.request("GET", "/swagger.json").json() == {"mine": 2}
    assert server.request("GET", "/swagger.json?version=3").json() == {"mine": 3}
    assert server.request("GET", "/swagger.json?version=3.1").json()["openapi"] == "3.1.0"


@pytest.mark.parametrize("origins", ["*", "https://a.example, https://b.example"])
def test_cors(launch: Launcher, origins: str) -> None:
    server = launch.start("plain.py", env={"AML_CORS_ORIGINS": origins})
    allowed = server.send("POST", "/score", "x", {"Origin": "https://b.example"})
    assert allowed.header("Access-Control-Allow-Origin") == "https://b.example"
    assert allowed.header("Vary") == "Origin"
    denied = server.send("GET", "/", None, {"Origin": "https://evil.example"})
    expected = "https://evil.example" if origins == "*" else None
    assert denied.header("Access-Control-Allow-Origin") == expected
    preflight = server.send(
        "OPTIONS",
        "/score",
        None,
        {
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-B, content-type",
        },
    )
    assert preflight.status == 200
    assert preflight.header("Access-Control-Allow-Origin") == "https://a.example"
    assert preflight.header("Access-Control-Allow-Methods") == "GET, POST"
    assert preflight.header("Access-Control-Allow-Headers") == "X-B, content-type"
    no_origin = server.request("GET", "/")
    assert no_origin.all("Access-Control-Allow-Origin") == (["*"] if origins == "*" else ["https://a.example"])


def test_keep_alive_reuses_the_connection(plain: Server) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", plain.port, timeout=10)
    try:
        for _ in range(3):
            conn.request("POST", "/score", body=b"x")
            response = conn.getresponse()
            assert response.status == 200
            assert response.getheader("Connection") is None
            response.read()
    finally:
        conn.close()


def test_fixture_scripts_import_nothing_from_amldeploy() -> None:
    for script in SCRIPTS.glob("*.py"):
        assert "amldeploy" not in script.read_text(encoding="utf-8"), script.name

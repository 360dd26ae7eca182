"""The three ways run() receives its input, and ``request_headers``, over real HTTP."""

from __future__ import annotations

import json

import pytest

from tests.python.runtime.conftest import Launcher, Server

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def plain(module_launch: Launcher) -> Server:
    return module_launch.start("plain.py")


@pytest.fixture(scope="module")
def headers(module_launch: Launcher) -> Server:
    return module_launch.start("headers.py")


@pytest.fixture(scope="module")
def numpy_schema(module_launch: Launcher) -> Server:
    return module_launch.start("numpy_schema.py")


@pytest.fixture(scope="module")
def rawhttp(module_launch: Launcher) -> Server:
    return module_launch.start("rawhttp.py")


# -- undecorated run(raw) --------------------------------------------------------------------------------------


def test_post_body_arrives_as_a_string(plain: Server) -> None:
    reply = plain.send("POST", "/score", '{"data": [1, 2]}', JSON)
    assert reply.status == 200
    assert reply.json() == {"input": '{"data": [1, 2]}', "type": "str"}
    assert reply.header("Content-Type") == "application/json"
    assert reply.header("x-ms-run-function-failed") == "False"


def test_get_query_becomes_a_json_string_with_lists_for_repeated_keys(plain: Server) -> None:
    reply = plain.request("GET", "/score?a=1&b=[1,2]&a=x&c=text&d=null&e=")
    assert reply.status == 200
    sent = json.loads(reply.json()["input"])
    assert sent == {"a": [1, "x"], "b": [1, 2], "c": "text", "d": None, "e": ""}
    assert list(sent) == ["a", "b", "c", "d", "e"]


def test_non_utf8_body_is_400(plain: Server) -> None:
    reply = plain.send("POST", "/score", b"\xff\xfe", {"Content-Type": "text/plain"})
    assert reply.status == 400
    assert reply.json() == {
        "message": "Input cannot be decoded as UTF-8: 'utf-8' codec can't decode byte 0xff in position 0: "
        "invalid start byte"
    }


def test_form_encoded_body_arrives_empty_as_in_flask(plain: Server) -> None:
    # curl -d sends application/x-www-form-urlencoded; Flask's request.data is empty for form bodies.
    reply = plain.send("POST", "/score", "a=1", {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.json() == {"input": "", "type": "str"}


def test_options_is_200_empty_and_other_methods_405(plain: Server) -> None:
    options = plain.request("OPTIONS", "/score")
    assert (options.status, options.body) == (200, b"")
    assert options.header("x-ms-run-fn-exec-ms") is None
    head = plain.request("HEAD", "/score")
    assert head.status == 405
    put = plain.request("PUT", "/score", "x")
    assert put.status == 405
    assert put.json() == {"message": "The method is not allowed for the requested URL."}


def test_request_headers_parameter_gets_the_request_headers(headers: Server) -> None:
    reply = headers.send(
        "POST",
        "/score",
        "hi",
        {"Content-Type": "text/plain", "X-Custom": "a", "x-custom": "b", "Authorization": "Bearer t", "My_Header": "u"},
    )
    got = reply.json()
    assert got["data"] == "hi"
    assert got["headers"] == {
        "Host": f"127.0.0.1:{headers.port}",
        "X-Custom": "a,b",
        "Content-Type": "text/plain",
        "Authorization": "Bearer t",
        "Content-Length": "2",
    }


# -- @input_schema ---------------------------------------------------------------------------------------------


def test_numpy_schema_converts_the_parameter(numpy_schema: Server) -> None:
    reply = numpy_schema.send("POST", "/score", '{"data": [[1, 2, 3], [4, 5, 6]]}', JSON)
    assert reply.status == 200
    assert reply.json() == {"type": "ndarray", "shape": [2, 3], "sums": [6.0, 15.0]}


def test_numpy_schema_shape_mismatch_fails_inside_run(numpy_schema: Server) -> None:
    reply = numpy_schema.send("POST", "/score", '{"data": [[1, 2]]}', JSON)
    assert reply.status == 500
    assert reply.header("x-ms-run-function-failed") == "True"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ('{"data": [[1, 2, 3]]}', "text/plain", 415, "Expects Content-Type to be application/json"),
        ('{"data": [[1, 2, 3]]}', None, 415, "Expects Content-Type to be application/json"),
        ("[1, 2]", "application/json", 400, "POST body should be a JSON dictionary."),
        ("{}", "application/json", 400, "A value is not provided for the 'data' parameter."),
        ("", "application/json", 400, "POST body is empty. Expecting a JSON dictionary."),
        (
            "{bad",
            "application/json",
            400,
            "POST body could not be decoded as JSON: Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)",
        ),
    ],
)
def test_schema_input_errors(
    numpy_schema: Server, body: str, content_type: str | None, status: int, message: str
) -> None:
    reply = numpy_schema.send("POST", "/score", body, {"Content-Type": content_type} if content_type else {})
    assert (reply.status, reply.json()) == (status, {"message": message})
    assert reply.header("x-ms-run-function-failed") == "False"


def test_schema_accepts_json_suffix_types_and_get_queries(numpy_schema: Server) -> None:
    vendor = numpy_schema.send("POST", "/score", '{"data": [[1, 1, 1]]}', {"Content-Type": "application/vnd.x+json"})
    assert vendor.json()["sums"] == [3.0]
    query = numpy_schema.request("GET", "/score?data=[[1,2,3]]")
    assert query.json()["sums"] == [6.0]


def test_pandas_schema_gives_a_dataframe(launch: Launcher) -> None:
    server = launch.start("pandas_schema.py")
    body = json.dumps({"data": [{"age": 3, "name": "a"}, {"age": 4, "name": "b"}]})
    assert server.send("POST", "/score", body, JSON).json() == {
        "type": "DataFrame",
        "columns": ["age", "name"],
        "rows": 2,
    }


def test_standard_schema_with_a_defaulted_parameter(launch: Launcher) -> None:
    server = launch.start("standard_schema.py")
    only_inputs = server.send("POST", "/score", '{"Inputs": {"data": [[1, 2], [3, 4]]}}', JSON)
    assert only_inputs.json() == {"Results": [3, 7], "method": "default"}
    both = server.send("POST", "/score", '{"Inputs": {"data": [[1, 1]]}, "GlobalParameters": {"method": "m"}}', JSON)
    assert both.json() == {"Results": [2], "method": "m"}
    missing = server.send("POST", "/score", '{"GlobalParameters": {"method": "m"}}', JSON)
    assert (missing.status, missing.json()) == (400, {"message": "A value is not provided for the 'Inputs' parameter."})


# -- @rawhttp --------------------------------------------------------------------------------------------------


def test_rawhttp_get_with_custom_headers_split_on_commas(rawhttp: Server) -> None:
    reply = rawhttp.request("GET", "/score?a=1&a=2")
    assert reply.status == 200
    assert reply.body == b"/score?a=1&a=2"
    assert reply.header("Content-Type") == "text/html; charset=utf-8"
    assert reply.all("X-Custom") == ["a", "b"]
    assert reply.header("x-ms-run-function-failed") == "False"
    assert reply.header("x-ms-run-fn-exec-ms") is not None


def test_rawhttp_custom_status_and_failure_flag(rawhttp: Server) -> None:
    not_found = rawhttp.request("GET", "/score?status=404")
    assert (not_found.status, not_found.body) == (404, b"failed on purpose")
    assert not_found.header("x-ms-run-function-failed") == "False"
    unavailable = rawhttp.request("GET", "/score?status=503")
    assert unavailable.status == 503
    assert unavailable.all("x-ms-run-function-failed") == ["True"]
    assert unavailable.header("X-Custom") == "yes"


def test_rawhttp_options_reaches_run(rawhttp: Server) -> None:
    reply = rawhttp.request("OPTIONS", "/score")
    assert reply.status == 204
    assert reply.all("Allow") == ["GET", "POST", "OPTIONS"]


def test_rawhttp_post_sees_the_request(rawhttp: Server) -> None:
    reply = rawhttp.send("POST", "/score?x=1&x=2", '{"a": 1}', {"Content-Type": "application/json", "X-Test": "t"})
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json"
    assert reply.json() == {
        "method": "POST",
        "path": "/score",
        "args": {"x": ["1", "2"]},
        "json": {"a": 1},
        "header": "t",
        "content_type": "application/json",
        "length": 8,
    }


def test_rawhttp_binary_body_and_bytes_response(rawhttp: Server) -> None:
    payload = bytes(range(256))
    reply = rawhttp.send("POST", "/score?echo=bytes", payload, {"Content-Type": "application/octet-stream"})
    assert (reply.status, reply.body) == (201, payload)
    assert reply.all("Content-Type") == ["application/octet-stream"]


def test_rawhttp_multipart_upload(rawhttp: Server) -> None:
    content = b"\x00\x01\r\n\xff binary"
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n--XyZ--\r\n"
    )
    reply = rawhttp.send("POST", "/score", body, {"Content-Type": "multipart/form-data; boundary=XyZ"})
    assert reply.json() == {"filename": "a.bin", "size": len(content), "field": "value"}


def test_rawhttp_plain_return_value_is_json_encoded(rawhttp: Server) -> None:
    reply = rawhttp.send("POST", "/score?echo=plain", "hey", {"Content-Type": "text/plain"})
    assert reply.json() == {"data": "hey"}

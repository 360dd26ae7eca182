"""Cases on the undecorated echo script: input as a string, routes, methods, request ids, framing, swagger."""

from __future__ import annotations

import json

from tests.python.runtime_diff.cases import JSON, NOT_ALLOWED, NOT_FOUND, Case, get, post, swagger
from tests.python.runtime_diff.client import Req

ECHO = [
    Case(
        "undecorated_post_string",
        "echo",
        (
            post('{"data":[1,2]}', expect_json={"type": "str", "raw": '{"data":[1,2]}', "parsed": {"data": [1, 2]}}),
            post("hello there", {"Content-Type": "text/plain"}),
            post('{"no":"content type"}', {}),
            post("", {}),
        ),
    ),
    Case(
        "undecorated_get_query",
        "echo",
        (
            get("/score?a=1&b=[1,2]&c=x&d=null"),
            get("/score"),
            get("/score?q=hello%20world&n=1.5&t=true&u=%E2%9C%93&e="),
            get("/score?obj=%7B%22k%22%3A%5B1%5D%7D"),
        ),
    ),
    Case(
        "undecorated_repeated_query_keys",
        "echo",
        (
            get("/score?foo=bar1&foo=bar2&x=y"),
            get("/score?n=1&n=[2]&n=null&n=text"),
        ),
    ),
    Case(
        "non_utf8_body",
        "echo",
        (
            post(b"\xff\xfe", {"Content-Type": "application/octet-stream"}, 400),
            post("café".encode("latin-1"), {"Content-Type": "text/plain"}, 400),
            post("✓ déjà".encode(), {"Content-Type": "text/plain; charset=utf-8"}),
        ),
    ),
    Case(
        "health_probe",
        "echo",
        (
            get("/", compare="bytes"),
            Req("HEAD", "/", status=200, compare="bytes"),
            Req("OPTIONS", "/", status=200, compare="bytes"),
        ),
    ),
    Case(
        "unknown_route",
        "echo",
        (
            get("/nope", 404, expect_json=NOT_FOUND),
            get("/score/", 404),
            get("/score/extra", 404),
            Req("POST", "/predict", dict(JSON), "{}", 404),
        ),
    ),
    Case(
        "wrong_method",
        "echo",
        (
            Req("PUT", "/score", dict(JSON), "{}", 405, expect_json=NOT_ALLOWED),
            Req("DELETE", "/score", status=405),
            Req("PATCH", "/", status=405),
            Req("POST", "/", dict(JSON), "{}", 405),
            Req("POST", "/swagger.json", dict(JSON), "{}", 405),
        ),
    ),
    Case(
        "options_score",
        "echo",
        (
            Req("OPTIONS", "/score", status=200, compare="bytes"),
            Req("OPTIONS", "/score", dict(JSON), '{"ignored": true}', 200, compare="bytes"),
        ),
    ),
    Case(
        "request_ids",
        "echo",
        (
            get("/score"),
            get("/score", headers={"x-request-id": "req-1"}),
            get("/score", headers={"x-ms-client-request-id": "client-1"}),
            get("/score", headers={"x-ms-request-id": "legacy-1"}),
            get("/score", headers={"x-request-id": "r", "x-ms-client-request-id": "c", "x-ms-request-id": "l"}),
            get("/score", headers={"TraceId": "trace-7"}),
            get("/", headers={"x-request-id": "on-health"}),
            get("/score", headers={"X-Request-ID": "Mixed-Case-1", "X-MS-Client-Request-Id": "Mixed-2"}),
            get("/score", headers={"x-request-id": ""}),
        ),
    ),
    Case(
        "request_id_limits",
        "echo",
        (
            get("/score", 431, headers={"x-request-id": "r" * 101}),
            get("/score", headers={"x-request-id": "r" * 100}),
            get("/score", 431, headers={"x-ms-client-request-id": "c" * 101}),
            get("/score", 431, headers={"x-ms-request-id": "l" * 101}),
            post("{}", {"x-request-id": "p" * 101}, 431),
        ),
    ),
    Case(
        "request_body_framing",
        "echo",
        (
            post('{"chunked": [1, 2, 3]}', {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}),
            post('{"expect": "continue"}', {"Content-Type": "application/json", "Expect": "100-continue"}),
            post(json.dumps({"big": ["x" * 100] * 2000})),
            Req("POST", "/score?ignored=1", dict(JSON), '{"body": "wins"}', 200),
        ),
    ),
    Case(
        "head_options_and_paths",
        "echo",
        (
            Req("HEAD", "/score", status=405, compare="bytes"),
            Req("HEAD", "/swagger.json", status=200, compare="bytes"),
            Req("OPTIONS", "/swagger.json", status=200, compare="bytes"),
            get("/?probe=1", compare="bytes"),
            get("/sco%72e?a=1"),
        ),
    ),
    Case(
        "swagger_undecorated",
        "echo",
        (
            *swagger("", "2", "2.0", "3", "3.0", "3.1"),
            get(
                "/swagger.json?version=4",
                404,
                expect_json={"message": "Swagger version [4] is not valid. Supported versions: [2, 3, 3.1]."},
            ),
            get("/swagger.json?version=", 404),
        ),
    ),
]

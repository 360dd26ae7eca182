"""Cases on the script variants: inference-schema decorators, @rawhttp, request_headers, outputs, errors."""

from __future__ import annotations

from tests.python.runtime_diff.cases import BOUNDARY, INTERNAL, MULTIPART, SCRIPT_FAILED, Case, get, post, swagger
from tests.python.runtime_diff.client import Req

SCHEMAS = [
    Case(
        "numpy_schema_valid",
        "numpy_schema",
        (
            post('{"data":[[1,2,3],[4,5,6]]}'),
            post('{"data":[[1,2,3]]}', {"Content-Type": "application/json; charset=utf-8"}),
            post('{"data":[[1,2,3]]}', {"Content-Type": "application/problem+json"}),
            post('{"data":[[1,2,3]], "extra": 1}'),
            get("/score?data=[[1,2,3]]"),
        ),
    ),
    Case(
        "numpy_schema_content_type",
        "numpy_schema",
        (
            post(
                '{"data":[[1,2,3]]}',
                {"Content-Type": "text/plain"},
                415,
                expect_json={"message": "Expects Content-Type to be application/json"},
            ),
            post('{"data":[[1,2,3]]}', {}, 415),
            post("data=1", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ),
    ),
    Case(
        "numpy_schema_bad_body",
        "numpy_schema",
        (
            post("[1,2]", status=400, expect_json={"message": "POST body should be a JSON dictionary."}),
            post('"text"', status=400),
            post("{bad json", status=400),
            post("", status=400),
            post(
                '{"other":1}', status=400, expect_json={"message": "A value is not provided for the 'data' parameter."}
            ),
            get("/score", 400),
            get("/score?other=1", 400),
        ),
    ),
    Case(
        "numpy_schema_shape_mismatch",
        "numpy_schema",
        (
            post('{"data":[[1,2]]}', status=500, expect_json=SCRIPT_FAILED),
            post('{"data":[1,2,3,4]}', status=500),
            post('{"data":[["a","b","c"]]}', status=500),
        ),
    ),
    Case("numpy_schema_swagger", "numpy_schema", swagger("2", "3", "3.1")),
    Case(
        "pandas_schema",
        "pandas_schema",
        (
            post('{"data":[{"age":1,"score":0.5,"name":"x"},{"age":2,"score":1.0,"name":"y"}]}'),
            post('{"data":[{"age":1,"score":0.5,"name":"x"}],"scale":3}'),
            post('{"data":[{"age":1,"score":0.5}]}', status=500),
            post('{"data":[{"age":"old","score":0.5,"name":"x"}]}', status=500),
            post('{"scale":3}', status=400),
            *swagger("2", "3"),
        ),
    ),
    Case(
        "standard_python_schema",
        "stdpy_schema",
        (
            post('{"Inputs":{"input1":[{"x":1.0,"y":2.0},{"x":3.0,"y":4.0}]}}'),
            post('{"Inputs":{"input1":[{"x":2.0,"y":5.0}]},"GlobalParameters":{"method":"product","offset":10}}'),
            post('{"inputs":{"input1":[{"x":1.0,"y":2.0}]}}', status=400),
            *swagger("2", "3.1"),
        ),
    ),
]

RAW = [
    Case(
        "rawhttp_get",
        "rawhttp",
        (
            get("/score?name=ann", compare="bytes"),
            get("/score?mode=dict&a=1&a=2&b=x"),
            get("/score?mode=none", 202),
            get("/score?mode=jsonstr"),
        ),
    ),
    Case(
        "rawhttp_post",
        "rawhttp",
        (
            post('{"k":[1,2]}', {"Content-Type": "application/json", "X-Custom-In": "v"}, 201),
            post(b"\xff\x00abc", {"Content-Type": "application/octet-stream"}, 201),
            post("", {}, 201),
        ),
    ),
    Case(
        "rawhttp_forms_and_files",
        "rawhttp",
        (
            post("a=1&a=2&b=x%20y", {"Content-Type": "application/x-www-form-urlencoded"}, 201),
            Req("POST", "/score?mode=form-first", {"Content-Type": "application/x-www-form-urlencoded"}, "a=1", 200),
            post(MULTIPART, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}, 201),
            Req(
                "POST",
                "/score?mode=form-first",
                {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
                MULTIPART,
                200,
            ),
        ),
    ),
    Case(
        "rawhttp_options_and_status",
        "rawhttp",
        (
            Req("OPTIONS", "/score", status=204, compare="bytes"),
            get("/score?mode=fail", 503),
            Req("PUT", "/score", status=405),
        ),
    ),
    Case(
        "request_headers",
        "headers",
        (
            post('{"a":1}', {"Content-Type": "application/json", "Authorization": "Bearer k1", "x-lower": "l"}),
            get("/score?x=1", headers={"Accept": "text/plain", "X-Custom-In": "v"}),
        ),
    ),
    Case(
        "double_encoding",
        "double_encode",
        (post('{"b":2}', expect_json='{"a": 1, "echo": {"b": 2}}', compare="bytes"),),
    ),
    Case(
        "non_serialisable_result",
        "outputs",
        tuple(
            post(f'{{"kind":"{kind}"}}', {}, 500, expect_json=INTERNAL) for kind in ("set", "ndarray", "int64", "bytes")
        ),
    ),
    Case(
        "serialisable_results",
        "outputs",
        tuple(
            post(f'{{"kind":"{kind}"}}', {}, compare="bytes")
            for kind in ("float64", "none", "tuple", "nan", "unicode", "string", "nested")
        ),
    ),
    Case(
        "exception_in_run",
        "raises",
        (
            post('{"kind":"value"}', {}, 500, expect_json=SCRIPT_FAILED),
            post('{"kind":"key"}', {}, 500),
            post("not json", {}, 500),
            post('{"kind":"fine"}', {}),
        ),
    ),
    Case(
        "scoring_timeout",
        "slow",
        (
            post('{"sleep":0.05}', {}),
            post(
                '{"sleep":3}',
                {},
                500,
                expect_json={"message": "Scoring timeout after 400 ms"},
            ),
            post('{"sleep":0}', {}),
        ),
        env=(("SCORING_TIMEOUT_MS", "400"),),
    ),
]

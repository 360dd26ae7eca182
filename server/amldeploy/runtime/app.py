"""Routes and response rules of azureml-inference-server-http 1.5.1, behind the front-end gateway.

``GET /`` (liveness), ``GET|POST|OPTIONS /score`` and ``GET /swagger.json``. An unknown path is 404 and another
method 405, both as JSON ``{"message": ...}`` and, as in Azure's server, without the request-id headers (those
come from hooks that only run for known routes). Every JSON answer carries ``x-ms-run-function-failed``.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
import uuid
from dataclasses import dataclass
from typing import Any

from amldeploy.runtime import compat
from amldeploy.runtime.contract import BadInput, EntryScript, UnsupportedInput, UnsupportedMethod, run_kwargs
from amldeploy.runtime.cors import Cors
from amldeploy.runtime.gateway import Gateway
from amldeploy.runtime.httpd import Exchange
from amldeploy.runtime.swagger import Swagger, SwaggerError

log = logging.getLogger("amldeploy.runtime")

HEADER_LIMIT = 100
HTML = ("Content-Type", "text/html; charset=utf-8")
NOT_FOUND = (
    "The requested URL was not found on the server. If you entered the URL manually please check your spelling "
    "and try again."
)
NOT_ALLOWED = "The method is not allowed for the requested URL."
INTERNAL = "An unexpected internal error occurred. Check the logs for more info."
SCRIPT_FAILED = "An unexpected error occurred in scoring script. Check the logs for more info."
ROUTES = {
    "/": ("GET", "HEAD", "OPTIONS"),
    "/score": ("GET", "HEAD", "POST", "OPTIONS"),
    "/swagger.json": ("GET", "HEAD", "OPTIONS"),
}


@dataclass(slots=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def json_reply(status: int, value: Any, failed: bool = False) -> Reply:
    body = json.dumps(value).encode("utf-8")
    return Reply(status, [("Content-Type", "application/json"), ("x-ms-run-function-failed", str(failed))], body)


def error(status: int, message: str, failed: bool = False) -> Reply:
    return json_reply(status, {"message": message}, failed)


def _set(headers: list[tuple[str, str]], name: str, value: str) -> None:
    """Replace the first header of that name in place and drop the others (Werkzeug's ``headers[name] = v``)."""
    low, out, done = name.lower(), [], False
    for k, v in headers:
        if k.lower() != low:
            out.append((k, v))
        elif not done:
            out.append((k, value))
            done = True
    if not done:
        out.append((name, value))
    headers[:] = out


class ScoringApp:
    def __init__(
        self,
        script: EntryScript,
        swagger: Swagger,
        gateway: Gateway,
        scoring_timeout_ms: int,
        cors: Cors | None = None,
        server_version: str | None = None,
    ) -> None:
        self.script = script
        self.swagger = swagger
        self.gateway = gateway
        self.scoring_timeout_ms = scoring_timeout_ms
        self.cors = cors
        self.server_version = server_version

    # -- responses ------------------------------------------------------------------------------------------

    def respond(self, ex: Exchange, reply: Reply, close: bool = False) -> bool:
        headers = list(reply.headers)
        if ex.hooks:
            self._after(ex, headers)
        return ex.send(reply.status, headers, reply.body, close)

    def _after(self, ex: Exchange, headers: list[tuple[str, str]]) -> None:
        if self.server_version:
            headers.append(("x-ms-server-version", self.server_version))
        for name, value in zip(("x-request-id", "x-ms-request-id", "x-ms-client-request-id"), ex.ids, strict=True):
            if value:
                _set(headers, name, value)
        request = ex.request
        trace = request.headers.get("TraceId")
        if trace is not None:
            headers.append(("TraceId", trace))
        if self.cors is not None:
            h = request.headers
            headers.extend(
                self.cors.headers(
                    ex.method,
                    h.get("Origin"),
                    h.get("Access-Control-Request-Method", ""),
                    h.get("Access-Control-Request-Headers", ""),
                )
            )

    def _before(self, ex: Exchange) -> Reply | None:
        h = ex.request.headers
        request_id = h.get("x-request-id")
        if request_id is None:
            request_id = str(uuid.uuid4())
        if len(request_id) > HEADER_LIMIT:
            return error(431, f"x-request-id must not exceed {HEADER_LIMIT} characters")
        ex.request_id = request_id
        ex.ids = (request_id, "", "")
        legacy, client = h.get("x-ms-request-id", ""), h.get("x-ms-client-request-id", "")
        if legacy:
            log.warning(
                "x-ms-request-id header has been deprecated and will be removed from future versions of the server."
                " Please use x-ms-client-request-id."
            )
            client = client or legacy
        else:
            legacy = client or request_id
        if len(legacy) > HEADER_LIMIT or len(client) > HEADER_LIMIT:
            return error(431, f"x-ms-request-id and x-ms-client-request-id must not exceed {HEADER_LIMIT} characters")
        ex.ids = (request_id, legacy, client)
        return None

    # -- routing --------------------------------------------------------------------------------------------

    def __call__(self, ex: Exchange) -> None:
        try:
            self._route(ex)
        except Exception:
            log.error("Encountered Exception: %s", traceback.format_exc())
            self.respond(ex, error(500, INTERNAL))

    def _route(self, ex: Exchange) -> None:
        if self.gateway.settings.auth_enabled and not (ex.path == "/" and ex.method in ("GET", "HEAD")):
            problem = self.gateway.authorize(ex.request.headers.get("Authorization"))
            if problem is not None:
                reply = error(401, problem)
                reply.headers.append(("WWW-Authenticate", "Bearer"))
                self.respond(ex, reply)
                return
        methods = ROUTES.get(ex.path)
        if methods is None:
            self.respond(ex, error(404, NOT_FOUND))
            return
        if ex.method not in methods:
            self.respond(ex, error(405, NOT_ALLOWED))
            return
        ex.hooks = True
        early = self._before(ex)
        if early is not None:
            self.respond(ex, early)
        elif ex.path == "/score":
            self._score(ex)
        elif ex.method == "OPTIONS":
            self.respond(ex, Reply(200, [HTML, ("Allow", "OPTIONS, GET, HEAD")], b""))
        elif ex.path == "/":
            self.respond(ex, Reply(200, [HTML], b"Healthy"))
        else:
            try:
                self.respond(ex, json_reply(200, self.swagger.get(ex.request.args.get("version"))))
            except SwaggerError as e:
                self.respond(ex, error(404, str(e)))

    # -- scoring --------------------------------------------------------------------------------------------

    def _score(self, ex: Exchange) -> None:
        busy = self.gateway.acquire(ex.arrival)
        if busy is not None:
            self.respond(ex, error(*busy))
            return
        try:
            self._score_in_slot(ex)
        finally:
            self.gateway.release()

    def _score_in_slot(self, ex: Exchange) -> None:
        request = ex.request
        try:
            kwargs = run_kwargs(self.script, request)
        except BadInput as e:
            self.respond(ex, error(400, str(e)))
            return
        except UnsupportedInput as e:
            self.respond(ex, error(415, str(e)))
            return
        except UnsupportedMethod:
            if ex.method == "OPTIONS":
                self.respond(ex, Reply(200, [HTML, ("x-ms-run-function-failed", "False")], b""))
            else:
                self.respond(ex, error(405, "Method not allowed"))
            return
        timeout = error(500, f"Scoring timeout after {self.scoring_timeout_ms} ms", failed=True)
        gateway_timeout = error(504, self.gateway.timeout_message())

        def answer_gateway_timeout() -> None:
            self.respond(ex, gateway_timeout, close=True)

        def answer_timeout() -> None:
            self.respond(ex, timeout, close=True)

        watch = None
        try:
            try:
                watch = self.gateway.watch(ex.arrival, answer_gateway_timeout, answer_timeout)
                start = time.perf_counter()
                output = self.script.call(kwargs, request)
                elapsed_ms = (time.perf_counter() - start) * 1000
            finally:
                if watch is not None:
                    self.gateway.unwatch(watch)
        except TimeoutError:
            if watch is not None:
                self.gateway.unwatch(watch)
            log.error("Encountered Exception: %s", traceback.format_exc())
            self.respond(ex, timeout)
            return
        except BaseException:
            if watch is not None:
                self.gateway.unwatch(watch)
            log.error("Encountered Exception: %s", traceback.format_exc())
            self.respond(ex, error(500, SCRIPT_FAILED, failed=True))
            return
        if ex.responded:
            return
        reply = self._wrap(output)
        if reply is None:
            self.respond(ex, error(500, INTERNAL))
            return
        reply.headers.append(("x-ms-run-fn-exec-ms", f"{elapsed_ms:.3f}"))
        self.respond(ex, reply)

    def _wrap(self, output: Any) -> Reply | None:
        if compat.is_response(output):
            status, headers, body = compat.response_parts(output)
            if status >= 500:
                _set(headers, "x-ms-run-function-failed", "True")
            return Reply(status, list(headers), body)
        if output is None:
            return json_reply(200, {})  # AMLResponse(None) sends an empty object
        try:
            return json_reply(200, output)
        except Exception:
            log.error("Encountered Exception: %s", traceback.format_exc())
            return None

"""Routes and response rules of azureml-inference-server-http 1.5.1, behind the front-end gateway, as an ASGI
application (served by uvicorn: runtime/server.py).

``GET /`` (liveness), ``GET|POST|OPTIONS /score`` and ``GET /swagger.json``. An unknown path is 404 and another
method 405, both as JSON ``{"message": ...}`` and, as in Azure's server, without the request-id headers (those
come from hooks that only run for known routes). Every JSON answer carries ``x-ms-run-function-failed``.

Concurrency: everything but run() happens on the event loop, so health probes, swagger, 401, 404 and queue
answers never wait for a busy run(). run() goes to :class:`~amldeploy.runtime.gateway.RunThreads` (one thread
per allowed concurrent call), after the request got a slot from the gateway's queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from amldeploy.runtime import compat
from amldeploy.runtime.accesslog import AccessLog
from amldeploy.runtime.contract import BadInput, EntryScript, UnsupportedInput, UnsupportedMethod, run_kwargs
from amldeploy.runtime.cors import Cors
from amldeploy.runtime.forms import decode_path
from amldeploy.runtime.gateway import Call, Gateway, Outcome, RunThreads
from amldeploy.runtime.request import Request
from amldeploy.runtime.swagger import Swagger, SwaggerError
from amldeploy.runtime.wire import PROBE_HEADER_RAW, encode_headers, json_message

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

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


def _too_large(limit: int) -> Reply:
    return Reply(
        413,
        [("Content-Type", "application/json")],
        json_message(
            f"The request body is larger than this service accepts ({limit} bytes; AMLDEPLOY_MAX_BODY_BYTES or "
            "--max-body-bytes raises the limit)."
        ),
    )


def _framing_problem(headers: list[tuple[bytes, bytes]], limit: int) -> Reply | None:
    """A 400 for a request whose body length is ambiguous, a 413 for a declared length over the limit."""
    lengths: set[bytes] = set()
    chunked = False
    for name, value in headers:
        if name == b"content-length":
            lengths.add(value.strip())
        elif name == b"transfer-encoding":
            chunked = True
    if not lengths:
        return None
    if chunked or len(lengths) > 1:
        # The parsers refuse these already; kept so that no parser leniency can ever let one through.
        message = "Content-Length with Transfer-Encoding" if chunked else "conflicting Content-Length headers"
        return Reply(400, [("Content-Type", "application/json")], json_message(f"Bad request framing: {message}."))
    (length,) = lengths
    if length.isdigit() and (len(length) > 18 or int(length) > limit):
        return _too_large(limit)
    return None


class Exchange:
    """One request: its parts as the routes need them, and the request-id state of the hooks."""

    __slots__ = ("_request", "arrival", "body", "hooks", "ids", "method", "path", "query", "request_id", "scope")

    def __init__(self, scope: Scope, body: bytes, arrival: float) -> None:
        self.scope = scope
        self.arrival = arrival
        self.method: str = scope["method"]
        raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        if b"://" in raw:  # absolute-form target (h11 passes it through)
            raw = b"/" + raw.split(b"://", 1)[1].partition(b"/")[2]
        self.path = decode_path(raw.decode("latin-1"))
        self.query: bytes = scope.get("query_string", b"")
        self.body = body
        self.hooks = False
        self.request_id = ""
        self.ids: tuple[str, str, str] = ("", "", "")  # x-request-id, x-ms-request-id, x-ms-client-request-id
        self._request: Request | None = None

    @property
    def request(self) -> Request:
        if self._request is None:
            scope = self.scope
            client, server = scope.get("client"), scope.get("server")
            self._request = Request(
                self.method,
                self.path,
                self.query,
                [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
                self.body,
                client[0] if client else "",
                (str(server[0]), int(server[1] or 0)) if server else ("", 0),
            )
            self._request.scheme = scope.get("scheme", "http")
        return self._request

    def full_path(self) -> str:
        return f"{self.path}?{self.query.decode('latin-1')}" if self.query else self.path

    def is_probe(self) -> bool:
        return self.path == "/" and any(name == PROBE_HEADER_RAW for name, _ in self.scope["headers"])


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
        max_body_bytes: int = 100 * 1024 * 1024,
    ) -> None:
        self.script = script
        self.swagger = swagger
        self.gateway = gateway
        self.scoring_timeout_ms = scoring_timeout_ms
        self.cors = cors
        self.server_version = server_version
        self.max_body_bytes = max_body_bytes
        self.threads = RunThreads(gateway.settings.max_concurrent)
        self.access = AccessLog()

    # -- ASGI -----------------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        arrival = time.monotonic()
        problem = _framing_problem(scope["headers"], self.max_body_bytes)
        if problem is not None:
            await self._send_reply(scope, send, problem, close=True)
            self.access.add(scope["method"], scope["path"], problem.status, _ms(started), len(problem.body))
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            if chunk:
                body = chunk if not body else body + chunk
                if len(body) > self.max_body_bytes:
                    reply = _too_large(self.max_body_bytes)
                    await self._send_reply(scope, send, reply, close=True)
                    self.access.add(scope["method"], scope["path"], 413, _ms(started), len(reply.body))
                    return
            if not message.get("more_body", False):
                break
        ex = Exchange(scope, body, arrival)
        try:
            routed = self._route(ex)
            reply = routed if routed is not None else await self._score(ex)
        except Exception:
            log.error("Encountered Exception: %s", traceback.format_exc())
            reply = error(500, INTERNAL)
        headers = list(reply.headers)
        if ex.hooks:
            self._after(ex, headers)
        await self._send_reply(scope, send, Reply(reply.status, headers, reply.body))
        if not ex.is_probe():
            self.access.add(ex.method, ex.full_path(), reply.status, _ms(started), len(reply.body))

    async def _send_reply(self, scope: Scope, send: Send, reply: Reply, close: bool = False) -> None:
        raw, dropped = encode_headers(reply.headers)
        if dropped:
            log.warning("Dropped response header(s) whose name HTTP does not allow: %r", dropped)
        raw.append((b"content-length", str(len(reply.body)).encode("ascii")))
        if close:
            raw.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": reply.status, "headers": raw})
        await send({"type": "http.response.body", "body": reply.body})

    # -- hooks ----------------------------------------------------------------------------------------------

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

    def _route(self, ex: Exchange) -> Reply | None:
        """The answer of every route but scoring; None when the request goes to run()."""
        if self.gateway.settings.auth_enabled and not (ex.path == "/" and ex.method in ("GET", "HEAD")):
            problem = self.gateway.authorize(ex.request.headers.get("Authorization"))
            if problem is not None:
                reply = error(401, problem)
                reply.headers.append(("WWW-Authenticate", "Bearer"))
                return reply
        methods = ROUTES.get(ex.path)
        if methods is None:
            return error(404, NOT_FOUND)
        if ex.method not in methods:
            return error(405, NOT_ALLOWED)
        ex.hooks = True
        early = self._before(ex)
        if early is not None:
            return early
        if ex.path == "/score":
            return None
        if ex.method == "OPTIONS":
            return Reply(200, [HTML, ("Allow", "OPTIONS, GET, HEAD")], b"")
        if ex.path == "/":
            return Reply(200, [HTML], b"Healthy")
        try:
            return json_reply(200, self.swagger.get(ex.request.args.get("version")))
        except SwaggerError as e:
            return error(404, str(e))

    # -- scoring --------------------------------------------------------------------------------------------

    async def _score(self, ex: Exchange) -> Reply:
        gateway = self.gateway
        if not gateway.slots.try_acquire():
            busy = await gateway.wait_slot(ex.arrival)
            if busy is not None:
                return error(*busy)
        # The slot is held from here until run() returns, even when a timeout answered the client first.
        request = ex.request
        try:
            kwargs = run_kwargs(self.script, request)
        except BadInput as e:
            gateway.slots.release()
            return error(400, str(e))
        except UnsupportedInput as e:
            gateway.slots.release()
            return error(415, str(e))
        except UnsupportedMethod:
            gateway.slots.release()
            if ex.method == "OPTIONS":
                return Reply(200, [HTML, ("x-ms-run-function-failed", "False")], b"")
            return error(405, "Method not allowed")
        except BaseException:
            gateway.slots.release()
            raise
        return await self._run(ex, kwargs, request)

    async def _run(self, ex: Exchange, kwargs: dict[str, Any], request: Request) -> Reply:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Reply] = loop.create_future()
        call = Call()
        script = self.script
        timers: list[asyncio.TimerHandle] = []

        def job() -> Reply:  # on a run() thread
            start = time.perf_counter()
            output = script.call(kwargs, request)
            elapsed_ms = (time.perf_counter() - start) * 1000
            reply = self._wrap(output)
            if reply is None:
                return error(500, INTERNAL)
            reply.headers.append(("x-ms-run-fn-exec-ms", f"{elapsed_ms:.3f}"))
            return reply

        def finished(outcome: Outcome) -> None:  # on the loop, once run() returned or raised
            self.gateway.slots.release()
            for timer in timers:
                timer.cancel()
            ok, value = outcome
            if not ok:
                log.error("Encountered Exception: %s", "".join(traceback.format_exception(value)))
                if not answer.done():
                    timed_out = isinstance(value, TimeoutError) and call.injected
                    answer.set_result(self._timeout_reply() if timed_out else error(500, SCRIPT_FAILED, failed=True))
            elif not answer.done():
                answer.set_result(value)

        def on_timeout() -> None:  # SCORING_TIMEOUT_MS: Azure's 500, and run() interrupted
            call.interrupt()
            if not answer.done():
                answer.set_result(self._timeout_reply())

        def on_gateway_timeout() -> None:  # scoringTimeoutMs: the front end's 504; run() keeps its slot
            if not answer.done():
                answer.set_result(error(504, self.gateway.timeout_message()))

        timers.append(loop.call_later(self.scoring_timeout_ms / 1000, on_timeout))
        deadline = self.gateway.gateway_deadline(ex.arrival)
        if deadline is not None:
            timers.append(loop.call_later(deadline - time.monotonic(), on_gateway_timeout))

        def report(outcome: Outcome) -> None:  # on the run() thread
            loop.call_soon_threadsafe(finished, outcome)

        self.threads.submit(job, call, report)
        return await answer

    def _timeout_reply(self) -> Reply:
        return error(500, f"Scoring timeout after {self.scoring_timeout_ms} ms", failed=True)

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

    def close(self) -> None:
        self.threads.close()
        self.access.flush()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000

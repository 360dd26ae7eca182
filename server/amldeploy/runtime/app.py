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
import random
import time
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from amldeploy.runtime import compat
from amldeploy.runtime.accesslog import AccessLog
from amldeploy.runtime.contract import (
    STRING,
    BadInput,
    EntryScript,
    UnsupportedInput,
    UnsupportedMethod,
    run_kwargs,
)
from amldeploy.runtime.cors import Cors
from amldeploy.runtime.forms import FORM_TYPES, decode_path, split_content_type
from amldeploy.runtime.gateway import QUEUED, RUNNING, Deadlines, Gateway, Job, Outcome, RunThreads
from amldeploy.runtime.request import Request
from amldeploy.runtime.swagger import Swagger, SwaggerError
from amldeploy.runtime.wire import PROBE_HEADER_RAW, encode_headers, json_message

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

log = logging.getLogger("amldeploy.runtime")

HEADER_LIMIT = 100
Header = tuple[bytes, bytes]
JSON = (b"content-type", b"application/json")
HTML = (b"content-type", b"text/html; charset=utf-8")
FAILED = {False: (b"x-ms-run-function-failed", b"False"), True: (b"x-ms-run-function-failed", b"True")}
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
    """A response with its headers as they go on the wire; ``user``: they came from the script's AMLResponse."""

    status: int
    headers: list[Header]
    body: bytes
    user: bool = False


def json_reply(status: int, value: Any, failed: bool = False) -> Reply:
    return Reply(status, [JSON, FAILED[failed]], json.dumps(value).encode("utf-8"))


def error(status: int, message: str, failed: bool = False) -> Reply:
    return Reply(status, [JSON, FAILED[failed]], json_message(message))


def _too_large(limit: int) -> Reply:
    return Reply(
        413,
        [JSON],
        json_message(
            f"The request body is larger than this service accepts ({limit} bytes; AMLDEPLOY_MAX_BODY_BYTES or "
            "--max-body-bytes raises the limit)."
        ),
    )


def _uuid4() -> str:
    """A random UUID (version 4) in its text form. A request id needs no cryptographic randomness, and the
    getrandom() call of ``uuid.uuid4()`` cost 7 % of a request's time; ``random`` is reseeded in each forked
    worker, so workers never share a sequence."""
    h = f"{random.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


# The request headers the routes read, found in one pass over the raw list. Repeated ones are joined with ``,``
# as Werkzeug shows them (``Headers`` in forms.py does the same for the script's request object).
_WANTED = {
    b"authorization": "authorization",
    b"content-type": "content_type",
    b"x-request-id": "request_id",
    b"x-ms-request-id": "legacy_id",
    b"x-ms-client-request-id": "client_id",
    b"traceid": "trace_id",
}


class Head:
    __slots__ = (
        "authorization",
        "chunked",
        "client_id",
        "content_type",
        "legacy_id",
        "lengths",
        "probe",
        "request_id",
        "trace_id",
    )

    def __init__(self, headers: list[Header]) -> None:
        self.authorization: str | None = None
        self.content_type: str | None = None
        self.request_id: str | None = None
        self.legacy_id: str | None = None
        self.client_id: str | None = None
        self.trace_id: str | None = None
        self.lengths: set[bytes] | None = None
        self.chunked = False
        self.probe = False
        for name, value in headers:
            attr = _WANTED.get(name)
            if attr is not None:
                text = value.decode("latin-1")
                old = getattr(self, attr)
                setattr(self, attr, text if old is None else f"{old},{text}")
            elif name == b"content-length":
                if self.lengths is None:
                    self.lengths = set()
                self.lengths.add(value.strip())
            elif name == b"transfer-encoding":
                self.chunked = True
            elif name == PROBE_HEADER_RAW:
                self.probe = True

    def framing_problem(self, limit: int) -> Reply | None:
        """A 400 for a request whose body length is ambiguous, a 413 for a declared length over the limit."""
        if self.lengths is None:
            return None
        if self.chunked or len(self.lengths) > 1:
            # The parsers refuse these already; kept so that no parser leniency can ever let one through.
            what = "Content-Length with Transfer-Encoding" if self.chunked else "conflicting Content-Length headers"
            return Reply(400, [JSON], json_message(f"Bad request framing: {what}."))
        (length,) = self.lengths
        if length.isdigit() and (len(length) > 18 or int(length) > limit):
            return _too_large(limit)
        return None


class Exchange:
    """One request: its parts as the routes need them, and the request-id state of the hooks."""

    __slots__ = ("_request", "arrival", "body", "head", "hooks", "ids", "method", "path", "query", "scope")

    def __init__(self, scope: Scope, head: Head, body: bytes, arrival: float) -> None:
        self.scope = scope
        self.head = head
        self.arrival = arrival
        self.method: str = scope["method"]
        raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        if b"://" in raw:  # absolute-form target (h11 passes it through)
            raw = b"/" + raw.split(b"://", 1)[1].partition(b"/")[2]
        text = raw.decode("latin-1")
        self.path = decode_path(text) if "%" in text else text
        self.query: bytes = scope.get("query_string", b"")
        self.body = body
        self.hooks = False
        self.ids: tuple[str, str, str] = ("", "", "")  # x-request-id, x-ms-request-id, x-ms-client-request-id
        self._request: Request | None = None

    @property
    def request(self) -> Request:
        """The Flask-like request a ``@rawhttp`` run() gets (and the input modes read), built on first use."""
        if self._request is None:
            scope = self.scope
            client, server = scope.get("client"), scope.get("server")
            request = Request(
                self.method,
                self.path,
                self.query,
                scope["headers"],
                self.body,
                client[0] if client else "",
                (str(server[0]), int(server[1] or 0)) if server else ("", 0),
                content_type=self.head.content_type,
            )
            request.scheme = scope.get("scheme", "http")
            self._request = request
        return self._request

    def full_path(self) -> str:
        return f"{self.path}?{self.query.decode('latin-1')}" if self.query else self.path


def _set(headers: list[Header], name: bytes, value: bytes) -> None:
    """Replace the first header of that name in place and drop the others (Werkzeug's ``headers[name] = v``)."""
    out: list[Header] = []
    done = False
    for k, v in headers:
        if k.lower() != name:
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
        self.server_version = server_version.encode("latin-1", "replace") if server_version else None
        self.max_body_bytes = max_body_bytes
        self.threads = RunThreads(gateway.settings.max_concurrent)
        self.deadlines = Deadlines()
        self.access = AccessLog()

    # -- ASGI -----------------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        arrival = loop.time()
        head = Head(scope["headers"])
        problem = head.framing_problem(self.max_body_bytes)
        if problem is not None:
            await self._send_reply(send, problem, close=True)
            self.access.add(scope["method"], scope["path"], problem.status, _ms(started), len(problem.body))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            if chunk:
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_body_bytes:
                    reply = _too_large(self.max_body_bytes)
                    await self._send_reply(send, reply, close=True)
                    self.access.add(scope["method"], scope["path"], 413, _ms(started), len(reply.body))
                    return
            if not message.get("more_body", False):
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        ex = Exchange(scope, head, body, arrival)
        try:
            routed = self._route(ex)
            reply = routed if routed is not None else await self._score(ex, loop)
            if ex.hooks:
                self._after(ex, reply)
        except Exception:
            log.error("Encountered Exception: %s", traceback.format_exc())
            reply = error(500, INTERNAL)
        await self._send_reply(send, reply)
        if not (head.probe and ex.path == "/"):
            self.access.add(ex.method, ex.full_path(), reply.status, _ms(started), len(reply.body))

    @staticmethod
    async def _send_reply(send: Send, reply: Reply, close: bool = False) -> None:
        headers = reply.headers
        headers.append((b"content-length", str(len(reply.body)).encode("ascii")))
        if close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})

    # -- hooks ----------------------------------------------------------------------------------------------

    def _after(self, ex: Exchange, reply: Reply) -> None:
        headers = reply.headers
        if self.server_version:
            headers.append((b"x-ms-server-version", self.server_version))
        for name, value in zip((b"x-request-id", b"x-ms-request-id", b"x-ms-client-request-id"), ex.ids, strict=True):
            if value:
                raw = value.encode("latin-1")
                if reply.user:
                    _set(headers, name, raw)
                else:
                    headers.append((name, raw))
        trace = ex.head.trace_id
        if trace is not None:
            headers.append((b"traceid", trace.encode("latin-1")))
        if self.cors is not None:
            h = ex.request.headers
            extra = self.cors.headers(
                ex.method,
                h.get("Origin"),
                h.get("Access-Control-Request-Method", ""),
                h.get("Access-Control-Request-Headers", ""),
            )
            headers.extend(encode_headers(extra)[0])

    def _before(self, ex: Exchange) -> Reply | None:
        head = ex.head
        request_id = head.request_id
        if request_id is None:
            request_id = _uuid4()
        if len(request_id) > HEADER_LIMIT:
            return error(431, f"x-request-id must not exceed {HEADER_LIMIT} characters")
        ex.ids = (request_id, "", "")
        legacy, client = head.legacy_id or "", head.client_id or ""
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
            problem = self.gateway.authorize(ex.head.authorization)
            if problem is not None:
                reply = error(401, problem)
                reply.headers.append((b"www-authenticate", b"Bearer"))
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
            return Reply(200, [HTML, (b"allow", b"OPTIONS, GET, HEAD")], b"")
        if ex.path == "/":
            return Reply(200, [HTML], b"Healthy")
        try:
            return json_reply(200, self.swagger.get(ex.request.args.get("version")))
        except SwaggerError as e:
            return error(404, str(e))

    # -- scoring --------------------------------------------------------------------------------------------

    async def _score(self, ex: Exchange, loop: asyncio.AbstractEventLoop) -> Reply:
        script = self.script
        if script.mode == STRING and ex.method == "POST" and not script.wants_headers and not _form(ex.head):
            # The common case, as run_kwargs() has it, without the request object: run(<the body as text>).
            try:
                text = str(ex.body, "utf-8")
            except UnicodeDecodeError as e:
                return error(400, f"Input cannot be decoded as UTF-8: {e}")
            return await self._run(ex, {script.first_param: text}, None, loop)
        try:
            request = ex.request
            kwargs = run_kwargs(self.script, request)
        except BadInput as e:
            return error(400, str(e))
        except UnsupportedInput as e:
            return error(415, str(e))
        except UnsupportedMethod:
            if ex.method == "OPTIONS":
                return Reply(200, [HTML, FAILED[False]], b"")
            return error(405, "Method not allowed")
        return await self._run(ex, kwargs, request, loop)

    async def _run(
        self, ex: Exchange, kwargs: dict[str, Any], request: Request | None, loop: asyncio.AbstractEventLoop
    ) -> Reply:
        """Queue run() for a run() thread and wait for the first answer: its outcome, or a deadline's."""
        call = _Call(self, loop, kwargs, request)
        call.start(ex.arrival)
        try:
            return await call.answer
        except asyncio.CancelledError:
            # The graceful shutdown ran out of time (--graceful-timeout): the client gets an answer, not a reset.
            call.job.drop()
            log.warning("Stopping: a request to run() got no answer within the graceful shutdown period")
            return error(
                503,
                "The service is stopping and run() did not finish within its graceful shutdown period "
                "(AMLDEPLOY_GRACEFUL_TIMEOUT_S or --graceful-timeout).",
            )

    def _timeout_reply(self) -> Reply:
        return error(500, f"Scoring timeout after {self.scoring_timeout_ms} ms", failed=True)

    def _wrap(self, output: Any) -> Reply | None:
        if compat.is_response(output):
            status, headers, body = compat.response_parts(output)
            raw, dropped = encode_headers(list(headers))
            if dropped:
                log.warning("Dropped response header(s) whose name HTTP does not allow: %r", dropped)
            reply = Reply(status, raw, body, user=True)
            if status >= 500:
                _set(reply.headers, b"x-ms-run-function-failed", b"True")
            return reply
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


class _Call:
    """One run() call and its deadlines. Its job holds its bound methods (a cycle), released as soon as nothing
    will call them again, so that reference counting frees a call at once, not the garbage collector."""

    __slots__ = ("answer", "app", "job", "keys", "kwargs", "loop", "request", "timeout_s")

    def __init__(
        self, app: ScoringApp, loop: asyncio.AbstractEventLoop, kwargs: dict[str, Any], request: Request | None
    ) -> None:
        self.app = app
        self.loop = loop
        self.kwargs = kwargs
        self.request = request
        self.answer: asyncio.Future[Reply] = loop.create_future()
        self.timeout_s = app.scoring_timeout_ms / 1000
        self.keys: list[int] = []
        self.job = Job(self.call, self.report)

    def start(self, arrival: float) -> None:
        loop, deadlines, gateway = self.loop, self.app.deadlines, self.app.gateway
        keys = self.keys
        keys.append(deadlines.add(loop, loop.time() + self.timeout_s, self.scoring_timeout))
        wait_ms = gateway.settings.max_queue_wait_ms
        if wait_ms is not None:
            keys.append(deadlines.add(loop, arrival + wait_ms / 1000, self.queue_timeout))
        deadline = gateway.gateway_deadline(arrival)
        if deadline is not None:
            keys.append(deadlines.add(loop, deadline, self.gateway_timeout))
        self.app.threads.submit(self.job)

    def call(self) -> Reply:  # on a run() thread
        start = time.perf_counter()
        output = self.app.script.call(self.kwargs, self.request)
        elapsed = f"{(time.perf_counter() - start) * 1000:.3f}".encode("ascii")
        reply = self.app._wrap(output)
        if reply is None:
            return error(500, INTERNAL)
        reply.headers.append((b"x-ms-run-fn-exec-ms", elapsed))
        return reply

    def report(self, outcome: Outcome) -> None:  # on the run() thread
        self.loop.call_soon_threadsafe(self.finished, outcome)

    def _settle(self) -> None:
        self.job.release()
        remove = self.app.deadlines.remove
        for key in self.keys:
            remove(key)

    def finished(self, outcome: Outcome) -> None:  # on the loop, once run() returned or raised
        self._settle()
        ok, value = outcome
        answer = self.answer
        if not ok:
            log.error("Encountered Exception: %s", "".join(traceback.format_exception(value)))
            if not answer.done():
                timed_out = isinstance(value, TimeoutError) and self.job.injected
                answer.set_result(self.app._timeout_reply() if timed_out else error(500, SCRIPT_FAILED, failed=True))
        elif not answer.done():
            answer.set_result(value)

    def scoring_timeout(self) -> None:  # SCORING_TIMEOUT_MS after run() started: Azure's 500, run() interrupted
        job, loop = self.job, self.loop
        state = job.state
        if state == QUEUED:  # not started yet: look again soon
            self.keys.append(
                self.app.deadlines.add(loop, loop.time() + min(self.timeout_s, 0.05), self.scoring_timeout)
            )
        elif state == RUNNING and time.monotonic() < job.started + self.timeout_s:
            self.keys.append(self.app.deadlines.add(loop, job.started + self.timeout_s, self.scoring_timeout))
        elif state == RUNNING:
            job.interrupt()
            if not self.answer.done():
                self.answer.set_result(self.app._timeout_reply())
        # DONE: finished() is on its way with the outcome; DROPPED: answered already

    def dropped(self, reply: Reply) -> None:
        self._settle()  # it will never run
        if not self.answer.done():
            self.answer.set_result(reply)

    def queue_timeout(self) -> None:  # maxQueueWaitMs: 503, and run() never called
        if self.job.drop():
            self.dropped(error(503, self.app.gateway.busy_message()))

    def gateway_timeout(self) -> None:  # scoringTimeoutMs: the front end's 504; a running run() keeps its thread
        if self.job.drop():
            self.dropped(error(504, self.app.gateway.timeout_message()))
        elif not self.answer.done():
            self.answer.set_result(error(504, self.app.gateway.timeout_message()))


def _form(head: Head) -> bool:
    """A form body (which the form parser consumes, leaving run() an empty string, as in Flask)."""
    content_type = head.content_type
    if content_type is None or "form" not in content_type.lower():
        return False
    return split_content_type(content_type)[0] in FORM_TYPES


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000

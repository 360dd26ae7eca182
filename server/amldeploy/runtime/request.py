"""The request object a ``@rawhttp`` run() receives: the parts of Flask's request API entry scripts use.

Header names look the way Werkzeug shows them behind gunicorn (``X-Request-Id``: title case, repeated headers
joined with ``,``, names with ``_`` dropped), so ``dict(request.headers)`` matches Azure's ``request_headers``.
"""

from __future__ import annotations

import io
import json
from typing import Any

from amldeploy.runtime.forms import (
    FORM_TYPES,
    Headers,
    MultiDict,
    decode_path,
    is_json_mimetype,
    parse_multipart,
    parse_query,
    split_content_type,
)

__all__ = ["Headers", "MultiDict", "Request", "decode_path", "is_json_mimetype", "split_content_type"]


class Request:
    """One HTTP request, shaped like ``flask.Request`` for the attributes entry scripts read."""

    def __init__(
        self,
        method: str,
        path: str,
        query_string: bytes,
        header_pairs: list[tuple[str, str]] | list[tuple[bytes, bytes]],
        body: bytes,
        remote_addr: str = "",
        server: tuple[str, int] = ("127.0.0.1", 0),
        content_type: Any = ...,
    ) -> None:
        self.method = method
        self.path = path
        self.query_string = query_string
        self._header_pairs = header_pairs
        self._body = body
        self.remote_addr = remote_addr
        self._server = server
        self._headers: Headers | None = None
        self._args: MultiDict | None = None
        self._form: tuple[MultiDict, MultiDict] | None = None
        self._stream: io.BytesIO | None = None
        self._cached: bytes | None = None
        self._json: Any = ...
        self._content_type = content_type  # known already (the server read it), else ... : from the headers
        self.scheme = "http"

    @property
    def headers(self) -> Headers:
        if self._headers is None:
            pairs = self._header_pairs
            if pairs and isinstance(pairs[0][0], bytes):  # as the HTTP server hands them over
                pairs = [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in pairs]
            self._headers = Headers(pairs)  # type: ignore[arg-type]
        return self._headers

    @property
    def args(self) -> MultiDict:
        if self._args is None:
            self._args = MultiDict(parse_query(self.query_string))
        return self._args

    @property
    def content_type(self) -> str | None:
        if self._content_type is not ...:
            return self._content_type  # type: ignore[no-any-return]
        value = self.headers.get("Content-Type")
        return None if value is None else str(value)

    @property
    def mimetype(self) -> str:
        return split_content_type(self.content_type or "")[0]

    @property
    def mimetype_params(self) -> dict[str, str]:
        return split_content_type(self.content_type or "")[1]

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("Content-Length")
        return int(value) if value and value.isdigit() else None

    @property
    def is_json(self) -> bool:
        return is_json_mimetype(self.mimetype)

    @property
    def data(self) -> bytes:
        # Like Flask: form bodies are consumed by the form parser, so ``data`` is empty for them.
        return bytes(self.get_data(parse_form_data=True))

    @property
    def stream(self) -> io.BytesIO:
        """The body as a stream that is read once, shared with get_data() and the form parser (as in Werkzeug)."""
        if self._stream is None:
            self._stream = io.BytesIO(self._body)
        return self._stream

    input_stream = stream

    def get_data(self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False) -> Any:
        if self._cached is None:
            if parse_form_data and self.mimetype in FORM_TYPES:
                self._forms()
            if self._stream is None:  # nobody read the stream: the body as it is, without a copy
                data, self._stream = self._body, io.BytesIO()
            else:
                data = self._stream.read()
            if cache:
                self._cached = data
        else:
            data = self._cached
        return data.decode("utf-8", "replace") if as_text else data

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if self._json is not ... and cache:
            return self._json
        if not (force or self.is_json):
            if silent:
                return None
            raise ValueError(
                "Did not attempt to load JSON data because the request Content-Type was not 'application/json'."
            )
        try:
            value = json.loads(self.get_data(cache=cache))
        except ValueError:
            if silent:
                return None
            raise
        if cache:
            self._json = value
        return value

    @property
    def json(self) -> Any:
        return self.get_json()

    def _forms(self) -> tuple[MultiDict, MultiDict]:
        if self._form is None:
            mimetype, params = split_content_type(self.content_type or "")
            body = b""
            if mimetype in FORM_TYPES:
                body = self._cached if self._cached is not None else self.stream.read()
            if mimetype == "multipart/form-data" and params.get("boundary"):
                self._form = parse_multipart(body, params["boundary"])
            elif mimetype == "application/x-www-form-urlencoded":
                pairs = parse_query(body)
                self._form = (MultiDict(pairs), MultiDict())
            else:
                self._form = (MultiDict(), MultiDict())
        return self._form

    @property
    def form(self) -> MultiDict:
        return self._forms()[0]

    @property
    def files(self) -> MultiDict:
        return self._forms()[1]

    @property
    def values(self) -> MultiDict:
        return MultiDict([*self.args.items(multi=True), *self.form.items(multi=True)])

    @property
    def cookies(self) -> dict[str, str]:
        from http.cookies import SimpleCookie

        jar: SimpleCookie = SimpleCookie()
        jar.load(self.headers.get("Cookie", ""))
        return {k: m.value for k, m in jar.items()}

    @property
    def host(self) -> str:
        return str(self.headers.get("Host") or f"{self._server[0]}:{self._server[1]}")

    @property
    def full_path(self) -> str:
        return f"{self.path}?{self.query_string.decode('utf-8', 'replace')}"

    @property
    def host_url(self) -> str:
        return f"{self.scheme}://{self.host}/"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}{self.path}"

    @property
    def url(self) -> str:
        qs = self.query_string.decode("utf-8", "replace")
        return self.base_url + (f"?{qs}" if qs else "")

    @property
    def user_agent(self) -> str:
        return str(self.headers.get("User-Agent", ""))

    @property
    def environ(self) -> dict[str, Any]:
        env: dict[str, Any] = {
            "REQUEST_METHOD": self.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": self.path,
            "QUERY_STRING": self.query_string.decode("latin-1"),
            "SERVER_NAME": self._server[0],
            "SERVER_PORT": str(self._server[1]),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": self.remote_addr,
            "wsgi.url_scheme": self.scheme,
            "wsgi.input": self.stream,
        }
        for name, value in self.headers:
            key = name.upper().replace("-", "_")
            env[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
        return env

    def __repr__(self) -> str:
        return f"<Request {self.url!r} [{self.method}]>"

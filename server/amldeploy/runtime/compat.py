"""``rawhttp``, ``AMLRequest`` and ``AMLResponse`` for entry scripts, with or without Azure's packages.

Scripts import them from ``azureml_inference_server_http.api.aml_request`` / ``aml_response`` or from the
legacy ``azureml.contrib.services.aml_request`` / ``aml_response``. A finder at the *end* of ``sys.meta_path``
answers those names only when nothing installed does, so a real package always wins; the legacy names then
alias the ``azureml_inference_server_http.api`` modules, which is what Azure's server does. Responses made by
the real (Flask) classes are accepted as well as ours.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

from amldeploy.runtime.request import Request

API = "azureml_inference_server_http.api"
LEGACY = "azureml.contrib.services"
REQUEST_MODULES = (f"{API}.aml_request", f"{LEGACY}.aml_request")

AMLRequest = Request


class ResponseHeaders:
    """An ordered, case-insensitive list of response headers that may repeat (Werkzeug's ``Headers`` API)."""

    def __init__(self, pairs: Sequence[tuple[str, str]] = ()) -> None:
        self._list: list[tuple[str, str]] = [(k, str(v)) for k, v in pairs]

    def add(self, name: str, value: Any) -> None:
        self._list.append((name, str(value)))

    add_header = add

    def remove(self, name: str) -> None:
        low = name.lower()
        self._list = [(k, v) for k, v in self._list if k.lower() != low]

    def __setitem__(self, name: str, value: Any) -> None:
        self.remove(name)
        self.add(name, value)

    set = __setitem__

    def __delitem__(self, name: str) -> None:
        self.remove(name)

    def get(self, name: str, default: Any = None) -> Any:
        low = name.lower()
        return next((v for k, v in self._list if k.lower() == low), default)

    def getlist(self, name: str) -> list[str]:
        low = name.lower()
        return [v for k, v in self._list if k.lower() == low]

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return str(value)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(list(self._list))

    def __len__(self) -> int:
        return len(self._list)

    def items(self) -> list[tuple[str, str]]:
        return list(self._list)

    def keys(self) -> list[str]:
        return [k for k, _ in self._list]

    def extend(self, pairs: Any) -> None:
        for k, v in pairs.items() if hasattr(pairs, "items") else pairs:
            self.add(k, v)

    def __repr__(self) -> str:
        return f"ResponseHeaders({self._list!r})"


def _body_bytes(message: Any) -> bytes:
    if isinstance(message, str):
        return message.encode("utf-8")
    if isinstance(message, (bytes, bytearray, memoryview)):
        return bytes(message)
    # Flask iterates any other body and encodes each chunk (a dict gives its keys).
    return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in message)


class AMLResponse:
    """What Azure's ``AMLResponse(message, status_code, response_headers, json_str)`` sends.

    ``json_str=True`` sends ``json.dumps(message)`` as ``application/json``; otherwise the message is the body
    with ``text/html; charset=utf-8`` unless the headers name a ``Content-Type``. ``None`` sends ``{}``. Each
    header value is split on ``,`` into repeated headers. ``x-ms-run-function-failed`` is always set.
    """

    def __init__(
        self,
        message: Any,
        status_code: int | str,
        response_headers: dict[str, str] | None = None,
        json_str: bool = False,
        run_function_failed: bool = False,
    ) -> None:
        response_headers = {} if response_headers is None else response_headers
        self.headers = ResponseHeaders()
        if message is None:
            self.data, mimetype = b"{}", "application/json"
        elif json_str:
            self.data, mimetype = json.dumps(message).encode("utf-8"), "application/json"
        else:
            self.data, mimetype = _body_bytes(message), "text/html; charset=utf-8"
        # Azure removes its default only for this exact spelling; any other spelling sends both.
        if not (message is not None and not json_str and "Content-Type" in response_headers):
            self.headers.add("Content-Type", mimetype)
        self.status_code = int(str(status_code).split()[0])
        self.headers["x-ms-run-function-failed"] = run_function_failed
        for header, value in response_headers.items():
            for v in value.split(","):
                self.headers.add(header, v.strip())

    @property
    def status(self) -> str:
        from http import HTTPStatus

        try:
            return f"{self.status_code} {HTTPStatus(self.status_code).phrase.upper()}"
        except ValueError:
            return f"{self.status_code} UNKNOWN"

    @property
    def mimetype(self) -> str:
        return str(self.headers.get("Content-Type", "")).split(";")[0].strip()

    @property
    def content_type(self) -> str:
        return str(self.headers.get("Content-Type", ""))

    def get_data(self, as_text: bool = False) -> Any:
        return self.data.decode("utf-8") if as_text else self.data

    def set_data(self, value: str | bytes) -> None:
        self.data = value.encode("utf-8") if isinstance(value, str) else bytes(value)

    def __repr__(self) -> str:
        return f"<AMLResponse {len(self.data)} bytes [{self.status_code}]>"


def is_response(value: object) -> bool:
    """Whether run() returned an HTTP response (ours, or a Flask/Werkzeug one) rather than data to encode."""
    if isinstance(value, AMLResponse):
        return True
    return any(
        c.__name__ == "Response" and c.__module__.split(".")[0] in ("flask", "werkzeug") for c in type(value).__mro__
    )


def response_parts(value: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a response object that :func:`is_response` accepted."""
    if isinstance(value, AMLResponse):
        return value.status_code, value.headers.items(), value.data
    headers = [(str(k), str(v)) for k, v in value.headers.items()]
    return int(value.status_code), headers, bytes(value.get_data())


def raw_http_requested() -> bool:
    """Whether any loaded ``aml_request`` module saw ``@rawhttp`` (a module-wide flag in Azure's server too)."""
    return any(getattr(sys.modules.get(name), "_rawHttpRequested", False) for name in REQUEST_MODULES)


def _fill_request(module: ModuleType) -> None:
    module._rawHttpRequested = False  # type: ignore[attr-defined]

    def rawhttp(func: Callable[..., Any]) -> Callable[..., Any]:
        """Ask for the raw HTTP request in run() (GET, POST and OPTIONS reach it)."""
        module._rawHttpRequested = True  # type: ignore[attr-defined]
        return func

    module.rawhttp = rawhttp  # type: ignore[attr-defined]
    module.AMLRequest = AMLRequest  # type: ignore[attr-defined]


def _fill_response(module: ModuleType) -> None:
    module.AMLResponse = AMLResponse  # type: ignore[attr-defined]


_PACKAGES = {"azureml_inference_server_http", API, "azureml", "azureml.contrib", LEGACY}
_FILLERS: dict[str, Callable[[ModuleType], None]] = {
    f"{API}.aml_request": _fill_request,
    f"{API}.aml_response": _fill_response,
}
_ALIASES = {f"{LEGACY}.aml_request": f"{API}.aml_request", f"{LEGACY}.aml_response": f"{API}.aml_response"}


class _ShimLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        name = module.__name__
        if name in _ALIASES:
            # Replacing ourselves in sys.modules makes the import return the target module itself.
            sys.modules[name] = importlib.import_module(_ALIASES[name])
        elif name in _FILLERS:
            _FILLERS[name](module)


class _ShimFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _PACKAGES and fullname not in _FILLERS and fullname not in _ALIASES:
            return None
        return importlib.machinery.ModuleSpec(fullname, _ShimLoader(), is_package=fullname in _PACKAGES)


def install() -> None:
    """Make the compat module names importable; call before loading the entry script."""
    if not any(isinstance(f, _ShimFinder) for f in sys.meta_path):
        sys.meta_path.append(_ShimFinder())

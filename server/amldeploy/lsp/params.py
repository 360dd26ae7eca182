"""The parameters of amldeploy's custom requests, read key by key, and the errors the requests answer.

pygls hands a custom request's params over as namedtuples; ``Params`` turns them back into JSON values and
checks each key's type as it is read, so that a wrong request answers ``InvalidParams`` naming the key instead
of failing somewhere inside an operation.
"""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcException

from amldeploy.lsp.protocol import REQUEST_FAILED

INVALID_PARAMS = -32602
_MISSING: Any = object()


def request_failed(message: str, hint: str | None = None, **extra: Any) -> JsonRpcException:
    """``REQUEST_FAILED`` with ``data = {message, hint, ...}`` (the protocol's error shape)."""
    return JsonRpcException(message=message, code=REQUEST_FAILED, data={"message": message, "hint": hint, **extra})


def plain(value: Any) -> Any:
    """JSON values from pygls' namedtuples (objects) and lists."""
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {key: plain(item) for key, item in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


class Params:
    def __init__(self, method: str, raw: Any) -> None:
        self.method = method
        values = plain(raw)
        if values is None:
            values = {}
        if not isinstance(values, dict):
            raise self._invalid(f"{method} takes an object of parameters, not {kind_of(values)}", None)
        self.values: dict[str, Any] = values

    def _invalid(self, message: str, key: str | None) -> JsonRpcException:
        hint = f"see the shape of {self.method} in amldeploy's protocol (amldeploy.lsp.protocol)"
        data = {"message": message, "hint": hint, "key": key}
        return JsonRpcException(message=f"{self.method}: {message}", code=INVALID_PARAMS, data=data)

    def _get(self, key: str, wanted: str, ok: Any, default: Any) -> Any:
        value = self.values.get(key)
        if value is None:
            if default is _MISSING:
                raise self._invalid(f"'{key}' is missing: it must be {wanted}", key)
            return default
        if not ok(value):
            raise self._invalid(f"'{key}' must be {wanted}, not {kind_of(value)}", key)
        return value

    def text(self, key: str) -> str:
        """A required, non-empty string."""
        value = self.optional_text(key, required=True)
        assert value is not None
        return value

    def optional_text(self, key: str, required: bool = False) -> str | None:
        """A non-empty string, or None when absent or null."""
        value: str | None = self._get(key, "a string", lambda v: isinstance(v, str), _MISSING if required else None)
        if value is not None and not value.strip():
            raise self._invalid(f"'{key}' must not be empty", key)
        return value

    def body(self, key: str) -> str:
        """A string that may be empty (a request body)."""
        value: str = self._get(key, "a string", lambda v: isinstance(v, str), _MISSING)
        return value

    def texts(self, key: str) -> list[str]:
        value: list[str] = self._get(
            key, "a list of strings", lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v), []
        )
        return value

    def integer(self, key: str, low: int, high: int, default: int | None = None) -> int | None:
        def ok(v: Any) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and low <= v <= high

        value: int | None = self._get(key, f"a whole number from {low} to {high}", ok, default)
        return value

    def required_integer(self, key: str, low: int, high: int) -> int:
        def ok(v: Any) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and low <= v <= high

        value: int = self._get(key, f"a whole number from {low} to {high}", ok, _MISSING)
        return value

    def flag(self, key: str) -> bool:
        value: bool = self._get(key, "true or false", lambda v: isinstance(v, bool), False)
        return value

    def token(self) -> int | str | None:
        """The ``workDoneToken`` the client created its progress under, if any."""

        def ok(v: Any) -> bool:
            return isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))

        value: int | str | None = self._get("workDoneToken", "a string or a number", ok, None)
        return value

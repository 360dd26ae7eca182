"""The custom protocol of ``amldeploy.lsp.protocol``: operations answer a clear error until they land."""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcException

from amldeploy.lsp import protocol
from amldeploy.lsp.server import AmlLanguageServer


def _not_yet(method: str) -> Any:
    def handler(ls: AmlLanguageServer, params: Any) -> Any:
        raise JsonRpcException(
            code=protocol.REQUEST_FAILED,
            message=f"{method} is not available yet: {protocol.PLANNED[method]} arrives with the deploy targets "
            "in a later amldeploy release. Validation, completion, hover and quick fixes work today.",
            data={"method": method, "available": False},
        )

    handler.__name__ = method.replace("/", "_")
    return handler


def register(server: AmlLanguageServer) -> None:
    for method in protocol.REQUESTS:
        server.feature(method)(_not_yet(method))

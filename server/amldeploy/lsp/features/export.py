"""``amldeploy/export/v2`` and ``amldeploy/export/iotEdge``: ``amldeploy export`` for the editor.

Both run in an operations thread and answer what was written (``ops.export.run.Exported.to_json()``); a config
with errors answers ``REQUEST_FAILED`` with its ``problems`` and writes nothing. ``amldeploy.ops`` is imported on
first use, never at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from amldeploy.lsp import protocol
from amldeploy.lsp.answers import answer_errors
from amldeploy.lsp.background import run_blocking
from amldeploy.lsp.params import Params, request_failed
from amldeploy.lsp.server import AmlLanguageServer


def _written(ls: AmlLanguageServer, work: Callable[[Path], Any]) -> dict[str, Any]:
    from amldeploy.config.load import ConfigError, positions

    try:
        exported = work(ls.root())
    except ConfigError as exc:
        if not exc.problems:
            raise
        raise request_failed(
            f"{exc.path} has {len(exc.problems)} error(s): nothing was written",
            "fix them (the editor marks them), then export again",
            problems=positions(exc.path, exc.problems, exc.text, ls.position_encoding),
        ) from None
    result: dict[str, Any] = exported.to_json()
    return result


def _v2(p: Params) -> Callable[[Path], Any]:
    ic, dc, models = p.text("inferenceConfig"), p.text("deploymentConfig"), p.texts("models")
    out = p.text("outputDir")
    endpoint, deployment, compute = (
        p.optional_text("endpoint"),
        p.optional_text("deployment"),
        p.optional_text("compute"),
    )

    def work(root: Path) -> Any:
        from amldeploy.ops.export.run import export_v2_files

        return export_v2_files(root / ic, root / dc, models, root, root / out, endpoint, deployment, compute)

    return work


def _iot_edge(p: Params) -> Callable[[Path], Any]:
    ic, dc, models = p.text("inferenceConfig"), p.text("deploymentConfig"), p.texts("models")
    out, name = p.text("outputDir"), p.optional_text("name")
    registry, image, port = p.optional_text("registry"), p.optional_text("image"), p.integer("port", 1, 65535)

    def work(root: Path) -> Any:
        from amldeploy.ops.export.run import export_iot_edge_files

        return export_iot_edge_files(root / ic, root / dc, models, root, root / out, root, name, registry, image, port)

    return work


def register(server: AmlLanguageServer) -> None:
    @server.feature(protocol.EXPORT_V2)
    async def export_v2(ls: AmlLanguageServer, params: Any) -> Any:
        work = _v2(Params(protocol.EXPORT_V2, params))
        with answer_errors(ls, protocol.EXPORT_V2):
            return await run_blocking(ls, lambda: _written(ls, work))

    @server.feature(protocol.EXPORT_IOT_EDGE)
    async def export_iot_edge(ls: AmlLanguageServer, params: Any) -> Any:
        work = _iot_edge(Params(protocol.EXPORT_IOT_EDGE, params))
        with answer_errors(ls, protocol.EXPORT_IOT_EDGE):
            return await run_blocking(ls, lambda: _written(ls, work))

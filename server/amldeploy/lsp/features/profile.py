"""``amldeploy/profile``: ``amldeploy profile`` for an editor. The load runs in an operations thread with
``$/progress``; the recommendation comes back as an edit of the deployment config the client names (from the
open document when it is open, with its unsaved changes), for the user to accept, never applied by the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path

from amldeploy.lsp import protocol
from amldeploy.lsp.convert import lsp_range
from amldeploy.lsp.features.operations import _cancelled, long_operation
from amldeploy.lsp.params import Params, request_failed
from amldeploy.lsp.reporter import LspReporter
from amldeploy.lsp.server import AmlLanguageServer

MAX_SAMPLE_BYTES = 100 * 1024 * 1024


def _profile(ls: AmlLanguageServer, p: dict[str, Any], config: str | None, reporter: LspReporter) -> dict[str, Any]:
    from amldeploy.ops.errors import Cancelled
    from amldeploy.ops.profile.run import ProfileRequest, profile_service

    root = ls.root()
    request = ProfileRequest(**p)
    try:
        profile = profile_service(request, root, reporter)
    except Cancelled:
        raise _cancelled(f"profile of {request.name}") from None
    result = profile.to_json()
    if config is not None:
        result["edit"] = _edit(ls, root / config, profile)
    return result


def _edit(ls: AmlLanguageServer, path: Path, profile: Any) -> dict[str, Any]:
    """The recommendation for ``path``'s computeType as one text edit of it: ``{"uri", "range", "newText",
    "values"}``."""
    from amldeploy.language.text import TextIndex
    from amldeploy.ops.profile.apply import apply_recommendation, compute_type_of, single_edit
    from amldeploy.ops.profile.sizing import recommend

    uri = from_fs_path(str(path)) or path.as_uri()
    document = ls.workspace.text_documents.get(uri)
    if document is not None:
        text = document.source
    else:
        try:
            with path.open(encoding="utf-8", newline="") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise request_failed(f"cannot read {path}: {exc}", "name a readable deployment config") from None
    values = recommend(profile.measured, compute_type_of(text) or profile.compute_type, profile.headroom)
    edit = single_edit(text, apply_recommendation(text, values, path.name))
    index = TextIndex(text, ls.position_encoding)
    return {
        "uri": uri,
        "range": _plain_range(lsp_range(index, edit.start, edit.end)),
        "newText": edit.new_text,
        "values": values,
    }


def _plain_range(r: types.Range) -> dict[str, dict[str, int]]:
    return {
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    }


def register(server: AmlLanguageServer) -> None:
    @server.feature(protocol.PROFILE)
    async def profile(ls: AmlLanguageServer, params: Any) -> Any:
        p = Params(protocol.PROFILE, params)
        name = p.text("name")
        samples = p.texts("samples")
        body = p.optional_text("body")
        if not samples and body is None:
            raise request_failed("give 'samples' (request files) or 'body'", "pick a sample request to send")
        root = ls.root()
        bodies = [body.encode("utf-8")] if body is not None else []
        for sample in samples:
            try:
                file = root / sample
                if file.stat().st_size > MAX_SAMPLE_BYTES:
                    raise request_failed(f"{sample} is over 100 MiB", "pick a smaller sample request")
                bodies.append(file.read_bytes())
            except OSError as exc:
                raise request_failed(f"cannot read {sample}: {exc.strerror or exc}", "pick a readable file") from None
        args = {
            "name": name,
            "bodies": bodies,
            "content_type": p.optional_text("contentType") or "application/json",
            "concurrency": p.integer("concurrency", 1, 64, 4),
            "duration_s": float(p.integer("durationS", 1, 600, 15) or 15),
            "headroom": (p.integer("headroomPercent", 0, 400, 30) or 0) / 100,
        }
        config = p.optional_text("deploymentConfig")
        return await long_operation(
            ls, protocol.PROFILE, f"Profiling {name}", p.token(), lambda r: _profile(ls, args, config, r)
        )

    del profile  # registered

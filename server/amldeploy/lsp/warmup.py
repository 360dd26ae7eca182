"""Warm-up: the language core imported, and its parsers and schema tables built, in a background thread while
the editor is still busy after ``initialized`` (start-up itself imports none of it)."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("amldeploy.lsp")


def warm_up() -> None:
    try:
        from amldeploy.lsp.analysis import warm_up as warm

        warm()
    except Exception:
        log.warning("warm-up failed", exc_info=True)


def start_warm_up() -> None:
    threading.Thread(target=warm_up, name="amldeploy-warm-up", daemon=True).start()

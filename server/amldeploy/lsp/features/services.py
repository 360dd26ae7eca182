"""``amldeploy/services`` and ``amldeploy/servicesChanged``: the workspace's services, kept current.

After the first ``amldeploy/services`` a watcher thread looks again every ``servicesPollMs`` (default 3 s; 0 stops
looking) and sends ``servicesChanged`` when what it sees differs from what the client was last told; deploys and
deletes send one as soon as they end.
"""

from __future__ import annotations

import threading
from typing import Any

from amldeploy.lsp import protocol
from amldeploy.lsp.answers import answer_errors
from amldeploy.lsp.background import poll, run_blocking
from amldeploy.lsp.params import Params
from amldeploy.lsp.server import AmlLanguageServer

WATCHER = "services-watcher"


def take_snapshot(ls: AmlLanguageServer, notify: bool, only_if_changed: bool = False) -> dict[str, Any]:
    """A fresh snapshot (in an operations thread), remembered as what the client knows; with ``notify``, sent as
    ``servicesChanged`` (with ``only_if_changed``, only when it differs from what the client was last told)."""
    from amldeploy.ops.snapshot import services_snapshot, snapshot_signature

    state = ls.background.snapshots
    with state.lock:
        snapshot = services_snapshot(ls.root(), ls.settings.target_settings)
        signature = snapshot_signature(snapshot)
        changed = signature != state.signature
        state.signature = signature
        if notify and (changed or not only_if_changed):
            ls.background.notify(protocol.SERVICES_CHANGED, snapshot)
    return snapshot


def publish_services(ls: AmlLanguageServer) -> None:
    """Send a fresh snapshot after an operation changed the services (never fails the operation)."""
    if ls.background.closed.is_set():
        return
    try:
        take_snapshot(ls, notify=True)
    except Exception as error:
        ls.background.failed("servicesChanged", error)


def _watch(ls: AmlLanguageServer, stop: threading.Event) -> None:
    poll(
        lambda: ls.settings.services_poll_ms / 1000,
        stop,
        lambda error: ls.background.failed("watching services", error),
        lambda: take_snapshot(ls, notify=True, only_if_changed=True),
    )


def start_watching(ls: AmlLanguageServer) -> None:
    state = ls.background.snapshots
    with state.lock:
        if state.watching or ls.background.stopped.is_set():
            return
        state.watching = True
    stop = threading.Event()
    ls.background.on_stop(WATCHER, stop.set)
    threading.Thread(target=_watch, args=(ls, stop), name="amldeploy-services-watcher", daemon=True).start()


def register(server: AmlLanguageServer) -> None:
    @server.feature(protocol.SERVICES)
    async def services(ls: AmlLanguageServer, params: Any) -> dict[str, Any]:
        Params(protocol.SERVICES, params)
        with answer_errors(ls, protocol.SERVICES):
            snapshot = await run_blocking(ls, lambda: take_snapshot(ls, notify=False))
        start_watching(ls)
        return snapshot

"""The HTTP server: uvicorn on a socket bound before the workers start, with amldeploy's protocols and settings.

uvicorn brings HTTP/1.1 keep-alive and pipelining, llhttp (httptools) or h11 parsing, uvloop, TLS, and a
graceful shutdown on SIGTERM: stop accepting, close idle connections, let in-flight requests finish within
``graceful_timeout_s``. amldeploy adds the limits of runtime/protocols.py, its own ``Server`` header, and a
check that stops a worker whose supervisor died.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from amldeploy.runtime.config import RuntimeConfig
from amldeploy.runtime.wire import SERVER_HEADER

log = logging.getLogger("amldeploy.runtime")
BACKLOG = 2048
# What the runtime imports besides the standard library (and, lazily, what the user's script needs): import name →
# distribution. httptools and uvloop are optional: h11 and the stock asyncio loop stand in where they are missing.
LIBRARIES = {"uvicorn": "uvicorn", "click": "click", "h11": "h11", "httptools": "httptools", "uvloop": "uvloop"}


def library_pins() -> list[str]:
    """``name==version`` of the runtime's libraries installed here: what an image or a venv must hold to serve."""
    from importlib import metadata

    pins = []
    for distribution in LIBRARIES.values():
        try:
            pins.append(f"{distribution}=={metadata.version(distribution)}")
        except metadata.PackageNotFoundError:
            continue
    return pins


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; bound before workers start so that they share it (and a busy port fails fast)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns TCP_NODELAY on only for sockets that say so, and without it every
    # keep-alive response on the stock loop waited ~40 ms for the client's delayed ACK (uvloop sets it anyway).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def describe(cfg: RuntimeConfig) -> str:
    """``httptools + uvloop`` or what was chosen instead, for the start-up log."""
    import importlib.util

    parser = cfg.http if cfg.http != "auto" else "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = cfg.loop if cfg.loop != "auto" else "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"uvicorn, {parser} + {loop}"


def run(app: Any, sock: socket.socket, cfg: RuntimeConfig, on_ready: Callable[[], None], parent: int | None) -> None:
    """Serve ``app`` on ``sock`` until SIGTERM/SIGINT (then drain) or until the supervisor ``parent`` is gone."""
    import uvicorn

    from amldeploy.runtime.protocols import protocol_class

    limits = cfg.limits
    config = uvicorn.Config(
        app,
        http=protocol_class(cfg.http, limits),
        loop=cfg.loop,
        ws="none",
        lifespan="off",
        interface="asgi3",
        log_config=None,
        access_log=False,  # runtime/accesslog.py writes Azure's line instead
        server_header=False,
        headers=[("server", SERVER_HEADER)],
        proxy_headers=False,
        backlog=BACKLOG,
        timeout_keep_alive=limits.keep_alive_s,  # type: ignore[arg-type]
        timeout_graceful_shutdown=limits.graceful_timeout_s,  # type: ignore[arg-type]
        h11_max_incomplete_event_size=limits.max_header_bytes,
        ssl_certfile=cfg.ssl_certfile,
        ssl_keyfile=cfg.ssl_keyfile,
    )

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started and not self.should_exit:
                on_ready()

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            busy = sum(1 for task in self.server_state.tasks if not task.done())
            log.info(
                "Stopping (signal received): no new connections; %d request(s) in flight get up to %g s to finish",
                busy,
                cfg.limits.graceful_timeout_s,
            )
            await super().shutdown(sockets)

        async def on_tick(self, counter: int) -> bool:
            now = time.monotonic()
            for connection in list(self.server_state.connections):
                check = getattr(connection, "check_deadlines", None)
                if check is not None:
                    check(now)
            if parent is not None and counter % 10 == 0 and os.getppid() != parent:
                log.warning("The supervisor (process %d) is gone; stopping", parent)
                self.should_exit = True
            return await super().on_tick(counter)

    Server(config).run(sockets=[sock])

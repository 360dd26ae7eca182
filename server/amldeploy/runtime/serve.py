"""Start-up: settings → app root and models → bind → per worker: entry script, init(), serve.

Failures behave like Azure's server: a script that cannot be loaded, lacks init()/run() or whose init() raises
is logged (with the model folder's tree after a failed init) and the process exits with status 3. With
``WORKER_COUNT`` > 1 the socket is bound once, workers are forked and each loads the script and runs init();
the parent restarts workers that die later and exits with the worker's status when one dies at start-up.
The line ``Listening on http://HOST:PORT`` is logged once every worker is ready.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from amldeploy import __version__
from amldeploy.runtime.config import RuntimeConfig
from amldeploy.runtime.models import layout_models, tree_lines
from amldeploy.runtime.process import Stop, handle_signals, setup_logging

log = logging.getLogger("amldeploy.runtime")
EXIT_SCRIPT = 3
STOP_GRACE_SECONDS = 10.0


def prepare(cfg: RuntimeConfig, app_root: Path) -> None:
    """Lay out the models and set the environment and ``sys.path`` the script expects."""
    if cfg.models:
        cfg.model_dir = str(layout_models(cfg.models, app_root))
    for name, value in cfg.environment.items():
        os.environ.setdefault(name, value)
    os.environ["AML_APP_ROOT"] = str(app_root)
    if cfg.entry_script is not None:
        os.environ["AZUREML_ENTRY_SCRIPT"] = str(cfg.entry_script)
    if cfg.source_dir is not None:
        os.environ["AZUREML_SOURCE_DIRECTORY"] = str(cfg.source_dir)
    if cfg.model_dir is not None:
        os.environ["AZUREML_MODEL_DIR"] = cfg.model_dir
    os.environ["SCORING_TIMEOUT_MS"] = str(cfg.scoring_timeout_ms)
    # Appended, as Azure's server does: the script's own folder is not searched first.
    sys.path.append(str(app_root))
    if cfg.source_dir is not None:
        sys.path.append(str(cfg.source_dir))


def _log_model_tree() -> None:
    model_dir = os.environ.get("AZUREML_MODEL_DIR", "")
    if not model_dir or not os.path.exists(model_dir):
        return
    log.info("Model Directory Contents:")
    lines, truncated = tree_lines(model_dir)
    for line in lines:
        log.info(line)
    if truncated:
        log.info("Output Truncated. First %d lines shown.", len(lines))


def run_worker(cfg: RuntimeConfig, sock: object, on_ready: Callable[[], None], parent_pid: int | None) -> int:
    """Load the script, run init() and serve until a signal; the process exit status."""
    import socket

    from amldeploy.runtime import server
    from amldeploy.runtime.app import ScoringApp
    from amldeploy.runtime.contract import ScriptError, load_entry_script
    from amldeploy.runtime.cors import Cors
    from amldeploy.runtime.gateway import Gateway
    from amldeploy.runtime.swagger import Swagger

    assert isinstance(sock, socket.socket)
    handle_signals()
    try:
        where = cfg.entry_script or "main (module on sys.path)"
        try:
            script = load_entry_script(cfg.entry_script)
        except Stop:
            raise
        except ScriptError as e:
            log.error("%s", e)
            _log_model_tree()
            return EXIT_SCRIPT
        except BaseException:
            log.error("Failed to load the entry script %s:\n%s", where, traceback.format_exc())
            _log_model_tree()
            return EXIT_SCRIPT
        log.info("Found user script at %s; run() input: %s", script.path, script.mode)
        log.info("Invoking user's init function")
        try:
            script.init()
        except Stop:
            raise
        except BaseException:
            log.error("User's init function failed")
            log.error("Encountered Exception %s", traceback.format_exc())
            _log_model_tree()
            return EXIT_SCRIPT
        log.info("Users's init has completed successfully")
        try:
            swagger = Swagger(
                Path(os.environ["AML_APP_ROOT"]),
                script.run,
                cfg.service_name,
                cfg.service_version,
                cfg.service_path_prefix,
            )
        except Exception:
            log.error("Cannot prepare the swagger documents:\n%s", traceback.format_exc())
            return EXIT_SCRIPT
        # What init() built (the model, the libraries) lives as long as the worker: out of the cyclic collector's
        # way, a full collection never walks it, which stalled a request in a hundred for ~25 ms with a sklearn model.
        gc.freeze()
        gateway = Gateway(cfg.gateway)
        cors = Cors(cfg.cors_origins) if cfg.cors_origins else None
        app = ScoringApp(
            script, swagger, gateway, cfg.scoring_timeout_ms, cors, cfg.server_version, cfg.limits.max_body_bytes
        )
        try:
            server.run(app, sock, cfg, on_ready, parent_pid)
        finally:
            app.close()
        log.info("Stopped")
    except Stop:
        log.info("Stopped (signal received)")
        # Threads or exit hooks of the script's libraries must not keep a stopped server alive.
        timer = threading.Timer(STOP_GRACE_SECONDS, os._exit, args=(0,))
        timer.daemon = True
        timer.start()
    return 0


def _describe(cfg: RuntimeConfig, app_root: Path) -> None:
    from amldeploy.runtime.server import describe

    g = cfg.gateway
    log.info("amldeploy scoring server %s (entry-script contract of azureml-inference-server-http 1.5.1)", __version__)
    log.info("Entry script: %s", cfg.entry_script or "main (imported from sys.path)")
    log.info("Source directory: %s", cfg.source_dir or "-")
    log.info("App root: %s", app_root)
    log.info("Model directory (AZUREML_MODEL_DIR): %s", cfg.model_dir or "-")
    log.info("Workers: %d; concurrent run() calls per worker: %d", cfg.workers, g.max_concurrent)
    log.info("Scoring timeout (SCORING_TIMEOUT_MS): %d ms", cfg.scoring_timeout_ms)
    queue = "unlimited" if g.max_queue_wait_ms is None else f"{g.max_queue_wait_ms} ms"
    front = "none" if g.scoring_timeout_ms is None else f"{g.scoring_timeout_ms} ms"
    auth = f"on ({len(g.keys)} key(s))" if g.auth_enabled else "off"
    log.info("Front end: auth %s; queue wait %s; scoring timeout %s", auth, queue, front)
    lim = cfg.limits
    log.info(
        "HTTP server: %s; %s; body ≤ %d bytes, head ≤ %d bytes and %d headers, read timeout %g s, keep-alive %g s, "
        "graceful shutdown %g s",
        describe(cfg),
        "HTTPS" if cfg.ssl_certfile else "HTTP",
        lim.max_body_bytes,
        lim.max_header_bytes,
        lim.max_headers,
        lim.read_timeout_s,
        lim.keep_alive_s,
        lim.graceful_timeout_s,
    )
    if cfg.cors_origins:
        log.info("CORS origins: %s", cfg.cors_origins)


def serve(cfg: RuntimeConfig) -> int:
    """Run the server until SIGTERM/SIGINT; the exit status (0 clean, 3 script failure, 1 cannot listen)."""
    from amldeploy.runtime.server import bind
    from amldeploy.runtime.workers import supervise

    setup_logging(cfg.log_level)
    for warning in cfg.warnings:
        log.warning(warning)
    temp_root = cfg.app_root is None
    app_root = Path(tempfile.mkdtemp(prefix="amldeploy-app-")) if cfg.app_root is None else cfg.app_root
    try:
        app_root.mkdir(parents=True, exist_ok=True)
        prepare(cfg, app_root)
        _describe(cfg, app_root)
        try:
            sock = bind(cfg.host, cfg.port)
        except OSError as e:
            log.error("Cannot listen on %s:%d: %s", cfg.host, cfg.port, e)
            return 1
        host, port = sock.getsockname()[:2]

        scheme = "https" if cfg.ssl_certfile else "http"

        def ready() -> None:
            log.info("Listening on %s://%s:%d", scheme, host, port)

        if cfg.workers > 1:
            return supervise(
                cfg.workers,
                lambda on_ready, parent: run_worker(cfg, sock, on_ready, parent),
                ready,
                cfg.limits.graceful_timeout_s + STOP_GRACE_SECONDS,
                sock,
            )
        return run_worker(cfg, sock, ready, None)
    finally:
        if temp_root:
            shutil.rmtree(app_root, ignore_errors=True)

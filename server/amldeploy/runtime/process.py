"""What every process of the scoring host shares, the supervisor and each worker alike: the log format and
the signals that stop it. Kept apart from ``serve`` so that the HTTP server and the workers need nothing of
the start-up sequence that uses them."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

LOG_FORMAT = "%(asctime)s %(levelname).1s [%(process)d] %(name)s - %(message)s"


class Stop(BaseException):
    """SIGTERM or SIGINT arrived; unwinds the main thread to a clean exit."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise Stop(signum)


def handle_signals() -> None:
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)


def setup_logging(level: str) -> None:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(line_buffering=True)  # print() in the script reaches the log line by line
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger = logging.getLogger("amldeploy")
    logger.handlers[:] = [handler]
    logger.setLevel(level if level in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG") else "INFO")
    logger.propagate = False
    # uvicorn's own lines: its errors only. Refused requests and the shutdown are logged by amldeploy, in words
    # that name the limit or the setting.
    server = logging.getLogger("uvicorn")
    server.handlers[:] = [handler]
    server.setLevel("ERROR")
    server.propagate = False

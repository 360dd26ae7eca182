"""What goes on the wire besides the routes: the server's name, amldeploy's probe mark, and header hygiene."""

from __future__ import annotations

import json
import re

from amldeploy import __version__

SERVER_HEADER = f"amldeploy/{__version__}"
# amldeploy's own health checks (deploy, the editor's service watcher) send this header on ``GET /``: they are
# answered as usual but left out of the access log, which stays the user's.
PROBE_HEADER = "X-AMLDeploy-Probe"
PROBE_HEADER_RAW = PROBE_HEADER.lower().encode("latin-1")

# Characters HTTP/1.1 does not allow in a header name (RFC 9110 token) and in a value (controls but tab).
_BAD_NAME = re.compile(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def encode_headers(headers: list[tuple[str, str]]) -> tuple[list[tuple[bytes, bytes]], list[str]]:
    """Header pairs from user code as bytes for the wire, and the names dropped because they cannot be sent.

    A value's control characters (CR and LF included) become spaces, so a value can never start another header
    or the body; characters outside Latin-1 become ``?``.
    """
    out: list[tuple[bytes, bytes]] = []
    dropped: list[str] = []
    for name, value in headers:
        if not name or _BAD_NAME.search(name):
            dropped.append(name)
            continue
        if _BAD_VALUE.search(value):
            value = _BAD_VALUE.sub(" ", value)
        out.append((name.encode("latin-1"), value.encode("latin-1", "replace")))
    return out, dropped


def json_message(message: str) -> bytes:
    return json.dumps({"message": message}).encode("utf-8")

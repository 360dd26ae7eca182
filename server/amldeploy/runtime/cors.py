"""``AML_CORS_ORIGINS``: the headers Azure's server adds through flask-cors (methods GET and POST).

With an ``Origin`` header the origin is echoed when it is allowed (``*`` allows any); without one, ``*`` (or
the first configured origin in sorted order) is sent. A preflight ``OPTIONS`` that asks for GET or POST also gets
``Access-Control-Allow-Methods`` and the requested headers back.
"""

from __future__ import annotations

import re

METHODS = "GET, POST"
_REGEX_CHARS = ("*", "\\", "]", "?", "$", "^", "[", "(", ")")


def _is_regex(origin: str) -> bool:
    return any(c in origin for c in _REGEX_CHARS)


def _matches(origin: str, pattern: str) -> bool:
    if _is_regex(pattern):
        try:
            return re.match(pattern, origin, flags=re.IGNORECASE) is not None
        except re.error:
            return False
    return origin == pattern


class Cors:
    def __init__(self, setting: str) -> None:
        self.origins = [".*" if o.strip() == "*" else o.strip() for o in setting.split(",")]

    def headers(self, method: str, origin: str | None, asked_method: str, asked_headers: str) -> list[tuple[str, str]]:
        """The CORS headers for a ``method`` request with this ``Origin`` and these preflight headers."""
        if origin:
            if not any(_matches(origin, p) for p in self.origins):
                return []
            allowed = [origin]
        elif ".*" in self.origins:
            allowed = ["*"]
        else:
            allowed = sorted(o for o in self.origins if not _is_regex(o))
        # flask-cors builds one header per origin but then keeps only the first (MultiDict.items()).
        out = [("Access-Control-Allow-Origin", allowed[0])] if allowed else []
        if method == "OPTIONS":
            asked = asked_method.upper()
            # flask-cors tests membership in the string "GET, POST"; keep its verdicts.
            if asked and asked in METHODS:
                wanted = sorted(h.strip() for h in asked_headers.split(",")) if asked_headers else []
                if wanted:
                    out.append(("Access-Control-Allow-Headers", ", ".join(wanted)))
                out.append(("Access-Control-Allow-Methods", METHODS))
        if allowed != ["*"] and (len(self.origins) > 1 or len(allowed) > 1 or any(map(_is_regex, self.origins))):
            out.append(("Vary", "Origin"))
        return out

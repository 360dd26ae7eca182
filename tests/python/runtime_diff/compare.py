"""Compare one response of Azure's server with the same response of ``amldeploy serve``.

Every header except transport ones is compared, after normalising the values that differ by nature (generated
request ids, execution times). Deliberate differences are named (:data:`DIFFERENCES`), documented in
docs/runtime-differences.md, and checked: a declared difference must actually hold, so the document stays true.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from tests.python.runtime_diff.client import Reply, Req

# Transport-level headers: their values legitimately depend on the HTTP server, not on the contract.
TRANSPORT = frozenset({"date", "server", "content-length", "transfer-encoding", "keep-alive"})
# Comma lists whose order carries no meaning; Azure's `Allow` order even changes with PYTHONHASHSEED (a set).
UNORDERED = frozenset({"allow"})
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
EXEC_MS = re.compile(r"^\d+\.\d{3}$")


@dataclass(frozen=True)
class Difference:
    """A deliberate difference: the headers it concerns and a check that it holds (returns problems)."""

    headers: tuple[str, ...]
    check: Callable[[Reply, Reply], list[str]]
    summary: str


def _keep_alive(azure: Reply, ours: Reply) -> list[str]:
    problems = []
    if (azure.first("connection") or "").lower() != "close":
        problems.append(f"expected Azure to send 'Connection: close', got {azure.first('connection')!r}")
    if (ours.first("connection") or "").lower() == "close":
        problems.append("amldeploy sent 'Connection: close' although it keeps connections alive")
    return problems


def _server_version(azure: Reply, ours: Reply) -> list[str]:
    theirs, mine = azure.first("x-ms-server-version"), ours.first("x-ms-server-version")
    if (theirs is None) != (mine is None):
        return [f"x-ms-server-version present on one side only: Azure {theirs!r}, amldeploy {mine!r}"]
    if theirs is not None and mine is not None and not mine.startswith("amldeploy/"):
        return [f"x-ms-server-version of amldeploy should be 'amldeploy/<version>', got {mine!r}"]
    return []


DIFFERENCES: dict[str, Difference] = {
    "keep-alive": Difference(("connection",), _keep_alive, "amldeploy keeps connections alive"),
    "server-version": Difference(("x-ms-server-version",), _server_version, "x-ms-server-version names amldeploy"),
}
# Differences that hold for every response.
GLOBAL_DIFFERENCES = ("keep-alive", "server-version")


def _sent(req: Req, name: str) -> str | None:
    return next((v for k, v in req.headers.items() if k.lower() == name), None)


def normalised_headers(req: Req, reply: Reply, skip: set[str]) -> dict[str, list[str]]:
    """Header name (lower case) → values in order, with generated ids and timings replaced by placeholders."""
    generated = None
    if _sent(req, "x-request-id") is None:
        generated = reply.first("x-request-id")
    out: dict[str, list[str]] = {}
    for name, value in reply.headers:
        key = name.lower()
        if key in TRANSPORT or key in skip:
            continue
        if key in UNORDERED:
            value = ", ".join(sorted(part.strip() for part in value.split(",")))
        elif key == "x-ms-run-fn-exec-ms" and EXEC_MS.match(value):
            value = "<float with 3 decimals>"
        elif generated and value == generated and key in ("x-request-id", "x-ms-request-id"):
            value = "<generated uuid4>" if UUID.match(value) else f"<generated, not a uuid4: {value}>"
        out.setdefault(key, []).append(value)
    return out


def _body_problems(req: Req, azure: Reply, ours: Reply) -> list[str]:
    if req.compare == "status":
        return []
    if req.compare == "bytes":
        return [] if azure.body == ours.body else [f"body: Azure {azure.body[:300]!r} != amldeploy {ours.body[:300]!r}"]
    try:
        theirs, mine = json.loads(azure.body), json.loads(ours.body)
    except ValueError:
        if azure.body == ours.body:
            return []
        return [f"body (not JSON): Azure {azure.body[:300]!r} != amldeploy {ours.body[:300]!r}"]
    if theirs == mine:
        return []
    return [f"JSON body: Azure {json.dumps(theirs)[:400]} != amldeploy {json.dumps(mine)[:400]}"]


def differences_of(req: Req) -> tuple[str, ...]:
    """The request's own differences, plus the global ones about other headers (a request's own one wins)."""
    own = {h for name in req.differences for h in DIFFERENCES[name].headers if name in DIFFERENCES}
    kept = tuple(name for name in GLOBAL_DIFFERENCES if not set(DIFFERENCES[name].headers) & own)
    return kept + req.differences


def compare(req: Req, azure: Reply, ours: Reply) -> list[str]:
    """Problems found between the two replies to ``req`` (empty when they agree)."""
    names = differences_of(req)
    skip = {h for name in names for h in DIFFERENCES[name].headers}
    problems: list[str] = []
    if azure.status != ours.status:
        problems.append(f"status: Azure {azure.status} != amldeploy {ours.status}")
    theirs, mine = normalised_headers(req, azure, skip), normalised_headers(req, ours, skip)
    for key in sorted(set(theirs) | set(mine)):
        if theirs.get(key) != mine.get(key):
            problems.append(f"header {key}: Azure {theirs.get(key)} != amldeploy {mine.get(key)}")
    problems += _body_problems(req, azure, ours)
    for name in names:
        problems += [f"[{name}] {p}" for p in DIFFERENCES[name].check(azure, ours)]
    return problems


def contract_problems(req: Req, azure: Reply) -> list[str]:
    """Where Azure's own reply differs from what the case documents (a check of the table itself)."""
    problems = []
    if req.status is not None and azure.status != req.status:
        problems.append(f"Azure answered {azure.status}, the case documents {req.status}: {azure.body[:200]!r}")
    if req.expect_json is not None:
        try:
            body = json.loads(azure.body)
        except ValueError:
            body = azure.body
        if body != req.expect_json:
            problems.append(f"Azure's body {body!r} != documented {req.expect_json!r}")
    return problems

"""Reading files from disk for validation: size, binary and encoding checks with clear problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from amldeploy.language.codes import rule
from amldeploy.language.files import MAX_READ_BYTES
from amldeploy.language.problems import Problem, Severity

TOO_LARGE = rule(
    "JS008",
    Severity.ERROR,
    "File too large",
    f"Config files and entry scripts are read up to {MAX_READ_BYTES // (1024 * 1024)} MB; a larger file is "
    "almost certainly not a config (a model or a data file named like one).",
)
BINARY = rule("JS009", Severity.ERROR, "Binary file", "The file holds NUL bytes: it is not a text config or script.")
NOT_UTF8 = rule(
    "JS010",
    Severity.ERROR,
    "Not UTF-8",
    "Config files and entry scripts must be UTF-8 text (as Azure's tools read them). Re-save the file as UTF-8.",
)


@dataclass(slots=True)
class Source:
    """A file's text, or the problem that kept it from being read (``unreadable``: nothing to validate)."""

    path: Path
    text: str
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False


def read_source(path: Path) -> Source:
    try:
        size = path.stat().st_size
        if size > MAX_READ_BYTES:
            mb = size / (1024 * 1024)
            limit = MAX_READ_BYTES // (1024 * 1024)
            message = f"File too large ({mb:.1f} MB): amldeploy reads configs and entry scripts up to {limit} MB."
            return Source(path, "", [TOO_LARGE.at(0, 0, message)], unreadable=True)
        raw = path.read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL or a lone surrogate in the name
        reason = getattr(exc, "strerror", None) or str(exc)
        return Source(path, "", [BINARY.at(0, 0, f"Cannot read the file: {reason}.")], unreadable=True)
    if b"\x00" in raw[:8192]:
        return Source(
            path,
            "",
            [BINARY.at(0, 0, "Binary file (it contains NUL bytes): not a config or a script.")],
            True,
        )
    try:
        return Source(path, raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        bad = exc.start - (len(raw) - len(body))
        prefix = body[:bad].decode("utf-8", errors="replace")
        text = body.decode("utf-8", errors="replace")
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        message = (
            f"Not UTF-8: invalid byte 0x{body[bad]:02x} at line {line}, column {column}. Re-save the file as UTF-8."
        )
        return Source(path, text, [NOT_UTF8.at(len(prefix), len(prefix) + 1, message)], unreadable=True)

"""File and folder completion for the keys whose schema carries ``x-path`` (entryScript, condaFile, ...).

What is typed so far names the folder to list (``src/sc`` lists ``src/``); only the last segment is
replaced, so accepting a folder (``src/``) and asking again goes one level down.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from amldeploy.language.complete.format import snippet_escape
from amldeploy.language.complete.types import Completion, Context
from amldeploy.language.files import FileAccess
from amldeploy.language.schema.validator import Schema

_SKIPPED = frozenset({"__pycache__", "node_modules", ".git", ".venv"})
# Extensions for keys whose schema names none: what v1 and the tools reading these files expect.
_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "condaFile": (".yml", ".yaml"),
    "sslCertificate": (".pem", ".crt", ".key"),
    "sslKey": (".pem", ".crt", ".key"),
}


def path_completions(
    schema: Schema, key: str, ctx: Context, text: str, offset: int, config_path: Path, files: FileAccess
) -> list[Completion]:
    spec: Mapping[str, object] = schema["x-path"]
    folders_only = spec.get("kind") == "directory"
    declared = spec.get("extensions")
    extensions = tuple(str(e).lower() for e in declared) if isinstance(declared, list) else _EXTENSIONS.get(key, ())
    base = config_path.parent
    relative_to = spec.get("relativeTo")
    if isinstance(relative_to, str) and relative_to != "configDirectory":
        named = ctx.frames[0].scalars.get(relative_to)
        if isinstance(named, str) and named.strip():
            base = base / named.strip()
    typed = ctx.typed.replace("\\", "/")
    folder_part, slash, _ = typed.rpartition("/")
    folder = base
    if slash:
        folder = Path(folder_part or "/") if typed.startswith("/") else base / folder_part
    if not files.is_dir(folder):
        return []
    # Unquoted in JSON: write the whole quoted string; otherwise replace the last segment only.
    wrap = ctx.style == "json" and not ctx.quote
    lead = folder_part + slash if wrap else ""
    start, end = ctx.start, ctx.end
    if not wrap:
        start = ctx.content_start + len(folder_part) + len(slash)
        after = text[offset : max(offset, ctx.content_end)]
        end = offset + (after.find("/") if "/" in after else len(after))
    out: list[Completion] = []
    for name, is_folder in files.list_dir(folder):
        if name.startswith(".") or name in _SKIPPED:
            continue
        if not is_folder and (folders_only or (extensions and not name.lower().endswith(extensions))):
            continue
        label = name + "/" if is_folder else name
        insert = label
        if wrap:
            quoted = json.dumps(lead + label, ensure_ascii=False)
            insert = (snippet_escape(quoted[:-1]) + '$0"' if is_folder else quoted) + ctx.separator
        out.append(
            Completion(
                label=label,
                kind="folder" if is_folder else "file",
                insert_text=insert,
                is_snippet=wrap and is_folder,
                start=start,
                end=end,
                detail=folder_part + slash + label,
                sort_text=("0" if is_folder else "1") + name.lower(),
                filter_text=lead + label if wrap else None,
            )
        )
    return out

"""Completion for the two config files and the entry script: plain items with offsets (no LSP types).

Config files get what VS Code's JSON editor offers, aware of ``computeType``: the keys valid at the cursor
(only those of the current compute type, none already written), values after ``key:`` (enum members,
booleans, defaults and examples, null, Azure regions) and file paths for the keys that name files. JSON and
YAML alike; documents in the middle of an edit included. Nothing here raises: a failure yields no items.

The cursor's context comes from text scanners (``complete_json``, ``complete_yaml``), not from the parsed
tree: while a key or value is half written, tree-sitter folds the object around the cursor into an error
node, but the scanners still see the path, the keys present and whether a key or a value comes next.
"""

from __future__ import annotations

from pathlib import Path

from amldeploy.language.complete.entry import complete_entry
from amldeploy.language.complete.json import scan_json
from amldeploy.language.complete.keys import key_completions
from amldeploy.language.complete.types import Completion, Context, synthetic_tree
from amldeploy.language.complete.values import item_object, value_completions, value_schemas
from amldeploy.language.complete.yaml import scan_yaml
from amldeploy.language.files import FileAccess
from amldeploy.language.parse.documents import detect_language
from amldeploy.language.parse.limits import mask_limits
from amldeploy.language.validate import Kind, schema_validator

__all__ = ["Completion", "complete_config", "complete_script", "config_context"]


def complete_config(text: str, kind: Kind, offset: int, config_path: Path, files: FileAccess) -> list[Completion]:
    """Completions at ``offset`` in an inference or deployment config; ``config_path`` locates the files
    that path values name."""
    try:
        return _complete_config(text, kind, offset, config_path, files)
    except Exception:  # completion must never take the editor down; no items is the safe answer
        return []


def complete_script(text: str, offset: int) -> list[Completion]:
    """Completions at ``offset`` in an entry script (``score.py``)."""
    try:
        return complete_entry(text, offset)
    except Exception:
        return []


def config_context(text: str, offset: int, filename: str) -> Context | None:
    """Where the cursor is in a config document (for completion, and for anyone who needs the same)."""
    offset = max(0, min(offset, len(text)))
    language = detect_language(text, filename)
    # The scan keeps a frame (and its path) per level: what nests beyond the limits is blanked out for it
    # as for the parser (same offsets), so a 100 000-deep document costs no 100 000² path parts.
    text = mask_limits(text, language).text
    if language == "json":
        return scan_json(text, offset)
    return scan_yaml(text, offset)


def _complete_config(text: str, kind: Kind, offset: int, config_path: Path, files: FileAccess) -> list[Completion]:
    if kind not in (Kind.INFERENCE, Kind.DEPLOYMENT):
        return []
    offset = max(0, min(offset, len(text)))
    ctx = config_context(text, offset, config_path.name)
    if ctx is None:
        return []
    validator = schema_validator(kind)
    tree = synthetic_tree(ctx.frames)
    if tree is None:
        return []
    root, container = tree
    if ctx.mode == "key":
        return key_completions(validator, ctx, root, container) if container.kind == "object" else []
    schemas = value_schemas(validator, root, container, ctx.key)
    if ctx.mode == "item":
        nested = item_object(schemas, ctx)
        if nested is not None:
            tree = synthetic_tree(nested.frames)
            return key_completions(validator, nested, *tree) if tree is not None else []
    where = (text, offset, config_path, files)
    return value_completions(schemas, ctx, kind == Kind.DEPLOYMENT, where)

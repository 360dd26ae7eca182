"""``-o/--output json|jsonc|table|tsv|yaml|yamlc|none`` and ``--query JMESPATH``, as ``az`` printed results."""

from __future__ import annotations

import json
from typing import Any, TextIO

from amldeploy.ops.errors import EXIT_USAGE, OpsError

FORMATS = ("json", "jsonc", "table", "tsv", "yaml", "yamlc", "none")


def render(data: Any, fmt: str, query: str | None, out: TextIO) -> None:
    if query:
        import jmespath
        from jmespath.exceptions import JMESPathError

        try:
            data = jmespath.search(query, data)
        except JMESPathError as exc:
            raise OpsError(f"--query {query!r} is not a JMESPath expression: {exc}", None, EXIT_USAGE) from None
    if fmt == "none":
        return
    if fmt in ("json", "jsonc"):
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif fmt in ("yaml", "yamlc"):
        import yaml

        out.write(yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True))
    elif fmt == "tsv":
        for row in _rows(data):
            out.write("\t".join(_cell(v) for v in row.values()) + "\n")
    else:
        _table(list(_rows(data)), out)
    out.flush()


def _rows(data: Any) -> list[dict[str, Any]]:
    """The records of ``data``, their scalar fields only (as az's table and tsv printed them)."""
    items = data if isinstance(data, list) else [data]
    rows = []
    for item in items:
        if isinstance(item, dict):
            rows.append({k: v for k, v in item.items() if not isinstance(v, (dict, list))})
        elif isinstance(item, list):
            rows.append({f"Column{i + 1}": v for i, v in enumerate(item) if not isinstance(v, (dict, list))})
        elif item is not None:
            rows.append({"Result": item})
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def _table(rows: list[dict[str, Any]], out: TextIO) -> None:
    if not rows:
        return
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    header = [c[:1].upper() + c[1:] for c in columns]
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    out.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for r in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")

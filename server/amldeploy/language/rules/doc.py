"""Generate ``docs/rules.md`` from the rule catalogue; ``--check`` fails when the committed file is stale.

python -m amldeploy.language.rules.doc          # rewrite docs/rules.md
python -m amldeploy.language.rules.doc --check  # CI
"""

from __future__ import annotations

import sys
from pathlib import Path

from amldeploy.language.codes import RULES
from amldeploy.language.entry_script import lint  # noqa: F401
from amldeploy.language.parse import documents, limits, sources  # noqa: F401
from amldeploy.language.rules import deployment, inference  # noqa: F401
from amldeploy.language.schema import validator  # noqa: F401

DOC = Path(__file__).resolve().parents[4] / "docs" / "rules.md"
SECTIONS = (
    ("JS", "Syntax and encoding (JSON, YAML, files)"),
    ("IC", "Inference config (`inferenceconfig.json` / `.yml`)"),
    ("DC", "Deployment config (`deploymentconfig.json` / `.yml`)"),
    ("SC", "Entry script (`score.py`)"),
)


def render() -> str:
    lines = [
        "# Rules",
        "",
        "Every problem amldeploy reports has a stable code. This file is generated from the rule catalogue",
        "(`python -m amldeploy.language.rules.doc`); do not edit it by hand.",
        "",
    ]
    for prefix, title in SECTIONS:
        lines += [f"## {title}", "", "| code | severity | rule | why, and the fix |", "|---|---|---|---|"]
        for code in sorted(c for c in RULES if c.startswith(prefix)):
            r = RULES[code]
            doc = " ".join(r.doc.split()).replace("|", "\\|")
            lines.append(f"| {code} | {r.severity.label} | {r.title} | {doc} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not DOC.is_file() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC.name} is stale: run python -m amldeploy.language.rules.doc", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""``amldeploy validate PATH...``: the language core on files and folders, compiler-style output."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from amldeploy.language.discover import find_configs
from amldeploy.language.files import DiskFiles
from amldeploy.language.parse.sources import read_source
from amldeploy.language.problems import Problem, Severity
from amldeploy.language.rules.inference import resolve_paths
from amldeploy.language.text import TextIndex
from amldeploy.language.validate import Kind, classify, validate_config, validate_script

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
_USAGE_FIX = "give inference or deployment configs, entry scripts, or folders holding them"


@dataclass(slots=True)
class FileReport:
    path: Path
    shown: str
    text: str
    problems: list[Problem]


class UsageError(Exception):
    pass


def run_validate(paths: list[str], output_format: str, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    reports: list[FileReport] = []
    usage_errors: list[str] = []
    unreadable = False
    done: set[Path] = set()

    def add(path: Path, kind: Kind | None, explicit: bool) -> None:
        nonlocal unreadable
        key = path.resolve()
        if key in done:
            return
        done.add(key)
        source = read_source(path)
        if source.unreadable:
            unreadable = True
            reports.append(FileReport(path, _shown(path), source.text, source.problems))
            return
        kind = kind or classify(path, source.text)
        if kind is None:
            if explicit:
                usage_errors.append(
                    f"{_shown(path)}: not an inference config, deployment config or entry script "
                    "(no 'entryScript' or 'computeType' key, not a .py file)"
                )
            return
        if kind == Kind.ENTRY_SCRIPT:
            reports.append(FileReport(path, _shown(path), source.text, validate_script(source.text)))
            return
        result = validate_config(source.text, path, kind)
        reports.append(FileReport(path, _shown(path), source.text, result.problems))
        root = result.document.root
        if kind == Kind.INFERENCE and root is not None and root.kind == "object":
            # An inference config also lints the entry script it names (when that file exists).
            script = resolve_paths(root, path.parent).entry_script
            if script is not None and script.suffix == ".py" and DiskFiles().is_file(script):
                add(script, Kind.ENTRY_SCRIPT, False)

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            usage_errors.append(f"{raw}: no such file or folder")
        elif path.is_dir():
            found = list(find_configs(path))
            if not found:
                usage_errors.append(
                    f"{raw}: no inference or deployment config found in this folder "
                    "(looked for *inferenceconfig*/*deploymentconfig* .json/.yml/.yaml files and for files "
                    "with an 'entryScript' or 'computeType' key)"
                )
            for config, kind in found:
                add(config, kind, explicit=False)
        else:
            add(path, None, explicit=True)

    nothing_checked = bool(usage_errors) and not reports
    if nothing_checked:
        usage_errors[-1] += f"; nothing was checked: {_USAGE_FIX}"
    for message in usage_errors:
        print(f"amldeploy validate: {message}", file=err)
    if nothing_checked and output_format != "json":
        return EXIT_USAGE  # no "0 errors in 0 files", which would read like a clean result
    _print(reports, output_format, out)
    if usage_errors or unreadable:
        return EXIT_USAGE
    return EXIT_PROBLEMS if any(p.severity == Severity.ERROR for r in reports for p in r.problems) else EXIT_CLEAN


def _shown(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = str(path)
    shown = rel if not rel.startswith("..") else str(path)
    # A name that is not UTF-8 on disk comes back with surrogate escapes: show its bytes instead.
    return os.fsencode(shown).decode("utf-8", "backslashreplace")


def _print(reports: list[FileReport], output_format: str, out: TextIO) -> None:
    if output_format == "json":
        items: list[dict[str, Any]] = []
        for report in reports:
            index = TextIndex(report.text)
            for p in report.problems:
                item = {"path": report.shown, **p.to_json(index)}
                item.pop("source", None)
                items.append(item)
        # One problem per line: readable, grep-able, and written by json's C encoder (``indent`` would select the
        # pure-Python one, which took most of the time of a file with 100 000 problems).
        lines = ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in items)
        text = f"[\n{lines}\n]" if items else "[]"
        # A lone surrogate from the document (its "\ud800") goes out as that same JSON escape.
        out.write(text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")
        return
    counts = {Severity.ERROR: 0, Severity.WARNING: 0}
    for report in reports:
        index = TextIndex(report.text)
        for p in report.problems:
            line = index.line_of(p.start)
            column = p.start - index.line_start(line)
            print(f"{report.shown}:{line + 1}:{column + 1}: {p.severity.label} {p.code} {p.message}", file=out)
            if p.severity in counts:
                counts[p.severity] += 1
    files = len(reports)
    errors, warnings = counts[Severity.ERROR], counts[Severity.WARNING]
    summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    print(f"{summary} in {files} file{'s' * (files != 1)}", file=out)

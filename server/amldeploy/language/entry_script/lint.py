"""The ``score.py`` lint: checks an entry script against the contract of Azure's inference server.

The server (azureml-inference-server-http) imports the script, calls ``init()`` once per worker and
``run(...)`` once per request, and answers with ``json.dumps`` of what ``run`` returns. The rules catch what
makes that fail at startup or per request, before a deployment takes twenty minutes to show it. Codes and
their documentation: :mod:`amldeploy.language.entry_script.codes`.

Only the standard library's ``ast`` is used; the lint never raises, whatever the text.
"""

from __future__ import annotations

import logging

from amldeploy.language.entry_script import codes as codes
from amldeploy.language.entry_script.context import Context
from amldeploy.language.entry_script.contract import check_contract
from amldeploy.language.entry_script.function import scan_function
from amldeploy.language.entry_script.imports import check_imports
from amldeploy.language.entry_script.inputs import check_inputs
from amldeploy.language.entry_script.parse import Failure, parse_script
from amldeploy.language.entry_script.results import check_results
from amldeploy.language.entry_script.scan import Locator, scan_module
from amldeploy.language.entry_script.state import check_state
from amldeploy.language.problems import Problem, sort_problems
from amldeploy.language.text import TextIndex

__all__ = ["lint_entry_script"]

_log = logging.getLogger(__name__)


def lint_entry_script(text: str) -> list[Problem]:
    """Problems of one ``score.py``, sorted by position. Offsets index ``text``; never raises."""
    out: list[Problem] = []
    try:
        _lint(text, out)
    except (RecursionError, MemoryError):
        # An expression nested deeper than the rules can follow: keep what was found so far.
        pass
    except Exception:
        _log.exception("the score.py lint failed; its problems are incomplete")
    return sort_problems(out)


def _lint(text: str, out: list[Problem]) -> None:
    parsed = parse_script(text)
    if isinstance(parsed, Failure):
        out.append(_syntax_problem(text, parsed))
        return
    module = scan_module(parsed)
    ctx = Context(
        parsed,
        Locator(parsed.source, parsed.base),
        module,
        [scan_function(fn) for fn in module.module_defs("init")],
        [scan_function(fn) for fn in module.module_defs("run")],
        out,
    )
    check_contract(ctx)
    check_imports(ctx)
    check_state(ctx)
    check_results(ctx)
    check_inputs(ctx)


def _syntax_problem(text: str, failure: Failure) -> Problem:
    base = 1 if text.startswith("\ufeff") else 0
    start, end = _failure_span(text[base:], failure)
    if failure.reason == "NUL":
        message = (
            "The file contains a NUL character (\\x00) here, and Python refuses to compile such a file, so "
            "Azure's server cannot import it. Remove it (it often comes from a bad copy and paste, or from a "
            "file saved as UTF-16: save it as UTF-8)."
        )
    elif failure.reason == "NESTING":
        message = (
            "An expression in this statement is nested too deeply for Python to compile, so Azure's server "
            "cannot import the script. Split it into smaller expressions (intermediate variables)."
        )
    else:
        message = (
            f"Syntax error: {failure.reason}. Azure's server cannot import the script, so the service would "
            "fail at startup; fix the code here. (No other check runs until the file compiles.)"
        )
    return codes.SYNTAX.at(base + start, base + end, message)


def _failure_span(source: str, failure: Failure) -> tuple[int, int]:
    """Offsets of a SyntaxError's place: 1-based line, 1-based columns in characters, ends often missing."""
    index = TextIndex(source)
    line = min(max((failure.line or 1) - 1, 0), index.line_count - 1)
    line_start, line_end = index.line_start(line), index.line_end(line)
    if failure.column is None:
        content = source[line_start:line_end]
        return line_start + len(content) - len(content.lstrip()), line_end
    start = min(line_start + max(failure.column - 1, 0), line_end)
    end = start
    if failure.end_line is not None and failure.end_column is not None and failure.end_column > 0:
        end_line = min(max(failure.end_line - 1, 0), index.line_count - 1)
        end = min(index.line_start(end_line) + failure.end_column - 1, index.line_end(end_line))
    if end <= start:
        end = min(start + 1, line_end)
    return start, end

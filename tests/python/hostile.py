"""Hypothesis strategies for documents built to hurt a JSON/YAML reader (issue 16, "Bad documents").

Each strategy draws a :class:`Hostile`: the text, the file name (which selects the kind), the ``JS###`` code the
document must get because it goes beyond a limit (``expect``) or must not get because it stays well inside it
(``forbid``), and where a path value sits (``value``) when the document names a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from amldeploy.language.parse import limits


@dataclass(frozen=True)
class Hostile:
    cls: str
    text: str
    name: str
    expect: str | None = None
    forbid: str | None = None
    value: tuple[int, int] | None = None  # [start, end) of a path value that must get an error

    def __repr__(self) -> str:  # hypothesis prints failing examples: keep megabytes out of the report
        shown = self.text if len(self.text) < 300 else f"{self.text[:150]!r}…({len(self.text)} chars)"
        return f"Hostile({self.cls}, {self.name}, expect={self.expect}, forbid={self.forbid}, {shown!r})"


Verdict = tuple[str | None, str | None]  # (expect, forbid)


def _verdict(size: int, limit: int, code: str, margin: int = 4) -> Verdict:
    """Beyond the limit the code is required; well inside it, forbidden; near it (counting conventions), free."""
    if size > limit + margin:
        return code, None
    if size < limit - margin:
        return None, code
    return None, None


DEEP_FORMS = ("block mapping", "block sequence", "dash sequence", "flow [", "flow {", "JSON [", "JSON {")


def nest(form: str, depth: int, closed: bool = True) -> tuple[str, str]:
    """``depth`` levels of one form under the ``tags`` key of a deployment config: (text, file name)."""
    if form == "block mapping":
        body = "".join(" " * (i + 1) + "a:\n" for i in range(depth)) + " " * (depth + 1) + "b: 1\n"
    elif form == "block sequence":
        body = "".join(" " * (i + 1) + "-\n" for i in range(depth)) + " " * (depth + 1) + "- 1\n"
    elif form == "dash sequence":
        body = " " + "- " * depth + "1\n"
    elif form == "flow [":
        body = " x: " + "[" * depth + ("]" * depth if closed else "") + "\n"
    elif form == "flow {":
        body = " x: " + "{a: " * depth + "1" + ("}" * depth if closed else "") + "\n"
    else:
        opener, closer = ("[", "]") if form == "JSON [" else ('{"a": ', "}")
        inner = opener * depth + ("1" if form == "JSON {" else "") + (closer * depth if closed else "")
        return '{"computeType": "local", "tags": ' + inner + ("}" if closed else ""), "deploymentconfig.json"
    return "computeType: local\nport: 8080\ntags:\n" + body, "deploymentconfig.yml"


def deep_doc(form: str, depth: int, closed: bool = True) -> Hostile:
    text, name = nest(form, depth, closed)
    return Hostile(f"deep {form}", text, name, *_verdict(depth, limits.MAX_DEPTH, limits.TOO_DEEP.code))


@st.composite
def deep(draw: st.DrawFn) -> Hostile:
    form = draw(st.sampled_from(DEEP_FORMS))
    # Indented forms grow quadratically with depth; single-line forms also go far beyond the parsers' stacks.
    top = 1500 if form.startswith("block") else 30_000
    depth = draw(st.integers(1, limits.MAX_DEPTH + 10) | st.integers(limits.MAX_DEPTH, top))
    closed = draw(st.booleans()) if form.startswith(("flow", "JSON")) else True
    return deep_doc(form, depth, closed)


def alias_bomb(levels: int, width: int, mapping: bool) -> str:
    lines = ["computeType: local", 'l0: &l0 "lol"']
    for level in range(1, levels + 1):
        refs = [f"*l{level - 1}"] * width
        if mapping:
            body = "{" + ", ".join(f"k{i}: {r}" for i, r in enumerate(refs)) + "}"
        else:
            body = "[" + ", ".join(refs) + "]"
        lines.append(f"l{level}: &l{level} {body}")
    lines.append(f"tags: *l{levels}")
    return "\n".join(lines) + "\n"


@st.composite
def aliases(draw: st.DrawFn) -> Hostile:
    levels, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    text = alias_bomb(levels, width, draw(st.booleans()))
    leaves = width**levels
    verdict: Verdict = (None, None)
    if leaves > limits.MAX_ALIAS_VALUES:
        verdict = (limits.ALIASES_TOO_LARGE.code, None)
    elif width ** (levels + 1) < limits.MAX_ALIAS_VALUES // 4:  # every node of the tree counted, with room
        verdict = (None, limits.ALIASES_TOO_LARGE.code)
    return Hostile("YAML alias bomb", text, "deploymentconfig.yml", *verdict)


def merge_chain(length: int, as_list: bool) -> str:
    lines = ["computeType: local", "m0: &m0 {x0: 1}"]
    for i in range(1, length + 1):
        merge = f"[*m{i - 1}, *m0]" if as_list else f"*m{i - 1}"
        lines.append(f"m{i}: &m{i} {{<<: {merge}, x{i}: 1}}")
    lines.append(f"tags:\n  <<: *m{length}")
    return "\n".join(lines) + "\n"


@st.composite
def merges(draw: st.DrawFn) -> Hostile:
    length = draw(st.integers(1, limits.MAX_MERGE_CHAIN + 4) | st.integers(limits.MAX_MERGE_CHAIN, 3000))
    text = merge_chain(length, draw(st.booleans()))
    return Hostile(
        "YAML merge-key chain",
        text,
        "deploymentconfig.yml",
        *_verdict(length, limits.MAX_MERGE_CHAIN, limits.MERGE_CHAIN.code, margin=2),
    )


# Literals every reader types as a number (YAML 1.1 as v1 read it, and JSON): too long, they must be refused.
NUMBER_FORMS: dict[str, Callable[[int], str]] = {
    "decimal": lambda n: "9" * n,
    "negative": lambda n: "-" + "9" * n,
    "hex": lambda n: "0x" + "f" * n,
    "binary": lambda n: "0b" + "1" * n,
    "YAML 1.1 octal": lambda n: "0" + "7" * n,
    "underscored": lambda n: "1_" * (n // 2) + "1",
}
# Other spellings: some are numbers only in YAML 1.2, some overflow a float; they must just not break anything.
ODD_NUMBERS: dict[str, Callable[[int], str]] = {
    "octal 0o": lambda n: "0o" + "7" * n,
    "sexagesimal": lambda n: "1" + ":30" * max(1, n // 3),
    "fraction": lambda n: "1." + "5" * n,
    "exponent": lambda n: "1e" + "9" * n,
    "negative exponent": lambda n: "1e-" + "9" * n,
}


@st.composite
def numbers(draw: st.DrawFn) -> Hostile:
    digits = draw(st.integers(1, limits.MAX_NUMBER_CHARS + 5) | st.integers(limits.MAX_NUMBER_CHARS, 20_000))
    as_json = draw(st.booleans())
    form = draw(st.sampled_from(["decimal", "negative"] if as_json else [*NUMBER_FORMS, *ODD_NUMBERS]))
    literal = {**NUMBER_FORMS, **ODD_NUMBERS}[form](digits)
    return number_doc(form, literal, as_json, draw(st.sampled_from(["port", "numReplicas", "x"])))


def number_doc(form: str, literal: str, as_json: bool, key: str = "port") -> Hostile:
    if as_json:
        text, name = '{"computeType": "AKS", "' + key + '": ' + literal + "}", "deploymentconfig.json"
    else:
        text, name = f"computeType: AKS\n{key}: {literal}\n", "deploymentconfig.yml"
    verdict = _verdict(len(literal), limits.MAX_NUMBER_CHARS, limits.NUMBER_TOO_LONG.code, margin=2)
    if form in ODD_NUMBERS:
        verdict = (None, None)
    return Hostile(f"huge number ({form})", text, name, *verdict)


BAD_CHARACTERS = ["\ud800", "\udfff", "\udc00\ud800", "\x00", "\ufffe", "\uffff", "\u202e", "\ufeff", "\x1b[2J"]
ESCAPES = ["\\ud800", "\\udfff", "\\udc00\\ud800", "\\u0000", "\\uffff", "\\u202e", "sc\\u0000ore.py"]
YAML_ESCAPES = [*ESCAPES, "\\0", "\\x00", "\\U00110000", "\\U0010ffff", "\\uD800\\uDC00"]


@st.composite
def unicode_docs(draw: st.DrawFn) -> Hostile:
    """Lone surrogates, NUL and other hostile characters: raw in the text (as an editor may send them) or escaped."""
    as_json = draw(st.booleans())
    if draw(st.booleans()):
        junk = draw(st.lists(st.sampled_from(BAD_CHARACTERS) | st.text(max_size=3), min_size=1, max_size=4))
        value = "".join(junk)
    else:
        value = draw(st.sampled_from(ESCAPES if as_json else YAML_ESCAPES))
    where = draw(st.sampled_from(["entryScript", "condaFile", "sourceDirectory", "key", "comment"]))
    if as_json:
        quoted = '"' + value.replace('"', "") + '"'
        if where == "key":
            text = "{" + quoted + ': 1, "entryScript": "score.py"}'
        elif where == "comment":
            text = '{"entryScript": "score.py"} // ' + value
        else:
            extra = ', "entryScript": "score.py"' if where != "entryScript" else ""
            text = '{"' + where + '": ' + quoted + extra + "}"
        name = "inferenceconfig.json"
    else:
        quoted = '"' + value.replace('"', "") + '"'
        if where == "key":
            text = f"{quoted}: 1\nentryScript: score.py\n"
        elif where == "comment":
            text = f"entryScript: score.py  # {value}\n"
        else:
            text = f"{where}: {quoted}\n" + ("entryScript: score.py\n" if where != "entryScript" else "")
        name = "inferenceconfig.yml"
    return Hostile("invalid Unicode", text, name)


SEGMENTS = ["..", ".", "a" * 300, "b" * 255, "score.py", "~", "/", "//", "\\", "C:", "sub", "x" * 4200]


@st.composite
def paths(draw: st.DrawFn) -> Hostile:
    """Names a file system cannot hold, absolute paths and ``..``: the value must get an error, never a traceback."""
    shape = draw(st.sampled_from(["long", "segments", "fixed"]))
    if shape == "long":
        value = "s" * draw(st.integers(250, 6000)) + draw(st.sampled_from([".py", "", "/score.py"]))
    elif shape == "segments":
        value = "/".join(draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6))) + ".py"
    else:
        value = draw(
            st.sampled_from(
                ["/etc/passwd", "/", "..", "../score.py", "../../../../../../etc/passwd", "/dev/zero", "~/score.py"]
            )
        )
    return path_doc(value)


def path_doc(value: str) -> Hostile:
    text = '{"entryScript": "' + value.replace("\\", "\\\\") + '"}'
    start = text.index('"', 15)
    return Hostile("path or long name", text, "inferenceconfig.json", value=(start, len(text) - 1))


@st.composite
def key_counts(draw: st.DrawFn) -> Hostile:
    count = draw(st.integers(1, 2000) | st.integers(limits.MAX_VALUES - 50, limits.MAX_VALUES + 20_000))
    form = draw(st.sampled_from(["JSON keys", "YAML keys", "JSON items", "YAML tags"]))
    if form == "JSON keys":
        text = '{"computeType": "local", ' + ", ".join(f'"k{i}": 1' for i in range(count)) + "}"
    elif form == "JSON items":
        text = '{"computeType": "local", "tags": [' + ", ".join("0" for _ in range(count)) + "]}"
    elif form == "YAML keys":
        text = "computeType: local\n" + "".join(f"k{i}: 1\n" for i in range(count))
    else:
        text = "computeType: local\ntags:\n" + "".join(f"  k{i}: v\n" for i in range(count))
    name = "deploymentconfig.json" if form.startswith("JSON") else "deploymentconfig.yml"
    return Hostile(
        f"huge key count ({form})", text, name, *_verdict(count, limits.MAX_VALUES, limits.TOO_MANY_VALUES.code)
    )


RUN_CHARACTERS = ["&", "!", "*", " ", "\t", "-", ": ", "- ", "? ", "#", "'", '"', "\\", "{", "[", ",", "a", "\n", "\n "]


@st.composite
def long_runs(draw: st.DrawFn) -> Hostile:
    """A long run of one token, alone or after a key: what makes a backtracking pattern take quadratic time."""
    run = draw(st.sampled_from(RUN_CHARACTERS)) * draw(st.integers(1_000, 60_000))
    place = draw(st.sampled_from(["line", "value", "key", "after"]))
    text = {
        "line": run,
        "value": "computeType: local\nport: " + run + "\n",
        "key": "computeType: local\n" + run + ": 1\n",
        "after": '{"computeType": "local"}' + run,
    }[place]
    return Hostile("long run", text, "deploymentconfig.json" if place == "after" else "deploymentconfig.yml")


def any_hostile(big: bool = True) -> st.SearchStrategy[Hostile]:
    classes = [deep(), aliases(), merges(), numbers(), unicode_docs(), paths(), long_runs()]
    return st.one_of(*classes, key_counts()) if big else st.one_of(*classes)

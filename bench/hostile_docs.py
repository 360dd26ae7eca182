"""Documents built to hurt a JSON/YAML reader, one class per way a document can break a naive one.

Used by ``bench/hostile.py``. Each builder yields ``Doc(cls, label, name, data)``: the class the table groups
by, a short label, the file name (which also selects the document kind) and the file's bytes. Sizes start at
what a real config never reaches and go to the sizes that broke the language core before issue 16.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "configs"
sys.path.insert(0, str(ROOT))

# The builders the fuzz tests draw from, at the fixed sizes this table reports.
from tests.python.hostile import alias_bomb, merge_chain, nest  # noqa: E402

DEPTHS = (50, 275, 300, 500, 1000, 2000)
# Single-line forms cost one or two characters per level: they also go far beyond.
LINE_DEPTHS = (*DEPTHS, 10_000, 100_000)


@dataclass(frozen=True, slots=True)
class Doc:
    cls: str
    label: str
    name: str
    data: bytes


def nesting() -> Iterator[Doc]:
    def doc(cls: str, label: str, form: str, depth: int, closed: bool = True) -> Doc:
        text, name = nest(form, depth, closed)
        return Doc(cls, label, name, text.encode())

    for d in DEPTHS:
        yield doc("deep YAML block mapping", f"depth {d}", "block mapping", d)
        yield doc("deep YAML block sequence", f"depth {d}", "block sequence", d)
        # One-space indentation keeps the file under the size limit at the deepest levels.
        mapping = "".join(" " * i + "a:\n" for i in range(d)) + " " * d + "b: 1\n"
        yield Doc("deep YAML block mapping", f"root, depth {d}", "inferenceconfig.yml", mapping.encode())
    for d in LINE_DEPTHS:
        yield doc("deep YAML '- - -'", f"depth {d}", "dash sequence", d)
        yield doc("deep YAML flow [", f"depth {d}", "flow [", d)
        yield doc("deep YAML flow {", f"depth {d}", "flow {", d)
        yield doc("deep YAML flow [", f"unclosed, depth {d}", "flow [", d, closed=False)
        yield doc("deep JSON array", f"depth {d}", "JSON [", d)
        yield doc("deep JSON object", f"depth {d}", "JSON {", d)
        yield Doc("deep JSON array", f"unclosed, depth {d}", "deploymentconfig.json", ("[" * d).encode())
        yield Doc("deep JSON object", f"unclosed, depth {d}", "inferenceconfig.json", ('{"a": ' * d).encode())


def aliases() -> Iterator[Doc]:
    for levels, width in ((3, 3), (5, 5), (6, 10), (9, 9), (12, 12)):
        for mapping in (False, True):
            form = "mappings" if mapping else "sequences"
            label = f"{levels} levels of {width} aliases, {form}"
            yield Doc("YAML alias bomb", label, "deploymentconfig.yml", alias_bomb(levels, width, mapping).encode())


def merges() -> Iterator[Doc]:
    for length in (10, 100, 500, 2000, 10_000):
        yield Doc(
            "YAML merge-key chain", f"length {length}", "deploymentconfig.yml", merge_chain(length, False).encode()
        )
        yield Doc(
            "YAML merge-key chain",
            f"length {length}, lists",
            "deploymentconfig.yml",
            merge_chain(length, True).encode(),
        )


def numbers() -> Iterator[Doc]:
    for digits in (100, 4300, 5000, 100_000):
        for label, literal in (
            ("decimal", "9" * digits),
            ("negative decimal", "-" + "9" * digits),
            ("hex", "0x" + "f" * digits),
            ("octal", "0o" + "7" * digits),
            ("YAML 1.1 octal", "0" + "7" * digits),
            ("binary", "0b" + "1" * digits),
            ("underscored", "1_" * (digits // 2) + "1"),
            ("sexagesimal", "1" + ":30" * (digits // 3)),
            ("fraction", "1." + "5" * digits),
            ("exponent", "1e" + "9" * min(digits, 400)),
        ):
            yield Doc(
                "huge number",
                f"YAML {label}, {digits} digits",
                "deploymentconfig.yml",
                f"computeType: local\nport: {literal}\n".encode(),
            )
        json_int = '{"computeType": "local", "port": ' + "9" * digits + "}"
        yield Doc("huge number", f"JSON decimal, {digits} digits", "deploymentconfig.json", json_int.encode())
        json_float = (
            '{"computeType": "ACI", "containerResourceRequirements": {"cpu": 1e' + "9" * min(digits, 400) + "}}"
        )
        yield Doc(
            "huge number", f"JSON exponent, {min(digits, 400)} digits", "deploymentconfig.json", json_float.encode()
        )


def unicode_docs() -> Iterator[Doc]:
    escapes = {
        "lone high surrogate": "\\ud800",
        "lone low surrogate": "\\udfff",
        "reversed pair": "\\udc00\\ud800",
        "NUL": "\\u0000",
        "NUL inside": "sc\\u0000ore.py",
        "noncharacter": "\\uffff",
        "BOM": "\\ufeffscore.py",
        "right-to-left override": "\\u202eyp.erocs",
    }
    for label, escape in escapes.items():
        for key in ("entryScript", "sourceDirectory", "condaFile"):
            extra = ', "entryScript": "score.py"' if key != "entryScript" else ""
            text = '{"' + key + '": "' + escape + '"' + extra + "}"
            yield Doc("invalid Unicode", f"JSON {key} {label}", "inferenceconfig.json", text.encode())
        yield Doc(
            "invalid Unicode",
            f"JSON key {label}",
            "deploymentconfig.json",
            ('{"' + escape + '": 1, "computeType": "local"}').encode(),
        )
        yield Doc(
            "invalid Unicode",
            f"JSON computeType {label}",
            "deploymentconfig.json",
            ('{"computeType": "' + escape + '"}').encode(),
        )
        yield Doc(
            "invalid Unicode", f"YAML entryScript {label}", "inferenceconfig.yml", f'entryScript: "{escape}"\n'.encode()
        )
        yield Doc(
            "invalid Unicode",
            f"YAML key {label}",
            "deploymentconfig.yml",
            f'"{escape}": 1\ncomputeType: local\n'.encode(),
        )
    for label, escape in (
        ("\\0", "\\0"),
        ("\\U00110000", "\\U00110000"),
        ("\\x00", "sc\\x00ore.py"),
        ("\\uD800", "\\uD800"),
    ):
        yield Doc(
            "invalid Unicode", f"YAML escape {label}", "inferenceconfig.yml", f'entryScript: "{escape}"\n'.encode()
        )
    raw = {
        "raw NUL byte": b'{"entryScript": "sc\x00ore.py"}',
        "invalid UTF-8": b'{"entryScript": "\xff\xfe.py"}',
        "UTF-8 encoded surrogate": b'{"entryScript": "\xed\xa0\x80.py"}',
        "UTF-16 with BOM": '{"entryScript": "score.py"}'.encode("utf-16"),
        "raw control characters": b'{"entryScript": "sc\x01\x1b[2Jore.py"}',
    }
    for label, data in raw.items():
        yield Doc("invalid Unicode", label, "inferenceconfig.json", data)


def long_names() -> Iterator[Doc]:
    values = {
        "300 characters": "a" * 296 + ".py",
        "255 characters": "a" * 252 + ".py",
        "5 000 characters": "a" * 4996 + ".py",
        "path longer than PATH_MAX": "d/" * 2100 + "score.py",
        "absolute": "/etc/passwd",
        "absolute .py": "/usr/lib/python3/score.py",
        "root": "/",
        "parent": "..",
        "parents": "../../../../../../../../etc/passwd",
        "parent .py": "../score.py",
        "dot": ".",
        "home": "~/score.py",
        "Windows drive": "C:\\\\Users\\\\score.py",
        "UNC": "\\\\\\\\server\\\\share\\\\score.py",
        "URI": "file:///etc/passwd",
        "trailing slash": "score.py/",
        "newline": "score.py\\nx",
        "only spaces": "   ",
        "device": "/dev/zero",
        "fifo-like": "/proc/self/fd/0",
    }
    for label, value in values.items():
        for key in ("entryScript", "sourceDirectory", "condaFile", "extraDockerfileSteps"):
            extra = ', "entryScript": "score.py"' if key != "entryScript" else ""
            text = '{"' + key + '": "' + value + '"' + extra + "}"
            yield Doc("path or long name", f"{key} {label}", "inferenceconfig.json", text.encode())
        tls = (
            '{"computeType": "ACI", "sslEnabled": true, "sslCertificate": "'
            + value
            + '", "sslKey": "'
            + value
            + '", "cname": "x.example.com"}'
        )
        yield Doc("path or long name", f"sslCertificate {label}", "deploymentconfig.json", tls.encode())
    long_key = '{"' + "k" * 100_000 + '": 1, "computeType": "local"}'
    yield Doc("path or long name", "key of 100 000 characters", "deploymentconfig.json", long_key.encode())
    long_value = '{"computeType": "' + "local" * 100_000 + '"}'
    yield Doc("path or long name", "computeType of 500 000 characters", "deploymentconfig.json", long_value.encode())


def key_counts(sizes: tuple[int, ...] = (10_000, 50_000)) -> Iterator[Doc]:
    for n in sizes:
        json_keys = '{"computeType": "local", ' + ", ".join(f'"k{i}": {i}' for i in range(n)) + "}"
        yield Doc("huge key count", f"JSON, {n} keys", "deploymentconfig.json", json_keys.encode())
        yaml_keys = "computeType: local\n" + "".join(f"k{i}: {i}\n" for i in range(n))
        yield Doc("huge key count", f"YAML, {n} keys", "deploymentconfig.yml", yaml_keys.encode())
        nested = "computeType: local\ntags:\n" + "".join(f"  k{i}: v\n" for i in range(n))
        yield Doc("huge key count", f"YAML, {n} keys in tags", "deploymentconfig.yml", nested.encode())
        duplicates = '{"computeType": "local", ' + ", ".join('"port": 1' for _ in range(n)) + "}"
        yield Doc("huge key count", f"JSON, one key {n} times", "deploymentconfig.json", duplicates.encode())


def long_runs() -> Iterator[Doc]:
    """One token repeated on a line: quadratic for a backtracking pattern, nesting for YAML's ``? `` keys."""
    for token in ("&", "!", "*", " ", "- ", ": ", "#", "'", "\\", "a"):
        for n in (30, 5_000, 50_000):
            yield Doc("long run of one token", f"{token!r} x {n}", "deploymentconfig.yml", (token * n + "\n").encode())
    for n in (8, 24, 40, 64, 1000):
        yield Doc("nested YAML complex keys", f"'? ' x {n}", "deploymentconfig.yml", ("? " * n + "\n").encode())


def hostile() -> list[Doc]:
    docs: list[Doc] = []
    for builder in (nesting, aliases, merges, numbers, unicode_docs, long_names, key_counts, long_runs):
        docs.extend(builder())
    return docs


def big(full: bool) -> list[Doc]:
    """The big documents of issue 16's table, timed rather than counted."""
    keys, comments, items = (100_000, 1_000_000, 1_000_000) if full else (50_000, 400_000, 200_000)
    key_text = '{"computeType": "local", ' + ", ".join(f'"k{i}": {i}' for i in range(keys)) + "}"
    # Short lines: the CLI reads files up to 5 MB, and a million lines must fit.
    comment_text = "computeType: local\n" + "#\n" * comments + "port: 8080\n"
    array_text = '{"computeType": "local", "tags": [' + ", ".join("1" for _ in range(items)) + "]}"
    return [
        Doc("big", f"{keys:,} keys (JSON)", "deploymentconfig.json", key_text.encode()),
        Doc("big", f"{comments:,} comment lines (YAML)", "deploymentconfig.yml", comment_text.encode()),
        Doc("big", f"{items:,}-element array (JSON)", "deploymentconfig.json", array_text.encode()),
    ]


ALPHABET = [*"{}[]:,\"' \n\t-#&*!|>?%@`\\0123456789.eE+xo_truefalsnul<", "\u00e9", "\U0001f642", "\x00", "\r"]


def mutations(count: int, seed: int) -> list[Doc]:
    """Random edits of the fixture configs: inserts, deletions, replacements and repeated chunks."""
    rng = random.Random(seed)
    seeds = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".json", ".yml", ".yaml"))
    out: list[Doc] = []
    for n in range(count):
        origin = rng.choice(seeds)
        text = origin.read_text(encoding="utf-8")
        for _ in range(rng.randint(1, 8)):
            at = rng.randint(0, len(text))
            end = min(len(text), at + rng.randint(0, 12))
            action = rng.random()
            piece = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6)))
            if action < 0.3:
                text = text[:at] + piece + text[at:]
            elif action < 0.5:
                text = text[:at] + text[end:]
            elif action < 0.8:
                text = text[:at] + piece + text[end:]
            else:
                # A chunk repeated many times: brackets and indentation become nesting, keys become key counts.
                text = text[:at] + text[at:end] * rng.choice((2, 10, 100, 1000)) + text[end:]
        kind = "inferenceconfig" if origin.parent.name == "inference" else "deploymentconfig"
        name = f"{kind}{origin.suffix}"
        out.append(Doc("mutation", f"#{n} of {origin.name}", name, text.encode("utf-8", "surrogatepass")))
    return out

"""Incremental ``didChange`` edits in the encoding the client negotiated, with LSP's line breaks.

The server applies them itself (not through pygls, whose line split also breaks at U+2028, U+0085 and form feeds,
and whose clamp past the end of the last line lands one character early).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.python.lsp import encodings
from tests.python.lsp.conftest import codes, diagnostics_when, open_document, replace_all
from tests.python.lsp.encodings import (
    DEPLOYMENT,
    WIDE,
    change,
    encoding_of,
    position_at,
    span_of,
)

# The fixture: a client offering one encoding (each test runs with each).
client = encodings.client


@pytest.mark.asyncio
async def test_an_incremental_change_after_wide_characters(client: LanguageClient, workspace: Path) -> None:
    encoding = encoding_of(client)
    text = f'{{"computeType": "local", "x": "{WIDE}🙂", "port": 80}}'
    uri = open_document(client, workspace / "deploymentconfig.json", text)
    await diagnostics_when(client, uri, lambda d: codes(d) == ["DC006"])
    # Quote the port, then (positions now in the new text) add a key after the emoji of "x".
    quoted = text.replace("80", '"80"')
    client.text_document_did_change(
        change(
            uri,
            2,
            (span_of(text, "80", encoding), '"80"'),
            (span_of(quoted, '", "port"', encoding), '", "prot": 1, "port"'),
        )
    )
    new = quoted.replace('", "port"', '", "prot": 1, "port"')
    found = await diagnostics_when(client, uri, lambda d: "DC002" in codes(d))
    assert codes(found) == ["DC002", "DC006", "DC006"]
    ranges = {(str(d.code), (d.data or {}).get("key")): d.range for d in found}
    assert ranges[("DC002", None)] == span_of(new, '"80"', encoding)
    assert ranges[("DC006", "prot")] == span_of(new, '"prot"', encoding)


@pytest.mark.asyncio
async def test_incremental_changes_count_lines_as_lsp_does(client: LanguageClient, workspace: Path) -> None:
    encoding = encoding_of(client)
    # U+2028, U+0085 and a form feed end lines for Python's splitlines, not for LSP: "port" is on line 1.
    text = '{"computeType": "local", "x": "\u2028🙂\x85\x0c",\n  "port": 8'
    uri = open_document(client, workspace / "deploymentconfig.json", text)
    await diagnostics_when(client, uri, lambda d: any(str(c).startswith("JS") for c in codes(d)))
    # Quote the 8, then append "}" with a character past the end of the last line (LSP: the line's end).
    past_the_end = types.Position(line=1, character=999)
    client.text_document_did_change(
        change(uri, 2, (span_of(text, "8", encoding), '"8"'), (types.Range(start=past_the_end, end=past_the_end), "}"))
    )
    new = text.replace("8", '"8"') + "}"
    found = await diagnostics_when(client, uri, lambda d: "DC002" in codes(d))
    assert codes(found) == ["DC002", "DC006"]
    assert next(d for d in found if d.code == "DC002").range == span_of(new, '"8"', encoding)


PIECES = ["{", "}", '"', ":", ",", " ", "\n", "\r\n", "\r", "port", "80", "🙂", "名", "e\u0301", "\u2028", "\x85"]


def random_edit(rng: random.Random, text: str) -> tuple[int, int, str]:
    """A replacement of ``text[start:end]``; neither end splits a \\r\\n (no LSP position lies between them)."""
    while True:
        start = rng.randint(0, len(text))
        end = min(len(text), start + rng.choice([0, 0, 1, 2, 5, 20]))
        if all(text[i - 1 : i + 1] != "\r\n" for i in (start, end)):
            return start, end, "".join(rng.choices(PIECES, k=rng.randint(0, 4)))


@pytest.mark.asyncio
async def test_random_incremental_changes_give_the_text_a_full_change_gives(
    client: LanguageClient, workspace: Path
) -> None:
    """Document A gets random incremental edits (several per notification, each in the text the previous one left)
    around wide characters and line breaks; document B gets the expected text whole. Their outlines and then their
    diagnostics must agree, range for range."""
    encoding = encoding_of(client)
    rng = random.Random(encoding)
    (workspace / "a").mkdir()
    (workspace / "b").mkdir()
    text = DEPLOYMENT
    a = open_document(client, workspace / "a" / "deploymentconfig.json", text)
    b = open_document(client, workspace / "b" / "deploymentconfig.json", text)

    async def outline(uri: str) -> list[tuple[str, types.Range, types.Range]]:
        found = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        flat: list[tuple[str, types.Range, types.Range]] = []
        pending = [s for s in found or [] if isinstance(s, types.DocumentSymbol)]
        while pending:
            symbol = pending.pop()
            flat.append((f"{symbol.name}={symbol.detail}", symbol.range, symbol.selection_range))
            pending.extend(symbol.children or [])
        return sorted(flat, key=repr)

    for version in range(2, 42):
        changes = []
        for _ in range(rng.randint(1, 3)):
            start, end, new = random_edit(rng, text)
            changes.append(
                (types.Range(start=position_at(text, start, encoding), end=position_at(text, end, encoding)), new)
            )
            text = text[:start] + new + text[end:]
        client.text_document_did_change(change(a, version, *changes))
        replace_all(client, b, text, version)
        if version % 8 == 0:
            assert await outline(a) == await outline(b), repr(text)

    def seen(d: Sequence[types.Diagnostic]) -> list[tuple[str, types.Range, str]]:
        return sorted(((str(x.code), x.range, x.message) for x in d), key=repr)

    await diagnostics_when(client, a, lambda d: seen(d) == seen(client.diagnostics.get(b, [])) and bool(d))

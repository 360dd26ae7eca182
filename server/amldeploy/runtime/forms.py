"""Request data structures in Werkzeug's shape: headers, multi-dicts, uploaded files, query and form parsing."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _requote(error: UnicodeError) -> tuple[str, int]:
    # Werkzeug keeps bytes that are not UTF-8 percent-encoded (``%FF``) instead of replacing them.
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(f"%{b:02X}" for b in bad), error.end


codecs.register_error("amldeploy.url_quote", _requote)


def parse_query(raw: bytes) -> list[tuple[str, str]]:
    """``a=1&b=%C3%A9`` pairs, percent-decoded as UTF-8 (raw non-ASCII bytes are taken as UTF-8 too)."""
    text = "".join(chr(b) if b < 0x80 else f"%{b:02X}" for b in raw) if not raw.isascii() else raw.decode("ascii")
    return parse_qsl(text, keep_blank_values=True, errors="amldeploy.url_quote")


def split_content_type(value: str) -> tuple[str, dict[str, str]]:
    """``'text/plain; charset="utf-8"'`` → ``('text/plain', {'charset': 'utf-8'})``."""
    main, *rest = value.split(";")
    params: dict[str, str] = {}
    for item in rest:
        key, sep, val = item.strip().partition("=")
        if sep:
            params[key.strip().lower()] = val.strip().strip('"')
    return main.strip().lower(), params


def is_json_mimetype(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


class Headers:
    """Case-insensitive, read-only request headers; iterating yields ``(name, value)`` like Werkzeug."""

    __slots__ = ("_items",)

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        items: dict[str, str] = {}
        for name, value in pairs:
            if "_" in name:
                continue  # gunicorn drops these: they would alias dashed names in the WSGI environ
            key = name.title()
            items[key] = f"{items[key]},{value}" if key in items else value
        self._items = items

    @staticmethod
    def _key(name: str) -> str:
        return name.replace("_", "-").title()

    def get(self, name: str, default: Any = None, type: Any = None) -> Any:
        value = self._items.get(self._key(name))
        if value is None:
            return default
        if type is None:
            return value
        try:
            return type(value)
        except ValueError:
            return default

    def getlist(self, name: str) -> list[str]:
        value = self._items.get(self._key(name))
        return [] if value is None else [value]

    def __getitem__(self, name: str) -> str:
        return self._items[self._key(name)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) in self._items

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items.items())

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[str]:
        return list(self._items)

    def values(self) -> list[str]:
        return list(self._items.values())

    def items(self) -> list[tuple[str, str]]:
        return list(self._items.items())

    def to_dict(self) -> dict[str, str]:
        return dict(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class MultiDict:
    """Ordered ``key → [values]`` with Werkzeug's reading API (``get`` gives the first value)."""

    __slots__ = ("_lists",)

    def __init__(self, pairs: Iterable[tuple[str, Any]] = ()) -> None:
        self._lists: dict[str, list[Any]] = {}
        for key, value in pairs:
            self._lists.setdefault(key, []).append(value)

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:
        values = self._lists.get(key)
        if not values:
            return default
        if type is None:
            return values[0]
        try:
            return type(values[0])
        except ValueError:
            return default

    def getlist(self, key: str, type: Any = None) -> list[Any]:
        values = list(self._lists.get(key, []))
        return values if type is None else [type(v) for v in values]

    def __getitem__(self, key: str) -> Any:
        values = self._lists.get(key)
        if not values:
            raise KeyError(key)
        return values[0]

    def __contains__(self, key: object) -> bool:
        return key in self._lists

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)

    def keys(self) -> list[str]:
        return list(self._lists)

    def values(self) -> list[Any]:
        return [v[0] for v in self._lists.values()]

    def items(self, multi: bool = False) -> list[tuple[str, Any]]:
        if multi:
            return [(k, v) for k, vs in self._lists.items() for v in vs]
        return [(k, vs[0]) for k, vs in self._lists.items()]

    def lists(self) -> list[tuple[str, list[Any]]]:
        return [(k, list(vs)) for k, vs in self._lists.items()]

    def to_dict(self, flat: bool = True) -> dict[str, Any]:
        return {k: (vs[0] if flat else list(vs)) for k, vs in self._lists.items()}

    def __repr__(self) -> str:
        return f"MultiDict({self.items(multi=True)!r})"


class FileStorage:
    """An uploaded file of a multipart form: file-like, with ``filename``, ``content_type`` and ``save()``."""

    def __init__(self, data: bytes, filename: str | None, name: str | None, content_type: str | None) -> None:
        self.stream = io.BytesIO(data)
        self.filename = filename
        self.name = name
        self.content_type = content_type
        self.mimetype = split_content_type(content_type or "")[0]

    def read(self, size: int = -1) -> bytes:
        return self.stream.read(size)

    def readline(self, size: int = -1) -> bytes:
        return self.stream.readline(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.stream.seek(offset, whence)

    def tell(self) -> int:
        return self.stream.tell()

    def save(self, dst: Any) -> None:
        data = self.stream.getvalue()
        if hasattr(dst, "write"):
            dst.write(data)
        else:
            with open(dst, "wb") as f:
                f.write(data)

    def close(self) -> None:
        self.stream.close()

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)

    def __bool__(self) -> bool:
        return bool(self.filename)

    def __repr__(self) -> str:
        return f"<FileStorage: {self.filename!r} ({self.content_type!r})>"


def parse_multipart(body: bytes, boundary: str) -> tuple[MultiDict, MultiDict]:
    """Fields and files of a ``multipart/form-data`` body."""
    form: list[tuple[str, str]] = []
    files: list[tuple[str, FileStorage]] = []
    delimiter = b"--" + boundary.encode("latin-1")
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        fields: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip().lower()] = value.strip()
        _, disposition = split_content_type(fields.get("content-disposition", ""))
        name = disposition.get("name", "")
        if "filename" in disposition:
            files.append((name, FileStorage(data, disposition["filename"], name, fields.get("content-type"))))
        else:
            form.append((name, data.decode("utf-8", "replace")))
    return MultiDict(form), MultiDict(files)


def decode_path(raw: str) -> str:
    return unquote(raw, errors="replace")

"""What became of each key a v1 config set: mapped to a v2 (or IoT Edge) key, or dropped with the reason.

The keys a user wrote are those pydantic saw (``model_fields_set``), named by their JSON aliases and joined with
dots. An export gives every one of them a fate; a key nobody claimed is reported as dropped, so that nothing
goes missing without a word (the tests check that no key of their matrix falls through to that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

UNCLAIMED = "amldeploy export does not carry this key over"


@dataclass(frozen=True, slots=True)
class Fate:
    file: str  # "inference" or "deployment": which v1 config the key is in
    key: str  # the JSON path, dotted: containerResourceRequirements.cpu
    to: str | None  # where it went ("deployment.yml: instance_type"); None when it was dropped
    note: str = ""  # how it was mapped, or why it was dropped

    @property
    def dropped(self) -> bool:
        return self.to is None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "key": self.key, "to": self.to, "note": self.note}

    def line(self) -> str:
        if self.to is None:
            return f"dropped {self.key}: {self.note}"
        return f"{self.key} -> {self.to}" + (f" ({self.note})" if self.note else "")


def set_keys(model: BaseModel, stop: frozenset[str] = frozenset(), prefix: str = "") -> list[str]:
    """The dotted JSON paths of the keys ``model`` was given, nested models walked down unless in ``stop``."""
    keys: list[str] = []
    fields = type(model).model_fields
    for name in sorted(model.model_fields_set, key=list(fields).index):
        info = fields[name]
        alias = info.alias or name
        path = f"{prefix}{alias}"
        value = getattr(model, name)
        if isinstance(value, BaseModel) and path not in stop and value.model_fields_set:
            keys.extend(set_keys(value, stop, f"{path}."))
        else:
            keys.append(path)
    return keys


@dataclass(slots=True)
class Fates:
    """The fates of one config's keys, claimed by the mapping as it goes."""

    file: str
    keys: list[str]
    _fates: dict[str, Fate] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        return any(k == key or k.startswith(f"{key}.") for k in self.keys)

    def mapped(self, key: str, to: str, note: str = "") -> None:
        """``key`` (and every key under it) went to ``to``; nothing is recorded when the config did not set it."""
        self._claim(key, to, note)

    def dropped(self, key: str, reason: str) -> None:
        self._claim(key, None, reason)

    def _claim(self, key: str, to: str | None, note: str) -> None:
        for k in self.keys:
            if (k == key or k.startswith(f"{key}.")) and k not in self._fates:
                self._fates[k] = Fate(self.file, k, to, note)

    def all(self) -> list[Fate]:
        """Every key's fate, in the config's order; an unclaimed key is dropped with ``UNCLAIMED``."""
        return [self._fates.get(k) or Fate(self.file, k, None, UNCLAIMED) for k in self.keys]

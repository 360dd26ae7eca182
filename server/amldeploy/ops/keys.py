"""Service keys: generated at deploy (or taken from the deployment config's ``keys``), never written to disk."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

# Azure's keys are 32 letters and digits; so are ours, which keeps them safe in headers and shells.
KEY_ALPHABET = string.ascii_letters + string.digits
KEY_LENGTH = 32


def generate_key(length: int = KEY_LENGTH) -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(length))


@dataclass(frozen=True, slots=True)
class ServiceKeys:
    primary: str
    secondary: str

    def __repr__(self) -> str:
        # Keys must not leak through logs, tracebacks or debug output.
        return "ServiceKeys(primary=<hidden>, secondary=<hidden>)"

    __str__ = __repr__

    def accepts(self, key: str) -> bool:
        return secrets.compare_digest(key, self.primary) or secrets.compare_digest(key, self.secondary)

    def to_json(self) -> dict[str, str]:
        return {"primaryKey": self.primary, "secondaryKey": self.secondary}


def generate_keys() -> ServiceKeys:
    return ServiceKeys(generate_key(), generate_key())


def keys_for(primary: str | None, secondary: str | None) -> ServiceKeys:
    """The keys a deployment config asks for (``keys.primaryKey``/``secondaryKey``), generated where absent."""
    return ServiceKeys(primary or generate_key(), secondary or generate_key())

"""One module per LSP area, each with ``register(server)``."""

from __future__ import annotations

from collections.abc import Callable

from amldeploy.lsp.features import commands, diagnostics
from amldeploy.lsp.server import AmlLanguageServer

FEATURES: tuple[Callable[[AmlLanguageServer], None], ...] = (diagnostics.register, commands.register)

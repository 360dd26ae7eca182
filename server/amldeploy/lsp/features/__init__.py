"""One module per LSP area, each with ``register(server)``."""

from __future__ import annotations

from collections.abc import Callable

from amldeploy.lsp.features import (
    code_actions,
    completion,
    computetargets,
    diagnostics,
    export,
    hover,
    logs,
    models,
    operations,
    outline,
    profile,
    services,
    workspace,
)
from amldeploy.lsp.server import AmlLanguageServer

FEATURES: tuple[Callable[[AmlLanguageServer], None], ...] = (
    diagnostics.register,
    completion.register,
    hover.register,
    code_actions.register,
    outline.register,
    services.register,
    operations.register,
    logs.register,
    profile.register,
    workspace.register,
    export.register,
    computetargets.register,
    models.register,
)

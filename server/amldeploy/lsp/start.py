"""``create_server``: the server with every feature registered (the only module that knows them all)."""

from __future__ import annotations

import logging

from amldeploy.lsp.features import FEATURES
from amldeploy.lsp.server import EXPECTED_ERRORS, AmlLanguageServer


def create_server() -> AmlLanguageServer:
    logging.getLogger("pygls.protocol.json_rpc").addFilter(EXPECTED_ERRORS)
    server = AmlLanguageServer()
    for register in FEATURES:
        register(server)
    return server

"""amldeploy's custom LSP methods (mirrored by ``extension/src/client/protocol.ts``; a test keeps them equal).

Requests run operations in the server; notifications stream their output. Long requests report ``$/progress``
through the work-done token the client passes and honour ``$/cancelRequest``.
"""

from __future__ import annotations

from typing import Final

# Requests (client → server)
DEPLOY: Final = "amldeploy/deploy"
PACKAGE: Final = "amldeploy/package"
SERVICES: Final = "amldeploy/services"
DELETE: Final = "amldeploy/delete"
SCORE: Final = "amldeploy/score"
LOGS_START: Final = "amldeploy/logs/start"
LOGS_STOP: Final = "amldeploy/logs/stop"

# Notifications (server → client)
LOG: Final = "amldeploy/log"
SERVICES_CHANGED: Final = "amldeploy/servicesChanged"

REQUESTS: Final = (DEPLOY, PACKAGE, SERVICES, DELETE, SCORE, LOGS_START, LOGS_STOP)
NOTIFICATIONS: Final = (LOG, SERVICES_CHANGED)

# LSP's "RequestFailed": the request was valid but the server could not carry it out.
REQUEST_FAILED: Final = -32803

# What each request will do, for the "not available yet" answer until its operation lands.
PLANNED: Final = {
    DEPLOY: "deploying a service",
    PACKAGE: "packaging an image",
    SERVICES: "listing services",
    DELETE: "deleting a service",
    SCORE: "scoring a service",
    LOGS_START: "following service logs",
    LOGS_STOP: "following service logs",
}

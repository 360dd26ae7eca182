"""A Microsoft Entra ID (AAD) authority for the client-credentials flow that MSAL, under azure-identity, runs.

Serves ``GET /{tenant}/v2.0/.well-known/openid-configuration`` and ``POST /{tenant}/oauth2/v2.0/token``. It does not
serve instance discovery: a credential must be created with ``disable_instance_discovery=True`` for a non-public
authority (with discovery on, MSAL asks the public cloud and fails offline, which is what a target must avoid).

Accepted: the registered client id with its secret (``ClientSecretCredential``, ``EnvironmentCredential``) or with a
client assertion signed by the registered certificate's key (``CertificateCredential``). Tokens are JWTs (HS256, a
key shared with the fake ARM) with the claims ARM reads: ``aud`` (the scope without ``/.default``), ``tid``, ``oid``,
``appid``, ``iss``, ``iat``, ``nbf``, ``exp``. Errors carry the AADSTS codes of the real service.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509

from tests.infra.aci.https import Request, Response

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class App:
    client_id: str
    secret: str | None = None
    certificate: Path | None = None  # PEM with the key and the certificate
    object_id: str = field(default_factory=lambda: str(uuid.uuid4()))


class Entra:
    def __init__(self, tenant_id: str, signing_key: bytes) -> None:
        self.tenant_id = tenant_id
        self.signing_key = signing_key
        self.apps: dict[str, App] = {}
        self.token_lifetime_s = 3599
        self.issued: list[dict[str, Any]] = []  # claims of every token handed out
        self.requests: list[Request] = []
        self._lock = threading.Lock()

    def register(self, app: App) -> App:
        self.apps[app.client_id] = app
        return app

    def _error(self, status: int, error: str, code: int, description: str) -> Response:
        return Response(
            status,
            {
                "error": error,
                "error_description": f"AADSTS{code}: {description}\r\nTrace ID: {uuid.uuid4()}\r\n"
                f"Correlation ID: {uuid.uuid4()}\r\nTimestamp: {time.strftime('%Y-%m-%d %H:%M:%SZ', time.gmtime())}",
                "error_codes": [code],
                "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
                "trace_id": str(uuid.uuid4()),
                "correlation_id": str(uuid.uuid4()),
            },
        )

    def handle(self, req: Request, base: str) -> Response:
        with self._lock:
            self.requests.append(req)
        parts = req.path.strip("/").split("/")
        tenant = parts[0] if parts else ""
        if req.method == "GET" and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            if tenant not in (self.tenant_id, "organizations", "common"):
                return self._error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
            return Response(200, self.openid_configuration(base, tenant))
        if req.method == "POST" and parts[1:] == ["oauth2", "v2.0", "token"]:
            return self._token(req, base, tenant)
        return Response(404, {"error": "not_found", "error_description": f"{req.method} {req.path}"})

    def openid_configuration(self, base: str, tenant: str) -> dict[str, Any]:
        return {
            "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/{tenant}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/{tenant}/v2.0",
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/{tenant}/oauth2/v2.0/logout",
            "tenant_region_scope": None,
            "cloud_instance_name": "fake.invalid",
        }

    def _token(self, req: Request, base: str, tenant: str) -> Response:
        form = req.form()
        if tenant != self.tenant_id:
            return self._error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return self._error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        app = self.apps.get(form.get("client_id", ""))
        if app is None:
            return self._error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{form.get('client_id')}' was not found in the directory '{tenant}'.",
            )
        if "client_assertion" in form:
            problem = self._check_assertion(app, form, f"{base}/{tenant}/oauth2/v2.0/token")
            if problem:
                return self._error(401, "invalid_client", 700027, problem)
        elif app.secret is None or form.get("client_secret") != app.secret:
            return self._error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
                f"value, not the client secret ID, for a secret added to app '{app.client_id}'.",
            )
        scope = form.get("scope", "")
        resources = [s for s in scope.split() if s not in ("offline_access", "openid", "profile")]
        if len(resources) != 1 or not resources[0].endswith("/.default"):
            return self._error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {scope} is not valid. Client credential flows must have a scope value "
                "with /.default suffixed to the resource identifier (application ID URI).",
            )
        now = int(time.time())
        claims = {
            "aud": resources[0][: -len("/.default")] + "/",
            "iss": f"{base}/{tenant}/",
            "iat": now,
            "nbf": now,
            "exp": now + self.token_lifetime_s,
            "appid": app.client_id,
            "oid": app.object_id,
            "sub": app.object_id,
            "tid": tenant,
            "idtyp": "app",
            "ver": "1.0",
            "uti": uuid.uuid4().hex,
        }
        with self._lock:
            self.issued.append(claims)
        token = jwt.encode(claims, self.signing_key, algorithm="HS256", headers={"kid": "fake-azure"})
        return Response(
            200,
            {
                "token_type": "Bearer",
                "expires_in": self.token_lifetime_s,
                "ext_expires_in": self.token_lifetime_s,
                "access_token": token,
            },
        )

    def _check_assertion(self, app: App, form: dict[str, str], audience: str) -> str | None:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return "The client_assertion_type is not supported."
        if app.certificate is None:
            return f"Client application has no configured keys: '{app.client_id}'."
        cert = x509.load_pem_x509_certificate(app.certificate.read_bytes())
        try:
            claims = jwt.decode(
                form["client_assertion"],
                cert.public_key(),  # type: ignore[arg-type]
                algorithms=["RS256", "PS256", "ES256"],
                audience=audience,
                options={"require": ["exp", "aud", "iss", "sub"]},
            )
        except jwt.PyJWTError as exc:
            return f"Client assertion failed signature validation ({exc})."
        if claims["iss"] != app.client_id or claims["sub"] != app.client_id:
            return "Client assertion contains an invalid issuer or subject."
        return None

"""A real OpenID Connect provider for the browser tests, on a free loopback port (issue 12).

Built on Authlib's authorization server (``authlib.integrations.flask_oauth2``): the
Authorization Code grant with PKCE required (RFC 7636, S256) for a public client, OpenID
Connect's ID token, discovery (``/.well-known/openid-configuration``), the JWKS and an
end-session endpoint. What makes it the identity provider Concord expects in production:
its **access tokens are RS256 JWTs** (RFC 9068-style, without the claims Concord's claim
model refuses) carrying Concord's own claims (``sub``, ``name``, ``locale``, ``alliances``,
``operator``) with ``iss`` = the issuer and ``aud`` = the API's audience, signed with the key
the JWKS publishes, so the gateway verifies them as it would a production IdP's.

Users sign in on its own page (``/authorize``: a user name and a button), as a person would.
It is a test fixture, not a product: users live in memory, there is one signing key, and the
only registered client is the one the test names (its redirect URIs are checked exactly).

    with OidcProvider(audience="concord", client_id="concord-dashboard",
                      redirect_uris=[".../dashboard/"],
                      users={"op": {"name": "Operator", "operator": True}}) as idp:
        idp.issuer, idp.jwks_url, idp.mint(sub="x", aud="other")
"""

from __future__ import annotations

import html
import os
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import flask
import werkzeug.serving
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc import jwt
from joserfc.jwk import RSAKey

from devkit.local.ports import free_port

KID = "concord-test-idp-1"


@dataclass
class Client:
    client_id: str
    redirect_uris: Sequence[str]
    scopes: Sequence[str] = ("openid", "profile")

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in self.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # a public client (a page in a browser) has no secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class User:
    sub: str
    claims: Mapping[str, Any]


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: User
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class _QuietHandler(werkzeug.serving.WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class OidcProvider(AbstractContextManager["OidcProvider"]):
    def __init__(
        self,
        *,
        audience: str,
        client_id: str,
        redirect_uris: Sequence[str],
        users: Mapping[str, Mapping[str, Any]],
        token_ttl: int = 600,
        host: str = "127.0.0.1",
    ) -> None:
        self.audience = audience
        self.client = Client(client_id, list(redirect_uris))
        self.users = {sub: User(sub, dict(claims)) for sub, claims in users.items()}
        self.token_ttl = token_ttl
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
        self.host = host
        # Authlib refuses plain HTTP unless told; this provider listens on loopback only.
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
        self.port = free_port(host)
        self.codes: dict[str, Code] = {}
        self.issued: list[dict[str, Any]] = []  # the claims of every access token issued
        self._server: werkzeug.serving.BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # --- what the tests read -----------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    def access_claims(self, user: User, scope: str) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": user.sub,
            "iat": now,
            "exp": now + self.token_ttl,
            "jti": secrets.token_hex(8),
        }
        for name in ("name", "locale", "alliances", "operator"):
            if name in user.claims:
                claims[name] = user.claims[name]
        return claims

    def mint(self, **claims: Any) -> str:
        """An RS256 JWT signed with this provider's key (for tokens the gateway must refuse)."""
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, self.key)

    # --- the server ----------------------------------------------------------------------------

    def app(self) -> flask.Flask:
        provider = self
        app = flask.Flask("concord-test-idp")
        app.secret_key = secrets.token_bytes(16)

        class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
            TOKEN_ENDPOINT_AUTH_METHODS = ("none",)

            def save_authorization_code(self, code: str, request: Any) -> None:
                data = request.payload.data
                provider.codes[code] = Code(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.payload.scope,
                    user=request.user,
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                    nonce=data.get("nonce"),
                )

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> User:
                return authorization_code.user

        class IdToken(OpenIDCode):  # type: ignore[misc]
            def exists_nonce(self, nonce: str, request: Any) -> bool:
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client: Client) -> RSAKey:
                return provider.key

            def get_client_algorithm(self, client: Client) -> str:
                return "RS256"

            def get_encode_header(self, client: Client) -> dict[str, str]:
                return {"alg": "RS256", "kid": KID}

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                return {
                    "iss": provider.issuer,
                    "aud": [client.client_id],
                    "exp": int(time.time()) + provider.token_ttl,
                }

            def generate_user_info(self, user: User, scope: str) -> UserInfo:
                return UserInfo(sub=user.sub, name=user.claims.get("name", user.sub))

        server = AuthorizationServer(
            app,
            query_client=lambda cid: self.client if cid == self.client.client_id else None,
            save_token=lambda token, request: None,
        )

        def bearer(
            grant_type: str,
            client: Client,
            user: User | None = None,
            scope: str | None = None,
            expires_in: int | None = None,
            include_refresh_token: bool = True,
        ) -> dict[str, Any]:
            # The access token is a JWT (no refresh token: the page signs in again); its
            # `expires_in` says what its `exp` says.
            assert user is not None
            claims = provider.access_claims(user, scope or "")
            provider.issued.append(claims)
            token: dict[str, Any] = {
                "token_type": "Bearer",
                "access_token": provider.mint(**claims),
                "expires_in": claims["exp"] - claims["iat"],
            }
            if scope:
                token["scope"] = scope
            return token

        server.register_token_generator("default", bearer)
        server.register_grant(
            CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=False)]
        )

        @app.after_request
        def cors(response: flask.Response) -> flask.Response:
            # The page fetches discovery, keys and tokens from its own origin (the gateway).
            if flask.request.path != "/authorize":
                response.headers["access-control-allow-origin"] = "*"
                response.headers["access-control-allow-headers"] = "content-type, accept"
            return response

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            base = provider.issuer
            return {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
                "end_session_endpoint": f"{base}/logout",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
                "scopes_supported": list(provider.client.scopes),
            }

        @app.get("/jwks")
        def jwks() -> Any:
            return {"keys": [provider.key.as_dict(private=False)]}

        def login_page(error: str = "") -> str:
            query = html.escape(urlencode(flask.request.args))
            message = f'<p id="idp-error">{html.escape(error)}</p>' if error else ""
            return (
                "<!doctype html><html><head><title>Test identity provider</title></head><body>"
                "<h1>Test identity provider</h1>"
                f"<p>Sign in to <b id='idp-client'>{html.escape(provider.client.client_id)}</b></p>"
                f"{message}"
                f'<form method="post" action="/authorize?{query}">'
                '<label>User <input id="idp-user" name="username" autocomplete="off"></label> '
                '<button id="idp-sign-in" type="submit">Sign in</button></form></body></html>'
            )

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize() -> Any:
            if flask.request.method == "GET":
                try:
                    server.get_consent_grant(end_user=None)
                except Exception as error:  # an invalid request is refused before the form
                    return server.handle_error_response(flask.request, error)
                return login_page()
            user = provider.users.get(flask.request.form.get("username", ""))
            if user is None:
                return login_page("Unknown user"), 401
            grant = server.get_consent_grant(end_user=user)
            return server.create_authorization_response(grant=grant, grant_user=user)

        @app.post("/token")
        def token() -> Any:
            return server.create_token_response()

        @app.get("/logout")
        def logout() -> Any:
            target = flask.request.args.get("post_logout_redirect_uri", "")
            if target and target in provider.client.redirect_uris:
                return flask.redirect(target)
            return "<!doctype html><p id='idp-signed-out'>Signed out</p>"

        return app

    def __enter__(self) -> OidcProvider:
        self._server = werkzeug.serving.make_server(
            self.host, self.port, self.app(), threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

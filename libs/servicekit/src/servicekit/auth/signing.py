"""The gateway's signature over claims and request body (the Python side of the contract).

The gateway's own HMAC plugin signs only ``{query, variables}`` and not the forwarded claims
(ARCHITECTURE.md), so Concord's gateway signs ``service, timestamp, request id, claims,
sha256(body)`` itself; this module checks that signature (and makes one, for tests and tools
that play the gateway). The service name binds a signature to the subgraph it was made for;
the request id is what a subgraph remembers to refuse a replayed mutation
(:mod:`servicekit.auth.replay`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from servicekit.auth.claims import Claims, InvalidClaims

CLAIMS_HEADER = "x-concord-claims"
TIMESTAMP_HEADER = "x-concord-timestamp"
SIGNATURE_HEADER = "x-concord-signature"
REQUEST_ID_HEADER = "x-concord-request-id"
OPERATION_HEADER = "x-concord-operation"
"""On a WebSocket upgrade: base64url of the JSON ``{query, variables}`` the socket will run,
the bytes the signature covers in place of a body."""
VERSION = "concord-v2"
SIGNATURE_MAX_AGE = 300  # seconds of clock difference or delay accepted


class Unauthenticated(Exception):
    """The request did not come (recently) through the gateway, or its claims have expired."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(
    secret: str, service: str, timestamp: str, request_id: str, claims: str, body: bytes
) -> str:
    message = (
        f"{VERSION}\n{service}\n{timestamp}\n{request_id}\n{claims}\n"
        f"{hashlib.sha256(body).hexdigest()}"
    ).encode()
    return _b64(hmac.new(secret.encode(), message, hashlib.sha256).digest())


def sign_request(
    secret: str,
    claims: Mapping[str, Any],
    body: bytes,
    *,
    audience: str,
    request_id: str | None = None,
    now: float | None = None,
) -> dict[str, str]:
    """The headers the gateway adds to a request for the subgraph named ``audience``."""
    timestamp = str(int(now if now is not None else time.time()))
    encoded = _b64(json.dumps(claims, separators=(",", ":")).encode())
    rid = request_id or str(uuid.uuid4())
    return {
        CLAIMS_HEADER: encoded,
        TIMESTAMP_HEADER: timestamp,
        REQUEST_ID_HEADER: rid,
        SIGNATURE_HEADER: _mac(secret, audience, timestamp, rid, encoded, body),
    }


def operation_headers(
    secret: str,
    claims: Mapping[str, Any],
    query: str,
    variables: Mapping[str, Any] | None,
    *,
    audience: str,
) -> dict[str, str]:
    """The headers of a WebSocket upgrade for one subscription (what the gateway sends)."""
    raw = json.dumps({"query": query, "variables": dict(variables or {})}).encode()
    return {**sign_request(secret, claims, raw, audience=audience), OPERATION_HEADER: _b64(raw)}


def signed_operation(header: str | None) -> bytes:
    """The operation bytes of an upgrade's ``x-concord-operation`` header."""
    if not header:
        raise Unauthenticated("a subscription names its signed operation")
    try:
        return _unb64(header)
    except ValueError as exc:
        raise Unauthenticated("malformed signed operation") from exc


def verify_request(
    secret: str | Sequence[str],
    headers: Mapping[str, str],
    body: bytes,
    *,
    audience: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The verified claims of a request signed for the subgraph ``audience``; raises
    :class:`Unauthenticated` otherwise (also for claims that do not fit the claim model).

    ``secret`` may be several: during a rotation of the signing secret the services accept the
    old and the new one, so the gateway can switch without a request refused (operations.md)."""
    claims_header = headers.get(CLAIMS_HEADER)
    timestamp = headers.get(TIMESTAMP_HEADER)
    signature = headers.get(SIGNATURE_HEADER)
    request_id = headers.get(REQUEST_ID_HEADER)
    if not (claims_header and timestamp and signature and request_id):
        raise Unauthenticated("this service answers only requests signed by the gateway")
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not any(
        hmac.compare_digest(
            _mac(s, audience, timestamp, request_id, claims_header, body), signature
        )
        for s in secrets
    ):
        raise Unauthenticated("the gateway signature does not match this request")
    clock = now if now is not None else time.time()
    try:
        signed_at = int(timestamp)
        claims = json.loads(_unb64(claims_header))
    except ValueError as exc:
        raise Unauthenticated("malformed signed claims") from exc
    if abs(clock - signed_at) > SIGNATURE_MAX_AGE:
        raise Unauthenticated("the gateway signature has expired")
    try:
        parsed = Claims.parse(claims)
    except InvalidClaims as exc:
        raise Unauthenticated(str(exc)) from exc
    if parsed.exp < clock:
        raise Unauthenticated("the token has expired")
    if parsed.nbf is not None and parsed.nbf > clock + 5:
        raise Unauthenticated("the token is not valid yet")
    return dict(claims)

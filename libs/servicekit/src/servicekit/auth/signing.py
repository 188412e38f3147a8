"""The gateway's signature over claims and request body (the Python side of the contract).

The gateway's own HMAC plugin signs only ``{query, variables}`` and not the forwarded claims
(ARCHITECTURE.md), so Concord's gateway signs ``timestamp, claims, sha256(body)`` itself; this
module checks that signature (and makes one, for tests and tools that play the gateway).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

CLAIMS_HEADER = "x-concord-claims"
TIMESTAMP_HEADER = "x-concord-timestamp"
SIGNATURE_HEADER = "x-concord-signature"
SIGNATURE_MAX_AGE = 300  # seconds of clock difference or delay accepted


class Unauthenticated(Exception):
    """The request did not come (recently) through the gateway, or its claims have expired."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, timestamp: str, claims: str, body: bytes) -> str:
    message = f"{timestamp}\n{claims}\n{hashlib.sha256(body).hexdigest()}".encode()
    return _b64(hmac.new(secret.encode(), message, hashlib.sha256).digest())


def sign_request(
    secret: str, claims: Mapping[str, Any], body: bytes, *, now: float | None = None
) -> dict[str, str]:
    """The three headers the gateway adds to a subgraph request."""
    timestamp = str(int(now if now is not None else time.time()))
    encoded = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return {
        CLAIMS_HEADER: encoded,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: _mac(secret, timestamp, encoded, body),
    }


def verify_request(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None
) -> dict[str, Any]:
    """The verified claims of a signed request; raises :class:`Unauthenticated` otherwise."""
    claims_header = headers.get(CLAIMS_HEADER)
    timestamp = headers.get(TIMESTAMP_HEADER)
    signature = headers.get(SIGNATURE_HEADER)
    if not (claims_header and timestamp and signature):
        raise Unauthenticated("this service answers only requests signed by the gateway")
    expected = _mac(secret, timestamp, claims_header, body)
    if not hmac.compare_digest(expected, signature):
        raise Unauthenticated("the gateway signature does not match this request")
    clock = now if now is not None else time.time()
    try:
        signed_at = int(timestamp)
        claims = json.loads(_unb64(claims_header))
    except ValueError as exc:
        raise Unauthenticated("malformed signed claims") from exc
    if abs(clock - signed_at) > SIGNATURE_MAX_AGE:
        raise Unauthenticated("the gateway signature has expired")
    if not isinstance(claims, dict) or "sub" not in claims:
        raise Unauthenticated("the signed claims name no subject")
    exp = claims.get("exp")
    if exp is not None and float(exp) < clock:
        raise Unauthenticated("the token has expired")
    return claims

"""ASGI middleware that admits only gateway-signed requests to the GraphQL endpoint.

It buffers the request body (the signature covers its exact bytes), verifies it, puts the
:class:`Principal` in ``scope["state"]`` and replays the body to the application. A refused
request gets HTTP 401 with a GraphQL-shaped error; nothing of the application runs.

A WebSocket (a subscription, ``graphql-transport-ws``) is signed the same way on its upgrade
request: the gateway opens one socket per subscription and sends the operation it will
subscribe to in ``x-concord-operation`` (base64url of the JSON ``{query, variables}``), which
stands for the body the signature covers. The verified operation is kept in
``scope["state"]["signed_operation"]``; the socket may run that one operation and nothing else
(:mod:`servicekit.graphql.live`). A refused upgrade is closed before it is accepted (HTTP 403).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.auth.claims import InvalidClaims
from servicekit.auth.principal import Principal
from servicekit.auth.signing import (
    OPERATION_HEADER,
    REQUEST_ID_HEADER,
    Unauthenticated,
    signed_operation,
    verify_request,
)


class GatewaySignatureMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        secret: str | Sequence[str],
        service: str,
        max_body: int,
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self.secret = secret
        self.service = service
        self.max_body = max_body
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _refuse(send, 413, "PAYLOAD_TOO_LARGE", "the request body is too large")
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        try:
            claims = verify_request(self.secret, headers, body, audience=self.service)
            principal = Principal.from_claims(claims)
        except (Unauthenticated, InvalidClaims) as exc:
            await _refuse(send, 401, "UNAUTHENTICATED", str(exc))
            return
        state = scope.setdefault("state", {})
        state["principal"] = principal
        state["request_id"] = headers[REQUEST_ID_HEADER]
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        try:
            raw = signed_operation(headers.get(OPERATION_HEADER))
            claims = verify_request(self.secret, headers, raw, audience=self.service)
            principal = Principal.from_claims(claims)
            operation = json.loads(raw)
        except (Unauthenticated, InvalidClaims, ValueError):
            await send({"type": "websocket.close", "code": 4401})
            return
        state = scope.setdefault("state", {})
        state["principal"] = principal
        state["request_id"] = headers[REQUEST_ID_HEADER]
        state["signed_operation"] = operation
        state["expires_at"] = float(claims["exp"])  # the socket is closed then (graphql.live)
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    payload: dict[str, Any] = {"errors": [{"message": message, "extensions": {"code": code}}]}
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""Subscriptions over ``graphql-transport-ws``, one signed operation per socket.

The gateway opens a WebSocket per subscription, its upgrade signed like any request
(:mod:`servicekit.auth.middleware`) with the operation standing for the body. This router
speaks only ``graphql-transport-ws`` and lets the socket run exactly that operation, once: a
socket that asks for anything else is closed (4403), so a captured upgrade cannot be turned
into another operation; it is closed (4401) when the token it was signed with expires.

Resolvers of a subscription read each update in a fresh, short transaction in the caller's
scope (:func:`live_transaction`): the request's transaction would stay open for the life of
the subscription and show one snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from servicekit.graphql.context import Context, Info
from servicekit.live import LiveHub
from servicekit.tenancy import TenantScope

Shown = TypeVar("Shown")


class SignedOperationHandler(BaseGraphQLTransportWSHandler[Context, None]):
    _used = False
    _expiry: asyncio.TimerHandle | None = None

    def _state(self) -> dict[str, Any]:
        request = getattr(self.context, "request", None)
        state: dict[str, Any] = request.scope.get("state", {}) if request is not None else {}
        return state

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            if self._expiry is not None:
                self._expiry.cancel()

    async def _expired(self) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code=4401, reason="the token has expired")

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        state = self._state()
        signed: dict[str, Any] | None = state.get("signed_operation")
        payload = message.get("payload") or {}
        if (
            signed is None
            or self.operations
            or self._used
            or payload.get("query") != signed.get("query")
            or (payload.get("variables") or {}) != (signed.get("variables") or {})
        ):
            await self.websocket.close(code=4403, reason="not the operation the gateway signed")
            return
        self._used = True
        # A subscription lives no longer than the token it was signed with.
        expires_at = state.get("expires_at")
        if expires_at is not None:
            self._expiry = asyncio.get_running_loop().call_later(
                max(0.0, expires_at - time.time()),
                lambda: asyncio.ensure_future(self._expired()),
            )
        await super().handle_subscribe(message)


class ConcordGraphQLRouter(GraphQLRouter[Context, None]):
    graphql_transport_ws_handler_class = SignedOperationHandler

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subscription_protocols", (GRAPHQL_TRANSPORT_WS_PROTOCOL,))
        super().__init__(*args, **kwargs)


def hub(info: Info) -> LiveHub:
    live = info.context.live
    if live is None:
        raise RuntimeError("this service runs without a live hub")
    return live


@asynccontextmanager
async def live_transaction(info: Info) -> AsyncIterator[AsyncSession]:
    """A short transaction of its own in the caller's scope, for one update."""
    async with info.context.tx.database.transaction(info.context.principal.scope()) as session:
        yield session


async def follow(
    info: Info,
    topic: str,
    key: str,
    *,
    probe: Callable[[AsyncSession], Awaitable[Hashable]],
    read: Callable[[AsyncSession], Awaitable[tuple[Shown, bool]]],
    every: float,
) -> AsyncIterator[Shown]:
    """Follow one record live: what ``read`` returns now, then again each time it changes,
    until ``read`` says it is final (the value is yielded, then the end).

    ``probe`` is shared by every follower of ``(topic, key)`` on this replica and never shown:
    it is read across alliances (one poller, every ``every`` seconds, :meth:`LiveHub.watch`)
    and must only move on (a count, a status). ``read`` runs in a short transaction in the
    caller's own scope, so row-level security decides what each follower sees."""
    database = info.context.tx.database

    async def shared_probe() -> Hashable:
        async with database.transaction(TenantScope.everything()) as session:
            return await probe(session)

    shown: Shown | None = None
    async with hub(info).watch(topic, key, shared_probe, every=every) as heard:
        while True:
            async with live_transaction(info) as session:
                now, final = await read(session)
            if now != shown:
                yield now
                shown = now
            if final:
                return
            await heard.batch()

"""Subscriptions in the tests: the service served by uvicorn on a loopback port (a WebSocket
needs a real server), and a ``graphql-transport-ws`` client that signs its upgrade the way the
gateway does (one socket, one signed operation)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from devkit.testing.channels import free_port
from servicekit.auth.signing import operation_headers


class Served:
    def __init__(self, app: FastAPI, port: int) -> None:
        self.app = app
        self.port = port
        self.url = f"ws://127.0.0.1:{port}/graphql"
        self.service: str = app.state.service_name
        self.secret: str = app.state.settings.signing_secret


@asynccontextmanager
async def served(create_app: Callable[[], FastAPI]) -> AsyncIterator[Served]:
    """The app with its lifespan, served on a free loopback port."""
    app = create_app()
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield Served(app, port)
    finally:
        server.should_exit = True
        await task


class LiveSubscription:
    """One subscription on its own socket: :meth:`next` is its next ``next`` payload."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def message(self, within: float = 10.0) -> dict[str, Any]:
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), within)
            message: dict[str, Any] = json.loads(raw)
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            return message

    async def next(self, within: float = 10.0) -> dict[str, Any]:
        """The next result (``{data, errors}``); fails on anything else."""
        message = await self.message(within)
        assert message["type"] == "next", message
        payload: dict[str, Any] = message["payload"]
        return payload

    async def nothing_within(self, seconds: float) -> None:
        """Asserts that nothing arrives within ``seconds``."""
        try:
            message = await self.message(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"expected nothing, got {message}")


@asynccontextmanager
async def subscription(
    served: Served,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    claims: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> AsyncIterator[LiveSubscription]:
    """Subscribe as the gateway would; ``headers`` replaces the signed ones (to test refusals)."""
    signed = (
        headers
        if headers is not None
        else operation_headers(served.secret, claims, query, variables, audience=served.service)
    )
    live_hub = served.app.state.live
    before = live_hub.subscriber_count
    async with connect(
        served.url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers=signed,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables or {}},
                }
            )
        )
        live = LiveSubscription(ws)
        if headers is None:
            # Listening before the test goes on (a refused one never listens).
            for _ in range(250):
                if live_hub.subscriber_count > before:
                    break
                await asyncio.sleep(0.02)
        yield live
        await ws.send(json.dumps({"id": "1", "type": "complete"}))

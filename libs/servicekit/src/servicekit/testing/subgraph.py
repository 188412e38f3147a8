"""Run one service in-process for integration tests and speak signed GraphQL to it.

The app runs with its real lifespan (database, NATS, relay, consumers) against the test
PostgreSQL and NATS; requests carry the gateway's signature made with the same secret, so
they pass through the same authentication path as production traffic.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from servicekit.auth import sign_request
from servicekit.local.provision import ServiceDatabase
from servicekit.migrate import upgrade

TEST_SECRET = "test-signing-secret-0123456789"


def claims_for(
    sub: str,
    *,
    operator: bool = False,
    alliances: dict[str, list[str]] | None = None,
    locale: str = "zh",
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": sub,
        "name": sub,
        "locale": locale,
        "alliances": alliances or {},
    }
    if operator:
        claims["operator"] = True
    return claims


class SubgraphClient:
    def __init__(self, app: FastAPI, secret: str = TEST_SECRET) -> None:
        self.app = app
        self.secret = secret
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://subgraph"
        )

    async def post(self, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.http.post(
            "/graphql",
            content=body,
            headers={"content-type": "application/json", **(headers or {})},
        )

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, claims: dict[str, Any]
    ) -> dict[str, Any]:
        """The response body of a signed GraphQL request (data and errors)."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        response = await self.post(body, sign_request(self.secret, claims, body))
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, claims: dict[str, Any]
    ) -> dict[str, Any]:
        """The data of a request that must succeed."""
        result = await self.execute(query, variables, claims=claims)
        assert not result.get("errors"), result["errors"]
        data: dict[str, Any] = result["data"]
        return data


def migrated(service: str, database: ServiceDatabase) -> ServiceDatabase:
    upgrade(service, database.migration_url)
    return database


@asynccontextmanager
async def running(create_app: Callable[[], FastAPI]) -> AsyncIterator[SubgraphClient]:
    """The app with its lifespan running (relay, consumers), and a client for it."""
    app = create_app()
    async with app.router.lifespan_context(app):
        client = SubgraphClient(app, app.state.settings.signing_secret)
        try:
            yield client
        finally:
            await client.http.aclose()

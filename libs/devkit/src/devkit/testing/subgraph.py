"""Run one service in-process for integration tests and speak signed GraphQL to it.

The app runs with its real lifespan (database, NATS, relay, consumers) against the test
PostgreSQL and NATS; requests carry the gateway's signature made with the same secret, so
they pass through the same authentication path as production traffic.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from devkit.local.provision import ServiceDatabase
from servicekit.auth import sign_request
from servicekit.migrate import upgrade

TEST_SECRET = "test-signing-secret-0123456789abcdef"  # >= 32: production settings


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
        "exp": int(time.time()) + 24 * 3600,
    }
    if operator:
        claims["operator"] = True
    return claims


class SubgraphClient:
    def __init__(self, app: FastAPI, secret: str = TEST_SECRET) -> None:
        self.app = app
        self.secret = secret
        self.service: str = app.state.service_name
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
        response = await self.post(
            body, sign_request(self.secret, claims, body, audience=self.service)
        )
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


@contextmanager
def statements_of(app: FastAPI) -> Iterator[list[str]]:
    """The SQL statements ``app`` sends while the block runs (run it without its workers, or
    their polling is counted too)."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def entities_statements(
    client: SubgraphClient,
    selection: str,
    representations: dict[str, list[str]],
    *,
    claims: dict[str, Any],
) -> tuple[int, int]:
    """Statements of an ``_entities`` request with one representation of each type, and with
    all of ``representations`` (typename → ids): equal when every ``resolve_reference`` and
    every field below it goes through a DataLoader."""
    query = f"query($r: [_Any!]!) {{ _entities(representations: $r) {{ {selection} }} }}"
    counts = []
    for take in (1, None):
        reps = [
            {"__typename": typename, "id": id}
            for typename, ids in representations.items()
            for id in ids[:take]
        ]
        with statements_of(client.app) as statements:
            data = await client.data(query, {"r": reps}, claims=claims)
        assert len(data["_entities"]) == len(reps)
        counts.append(len(statements))
    return counts[0], counts[1]

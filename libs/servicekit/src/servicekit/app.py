"""``create_service_app``: a FastAPI app serving one subgraph, with its workers in the lifespan.

Every service is built the same way: settings → database → event bus → relay and consumers →
GraphQL at ``/graphql`` behind the gateway signature, ``/healthz`` and ``/readyz``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import strawberry
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from contracts import Event
from servicekit.auth.middleware import GatewaySignatureMiddleware
from servicekit.db import Database, RequestTransaction
from servicekit.events.bus import EventBus
from servicekit.events.consumer import EventConsumer, UnhandleableEvent
from servicekit.events.envelope import Envelope
from servicekit.events.relay import OutboxRelay
from servicekit.events.worker import Worker
from servicekit.graphql.context import Context
from servicekit.graphql.live import ConcordGraphQLRouter
from servicekit.live import LiveHub
from servicekit.metrics import RequestMetrics, exposition, watch_pool
from servicekit.settings import ServiceSettings
from servicekit.telemetry import instrument, setup_tracing, shutdown_tracing

log = logging.getLogger(__name__)


EventHandler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
"""Handles one event: ``(session, the parsed contract model, its envelope)``."""


@dataclass(frozen=True)
class ConsumerSpec:
    """An event consumer of a service: its durable name and a handler per event contract.

    The consumer's subjects come from its handlers; each event is parsed into its model
    before the handler sees it, and data that does not fit the contract is terminated as
    poison (retrying cannot make it fit).
    """

    name: str
    handlers: Mapping[type[Event], EventHandler]
    batch: int = 20
    """How many messages one fetch asks JetStream for."""
    concurrency: int = 1
    """How many aggregates are handled at once (``EventConsumer``: one lane per subject)."""

    def __post_init__(self) -> None:
        if not self.handlers:
            raise TypeError(f"consumer {self.name}: give a handler per event contract")

    @property
    def subscribed_types(self) -> list[str]:
        return sorted(model.TYPE for model in self.handlers)

    async def dispatch(self, session: AsyncSession, envelope: Envelope) -> None:
        by_type = {model.TYPE: (model, handler) for model, handler in self.handlers.items()}
        if envelope.type not in by_type:
            raise UnhandleableEvent(f"{self.name} has no handler for {envelope.type}")
        model, handler = by_type[envelope.type]
        try:
            parsed = model.from_data(envelope.data)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise UnhandleableEvent(
                f"{envelope.type} data does not fit its contract: {exc}"
            ) from exc
        await handler(session, parsed, envelope)


SHUTDOWN_STEP_SECONDS = 5.0


async def _stop(
    workers: dict[asyncio.Task[None], Worker], bus: EventBus, database: Database, live: LiveHub
) -> None:
    """Ask the workers to stop and wait for them to finish their step; cancel only those that
    did not; then close NATS and the pool. Each step is bounded, so nothing can keep the
    process from exiting, and a step that overran is logged so it can be found."""
    for worker in workers.values():
        worker.stop()
    if workers:
        _, pending = await asyncio.wait(workers, timeout=SHUTDOWN_STEP_SECONDS)
        for task in pending:
            log.error(
                "shutdown: worker %s did not stop within %.0fs; cancelling it",
                task.get_name(),
                SHUTDOWN_STEP_SECONDS,
            )
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=SHUTDOWN_STEP_SECONDS)
    for name, step in (
        ("live", live.close()),
        ("nats", bus.close()),
        ("database", database.dispose()),
    ):
        try:
            await asyncio.wait_for(step, SHUTDOWN_STEP_SECONDS)
        except TimeoutError:
            log.error("shutdown: closing %s took longer than %.0fs", name, SHUTDOWN_STEP_SECONDS)
    shutdown_tracing()


def create_service_app(
    *,
    name: str,
    settings: ServiceSettings,
    schema: strawberry.federation.Schema,
    outbox: sa.Table,
    inbox: sa.Table,
    consumers: Sequence[ConsumerSpec] = (),
    workers: Sequence[Callable[[Database], Worker]] = (),
) -> FastAPI:
    """``workers`` are the service's own background loops (e.g. closing votes at their
    deadline), each built from the service's database and run beside the relay."""
    extra_workers = workers
    setup_tracing(name)
    database = Database(settings.database_url, pool_size=settings.db_pool_size)
    bus = EventBus(settings.nats_url, name=name, stream_replicas=settings.nats_stream_replicas)
    live = LiveHub(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything built so far (modules, the schema, the ORM mappers) lives as long as the
        # process: out of the collector's sight, a full collection no longer walks it during
        # requests (a fifth of a members page's CPU went to the collector, py-spy, bench/).
        gc.collect()
        gc.freeze()
        bus.start()
        workers: dict[asyncio.Task[None], Worker] = {}
        if settings.run_workers:
            relay = OutboxRelay(
                database,
                bus,
                outbox,
                batch_size=settings.relay_batch_size,
                idle_interval=settings.relay_idle_interval,
                service=name,
            )
            workers[asyncio.create_task(relay.run(), name=f"{name}-relay")] = relay
            for spec in consumers:
                consumer = EventConsumer(
                    name=spec.name,
                    event_types=spec.subscribed_types,
                    handler=spec.dispatch,
                    database=database,
                    bus=bus,
                    inbox=inbox,
                    batch=spec.batch,
                    concurrency=spec.concurrency,
                )
                workers[asyncio.create_task(consumer.run(), name=spec.name)] = consumer
            for make in extra_workers:
                worker = make(database)
                workers[asyncio.create_task(worker.run(), name=worker.name)] = worker
        try:
            yield
        finally:
            await _stop(workers, bus, database, live)

    app = FastAPI(
        title=f"Concord {name}", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.database = database
    app.state.bus = bus
    app.state.live = live
    app.state.settings = settings
    app.state.service_name = name

    async def context_getter(request: HTTPConnection) -> Context:
        principal = request.scope["state"]["principal"]
        return Context(
            principal=principal,
            tx=RequestTransaction(database, principal.scope()),
            settings=settings,
            bus=bus,
            request_id=request.scope["state"].get("request_id"),
            live=live,
        )

    router = ConcordGraphQLRouter(
        schema, context_getter=context_getter, graphql_ide=None, allow_queries_via_get=False
    )
    app.include_router(router, prefix="/graphql")

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            await database.ping_within(2)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        checks["nats"] = "ok" if bus.connected else "unreachable"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    app.add_middleware(
        GatewaySignatureMiddleware,
        secret=settings.accepted_signing_secrets,
        service=name,
        max_body=settings.max_request_bytes,
    )
    app.add_middleware(RequestMetrics, service=name)
    watch_pool(name, database.engine.pool.checkedout, settings.db_pool_size)  # type: ignore[attr-defined]
    instrument(app, database.engine)
    return app

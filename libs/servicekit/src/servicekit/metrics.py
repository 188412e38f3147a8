"""Prometheus metrics of a service, served at ``/metrics`` (``prometheus_client``).

What an operator watches (docs/operations.md):

- requests: ``http_server_request_duration_seconds`` (OpenTelemetry's ``http.server.request.
  duration``, its attribute names with dots as underscores) by method, route and status;
  ``concord_graphql_operations_total`` and ``concord_graphql_operation_duration_seconds`` by
  operation type, root field and outcome (``ok`` or the first error's code);
- the outbox: ``concord_outbox_backlog`` (events not yet published), ``concord_outbox_oldest_
  age_seconds`` and ``concord_outbox_published_total``;
- the consumers: ``concord_consumer_events_total`` by outcome (``handled``, ``duplicate``,
  ``retried``, ``parked``), ``concord_consumer_redeliveries_total``, ``concord_consumer_pending``
  (JetStream's pending and unacknowledged messages: the lag);
- the database pool: ``concord_db_pool_connections_in_use`` and ``concord_db_pool_size``.

Labels come only from the schema, the routes and the code (a root field that is not in the
schema counts as ``(invalid)``), never from what a client chose, so a caller cannot make the
series grow without bound.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

from graphql import DocumentNode, FieldNode, GraphQLSchema, OperationDefinitionNode
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})

REQUEST_DURATION = Histogram(
    "http_server_request_duration_seconds",
    "Duration of HTTP server requests.",
    ["service", "http_request_method", "http_route", "http_response_status_code"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10),
)
OPERATIONS = Counter(
    "concord_graphql_operations",
    "GraphQL operations by root field and outcome (ok, or the first error's code).",
    ["service", "operation_type", "field", "outcome"],
)
OPERATION_DURATION = Histogram(
    "concord_graphql_operation_duration_seconds",
    "Duration of GraphQL operations by root field.",
    ["service", "operation_type", "field"],
)
OUTBOX_BACKLOG = Gauge(
    "concord_outbox_backlog", "Events recorded but not yet published.", ["service"]
)
OUTBOX_OLDEST_AGE = Gauge(
    "concord_outbox_oldest_age_seconds",
    "Age of the oldest event not yet published (0: none).",
    ["service"],
)
OUTBOX_PUBLISHED = Counter(
    "concord_outbox_published", "Events published by the relay.", ["service"]
)
CONSUMER_EVENTS = Counter(
    "concord_consumer_events",
    "Events a consumer took, by outcome (handled, duplicate, retried, parked).",
    ["consumer", "outcome"],
)
CONSUMER_REDELIVERIES = Counter(
    "concord_consumer_redeliveries", "Messages delivered more than once.", ["consumer"]
)
CONSUMER_PENDING = Gauge(
    "concord_consumer_pending",
    "Messages of the consumer not yet acknowledged (JetStream: pending + unacknowledged).",
    ["consumer"],
)
POOL_IN_USE = Gauge(
    "concord_db_pool_connections_in_use", "Database connections checked out.", ["service"]
)
POOL_SIZE = Gauge("concord_db_pool_size", "Database pool size.", ["service"])


def watch_pool(service: str, in_use: Callable[[], int], size: int) -> None:
    POOL_IN_USE.labels(service).set_function(in_use)
    POOL_SIZE.labels(service).set(size)


def exposition() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class RequestMetrics:
    """ASGI middleware: the duration of every HTTP request, by route and status."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope["path"] if scope["path"] in ROUTES else "(other)"
            REQUEST_DURATION.labels(self.service, scope["method"], route, str(status)).observe(
                time.perf_counter() - started
            )


def _root_fields(schema: GraphQLSchema, operation: OperationDefinitionNode | None) -> list[str]:
    if operation is None:
        return ["(invalid)"]
    kind = operation.operation.value
    root = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }[kind]
    known = root.fields if root is not None else {}
    names = [
        s.name.value if s.name.value in known else "(invalid)"
        for s in operation.selection_set.selections
        if isinstance(s, FieldNode)
    ]
    return sorted(set(names)) or ["(none)"]


def _operation(document: DocumentNode | None, name: str | None) -> OperationDefinitionNode | None:
    for definition in document.definitions if document else ():
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    return None


def operation_metrics(service: str) -> type[SchemaExtension]:
    class OperationMetrics(SchemaExtension):
        """Counts and times each operation under each of its (schema-known) root fields."""

        async def on_operation(self) -> AsyncIterator[None]:
            started = time.perf_counter()
            yield
            ec = self.execution_context
            operation = _operation(ec.graphql_document, ec.operation_name)
            kind = operation.operation.value if operation else "(invalid)"
            fields = _root_fields(ec.schema._schema, operation)
            errors = list(getattr(ec.result, "errors", None) or [])
            outcome = str((errors[0].extensions or {}).get("code", "ERROR")) if errors else "ok"
            elapsed = time.perf_counter() - started
            for field in fields:
                OPERATIONS.labels(service, kind, field, outcome).inc()
                OPERATION_DURATION.labels(service, kind, field).observe(elapsed)

    return OperationMetrics

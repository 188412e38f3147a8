"""OpenTelemetry for a service: one tracer provider, exporters chosen by the standard variables.

``OTEL_TRACES_EXPORTER`` (``otlp`` default, ``console``, ``none``) and the ``OTEL_EXPORTER_OTLP_*``
variables choose where spans go; with no OTLP endpoint configured nothing is exported.
HTTP (FastAPI), SQL (SQLAlchemy), GraphQL (strawberry's extension), the relay and each consumer
make spans; W3C trace context rides in HTTP and NATS headers.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)
from sqlalchemy.ext.asyncio import AsyncEngine

_provider: TracerProvider | None = None


def _exporters() -> list[SpanExporter]:
    names = os.environ.get("OTEL_TRACES_EXPORTER", "otlp").split(",")
    exporters: list[SpanExporter] = []
    for name in (n.strip() for n in names):
        if name == "console":
            exporters.append(ConsoleSpanExporter())
        elif name == "otlp" and (
            os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
            or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        ):
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append(OTLPSpanExporter())
    return exporters


def setup_tracing(service_name: str) -> TracerProvider:
    """Install the process's tracer provider once (idempotent)."""
    global _provider
    if _provider is None:
        resource = Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", service_name)}
        )
        _provider = TracerProvider(resource=resource)
        if os.environ.get("OTEL_SDK_DISABLED", "").lower() != "true":
            for exporter in _exporters():
                _provider.add_span_processor(BatchSpanProcessor(exporter))
        trace.set_tracer_provider(_provider)
    return _provider


def instrument(app: FastAPI, engine: AsyncEngine) -> None:
    provider = trace.get_tracer_provider()
    # One span per request, not three: the ASGI receive/send spans say nothing that the
    # request's span does not, and cost a span each per message.
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls="healthz,readyz",
        exclude_spans=["receive", "send"],
    )
    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, tracer_provider=provider)


def shutdown_tracing() -> None:
    if _provider is not None:
        _provider.force_flush()

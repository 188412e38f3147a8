"""The finance service: ``uvicorn finance.app:create_app --factory``."""

from fastapi import FastAPI

from finance.consumers import CONSUMERS
from finance.graphql.schema import schema
from finance.models import inbox, outbox
from finance.settings import Settings
from servicekit.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        name="finance",
        settings=settings or Settings(),
        schema=schema,
        outbox=outbox,
        inbox=inbox,
        consumers=CONSUMERS,
    )

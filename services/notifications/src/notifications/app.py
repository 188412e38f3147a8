"""The notifications service: ``uvicorn notifications.app:create_app --factory``."""

from fastapi import FastAPI

from notifications.consumers import CONSUMERS
from notifications.graphql.schema import schema
from notifications.models import inbox, outbox
from notifications.settings import Settings
from servicekit.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        name="notifications",
        settings=settings or Settings(),
        schema=schema,
        outbox=outbox,
        inbox=inbox,
        consumers=CONSUMERS,
    )

"""The membership service: ``uvicorn membership.app:create_app --factory``."""

from fastapi import FastAPI

from membership.consumers import CONSUMERS
from membership.graphql.schema import schema
from membership.models import inbox, outbox
from membership.settings import Settings
from servicekit.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        name="membership",
        settings=settings or Settings(),
        schema=schema,
        outbox=outbox,
        inbox=inbox,
        consumers=CONSUMERS,
    )

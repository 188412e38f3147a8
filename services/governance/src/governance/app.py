"""The governance service: ``uvicorn governance.app:create_app --factory``."""

from fastapi import FastAPI

from governance.consumers import CONSUMERS
from governance.graphql.schema import schema
from governance.models import inbox, outbox
from governance.settings import Settings
from servicekit.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        name="governance",
        settings=settings or Settings(),
        schema=schema,
        outbox=outbox,
        inbox=inbox,
        consumers=CONSUMERS,
    )

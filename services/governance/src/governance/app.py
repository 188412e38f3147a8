"""The governance service: ``uvicorn governance.app:create_app --factory``."""

from fastapi import FastAPI

from governance.consumers import CONSUMERS
from governance.graphql.schema import schema
from governance.models import inbox, outbox
from governance.settings import Settings
from governance.votes import DeadlineCloser
from servicekit.app import create_service_app
from servicekit.db import Database


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    def closer(database: Database) -> DeadlineCloser:
        return DeadlineCloser(database, interval=settings.deadline_interval)

    return create_service_app(
        name="governance",
        settings=settings,
        schema=schema,
        outbox=outbox,
        inbox=inbox,
        consumers=CONSUMERS,
        workers=[closer],
    )

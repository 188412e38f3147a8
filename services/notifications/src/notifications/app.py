"""The notifications service: ``uvicorn notifications.app:create_app --factory``."""

import dataclasses

from fastapi import FastAPI

from notifications.consumers import CONSUMERS, NOTICE_CONSUMERS
from notifications.delivery import DeliveryWorker
from notifications.graphql.schema import schema
from notifications.kinds import EMAIL, WEBHOOK
from notifications.models import inbox, outbox
from notifications.scheduler import JobRunner
from notifications.settings import Settings
from servicekit.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        name="notifications",
        settings=settings,
        schema=schema,
        outbox=outbox,
        inbox=inbox,
        consumers=[
            dataclasses.replace(
                spec, batch=settings.consumer_batch, concurrency=settings.consumer_concurrency
            )
            if spec.name in NOTICE_CONSUMERS
            else spec
            for spec in CONSUMERS
        ],
        workers=[
            lambda db: DeliveryWorker(db, settings, channels=(EMAIL,)),
            lambda db: DeliveryWorker(db, settings, channels=(WEBHOOK,)),
            lambda db: JobRunner(db, poll_interval=settings.job_poll_interval),
        ],
    )

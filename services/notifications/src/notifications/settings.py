"""Notifications settings (environment prefix ``NOTIFICATIONS_``)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

# Svix's schedule (ARCHITECTURE.md "Webhooks"): immediately, 5 s, 5 min, 30 min, 2 h, 5 h,
# 10 h, 10 h — eight attempts over about 27.6 hours, then the delivery is dead-lettered.
RETRY_SCHEDULE = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    smtp_connections: int = Field(
        default=16,
        ge=1,
        description="SMTP connections kept open, each reused message after message",
    )
    mail_from: str = "Concord <notices@concord.invalid>"
    retry_schedule: tuple[float, ...] = Field(
        default=RETRY_SCHEDULE,
        description="seconds to wait before each attempt of an email or webhook (first is 0)",
        min_length=1,
    )
    delivery_poll_interval: float = Field(default=0.1, description="seconds between polls")
    delivery_batch_size: int = 100
    delivery_lease: float = Field(
        default=120.0,
        description="seconds after which a send that never finished is looked at again",
    )
    webhook_timeout: float = 10.0
    job_poll_interval: float = 1.0
    consumer_concurrency: int = Field(
        default=8,
        ge=1,
        description="events of different aggregates handled at once by each notice consumer",
    )
    consumer_batch: int = Field(default=200, ge=1, description="messages per fetch")

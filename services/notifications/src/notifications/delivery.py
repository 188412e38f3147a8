"""Sending the delivery rows: email over SMTP (``aiosmtplib``), webhooks signed by the Standard
Webhooks spec (``standardwebhooks``), retried on a schedule, then dead-lettered.

Replicas share the work through the table: a batch is claimed with ``FOR UPDATE SKIP LOCKED``
and marked ``sending`` in its own short transaction, so two replicas never claim the same row;
the outcome of every attempt is recorded in ``delivery_attempts`` (the secretariat's log).

SMTP cannot be exactly-once: the server may accept a message and the process die before the
acceptance is recorded. So an email is never sent a second time once an attempt may have
reached the server: a row still ``sending`` after the lease (the sender died mid-attempt) is
marked ``uncertain`` and shown in the log, not resent. A graceful shutdown finishes the
attempts under way first. A webhook in the same state is retried with the same
``webhook-id`` (receivers deduplicate on it, as the spec says).

Emails go over a small pool of SMTP connections (``SmtpPool``): one connection carries one
message after the other, so a batch costs a few TCP and EHLO handshakes, not one per message.

Statuses: ``pending`` → ``sending`` → ``sent`` | ``pending`` (retry due) | ``dead`` (schedule
exhausted, or refused for good) | ``uncertain`` (email interrupted mid-send).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import aiosmtplib
import httpx
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from notifications.filing import message_id, webhook_id
from notifications.kinds import EMAIL, WEBHOOK
from notifications.models import Delivery, DeliveryAttempt, WebhookEndpoint
from notifications.settings import Settings
from servicekit.db import Database
from servicekit.events.worker import Worker
from servicekit.tenancy import TenantScope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str
    permanent: bool = False
    """A refusal no retry can change (SMTP 5xx)."""


def email_message(delivery: Delivery, mail_from: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = delivery.target
    message["Subject"] = str(delivery.payload["subject"])
    message["Message-ID"] = message_id(delivery.id)
    message["Date"] = formatdate(localtime=False)
    message["X-Concord-Kind"] = delivery.kind
    message.set_content(str(delivery.payload["text"]))  # (clears Content-* headers: set after)
    message["Content-Language"] = "zh-CN" if delivery.language == "zh" else "en"
    ics = delivery.payload.get("ics")
    if ics:
        message.add_attachment(
            base64.b64decode(str(ics)).decode("utf-8"),  # text/calendar; charset="utf-8"
            subtype="calendar",
            filename="invite.ics",
            params={"method": "REQUEST"},
        )
    return message


class SmtpPool:
    """At most ``size`` open SMTP connections, each reused for message after message.

    A connection that failed in any way is closed and not reused; one idle longer than
    ``max_idle`` seconds (servers drop quiet clients) is replaced before it carries a message.
    """

    def __init__(self, settings: Settings, *, size: int, max_idle: float = 10.0) -> None:
        self.settings = settings
        self.max_idle = max_idle
        self._gate = asyncio.Semaphore(size)
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout,
        )
        await client.connect()
        return client

    async def send(self, message: EmailMessage) -> tuple[dict[str, Any], str]:
        loop = asyncio.get_running_loop()
        async with self._gate:
            client: aiosmtplib.SMTP | None = None
            while self._idle:
                candidate, since = self._idle.pop()
                if candidate.is_connected and loop.time() - since < self.max_idle:
                    client = candidate
                    break
                await self._discard(candidate)
            if client is None:
                client = await self._connect()
            try:
                errors, response = await client.send_message(message)
            except BaseException:
                await self._discard(client)
                raise
            self._idle.append((client, loop.time()))
            return dict(errors), response

    @staticmethod
    async def _discard(client: aiosmtplib.SMTP) -> None:
        with contextlib.suppress(Exception):
            client.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client, _ in idle:
            with contextlib.suppress(Exception):
                await client.quit()
            await self._discard(client)


class DeliveryWorker(Worker):
    """Sends the due rows of ``channels``; the service runs one for email and one for
    webhooks, so a slow or failing endpoint never holds up the mail (nor the consumers, which
    only write the rows)."""

    name = "notifications-delivery"

    def __init__(
        self,
        database: Database,
        settings: Settings,
        channels: tuple[str, ...] = (EMAIL, WEBHOOK),
    ) -> None:
        super().__init__()
        self.name = f"notifications-delivery-{'-'.join(channels)}"
        self.channels = channels
        self.database = database
        self.settings = settings
        self.scope = TenantScope.everything()
        self._http: httpx.AsyncClient | None = None
        self._smtp = SmtpPool(settings, size=settings.smtp_connections)
        self._last_recovery = 0.0

    async def run(self) -> None:
        self._http = httpx.AsyncClient(timeout=self.settings.webhook_timeout)
        try:
            while not self.stopping:
                try:
                    done = await self.step()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("delivery: %s; retrying", exc)
                    done = 0
                    await self.pause(1.0)
                if not done:
                    await self.pause(self.settings.delivery_poll_interval)
        finally:
            await self._http.aclose()
            await self._smtp.close()

    async def step(self) -> int:
        """Claim a batch of due deliveries, send them, record each outcome."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_recovery > self.settings.delivery_lease / 4:
            self._last_recovery = loop.time()
            await self.recover()
        claimed = await self._claim()
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self._attempt(d) for d in claimed))
        await self._record(claimed, outcomes)
        return len(claimed)

    async def _claim(self) -> list[tuple[Delivery, datetime, str | None]]:
        async with self.database.transaction(self.scope) as session:
            due = (
                sa.select(Delivery.id)
                .where(
                    Delivery.status == "pending",
                    Delivery.next_attempt_at <= sa.func.now(),
                    Delivery.channel.in_(self.channels),
                )
                .order_by(Delivery.next_attempt_at)
                .limit(self.settings.delivery_batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = (
                await session.scalars(
                    sa.update(Delivery)
                    .where(Delivery.id.in_(due.scalar_subquery()))
                    .values(status="sending", claimed_at=sa.func.now())
                    .returning(Delivery)
                )
            ).all()
            secrets: dict[str, str] = {}
            hooks = {uuid.UUID(d.recipient) for d in rows if d.channel == WEBHOOK}
            if hooks:
                secrets = {
                    str(e.id): e.secret
                    for e in await session.scalars(
                        sa.select(WebhookEndpoint).where(WebhookEndpoint.id.in_(hooks))
                    )
                }
        now = datetime.now(UTC)
        return [(d, now, secrets.get(d.recipient)) for d in rows]

    async def _attempt(self, claimed: tuple[Delivery, datetime, str | None]) -> Outcome:
        delivery, _, secret = claimed
        try:
            if delivery.channel == EMAIL:
                return await self._send_email(delivery)
            if delivery.channel == WEBHOOK:
                if secret is None:
                    return Outcome(False, "the endpoint no longer exists", permanent=True)
                return await self._send_webhook(delivery, secret)
            return Outcome(False, f"unknown channel {delivery.channel!r}", permanent=True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a network failure: nothing was accepted, retry
            return Outcome(False, f"{type(exc).__name__}: {exc}")

    async def _send_email(self, delivery: Delivery) -> Outcome:
        try:
            errors, response = await self._smtp.send(
                email_message(delivery, self.settings.mail_from)
            )
        except aiosmtplib.SMTPResponseException as exc:
            return Outcome(False, f"SMTP {exc.code} {exc.message}", permanent=exc.code >= 500)
        if errors:
            return Outcome(False, f"recipient refused: {errors}", permanent=True)
        return Outcome(True, f"accepted: {response}")

    async def _send_webhook(self, delivery: Delivery, secret: str) -> Outcome:
        assert self._http is not None
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))
        msg_id = webhook_id(delivery.id)
        now = datetime.now(UTC)
        signature = Webhook(secret).sign(msg_id=msg_id, timestamp=now, data=body)
        response = await self._http.post(
            delivery.target,
            content=body.encode(),
            headers={
                "content-type": "application/json",
                "webhook-id": msg_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": signature,
            },
        )
        if 200 <= response.status_code < 300:
            return Outcome(True, f"HTTP {response.status_code}")
        return Outcome(False, f"HTTP {response.status_code}")

    async def _record(
        self, claimed: list[tuple[Delivery, datetime, str | None]], outcomes: list[Outcome]
    ) -> None:
        schedule = self.settings.retry_schedule
        async with self.database.transaction(self.scope) as session:
            for (delivery, started, _), outcome in zip(claimed, outcomes, strict=True):
                number = delivery.attempts + 1
                values: dict[str, Any] = {"attempts": number, "claimed_at": None}
                if outcome.ok:
                    values |= {"status": "sent", "sent_at": sa.func.now(), "last_error": None}
                elif outcome.permanent or number >= len(schedule):
                    values |= {"status": "dead", "last_error": outcome.detail}
                else:
                    values |= {
                        "status": "pending",
                        "last_error": outcome.detail,
                        "next_attempt_at": datetime.now(UTC) + timedelta(seconds=schedule[number]),
                    }
                await session.execute(
                    sa.update(Delivery).where(Delivery.id == delivery.id).values(**values)
                )
                session.add(
                    DeliveryAttempt(
                        alliance_id=delivery.alliance_id,
                        delivery_id=delivery.id,
                        number=number,
                        started_at=started,
                        finished_at=datetime.now(UTC),
                        ok=outcome.ok,
                        detail=outcome.detail,
                    )
                )

    async def recover(self) -> None:
        """Rows left ``sending`` past the lease by a sender that died mid-attempt."""
        lease = timedelta(seconds=self.settings.delivery_lease)
        async with self.database.transaction(self.scope) as session:
            stale = sa.and_(
                Delivery.status == "sending",
                Delivery.channel.in_(self.channels),
                Delivery.claimed_at < datetime.now(UTC) - lease,
            )
            for delivery in (
                await session.scalars(
                    sa.select(Delivery).where(stale).with_for_update(skip_locked=True)
                )
            ).all():
                number = delivery.attempts + 1
                if delivery.channel == EMAIL:
                    status, detail = (
                        "uncertain",
                        "interrupted mid-send: the server may have accepted it; not resent",
                    )
                else:
                    status, detail = "pending", "interrupted mid-send: retried with the same id"
                delivery.status = status
                delivery.attempts = number
                delivery.last_error = detail
                delivery.claimed_at = None
                session.add(
                    DeliveryAttempt(
                        alliance_id=delivery.alliance_id,
                        delivery_id=delivery.id,
                        number=number,
                        started_at=datetime.now(UTC),
                        finished_at=datetime.now(UTC),
                        ok=False,
                        detail=detail,
                    )
                )

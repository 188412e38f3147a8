"""Exactly one notice per recipient and channel: across redelivery of every event, a restart
in the middle of a batch, and two replicas side by side."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from devkit.local.ports import free_port
from devkit.testing.channels import MailBox
from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import TEST_SECRET, claims_for, running
from notifications.app import create_app
from notifications.models import Delivery, Notification, RecipientSettings
from notifications.settings import Settings
from servicekit.db import Database
from servicekit.tenancy import TenantScope, alliance_id

SLUG = "china-asean"
ALLIANCE = alliance_id(SLUG)
N = 60
SETTINGS = """mutation($a: String!, $email: String) {
  setMyNotificationSettings(alliance: $a, email: $email, language: "zh") { email } }"""


def submitted(contact: str) -> Any:
    data = {
        "applicationId": str(uuid.uuid4()),
        "kind": "admission",
        "allianceId": str(ALLIANCE),
        "allianceSlug": SLUG,
        "allianceNameZh": "中国—东盟信息港数字经济产业联盟",
        "allianceNameEn": "China-ASEAN Information Harbor Digital Economy Alliance",
        "organizationId": str(uuid.uuid4()),
        "organizationNameZh": f"成员单位{contact}",
        "status": "submitted",
        "contactUserId": contact,
        "charterVersion": 1,
    }
    return event(
        "membership.application.submitted",
        data,
        alliance_id=ALLIANCE,
        subject=data["applicationId"],
    )


async def counts(database: Database, run: str) -> tuple[int, int, int]:
    """(inbox rows, email deliveries, emails sent) of this run's recipients."""
    async with database.transaction(TenantScope.everything()) as session:
        inbox = await session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.recipient_id.like(f"{run}-%"))
        )
        emails = await session.scalar(
            sa.select(sa.func.count())
            .select_from(Delivery)
            .where(Delivery.recipient.like(f"{run}-%"), Delivery.channel == "email")
        )
        sent = await session.scalar(
            sa.select(sa.func.count())
            .select_from(Delivery)
            .where(
                Delivery.recipient.like(f"{run}-%"),
                Delivery.channel == "email",
                Delivery.status == "sent",
            )
        )
    return int(inbox or 0), int(emails or 0), int(sent or 0)


async def test_redelivery_a_restart_mid_batch_and_two_replicas_give_one_notice_each(
    replica_settings: Settings, smtp: tuple[MailBox, int], nats_url: str
) -> None:
    box, _ = smtp
    run = uuid.uuid4().hex[:6]
    people = [f"{run}-{i}" for i in range(N)]
    events = [submitted(p) for p in people]
    database = Database(replica_settings.database_url, pool_size=2)
    try:
        async with running(lambda: create_app(replica_settings)) as first:
            for person in people:
                await first.data(
                    SETTINGS,
                    {"a": SLUG, "email": f"{person}@example.cn"},
                    claims=claims_for(person),
                )
            await publish(nats_url, *events)
            # Stop the replica in the middle of the batch: some notices filed, not all.
            await eventually(lambda: _at_least(database, run, 5), interval=0.005)
        assert (await counts(database, run))[0] < N, "the restart came after the whole batch"
        # Every event again (past JetStream's dedupe), then two replicas side by side.
        for e in events:
            await publish(nats_url, e, msg_id=str(uuid.uuid4()))
        async with (
            running(lambda: create_app(replica_settings)),
            running(lambda: create_app(replica_settings)),
        ):
            with contextlib.suppress(AssertionError):  # the assertion below says what is off
                await eventually(lambda: _all_sent(database, run), within=40.0, interval=0.1)
        assert await counts(database, run) == (N, N, N)
        for person in people:
            assert len(box.to(f"{person}@example.cn")) == 1, person
    finally:
        await database.dispose()


async def _at_least(database: Database, run: str, n: int) -> bool:
    return (await counts(database, run))[0] >= n


async def _all_sent(database: Database, run: str) -> tuple[int, int, int] | None:
    found = await counts(database, run)
    return found if found == (N, N, N) else None


async def test_two_service_processes_on_one_stream_send_each_notice_once(
    replica_settings: Settings, smtp: tuple[MailBox, int], nats_url: str
) -> None:
    """Two real ``uvicorn`` processes of the service, side by side on the same durable
    consumers and delivery table: every event (published twice, past JetStream's dedupe) gives
    one inbox notice and one email per recipient."""
    box, smtp_port = smtp
    run = uuid.uuid4().hex[:6]
    people = [f"{run}-{i}" for i in range(N)]
    events = [submitted(p) for p in people]
    database = Database(replica_settings.database_url, pool_size=2)
    processes: list[asyncio.subprocess.Process] = []
    try:
        async with database.transaction(TenantScope.everything()) as session:
            session.add_all(
                RecipientSettings(
                    alliance_id=ALLIANCE, user_id=p, email=f"{p}@example.cn", language="en"
                )
                for p in people
            )
        ports = [free_port(), free_port()]
        env = {
            **os.environ,
            "NOTIFICATIONS_DATABASE_URL": replica_settings.database_url,
            "NOTIFICATIONS_NATS_URL": nats_url,
            "NOTIFICATIONS_SIGNING_SECRET": TEST_SECRET,
            "NOTIFICATIONS_SMTP_PORT": str(smtp_port),
            "NOTIFICATIONS_DELIVERY_POLL_INTERVAL": "0.05",
            "NOTIFICATIONS_RELAY_IDLE_INTERVAL": "0.05",
            "OTEL_TRACES_EXPORTER": "none",
        }
        for port in ports:
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    *("-m", "uvicorn", "notifications.app:create_app", "--factory"),
                    *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
                    env=env,
                )
            )
        async with httpx.AsyncClient() as http:
            for port in ports:
                await eventually(lambda p=port: _ready(http, p), within=60.0, interval=0.1)
        await publish(nats_url, *events)
        for e in events:
            await publish(nats_url, e, msg_id=str(uuid.uuid4()))
        with contextlib.suppress(AssertionError):  # the assertion below says what is off
            await eventually(lambda: _all_sent(database, run), within=90.0, interval=0.1)
        assert [p.returncode for p in processes] == [None, None], "both replicas ran throughout"
        assert await counts(database, run) == (N, N, N)
        for person in people:
            assert len(box.to(f"{person}@example.cn")) == 1, person
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        await database.dispose()


async def _ready(http: httpx.AsyncClient, port: int) -> bool:
    try:
        return (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200
    except httpx.HTTPError:
        return False

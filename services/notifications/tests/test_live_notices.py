"""``notificationAdded``: a person hears of each new notice of theirs once it is committed, once
each, whichever replica filed it, and nobody hears another person's notices."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from contracts import membership as m
from devkit.local.provision import ServiceDatabase
from devkit.testing.events import event, publish
from devkit.testing.live import Served, served, subscription
from devkit.testing.subgraph import TEST_SECRET, claims_for
from notifications import membership_notices
from notifications.app import create_app
from notifications.settings import Settings
from servicekit.auth.signing import operation_headers
from servicekit.tenancy import TenantScope, alliance_id

AII = alliance_id("aii")
ADDED = """subscription { notificationAdded {
  id title titleEn eventType subjectId alliance { id } } }"""


def submitted(contact: str) -> Any:
    data = {
        "applicationId": str(uuid.uuid4()),
        "kind": "admission",
        "allianceId": str(AII),
        "allianceSlug": "aii",
        "allianceNameZh": "工业互联网产业联盟",
        "allianceNameEn": "Alliance of Industrial Internet",
        "organizationId": str(uuid.uuid4()),
        "organizationNameZh": "星海科技有限公司",
        "organizationNameEn": "Xinghai Tech",
        "tier": "director",
        "status": "submitted",
        "contactUserId": contact,
        "contactName": "李娜",
        "reason": None,
        "charterVersion": 1,
    }
    return event(
        "membership.application.submitted", data, alliance_id=AII, subject=data["applicationId"]
    )


@pytest.fixture(scope="module")
async def replicas(
    notifications_db: ServiceDatabase, nats_url: str
) -> AsyncIterator[tuple[Served, Served]]:
    """Two replicas of the service on one database, both consuming and both serving."""
    settings = Settings(
        database_url=notifications_db.app_url,
        nats_url=nats_url,
        signing_secret=TEST_SECRET,
        relay_idle_interval=0.05,
    )
    async with served(lambda: create_app(settings)) as a, served(lambda: create_app(settings)) as b:
        yield a, b


async def test_a_person_hears_of_each_new_notice_once_and_nobody_else_hears_of_it(
    replicas: tuple[Served, Served],
    nats_url: str,
    backlog_handled: Callable[[float], Awaitable[None]],
) -> None:
    a, b = replicas
    await backlog_handled(180)
    async with (
        subscription(a, ADDED, claims=claims_for("live-contact-1", locale="en")) as on_a,
        subscription(b, ADDED, claims=claims_for("live-contact-1")) as on_b,
        subscription(a, ADDED, claims=claims_for("live-bystander")) as bystander,
    ):
        filed = submitted("live-contact-1")
        await publish(nats_url, filed)
        # Redelivered past JetStream's dedupe: the inbox row exists already, nobody hears again.
        await publish(nats_url, filed, msg_id=str(uuid.uuid4()))
        english = (await on_a.next())["data"]["notificationAdded"]
        chinese = (await on_b.next())["data"]["notificationAdded"]
        assert english["id"] == chinese["id"]
        assert english["title"] == english["titleEn"]
        assert english["title"].startswith("Membership application received")
        assert chinese["title"] == "入会申请已收到：工业互联网产业联盟"
        assert english["subjectId"] == filed.subject
        assert english["eventType"] == "membership.application.submitted"
        assert english["alliance"]["id"] == str(AII)
        # Once each, on each replica's subscriber; nothing for the bystander.
        await on_a.nothing_within(1.0)
        await on_b.nothing_within(0.2)
        await bystander.nothing_within(0.2)


async def test_a_notice_is_heard_only_when_its_transaction_commits_and_never_if_it_rolls_back(
    replicas: tuple[Served, Served],
) -> None:
    a, b = replicas
    database = a.app.state.database

    async def file(contact: str) -> None:
        envelope = submitted(contact)
        async with database.transaction(TenantScope.everything()) as session:
            parsed = m.ApplicationSubmitted.from_data(envelope.data)
            await membership_notices.on_event(session, parsed, envelope)
            await asyncio.sleep(0.5)  # filed, not committed: nobody may hear of it yet
            if contact.endswith("rolled-back"):
                raise RuntimeError("roll back")

    async with subscription(b, ADDED, claims=claims_for("live-contact-2")) as live:
        with pytest.raises(RuntimeError):
            await file("live-contact-2-rolled-back")
        filing = asyncio.create_task(file("live-contact-2"))
        await live.nothing_within(0.3)  # inside the transaction
        await filing
        heard = (await live.next())["data"]["notificationAdded"]
        assert heard["eventType"] == "membership.application.submitted"
        await live.nothing_within(0.5)


async def test_a_subscription_needs_the_gateways_signature_over_its_own_operation(
    replicas: tuple[Served, Served],
) -> None:
    a, _ = replicas
    claims = claims_for("live-contact-3")
    # No signature: the upgrade is refused before the socket opens.
    with pytest.raises(InvalidStatus):
        async with subscription(a, ADDED, claims=claims, headers={}):
            pass
    # Signed by another secret: refused too.
    forged = operation_headers(
        "another-secret-0123456789abcdef", claims, ADDED, {}, audience=a.service
    )
    with pytest.raises(InvalidStatus):
        async with subscription(a, ADDED, claims=claims, headers=forged):
            pass
    # Signed for one operation, asking for another: the socket is closed (4403).
    other = operation_headers(
        a.secret, claims, "subscription { notificationAdded { id } }", {}, audience=a.service
    )
    with pytest.raises(ConnectionClosedError) as closed:
        async with subscription(a, ADDED, claims=claims, headers=other) as live:
            await live.message(within=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_subscription_ends_when_the_token_it_was_signed_with_expires(
    replicas: tuple[Served, Served],
) -> None:
    a, _ = replicas
    claims = claims_for("live-contact-4") | {"exp": int(time.time()) + 2}
    with pytest.raises(ConnectionClosedError) as closed:
        async with subscription(a, ADDED, claims=claims) as live:
            await live.message(within=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401

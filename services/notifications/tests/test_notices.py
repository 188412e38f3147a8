"""Notices filed from membership events: to the right person, in both languages, once."""

from __future__ import annotations

import uuid
from typing import Any

from servicekit.tenancy import alliance_id
from servicekit.testing.events import event, eventually, publish
from servicekit.testing.subgraph import SubgraphClient, claims_for

AII = alliance_id("aii")
MINE = """query($unread: Boolean!) { myNotifications(first: 50, unreadOnly: $unread) {
  totalCount edges { node { id title titleEn body eventType subjectId alliance { id } } } } }"""


def application_event(kind: str, contact: str, **extra: Any) -> Any:
    data = {
        "applicationId": str(uuid.uuid4()),
        "allianceId": str(AII),
        "allianceSlug": "aii",
        "allianceNameZh": "工业互联网产业联盟",
        "allianceNameEn": "Alliance of Industrial Internet",
        "organizationId": str(uuid.uuid4()),
        "organizationNameZh": "星海科技有限公司",
        "organizationNameEn": "Xinghai Tech",
        "tier": "director",
        "status": kind,
        "contactUserId": contact,
        "contactName": "李娜",
        "reason": None,
    } | extra
    return event(
        f"membership.application.{kind}", data, alliance_id=AII, subject=data["applicationId"]
    )


async def notices_of(
    client: SubgraphClient, user: str, locale: str = "zh", unread: bool = False
) -> dict[str, Any]:
    data = await client.data(MINE, {"unread": unread}, claims=claims_for(user, locale=locale))
    return data["myNotifications"]


async def test_each_application_step_notifies_the_contact_person(
    notifications: SubgraphClient, nats_url: str
) -> None:
    submitted = application_event("submitted", "contact-a")
    rejected = application_event("rejected", "contact-a", reason="缺少营业执照复印件")
    await publish(nats_url, submitted, rejected)
    page = await eventually(lambda: _with_total(notifications, "contact-a", 2))
    titles = [e["node"]["title"] for e in page["edges"]]
    assert titles == ["入会申请未获批准：工业互联网产业联盟", "入会申请已收到：工业互联网产业联盟"]
    assert "缺少营业执照复印件" in page["edges"][0]["node"]["body"]
    english = await notices_of(notifications, "contact-a", locale="en")
    assert english["edges"][0]["node"]["title"] == (
        "Membership application rejected: Alliance of Industrial Internet"
    )
    assert english["edges"][0]["node"]["alliance"]["id"] == str(AII)
    # Nobody else sees them.
    assert (await notices_of(notifications, "someone-else"))["totalCount"] == 0


async def test_a_redelivered_event_notifies_once(
    notifications: SubgraphClient, nats_url: str
) -> None:
    approved = application_event("approved", "contact-b")
    await publish(nats_url, approved)
    # Past JetStream's dedupe (another message id): the consumer's inbox must catch it.
    await publish(nats_url, approved, msg_id=str(uuid.uuid4()))
    marker = application_event("submitted", "contact-b")
    await publish(nats_url, marker)
    page = await eventually(lambda: _with_total(notifications, "contact-b", 2))
    assert sorted(e["node"]["eventType"] for e in page["edges"]) == [
        "membership.application.approved",
        "membership.application.submitted",
    ]


async def test_mark_read(notifications: SubgraphClient, nats_url: str) -> None:
    await publish(nats_url, application_event("submitted", "contact-c"))
    page = await eventually(lambda: _with_total(notifications, "contact-c", 1))
    notice_id = page["edges"][0]["node"]["id"]
    others = await notifications.execute(
        "mutation($id: ID!) { markNotificationRead(id: $id) { readAt } }",
        {"id": notice_id},
        claims=claims_for("intruder"),
    )
    assert others["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    await notifications.data(
        "mutation($id: ID!) { markNotificationRead(id: $id) { readAt } }",
        {"id": notice_id},
        claims=claims_for("contact-c"),
    )
    assert (await notices_of(notifications, "contact-c", unread=True))["totalCount"] == 0


async def _with_total(client: SubgraphClient, user: str, n: int) -> dict[str, Any] | None:
    page = await notices_of(client, user)
    return page if page["totalCount"] >= n else None


async def test_a_demotion_notice_cites_the_charter(
    notifications: SubgraphClient, nats_url: str
) -> None:
    demoted = event(
        "membership.member.demoted",
        {
            "membershipId": str(uuid.uuid4()),
            "allianceId": str(AII),
            "allianceSlug": "aii",
            "allianceNameZh": "工业互联网产业联盟",
            "allianceNameEn": "Alliance of Industrial Internet",
            "organizationId": str(uuid.uuid4()),
            "organizationNameZh": "星海科技有限公司",
            "organizationNameEn": "",
            "tier": "ordinary",
            "fromTier": "director",
            "status": "active",
            "contactUserId": "contact-d",
            "contactName": "李娜",
            "reason": "3 consecutive absences from council meetings",
            "rule": "AII Art.13",
        },
        alliance_id=AII,
    )
    await publish(nats_url, demoted)
    page = await eventually(lambda: _with_total(notifications, "contact-d", 1))
    body = page["edges"][0]["node"]["body"]
    assert "由理事单位调整为普通会员单位" in body and "AII Art.13" in body


async def test_the_secretariat_is_told_of_new_applications(
    notifications: SubgraphClient, nats_url: str
) -> None:
    assignment = event(
        "membership.role.assigned",
        {
            "assignmentId": str(uuid.uuid4()),
            "allianceId": str(AII),
            "allianceSlug": "aii",
            "userId": "aii-clerk",
            "name": "秘书处王",
            "role": "secretariat",
        },
        alliance_id=AII,
    )
    officer = event(
        "membership.role.assigned",
        {
            "assignmentId": str(uuid.uuid4()),
            "allianceId": str(AII),
            "allianceSlug": "aii",
            "userId": "aii-chair",
            "name": "理事长",
            "role": "chair",
        },
        alliance_id=AII,
    )
    await publish(nats_url, assignment, officer)
    await eventually(lambda: _registered(notifications, nats_url), interval=0.2)
    page = await eventually(lambda: _with_total(notifications, "aii-clerk", 1))
    assert page["edges"][0]["node"]["title"].startswith("待办：星海科技有限公司的入会申请")
    assert (await notices_of(notifications, "aii-chair"))["totalCount"] == 0
    revoked = event("membership.role.revoked", assignment.data, alliance_id=AII)
    await publish(nats_url, revoked)
    before = (await notices_of(notifications, "aii-clerk"))["totalCount"]
    marker = application_event("submitted", "contact-r2")
    await publish(nats_url, marker)
    await eventually(lambda: _with_total(notifications, "contact-r2", 1))
    assert (await notices_of(notifications, "aii-clerk"))["totalCount"] == before


async def _registered(client: SubgraphClient, nats_url: str) -> bool:
    """Submit an application until the clerk is registered and told of it."""
    await publish(nats_url, application_event("submitted", f"contact-{uuid.uuid4().hex[:6]}"))
    return (await notices_of(client, "aii-clerk"))["totalCount"] > 0

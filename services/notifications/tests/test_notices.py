"""Notices filed from membership events: to the right person, in both languages, once."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from servicekit.tenancy import alliance_id

AII = alliance_id("aii")
MINE = """query($unread: Boolean!) { myNotifications(first: 50, unreadOnly: $unread) {
  totalCount edges { node { id title titleEn body eventType subjectId alliance { id } } } } }"""


def application_event(kind: str, contact: str, **extra: Any) -> Any:
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
        "status": kind,
        "contactUserId": contact,
        "contactName": "李娜",
        "reason": None,
        "charterVersion": 1,
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
    notifications: SubgraphClient,
    nats_url: str,
    backlog_handled: Callable[[float], Awaitable[None]],
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
    # The revocation and the application are different aggregates, handled in different lanes:
    # let the revocation (and any registration probe still in flight) be handled first.
    await backlog_handled(60.0)
    before = (await notices_of(notifications, "aii-clerk"))["totalCount"]
    marker = application_event("submitted", "contact-r2")
    await publish(nats_url, marker)
    await eventually(lambda: _with_total(notifications, "contact-r2", 1))
    assert (await notices_of(notifications, "aii-clerk"))["totalCount"] == before


async def _registered(client: SubgraphClient, nats_url: str) -> bool:
    """Submit an application until the clerk is registered and told of it."""
    await publish(nats_url, application_event("submitted", f"contact-{uuid.uuid4().hex[:6]}"))
    return (await notices_of(client, "aii-clerk"))["totalCount"] > 0


async def test_a_closed_vote_final_accounts_and_the_audit_report_reach_officers_and_secretariat(
    notifications: SubgraphClient,
    nats_url: str,
    backlog_handled: Callable[[float], Awaitable[None]],
) -> None:
    slug = f"vote-{uuid.uuid4().hex[:6]}"
    alliance = alliance_id(slug)
    people = {f"{slug}-{role}": role for role in ("secretariat", "chair", "director")}
    await publish(
        nats_url,
        *(
            event(
                "membership.role.assigned",
                {
                    "assignmentId": str(uuid.uuid4()),
                    "allianceId": str(alliance),
                    "allianceSlug": slug,
                    "userId": user,
                    "name": role,
                    "role": role,
                },
                alliance_id=alliance,
            )
            for user, role in people.items()
        ),
    )
    await backlog_handled(60.0)  # the register of the alliance's staff has them now
    counts = {"entitled": 30, "present": 21, "yes": 15, "no": 4, "abstain": 2}
    closed = event(
        "governance.vote.closed",
        {
            "motionId": str(uuid.uuid4()),
            "stageId": str(uuid.uuid4()),
            "allianceId": str(alliance),
            "body": "council",
            "matter": "final_accounts_approval",
            "outcome": "passed",
            "passed": True,
            "counts": counts,
            "rule": "AII Art.17",
            "explanationZh": "同意过半数。",
            "explanationEn": "More than half voted yes.",
            "ballotListHash": "cd" * 32,
        },
        alliance_id=alliance,
    )
    accounts = event(
        "finance.final_accounts.decided",
        {
            "allianceId": str(alliance),
            "matterId": str(uuid.uuid4()),
            "motionId": str(uuid.uuid4()),
            "fiscalYear": 2026,
            "approved": True,
            "rule": "AII Art.17",
            "finalAccountsId": str(uuid.uuid4()),
        },
        alliance_id=alliance,
    )
    audit = event(
        "finance.audit.reported",
        {
            "auditReportId": str(uuid.uuid4()),
            "allianceId": str(alliance),
            "fiscalYear": 2026,
            "firmName": "信永中和会计师事务所",
            "opinion": "无保留意见",
            "reference": "XYZH/2027/001",
            "reportedTo": ["council"],
        },
        alliance_id=alliance,
    )
    await publish(nats_url, closed, accounts, audit)
    for user in (f"{slug}-secretariat", f"{slug}-chair"):
        page = await eventually(lambda u=user: _with_total(notifications, u, 3), within=60.0)
        titles = {e["node"]["title"]: e["node"]["titleEn"] for e in page["edges"]}
        assert titles == {
            "表决结束：决算审批（理事会，通过）": (
                "Vote closed: final accounts approval (council, passed)"
            ),
            "2026年度决算已获批准": "Final accounts 2026 approved",
            "2026年度审计报告已登记（信永中和会计师事务所）": (
                "Audit report 2026 recorded (信永中和会计师事务所)"
            ),
        }
        bodies = " ".join(e["node"]["body"] for e in page["edges"])
        assert "应到30，实到21；同意15，反对4，弃权2。依据：AII Art.17。" in bodies
        assert "cd" * 32 in bodies
    await backlog_handled(60.0)
    assert (await notices_of(notifications, f"{slug}-director"))["totalCount"] == 0

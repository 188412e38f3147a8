"""Deadlines counted on the alliance's calendar, run once by several replicas; meeting
invitations (.ics) in the email; announcements to every member, internal ones kept off
webhooks."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from icalendar import Calendar

from charter import load_template
from devkit.local.provision import ServiceDatabase
from devkit.testing.channels import MailBox
from devkit.testing.events import event, eventually, handled, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from notifications import filing, scheduler
from notifications.invitations import Invitation
from notifications.models import Job, Notification
from notifications.settings import Settings
from servicekit.db import Database
from servicekit.events import Envelope
from servicekit.tenancy import TenantScope, alliance_id

AITISA = alliance_id("aitisa")


async def test_a_working_group_answer_falls_due_after_ten_working_days_of_the_calendar(
    replica_settings: Settings,
) -> None:
    """AITISA Art.4(2): from Friday 24 January 2025, 10 working days end on 13 February 2025
    (Spring Festival 28 January – 4 February off; 26 January and 8 February worked). The
    reminder comes on the working day before (12 February), the overdue notice the day after,
    each once however many replicas run."""
    charter = load_template("aitisa")
    deadline = charter.deadlines["creation_answer"]
    database = Database(replica_settings.database_url, pool_size=4)
    subject = str(uuid.uuid4())
    try:
        async with database.transaction(TenantScope.of(AITISA)) as session:
            due = await scheduler.schedule_deadline(
                session,
                alliance_id=AITISA,
                subject=subject,
                deadline="creation_answer",
                title_zh="工作组设立申请的书面答复",
                title_en="Written answer to the application to set up a group",
                rule=deadline.source,
                start_on=date(2025, 1, 24),
                n=deadline.n,
                unit=deadline.unit,
                calendar=charter.calendar.default_calendar,
                recipients=["sec-aitisa-1", "sec-aitisa-2"],
            )
        assert due == date(2025, 2, 13) == charter.due_date("creation_answer", date(2025, 1, 24))
        async with database.transaction(TenantScope.everything()) as session:
            jobs = {
                j.kind: j.due_at
                for j in await session.scalars(sa.select(Job).where(Job.key.contains(subject)))
            }
        assert jobs["deadline_due"].date() == date(2025, 2, 12)
        assert jobs["deadline_overdue"].date() == date(2025, 2, 14)
        # Two replicas, each stepping at the same moment, then again: one notice each.
        runners = [scheduler.JobRunner(database) for _ in range(2)]
        later = datetime(2025, 2, 15, tzinfo=UTC)
        await asyncio.gather(*(r.step(now=later) for r in runners))
        await asyncio.gather(*(r.step(now=later) for r in runners))
        async with database.transaction(TenantScope.everything()) as session:
            filed = (
                await session.execute(
                    sa.select(Notification.recipient_id, Notification.kind, Notification.body_en)
                    .where(Notification.subject_id == subject)
                    .order_by(Notification.kind, Notification.recipient_id)
                )
            ).all()
        assert [(r, k) for r, k, _ in filed] == [
            ("sec-aitisa-1", "deadline_due"),
            ("sec-aitisa-2", "deadline_due"),
            ("sec-aitisa-1", "deadline_overdue"),
            ("sec-aitisa-2", "deadline_overdue"),
        ]
        assert "13 February 2025" in filed[0][2] and "AITISA Art.4(2)" in filed[0][2]
    finally:
        await database.dispose()


async def test_a_moved_deadline_moves_its_reminders_and_a_cancelled_one_sends_none(
    replica_settings: Settings,
) -> None:
    database = Database(replica_settings.database_url, pool_size=2)
    subject = str(uuid.uuid4())
    common = {
        "alliance_id": AITISA,
        "subject": subject,
        "deadline": "rejection_notice",
        "title_zh": "告知驳回结果",
        "title_en": "Tell the initiators the result",
        "rule": "AITISA Art.4(3)",
        "n": 10,
        "unit": "days",
        "calendar": "CN",
        "recipients": ["sec-aitisa-1"],
    }
    try:
        async with database.transaction(TenantScope.of(AITISA)) as session:
            await scheduler.schedule_deadline(session, start_on=date(2025, 3, 3), **common)
            moved = await scheduler.schedule_deadline(session, start_on=date(2025, 3, 10), **common)
        assert moved == date(2025, 3, 20)
        async with database.transaction(TenantScope.everything()) as session:
            due = await session.scalar(
                sa.select(Job.due_at).where(Job.key == f"deadline:{subject}:rejection_notice:due")
            )
            assert due is not None and due.date() == date(2025, 3, 19)
            await scheduler.cancel_deadline(session, subject=subject, deadline="rejection_notice")
        await scheduler.JobRunner(database).step(now=datetime(2025, 4, 1, tzinfo=UTC))
        async with database.transaction(TenantScope.everything()) as session:
            count = await session.scalar(
                sa.select(sa.func.count())
                .select_from(Notification)
                .where(Notification.subject_id == subject)
            )
        assert count == 0
    finally:
        await database.dispose()


async def test_a_meeting_notice_email_carries_its_ics_invitation(
    service: SubgraphClient, replica_settings: Settings, smtp: tuple[MailBox, int]
) -> None:
    box, _ = smtp
    person, address = "director-ics", "zhao@example.cn"
    await service.data(
        """mutation { setMyNotificationSettings(alliance: "aitisa", email: "zhao@example.cn",
        language: "en") { email } }""",
        claims=claims_for(person),
    )
    database = Database(replica_settings.database_url, pool_size=2)
    meeting = str(uuid.uuid4())
    try:
        async with database.transaction(TenantScope.of(AITISA)) as session:
            await filing.file(
                session,
                alliance_id=AITISA,
                event_id=uuid.uuid4(),
                event_type="tests.meeting",
                notices=[
                    filing.Notice(
                        kind="announcement",
                        recipients=[person],
                        context={
                            "title_zh": "理事会会议通知",
                            "title_en": "Council meeting",
                            "body_zh": "议程：预算",
                            "body_en": "Agenda: the budget",
                            "internal": False,
                            "alliance_name_zh": "联盟",
                            "alliance_name_en": "AITISA",
                        },
                        subject_id=meeting,
                        invitation=Invitation(
                            uid=meeting,
                            summary="Council meeting",
                            starts_at=datetime(2026, 12, 10, 1, 0, tzinfo=UTC),
                            ends_at=datetime(2026, 12, 10, 3, 0, tzinfo=UTC),
                            location="北京市海淀区",
                        ),
                    )
                ],
            )
    finally:
        await database.dispose()
    mail = (await eventually(lambda: _list(box.to(address))))[0]
    parts = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    cal = Calendar.from_ical(parts[0].get_content())
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["uid"]) == meeting
    assert str(vevent["location"]) == "北京市海淀区"
    assert str(vevent["attendee"]) == f"mailto:{address}"


async def test_an_announcement_reaches_every_member_and_an_internal_one_no_webhook(
    service: SubgraphClient, nats_url: str
) -> None:
    slug = "aii"
    aii = alliance_id(slug)
    members = []
    for i in range(3):
        members.append(f"aii-member-{i}")
        await publish(
            nats_url,
            event(
                "membership.member.admitted",
                {
                    "membershipId": str(uuid.uuid4()),
                    "allianceId": str(aii),
                    "allianceSlug": slug,
                    "allianceNameZh": "工业互联网产业联盟",
                    "allianceNameEn": "Alliance of Industrial Internet",
                    "organizationId": str(uuid.uuid4()),
                    "organizationNameZh": f"单位{i}",
                    "tier": "ordinary",
                    "status": "active" if i < 2 else "withdrawn",
                    "contactUserId": f"aii-member-{i}",
                },
                alliance_id=aii,
            ),
        )
    secretariat = claims_for("aii-sec", alliances={slug: ["secretariat"]})
    announce = """mutation($i: AnnouncementInput!) { announce(input: $i) { id recipients } }"""
    payload = {
        "alliance": slug,
        "titleZh": "理事会纪要",
        "titleEn": "Council minutes",
        "bodyZh": "见附件",
        "bodyEn": "See the attachment",
        "internal": True,
    }
    await service.data(
        """mutation { registerWebhookEndpoint(alliance: "aii", url: "http://127.0.0.1:9/hook")
        { endpoint { id } } }""",
        claims=secretariat,
    )
    result = await eventually(lambda: _recipients(service, announce, payload, secretariat))
    assert result == 2  # the two active members' contact persons; the withdrawn one is not
    mine = await service.data(
        "{ myNotifications { edges { node { title internal kind } } } }",
        claims=claims_for("aii-member-0", locale="en"),
    )
    notes = [e["node"] for e in mine["myNotifications"]["edges"] if e["node"]["kind"]]
    assert notes[0] == {
        "title": "[Internal: not for circulation outside the alliance] Council minutes",
        "internal": True,
        "kind": "announcement",
    }
    hooks = await service.data(
        """{ deliveryLog(alliance: "aii", channel: "webhook") { totalCount } }""",
        claims=secretariat,
    )
    assert hooks["deliveryLog"]["totalCount"] == 0, "an internal notice never leaves by webhook"
    refused = await service.execute(announce, {"i": payload | {"titleEn": " "}}, claims=secretariat)
    assert refused["errors"][0]["extensions"]["code"] == "EMPTY_ANNOUNCEMENT"
    not_staff = await service.execute(announce, {"i": payload}, claims=claims_for("aii-member-0"))
    assert not_staff["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_withdrawal_heard_before_its_admission_keeps_the_member_off_announcements(
    service: SubgraphClient, notifications_db: ServiceDatabase, nats_url: str
) -> None:
    """A membership's events can be handled out of order (a retried event, two replicas): the
    register follows the newest revision, whichever arrives last."""
    slug = f"aii-{uuid.uuid4().hex[:6]}"
    aii = alliance_id(slug)

    def member(kind: str, who: str, status: str, revision: int) -> Envelope:
        return event(
            f"membership.member.{kind}",
            {
                "membershipId": str(uuid.uuid5(aii, who)),
                "allianceId": str(aii),
                "allianceSlug": slug,
                "allianceNameZh": "工业互联网产业联盟",
                "allianceNameEn": "Alliance of Industrial Internet",
                "organizationId": str(uuid.uuid5(aii, f"org-{who}")),
                "organizationNameZh": who,
                "tier": "ordinary",
                "status": status,
                "contactUserId": who,
                "revision": revision,
            },
            alliance_id=aii,
        )

    withdrawn = member("withdrawn", "leaver", "withdrawn", 2)
    await publish(nats_url, withdrawn)
    await eventually(
        lambda: handled(notifications_db.migration_dsn, "notifications-membership", withdrawn)
    )
    admitted = [member("admitted", who, "active", 1) for who in ("leaver", "stayer")]
    await publish(nats_url, *admitted)
    await eventually(
        lambda: handled(notifications_db.migration_dsn, "notifications-membership", *admitted)
    )
    announced = await service.data(
        "mutation($i: AnnouncementInput!) { announce(input: $i) { id recipients } }",
        {
            "i": {
                "alliance": slug,
                "titleZh": "通知",
                "titleEn": "Notice",
                "bodyZh": "见附件",
                "bodyEn": "See the attachment",
                "internal": False,
            }
        },
        claims=claims_for(f"{slug}-sec", alliances={slug: ["secretariat"]}),
    )
    assert announced["announce"]["recipients"] == 1  # the member that stayed; not the leaver


async def _recipients(
    client: SubgraphClient, query: str, payload: dict[str, object], claims: dict[str, object]
) -> int | None:
    """Announce once the register has the members (the events are consumed asynchronously)."""
    async with client.app.state.database.transaction(TenantScope.everything()) as session:
        from notifications.models import Member

        n = await session.scalar(
            sa.select(sa.func.count())
            .select_from(Member)
            .where(Member.alliance_id == alliance_id("aii"))
        )
    if n != 3:
        return None
    data = await client.data(query, {"i": payload}, claims=claims)
    return int(data["announce"]["recipients"])


async def _list(value: list[object]) -> list[object]:
    return value

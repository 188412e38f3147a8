"""Governance's events reach the people concerned: a charter deadline is reminded before,
flagged after, told at once when a provisional date moves on the year's official schedule, and
silent once answered (AITISA Art.4(2): the secretariat answers within 10 working days); a
meeting's notice reaches every holder of the body's seats."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from contracts import finance as f
from contracts import governance as g
from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from notifications.models import Job
from notifications.settings import Settings
from servicekit.db import Database
from servicekit.events import Envelope
from servicekit.tenancy import TenantScope, alliance_id

MINE = """{ myNotifications(first: 20) { totalCount edges { node {
  title titleEn body bodyEn eventType subjectId } } } }"""


def deadline_event(model: type[g.DeadlineEvent], fields: dict[str, Any], **extra: Any) -> Envelope:
    parsed = model.model_validate(fields | extra)
    return event(
        model.TYPE,
        parsed.to_data(),
        alliance_id=parsed.alliance_id,
        subject=str(parsed.deadline_id),
        source="/concord/governance",
    )


async def jobs_of(database: Database, subject: str) -> dict[str, tuple[date, bool]]:
    async with database.transaction(TenantScope.everything()) as session:
        rows = await session.scalars(sa.select(Job).where(Job.key.contains(subject)))
        return {j.kind: (j.due_at.date(), j.cancelled) for j in rows}


async def test_a_moved_deadline_tells_the_secretariat_at_once_and_moves_its_reminders(
    notifications: SubgraphClient,
    replica_settings: Settings,
    nats_url: str,
    backlog_handled: Callable[[float], Awaitable[None]],
) -> None:
    slug = f"wg-{uuid.uuid4().hex[:6]}"
    alliance = alliance_id(slug)
    clerk = f"{slug}-clerk"
    await publish(
        nats_url,
        event(
            "membership.role.assigned",
            {
                "assignmentId": str(uuid.uuid4()),
                "allianceId": str(alliance),
                "allianceSlug": slug,
                "userId": clerk,
                "name": "秘书处",
                "role": "secretariat",
            },
            alliance_id=alliance,
        ),
    )
    await backlog_handled(60.0)
    subject = uuid.uuid4()
    fields: dict[str, Any] = {
        "deadline_id": uuid.uuid4(),
        "alliance_id": alliance,
        "alliance_slug": slug,
        "subject_type": "working_group_application",
        "subject_id": subject,
        "deadline": "creation_answer",
        "rule": "AITISA Art.4(2)",
        "title_zh": "答复推进组设立申请",
        "title_en": "Answer the application to found a working group",
        "start_on": date(2031, 1, 14),
        "n": 10,
        "unit": "working_days",
        "calendar": "CN",
        "due_on": date(2031, 2, 3),
        "provisional": True,
        "provisional_reason": {"zh": "暂定", "en": "provisional"},
        "recipient_roles": ["secretariat"],
    }
    database = Database(replica_settings.database_url, pool_size=2)
    try:
        await publish(nats_url, deadline_event(g.DeadlineOpened, fields))
        jobs = await eventually(lambda: jobs_of(database, str(subject)), within=30)
        # Due Monday 3 February: reminded on the working day before (Friday 31 January).
        assert jobs == {
            "deadline_due": (date(2031, 1, 31), False),
            "deadline_overdue": (date(2031, 2, 4), False),
        }
        assert (await notifications.data(MINE, claims=claims_for(clerk)))["myNotifications"][
            "totalCount"
        ] == 0

        moved = deadline_event(
            g.DeadlineMoved,
            fields,
            due_on=date(2031, 1, 31),
            provisional=False,
            provisional_reason=None,
            previous_due_on=date(2031, 2, 3),
            schedule="CN 2031 v1 (国办发明电〔2030〕1号)",
        )
        await publish(nats_url, moved)
        # Delivered again past JetStream's dedupe: still one notice.
        await publish(nats_url, moved, msg_id=str(uuid.uuid4()))

        async def told() -> dict[str, Any] | None:
            page = (await notifications.data(MINE, claims=claims_for(clerk)))["myNotifications"]
            return page if page["totalCount"] else None

        page = await eventually(told, within=30)
        await backlog_handled(60.0)
        page = (await notifications.data(MINE, claims=claims_for(clerk)))["myNotifications"]
        assert page["totalCount"] == 1
        notice = page["edges"][0]["node"]
        assert notice["eventType"] == "governance.deadline.moved"
        assert notice["subjectId"] == str(subject)
        assert notice["title"] == "期限调整：答复推进组设立申请"
        assert "2031年1月31日" in notice["body"] and "2031年2月3日" in notice["body"]
        assert "AITISA Art.4(2)" in notice["body"] and "CN 2031 v1" in notice["body"]
        assert "31 January 2031" in notice["bodyEn"] and "3 February 2031" in notice["bodyEn"]
        # Due Friday 31 January: reminded on Thursday 30 January, overdue on 1 February.
        assert await jobs_of(database, str(subject)) == {
            "deadline_due": (date(2031, 1, 30), False),
            "deadline_overdue": (date(2031, 2, 1), False),
        }

        # Answered in time: no reminder, no overdue notice.
        await publish(nats_url, deadline_event(g.DeadlineClosed, fields, outcome="met"))

        async def cancelled() -> bool:
            return all(c for _, c in (await jobs_of(database, str(subject))).values())

        await eventually(cancelled, within=30)
    finally:
        await database.dispose()


async def test_a_convened_meeting_reaches_every_holder_of_the_bodys_seats(
    notifications: SubgraphClient, nats_url: str
) -> None:
    slug = f"mt-{uuid.uuid4().hex[:6]}"
    alliance = alliance_id(slug)
    directors = [f"{slug}-director-{i}" for i in range(3)]
    convened = g.MeetingConvened(
        meeting_id=uuid.uuid4(),
        alliance_id=alliance,
        body="council",
        title="2026年第2次理事会",
        mode="in_person",
        starts_at=datetime(2026, 12, 18, 9, 30, tzinfo=UTC),
        place="北京",
        convened_as="secretariat (AII Art.23)",
        charter_version=1,
        attendees=directors,
    )
    await publish(
        nats_url,
        event(
            g.MeetingConvened.TYPE,
            convened.to_data(),
            alliance_id=alliance,
            subject=str(convened.meeting_id),
        ),
    )
    for director in directors:

        async def told(user: str = director) -> dict[str, Any] | None:
            page = (await notifications.data(MINE, claims=claims_for(user)))["myNotifications"]
            return page if page["totalCount"] else None

        page = await eventually(told, within=30)
        (edge,) = page["edges"]
        assert edge["node"]["eventType"] == "governance.meeting.convened"
        assert "2026年第2次理事会" in edge["node"]["title"] + edge["node"]["body"]
    outsider = await notifications.data(MINE, claims=claims_for(f"{slug}-nobody"))
    assert outsider["myNotifications"]["totalCount"] == 0


async def test_a_written_proxy_is_told_to_its_holder_and_to_the_represented_organisation(
    notifications: SubgraphClient,
    nats_url: str,
    backlog_handled: Callable[[float], Awaitable[None]],
) -> None:
    from contracts.membership import MemberAdmitted, MembershipStatus

    slug = f"px-{uuid.uuid4().hex[:6]}"
    alliance = alliance_id(slug)
    org, contact, holder = uuid.uuid4(), f"{slug}-contact", f"{slug}-holder"
    admitted = MemberAdmitted(
        membership_id=uuid.uuid4(),
        alliance_id=alliance,
        alliance_slug=slug,
        alliance_name_zh="工业互联网产业联盟",
        alliance_name_en="Alliance of Industrial Internet",
        organization_id=org,
        organization_name_zh="星海科技有限公司",
        tier="director",
        status=MembershipStatus.ACTIVE,
        contact_user_id=contact,
    )
    await publish(nats_url, event(MemberAdmitted.TYPE, admitted.to_data(), alliance_id=alliance))
    await backlog_handled(60.0)
    recorded = g.AttendanceRecorded(
        alliance_id=alliance,
        meeting_id=str(uuid.uuid4()),
        body="council",
        held_on=date(2026, 12, 18),
        attendance=[
            g.SeatAttendance(
                organization_id=org,
                status=g.AttendanceStatus.PROXY,
                organization_name="星海科技有限公司",
                proxy_holder_user_id=holder,
            )
        ],
    )
    message = event(g.AttendanceRecorded.TYPE, recorded.to_data(), alliance_id=alliance)
    await publish(nats_url, message)
    await publish(nats_url, message, msg_id=str(uuid.uuid4()))  # redelivered: still once
    for person in (holder, contact):

        async def told(user: str = person) -> dict[str, Any] | None:
            page = (await notifications.data(MINE, claims=claims_for(user)))["myNotifications"]
            return page if page["totalCount"] else None

        await eventually(told, within=30)
    await backlog_handled(60.0)
    for person in (holder, contact):
        page = (await notifications.data(MINE, claims=claims_for(person)))["myNotifications"]
        assert page["totalCount"] == 1
        assert page["edges"][0]["node"]["title"].startswith("书面委托已计入")


async def test_a_groups_budget_returned_or_decided_reaches_the_groups_leader(
    notifications: SubgraphClient, nats_url: str
) -> None:
    """AITISA Art.12(1): the secretariat's preliminary review returns a group's budget with its
    reasons, and the chair's office decides it; both reach the group's leader, whom finance
    names in the event (notifications keeps no register of groups)."""
    slug = f"wgb-{uuid.uuid4().hex[:6]}"
    alliance = alliance_id(slug)
    leader, budget, group = f"{slug}-leader", uuid.uuid4(), uuid.uuid4()
    returned = f.BudgetReturned(
        alliance_id=alliance,
        budget_id=budget,
        fiscal_year=2027,
        working_group_id=group,
        working_group_name="智能语音推进组",
        reasons="会务费测算依据不足",
        returned_by=f"{slug}-clerk",
        returned_on=date(2026, 12, 4),
        recipients=[leader],
    )
    decided = f.BudgetDecided(
        alliance_id=alliance,
        matter_id=uuid.uuid4(),
        motion_id=uuid.uuid4(),
        fiscal_year=2027,
        approved=True,
        rule="AITISA Art.12(1)",
        budget_id=budget,
        working_group_id=group,
        working_group_name="智能语音推进组",
        recipients=[leader],
    )
    for model in (returned, decided):
        await publish(
            nats_url,
            event(model.TYPE, model.to_data(), alliance_id=alliance, subject=str(budget)),
        )

    async def told() -> dict[str, str] | None:
        page = (await notifications.data(MINE, claims=claims_for(leader)))["myNotifications"]
        found = {e["node"]["eventType"]: e["node"]["body"] for e in page["edges"]}
        return found if len(found) == 2 else None

    found = await eventually(told, within=30)
    assert "会务费测算依据不足" in found["finance.budget.returned"]
    assert "AITISA Art.12(1)" in found["finance.budget.returned"]
    assert "AITISA Art.12(1)" in found["finance.budget.decided"]
    outsider = await notifications.data(MINE, claims=claims_for(f"{slug}-nobody"))
    assert outsider["myNotifications"]["totalCount"] == 0


async def test_the_audit_report_reaches_each_council_member_by_the_seats_governance_published(
    notifications: SubgraphClient,
    nats_url: str,
    backlog_handled: Callable[[float], Awaitable[None]],
) -> None:
    """China-ASEAN Art.27: 审计 … 并报理事会审查. The report reaches whoever sits on the
    council now, by governance's seat changes: a seat's newest change wins though an older one
    arrives after it, a vacated seat is told nothing, and another body's seat neither."""
    slug = f"au-{uuid.uuid4().hex[:6]}"
    alliance = alliance_id(slug)

    def seat(seat_id: uuid.UUID, body: str, holder: str, active: bool, position: int) -> Envelope:
        changed = g.SeatChanged(
            seat_id=seat_id,
            alliance_id=alliance,
            body=body,
            change="opened" if active else "vacated",
            holder_user_id=holder,
            active=active,
            changed_on=date(2026, 12, 1),
            position=position,
        )
        return event(g.SeatChanged.TYPE, changed.to_data(), alliance_id=alliance)

    sitting, replaced, vacated, assembly = (uuid.uuid4() for _ in range(4))
    for message in (
        seat(sitting, "council", f"{slug}-d1", True, 1),
        # the newest change of this seat (a new representative) before the older one
        seat(replaced, "council", f"{slug}-d2-new", True, 5),
        seat(replaced, "council", f"{slug}-d2-old", True, 2),
        seat(vacated, "council", f"{slug}-d3", True, 3),
        seat(vacated, "council", f"{slug}-d3", False, 4),
        seat(assembly, "general_assembly", f"{slug}-m1", True, 6),
    ):
        await publish(nats_url, message)
    await backlog_handled(60.0)
    reported = f.AuditReported(
        audit_report_id=uuid.uuid4(),
        alliance_id=alliance,
        fiscal_year=2026,
        firm_name="广西华信会计师事务所",
        opinion="unqualified",
        reference="桂华审字〔2026〕第018号",
        reported_to=["council"],
    )
    await publish(
        nats_url,
        event(
            f.AuditReported.TYPE,
            reported.to_data(),
            alliance_id=alliance,
            subject=str(reported.audit_report_id),
            source="/concord/finance",
        ),
    )
    for member in (f"{slug}-d1", f"{slug}-d2-new"):

        async def told(user: str = member) -> dict[str, Any] | None:
            page = (await notifications.data(MINE, claims=claims_for(user)))["myNotifications"]
            return page if page["totalCount"] else None

        page = await eventually(told, within=30)
        (edge,) = page["edges"]
        assert edge["node"]["eventType"] == "finance.audit.reported"
        assert "广西华信会计师事务所" in edge["node"]["title"]
    await backlog_handled(60.0)
    for nobody in (f"{slug}-d2-old", f"{slug}-d3", f"{slug}-m1"):
        page = await notifications.data(MINE, claims=claims_for(nobody))
        assert page["myNotifications"]["totalCount"] == 0, nobody

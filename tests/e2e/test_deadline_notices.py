"""The notices of charter deadlines and of the year's meetings, end to end (AITISA Art.4(2):
the secretariat answers an application to found a working group within 10 working days of
receipt): the reminder before the due date and the overdue notice after it reach the
secretariat, and a provisional deadline that its year's official schedule moves is told to them
at once, with both dates.

Time, not code: a deadline opened today is due in two weeks, and no action through the gateway
opens one in a year whose schedule is not loaded yet. The overdue test uses the service's own
date argument (the secretariat records an application received weeks ago: its reminder and its
overdue notice are already due, and the job runner files them at once). The moved test moves a
stored deadline into a made-up year (``devkit.testing.calendars``; this module's own year: the
session's NATS stream is shared) in governance's database, as the provisional count of that year
would have it, then loads that year's schedule through the gateway: the recount is the service's.
A working group that held too few meetings last year (AITISA Art.10(1)) is, likewise, a group
whose approval date is moved before last year in governance's database; governance's own check
of the years' meetings finds it.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from charter.calendars import get_calendar
from charter.ids import DeadlineUnit
from devkit.local.platform import Platform
from devkit.testing.calendars import made_up_schedule_text, spring_festival_eve
from devkit.testing.handles import PostgresHandle
from tests.e2e.alliances import Alliance, notices
from tests.e2e.client import Caller, operator, until

pytestmark = pytest.mark.e2e

YEAR = 2037
"""This module's made-up schedule year (no other test loads CN 2037)."""

NOTICES = """{ myNotifications(first: 50) { edges { node { kind title body subjectId } } } }"""


def _execute(postgres: PostgresHandle, database: str, sql: str, *args: object) -> str:
    async def run() -> str:
        conn = await asyncpg.connect(postgres.dsn(database))
        try:
            return str(await conn.execute(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


@pytest.fixture(scope="module")
def aitisa(platform: Platform) -> Alliance:
    alliance = Alliance(platform)
    alliance.admit(5)
    alliance.officers()
    alliance.chair_seats()
    for locale in ("zh", "en"):
        assign_secretariat(alliance, locale)
    return alliance


def assign_secretariat(alliance: Alliance, locale: str) -> None:
    """A person of the secretariat (the role the deadlines name)."""
    user = f"{alliance.slug}-desk-{locale}"
    alliance.clerk.data(
        "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
        {"i": {"alliance": alliance.slug, "userId": user, "name": "秘书处", "role": "secretariat"}},
    )


def secretariat(alliance: Alliance, locale: str) -> Caller:
    """The secretariat's person reading in ``locale``."""
    user = f"{alliance.slug}-desk-{locale}"
    return Caller(
        alliance.platform, user, alliances={alliance.slug: ["secretariat"]}, locale=locale
    )


def kinds_of(caller: Caller, subject: str, *kinds: str) -> dict[str, dict[str, Any]] | None:
    edges = caller.data(NOTICES)["myNotifications"]["edges"]
    found = {e["node"]["kind"]: e["node"] for e in edges if e["node"]["subjectId"] == subject}
    return found if set(kinds) <= set(found) else None


def test_the_secretariat_is_reminded_of_its_answer_and_told_when_it_is_overdue(
    aitisa: Alliance,
) -> None:
    zh, en = secretariat(aitisa, "zh"), secretariat(aitisa, "en")
    received = datetime.now(UTC).date() - timedelta(days=40)  # due about 26 days ago
    filed = aitisa.apply(aitisa.members[:5], aitisa.clerk, receivedOn=received.isoformat())
    assert not filed.get("errors"), filed
    group = aitisa.group(filed["data"]["applyForWorkingGroup"]["id"])
    [answer] = group["deadlines"]
    subject = group["id"]  # the matter the deadline is about
    both = ("deadline_due", "deadline_overdue")
    seen_zh = until(lambda: kinds_of(zh, subject, *both), within=60)
    seen_en = until(lambda: kinds_of(en, subject, *both), within=60)
    due_on = date.fromisoformat(answer["dueOn"])
    assert seen_zh["deadline_due"]["title"].startswith("期限将至")
    assert seen_en["deadline_due"]["title"].startswith("Deadline approaching")
    for notice in (*seen_zh.values(), *seen_en.values()):
        assert "AITISA Art.4(2)" in notice["body"]
    assert f"{due_on.year}" in seen_en["deadline_due"]["body"]


def test_a_provisional_deadline_its_years_schedule_moves_is_told_to_the_secretariat(
    aitisa: Alliance, platform: Platform, postgres: PostgresHandle
) -> None:
    zh, en = secretariat(aitisa, "zh"), secretariat(aitisa, "en")
    filed = aitisa.apply(aitisa.members[:5])
    assert not filed.get("errors"), filed
    group_id = filed["data"]["applyForWorkingGroup"]["id"]
    # Into YEAR, before its Spring Festival, as the provisional count has it (no schedule).
    start = spring_festival_eve(YEAR) - timedelta(days=8)
    provisional = get_calendar("CN").due(start, 10, DeadlineUnit.WORKING_DAYS)
    assert provisional.provisional and provisional.reason is not None
    moved = _execute(
        postgres,
        platform.databases["governance"].name,
        "update deadlines set start_on = $1, due_on = $2, provisional = true, "
        "provisional_reason = $3::jsonb where subject_id = $4 and deadline = 'creation_answer'",
        start,
        provisional.on,
        json.dumps(provisional.reason.model_dump()),
        uuid.UUID(group_id),
    )
    assert moved == "UPDATE 1"

    loaded = operator(platform).data(
        "mutation($s: String!) { loadCalendarSchedule(schedule: $s) { country year version } }",
        {"s": made_up_schedule_text(YEAR)},
    )["loadCalendarSchedule"]
    assert (loaded["country"], loaded["year"]) == ("CN", YEAR)

    def recounted() -> dict[str, Any] | None:
        [answer] = aitisa.group(group_id)["deadlines"]
        return answer if answer["provisional"] is False else None

    answer = until(recounted, within=60)
    assert date.fromisoformat(answer["dueOn"]) != provisional.on
    told_zh = until(lambda: kinds_of(zh, group_id, "deadline_moved"), within=60)["deadline_moved"]
    told_en = until(lambda: kinds_of(en, group_id, "deadline_moved"), within=60)["deadline_moved"]
    assert told_zh["title"] != told_en["title"]
    assert told_en["title"].startswith("Deadline moved")
    assert "provisional" in told_en["body"] and f"TEST FIXTURE CN {YEAR}" in told_en["body"]
    assert str(YEAR) in told_zh["body"]


def test_a_group_that_held_fewer_than_two_meetings_last_year_is_told_so(
    aitisa: Alliance, platform: Platform, postgres: PostgresHandle
) -> None:
    """AITISA Art.10(1): a group meets at least twice a year. A group approved before last
    year began that held none in it is told (its leader and the secretariat), once; governance
    notes it when it checks the years' meetings (about once a minute)."""
    five = aitisa.members[:5]
    group_id = aitisa.found(five)
    aitisa.contact(five[0]).data(
        "mutation($g: ID!, $o: ID!, $u: String!) { fillWorkingGroupPost(group: $g, "
        'organization: $o, userId: $u, name: "组长", post: GROUP_LEADER) { id } }',
        {"g": group_id, "o": five[0]["org"], "u": five[0]["contact"]},
    )
    last_year = datetime.now(UTC).year - 1
    # The database, not the code: the group was approved (today) as if before last year.
    founded = _execute(
        postgres,
        platform.databases["governance"].name,
        "update working_groups set decided_on = $1 where id = $2",
        date(last_year - 1, 12, 1),
        uuid.UUID(group_id),
    )
    assert founded == "UPDATE 1"
    missed = "governance.working_group.meetings_missed"
    [told] = until(lambda: notices(platform, five[0]["contact"], missed), within=150)
    assert "AITISA Art.10" in told["body"] and str(last_year) in told["body"]
    desk = secretariat(aitisa, "en")
    edges = until(lambda: kinds_of(desk, group_id, "working_group_meetings_missed"), within=30)
    assert edges["working_group_meetings_missed"]["title"].startswith("Too few working meetings")

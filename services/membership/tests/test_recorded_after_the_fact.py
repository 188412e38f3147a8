"""Decisions the secretariat records after the fact take effect on the day they name
(``effectiveOn``): the membership is admitted, ended or changed then, its history says so, and
the figures count it in that month. The day is the secretariat's to give, never in the future,
never before the body decided or the member joined, at most a year back; a bad one changes
nothing. The charter's own demotion (AII Art.13) is dated at the third missed meeting."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

import charter
from devkit.testing.events import event as make_event
from devkit.testing.events import eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from membership import credit_code
from servicekit.tenancy import alliance_id

OPERATOR = claims_for("op-1", operator=True)
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id } }"""
FORWARD = "mutation($id: ID!) { forwardApplication(id: $id) { status } }"
DECIDE = """mutation($id: ID!, $d: DecisionInput!) { recordDecision(id: $id, input: $d) {
  status decidedAt membership { id status joinedAt endedAt } } }"""
APPLICATION = "query($id: ID!) { application(id: $id) { status decidedAt } }"
MEMBERSHIP = """query($id: ID!) { membership(id: $id) { tier status joinedAt endedAt
  organization { id } timeline { change toValue at } } }"""
WITHDRAW = """mutation($m: ID!) { requestWithdrawal(membershipId: $m, reason: "业务调整") {
  id status } }"""
COMPLETE = """mutation($id: ID!, $d: Date) { completeApplication(id: $id, note: "书面通知",
  effectiveOn: $d) { status } }"""
FIGURES = """query($slug: String!, $s: Date!, $u: Date!) { alliance(slug: $slug) {
  membershipFigures(since: $s, until: $u, grouping: MONTH) {
    series { period members admissions withdrawals demotions } } } }"""
TODAY = datetime.now(UTC).date()


def staff(slug: str) -> dict[str, Any]:
    return claims_for(f"{slug}-sec", alliances={slug: ["secretariat"]})


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def month(on: date) -> str:
    return on.replace(day=1).isoformat()


def dated(body: str, decided: date, effective: date | None) -> dict[str, Any]:
    d: dict[str, Any] = {
        "approved": True,
        "body": body,
        "meeting": "理事会会议",
        "decidedOn": decided.isoformat(),
    }
    return d | ({"effectiveOn": effective.isoformat()} if effective else {})


@pytest.fixture(scope="module")
async def slugs(membership: SubgraphClient) -> dict[str, str]:
    made = {}
    for template in ("aii", "china-asean"):
        slug = f"late-{template}"
        await membership.data(
            "mutation($i: CreateAllianceInput!) { createAlliance(input: $i) { id } }",
            {"i": {"slug": slug, "nameZh": slug, "template": template}},
            claims=OPERATOR,
        )
        made[template] = slug
    return made


async def forwarded(client: SubgraphClient, slug: str, template: str, tier: str) -> str:
    """An admission application forwarded to the deciding body; its contact is ``c-<id>``."""
    contact = f"c-{uuid.uuid4().hex[:8]}"
    digits = "".join(str(int(c, 16) % 10) for c in uuid.uuid4().hex[:8])
    app_id: str = (
        await client.data(
            SUBMIT,
            {
                "i": {
                    "alliance": slug,
                    "tier": tier,
                    "contactName": "联络员",
                    "contactEmail": "c@example.cn",
                    "materials": [
                        {"material": m.id, "reference": "纸质件"}
                        for m in charter.load_template(template).membership.application_materials
                    ],
                    "organization": {
                        "nameZh": f"补录机构{uuid.uuid4().hex[:6]}",
                        "kind": "ENTERPRISE",
                        "country": "SG" if template == "china-asean" else "CN",
                        "registrationNumber": credit_code.complete("91310115" + digits),
                    },
                }
            },
            claims=claims_for(contact),
        )
    )["submitApplication"]["id"]
    await client.data(FORWARD, {"id": app_id}, claims=staff(slug))
    return app_id


async def series(client: SubgraphClient, slug: str) -> dict[str, dict[str, int]]:
    data = await client.data(
        FIGURES, {"slug": slug, "s": month(ago(380)), "u": TODAY.isoformat()}, claims=OPERATOR
    )
    return {p["period"]: p for p in data["alliance"]["membershipFigures"]["series"]}


async def test_an_admission_and_a_withdrawal_recorded_later_take_effect_on_the_days_decided(
    membership: SubgraphClient, slugs: dict[str, str]
) -> None:
    slug = slugs["china-asean"]  # China-ASEAN Art.22.2(4), Art.21.3: the council decides both
    app_id = await forwarded(membership, slug, "china-asean", "DIRECTOR")
    joined = ago(200)
    decided = await membership.data(
        DECIDE, {"id": app_id, "d": dated("COUNCIL", joined, joined)}, claims=staff(slug)
    )
    member = decided["recordDecision"]["membership"]
    assert member["joinedAt"].startswith(joined.isoformat())
    assert decided["recordDecision"]["decidedAt"].startswith(joined.isoformat())
    found = (await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff(slug)))[
        "membership"
    ]
    assert [(e["change"], e["toValue"], e["at"][:10]) for e in found["timeline"]] == [
        ("status", "active", joined.isoformat())
    ]

    # Its contact gives notice; the council approved the withdrawal 120 days ago.
    contact_sub = await _contact_of(membership, slug, member["id"])
    request = (
        await membership.data(WITHDRAW, {"m": member["id"]}, claims=claims_for(contact_sub))
    )["requestWithdrawal"]
    left = ago(120)
    ended = await membership.data(
        DECIDE, {"id": request["id"], "d": dated("COUNCIL", left, left)}, claims=staff(slug)
    )
    assert ended["recordDecision"]["membership"]["endedAt"].startswith(left.isoformat())

    by_month = await series(membership, slug)
    assert by_month[month(joined)]["admissions"] == 1
    assert by_month[month(left)]["withdrawals"] == 1
    assert by_month[month(joined)]["members"] == 1 and by_month[month(left)]["members"] == 0


async def _contact_of(client: SubgraphClient, slug: str, membership_id: str) -> str:
    data = await client.data(
        "query($id: ID!) { membership(id: $id) { contactPerson { userId } } }",
        {"id": membership_id},
        claims=staff(slug),
    )
    sub: str = data["membership"]["contactPerson"]["userId"]
    return sub


@pytest.mark.parametrize(
    ("decided_days_ago", "effective_days_ago", "why"),
    [
        (0, -1, "in the future"),
        (400, 400, "more than a year back"),
        (10, 20, "before the body decided"),
    ],
)
async def test_an_effective_date_in_the_future_too_old_or_before_the_decision_changes_nothing(
    membership: SubgraphClient,
    slugs: dict[str, str],
    decided_days_ago: int,
    effective_days_ago: int,
    why: str,
) -> None:
    slug = slugs["china-asean"]
    app_id = await forwarded(membership, slug, "china-asean", "DIRECTOR")
    refused = await membership.execute(
        DECIDE,
        {
            "id": app_id,
            "d": dated("COUNCIL", ago(decided_days_ago), ago(effective_days_ago)),
        },
        claims=staff(slug),
    )
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "BAD_EFFECTIVE_DATE", (why, error)
    assert error["extensions"]["field"] == "effectiveOn"
    still = (await membership.data(APPLICATION, {"id": app_id}, claims=staff(slug)))["application"]
    assert still == {"status": "FORWARDED", "decidedAt": None}


async def test_a_membership_cannot_end_before_it_began(
    membership: SubgraphClient, slugs: dict[str, str]
) -> None:
    slug = slugs["china-asean"]
    app_id = await forwarded(membership, slug, "china-asean", "DIRECTOR")
    joined = ago(60)
    member = (
        await membership.data(
            DECIDE, {"id": app_id, "d": dated("COUNCIL", joined, joined)}, claims=staff(slug)
        )
    )["recordDecision"]["membership"]
    contact = await _contact_of(membership, slug, member["id"])
    request = (await membership.data(WITHDRAW, {"m": member["id"]}, claims=claims_for(contact)))[
        "requestWithdrawal"
    ]
    early = ago(90)
    refused = await membership.execute(
        DECIDE, {"id": request["id"], "d": dated("COUNCIL", early, early)}, claims=staff(slug)
    )
    assert refused["errors"][0]["extensions"]["code"] == "BAD_EFFECTIVE_DATE"
    after = (await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff(slug)))[
        "membership"
    ]
    assert (after["status"], after["endedAt"]) == ("ACTIVE", None)


async def test_the_aii_secretariat_records_a_written_notice_of_withdrawal_on_the_day_received(
    membership: SubgraphClient, slugs: dict[str, str]
) -> None:
    slug = slugs["aii"]  # AII Art.15(1): withdrawal by written notice, the secretariat records
    app_id = await forwarded(membership, slug, "aii", "ORDINARY")
    joined = ago(150)
    member = (
        await membership.data(
            DECIDE,
            {"id": app_id, "d": dated("STANDING_COUNCIL", joined, joined)},
            claims=staff(slug),
        )
    )["recordDecision"]["membership"]
    contact = await _contact_of(membership, slug, member["id"])
    request = (await membership.data(WITHDRAW, {"m": member["id"]}, claims=claims_for(contact)))[
        "requestWithdrawal"
    ]
    future = await membership.execute(
        COMPLETE, {"id": request["id"], "d": ago(-3).isoformat()}, claims=staff(slug)
    )
    assert future["errors"][0]["extensions"]["code"] == "BAD_EFFECTIVE_DATE"
    notice = ago(30)
    done = await membership.data(
        COMPLETE, {"id": request["id"], "d": notice.isoformat()}, claims=staff(slug)
    )
    assert done["completeApplication"]["status"] == "APPROVED"
    after = (await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff(slug)))[
        "membership"
    ]
    assert after["status"] == "WITHDRAWN" and after["endedAt"].startswith(notice.isoformat())
    assert (await series(membership, slug))[month(notice)]["withdrawals"] == 1


async def test_the_charters_demotion_takes_effect_on_the_day_of_the_third_missed_meeting(
    membership: SubgraphClient, slugs: dict[str, str], nats_url: str
) -> None:
    slug = slugs["aii"]  # AII Art.13: three consecutive council absences demote one tier
    app_id = await forwarded(membership, slug, "aii", "DIRECTOR")
    joined = ago(300)
    member = (
        await membership.data(
            DECIDE,
            {"id": app_id, "d": dated("STANDING_COUNCIL", joined, joined)},
            claims=staff(slug),
        )
    )["recordDecision"]["membership"]
    org = (await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff(slug)))[
        "membership"
    ]["organization"]["id"]
    held = [ago(200), ago(150), ago(100)]
    await publish(
        nats_url,
        *[
            make_event(
                "governance.attendance.recorded",
                {
                    "allianceId": str(alliance_id(slug)),
                    "meetingId": f"late-{i}",
                    "body": "council",
                    "heldOn": on.isoformat(),
                    "attendance": [{"organizationId": org, "status": "absent"}],
                },
                alliance_id=alliance_id(slug),
            )
            for i, on in enumerate(held)
        ],
    )

    async def demoted() -> dict[str, Any] | None:
        m: dict[str, Any] = (
            await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff(slug))
        )["membership"]
        return m if m["tier"] == "ORDINARY" else None

    after = await eventually(demoted)
    assert after["timeline"][-1]["at"].startswith(held[-1].isoformat())
    assert (await series(membership, slug))[month(held[-1])]["demotions"] == 1

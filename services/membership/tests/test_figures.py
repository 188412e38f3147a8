"""Membership's dashboard figures against rows the test wrote itself: members by tier and
country, their change period by period, admissions, withdrawals, expulsions and demotions, the
applications waiting at each step of the charter, who may see them (row-level security), and
a statement count that does not grow with the number of alliances."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from devkit.local.provision import ServiceDatabase
from devkit.testing.subgraph import SubgraphClient, claims_for, running, statements_of
from membership.app import create_app
from membership.settings import Settings
from servicekit.tenancy import alliance_id

OPERATOR = claims_for("fig-op", operator=True)
CREATE = "mutation($i: CreateAllianceInput!) { createAlliance(input: $i) { id } }"
FIGURES = """
query($s: Date!, $u: Date!, $g: Grouping!) { alliance(slug: "%s") {
  membershipFigures(since: $s, until: $u, grouping: $g) {
    members byTier { tier count } byCountry { country count }
    admissions withdrawals expulsions terminations demotions pendingTotal
    series { period members admissions withdrawals expulsions terminations demotions }
    pending { kind status count oldestDays overDays: over30Days step stepSource deciders
              deadline { n unit } }
  } } }"""
PLATFORM = """query($s: Date!, $u: Date!) {
  membershipFigures(since: $s, until: $u, grouping: QUARTER) {
    members admissions withdrawals byTier { tier count } } }"""


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


async def _alliance(client: SubgraphClient, template: str) -> tuple[str, uuid.UUID]:
    slug = f"fig-{uuid.uuid4().hex[:8]}"
    await client.data(
        CREATE,
        {"i": {"slug": slug, "nameZh": "数字联盟", "nameEn": "Figures", "template": template}},
        claims=OPERATOR,
    )
    return slug, alliance_id(slug)


async def _member(
    conn: asyncpg.Connection,
    alliance: uuid.UUID,
    tier: str,
    country: str,
    joined: str,
    ended: tuple[str, str] | None = None,
) -> uuid.UUID:
    """A membership admitted on ``joined`` (and ended on ``ended[1]`` as ``ended[0]``), with
    the history entries the aggregate writes."""
    org = await conn.fetchval(
        "INSERT INTO organizations (id, name_zh, name_en, kind, country, registration_number) "
        "VALUES (gen_random_uuid(), $1, '', 'enterprise', $2, $3) RETURNING id",
        f"机构{uuid.uuid4().hex[:6]}",
        country,
        uuid.uuid4().hex[:18],
    )
    status, ended_at = (ended[0], at(ended[1])) if ended else ("active", None)
    member = await conn.fetchval(
        """INSERT INTO memberships (id, alliance_id, organization_id, sort_name, country, tier,
             status, contact_user_id, contact_name, contact_email, joined_at, ended_at)
           VALUES (gen_random_uuid(), $1, $2, 'x', $3, $4, $5, 'c', 'c', 'c@example.cn', $6, $7)
           RETURNING id""",
        alliance,
        org,
        country,
        tier,
        status,
        at(joined),
        ended_at,
    )
    await _history(conn, alliance, member, "status", None, "active", "secretariat", joined)
    if ended:
        await _history(conn, alliance, member, "status", "active", ended[0], "gov", ended[1])
    return member


async def _history(
    conn: asyncpg.Connection,
    alliance: uuid.UUID,
    member: uuid.UUID,
    change: str,
    old: str | None,
    new: str,
    actor: str,
    day: str,
) -> None:
    await conn.execute(
        """INSERT INTO membership_history (id, alliance_id, membership_id, change, from_value,
             to_value, actor, charter_version, at)
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, 1, $7)""",
        alliance,
        member,
        change,
        old,
        new,
        actor,
        at(day),
    )


async def _application(
    conn: asyncpg.Connection, alliance: uuid.UUID, status: str, days_ago: int
) -> None:
    org = await conn.fetchval(
        "INSERT INTO organizations (id, name_zh, name_en, kind, country, registration_number) "
        "VALUES (gen_random_uuid(), '申请机构', '', 'enterprise', 'CN', $1) RETURNING id",
        uuid.uuid4().hex[:18],
    )
    when = datetime.now(UTC) - timedelta(days=days_ago)
    await conn.execute(
        """INSERT INTO applications (id, alliance_id, organization_id, kind, tier, status,
             contact_user_id, contact_name, contact_email, submitted_at, forwarded_at)
           VALUES (gen_random_uuid(), $1, $2, 'admission', 'ordinary', $3, 'c', 'c',
                   'c@example.cn', $4, $5)""",
        alliance,
        org,
        status,
        when - timedelta(days=10) if status == "forwarded" else when,
        when if status == "forwarded" else None,
    )


@pytest.fixture(scope="module")
async def world(membership: SubgraphClient, membership_db: ServiceDatabase) -> dict[str, Any]:
    """Two alliances with a year of made-up history written straight into the tables."""
    (aii, aii_id), (asean, asean_id) = (
        await _alliance(membership, "aii"),
        await _alliance(membership, "china-asean"),
    )
    conn = await asyncpg.connect(membership_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        # aii: in force before the window, two admitted in January, one in March;
        # one withdrew in February, one expelled in April; one demoted by the charter in
        # March and one tier change on request (not a demotion).
        await _member(conn, aii_id, "director", "CN", "2025-06-01")
        await _member(conn, aii_id, "ordinary", "CN", "2025-06-02", ("withdrawn", "2026-02-10"))
        a = await _member(conn, aii_id, "ordinary", "CN", "2026-01-05")
        await _member(conn, aii_id, "ordinary", "DE", "2026-01-20", ("expelled", "2026-04-01"))
        b = await _member(conn, aii_id, "vice_chair", "SG", "2026-03-31")
        await _history(conn, aii_id, b, "tier", "chair", "vice_chair", "charter", "2026-03-31")
        await _history(conn, aii_id, a, "tier", "director", "ordinary", "aii-sec", "2026-03-02")
        # one admitted after the window: not in its series, but a member now
        await _member(conn, aii_id, "ordinary", "CN", "2026-08-01")
        await _application(conn, aii_id, "submitted", 40)
        await _application(conn, aii_id, "submitted", 5)
        await _application(conn, aii_id, "forwarded", 100)
        # china-asean: three members of three countries, one pending application
        for country in ("SG", "MY", "TH"):
            await _member(conn, asean_id, "director", country, "2026-02-14")
        await _application(conn, asean_id, "submitted", 1)
    finally:
        await conn.close()
    return {"aii": aii, "asean": asean, "aii_id": aii_id, "asean_id": asean_id}


async def _figures(client: SubgraphClient, slug: str, grouping: str = "MONTH") -> dict[str, Any]:
    data = await client.data(
        FIGURES % slug, {"s": "2026-01-01", "u": "2026-04-30", "g": grouping}, claims=OPERATOR
    )
    figures: dict[str, Any] = data["alliance"]["membershipFigures"]
    return figures


async def test_members_are_counted_by_tier_and_by_country(
    membership: SubgraphClient, world: dict[str, Any]
) -> None:
    f = await _figures(membership, world["aii"])
    assert f["members"] == 4
    assert f["byTier"] == [
        {"tier": "ORDINARY", "count": 2},
        {"tier": "DIRECTOR", "count": 1},
        {"tier": "VICE_CHAIR", "count": 1},
    ]
    assert f["byCountry"] == [{"country": "CN", "count": 3}, {"country": "SG", "count": 1}]


async def test_each_month_counts_members_at_its_end_and_its_admissions_and_departures(
    membership: SubgraphClient, world: dict[str, Any]
) -> None:
    f = await _figures(membership, world["aii"])
    assert [
        (
            p["period"],
            p["members"],
            p["admissions"],
            p["withdrawals"],
            p["expulsions"],
            p["demotions"],
        )
        for p in f["series"]
    ] == [
        ("2026-01-01", 4, 2, 0, 0, 0),
        ("2026-02-01", 3, 0, 1, 0, 0),
        ("2026-03-01", 4, 1, 0, 0, 1),
        ("2026-04-01", 3, 0, 0, 1, 0),
    ]
    assert (f["admissions"], f["withdrawals"], f["expulsions"], f["demotions"]) == (3, 1, 1, 1)


async def test_quarters_add_up_the_months_of_the_quarter(
    membership: SubgraphClient, world: dict[str, Any]
) -> None:
    f = await _figures(membership, world["aii"], "QUARTER")
    assert [(p["period"], p["members"], p["admissions"]) for p in f["series"]] == [
        ("2026-01-01", 4, 3),
        ("2026-04-01", 3, 0),
    ]
    year = await _figures(membership, world["aii"], "YEAR")
    assert [(p["period"], p["members"], p["withdrawals"]) for p in year["series"]] == [
        ("2026-01-01", 3, 1)
    ]


async def test_pending_applications_wait_at_the_charters_review_or_decision_step(
    membership: SubgraphClient, world: dict[str, Any]
) -> None:
    f = await _figures(membership, world["aii"])
    assert f["pendingTotal"] == 3
    by_status = {p["status"]: p for p in f["pending"]}
    submitted, forwarded = by_status["SUBMITTED"], by_status["FORWARDED"]
    assert (submitted["count"], submitted["oldestDays"], submitted["overDays"]) == (2, 40, 1)
    assert submitted["step"] == "review" and submitted["stepSource"].startswith("AII Art.")
    assert (forwarded["count"], forwarded["oldestDays"]) == (1, 100)
    assert forwarded["step"] == "decision" and forwarded["deciders"]
    # no seed charter sets a deadline for the steps of an admission
    assert submitted["deadline"] is None and forwarded["deadline"] is None


async def test_the_platform_total_adds_every_alliance_for_the_operator_only_its_own_for_staff(
    membership: SubgraphClient, world: dict[str, Any]
) -> None:
    window = {"s": "2026-01-01", "u": "2026-04-30"}
    total = (await membership.data(PLATFORM, window, claims=OPERATOR))["membershipFigures"]
    assert total["members"] >= 4 + 3
    staff = claims_for("fig-sec", alliances={world["asean"]: ["secretariat"]})
    own = (await membership.data(PLATFORM, window, claims=staff))["membershipFigures"]
    assert own["members"] == 3 and own["admissions"] == 3 and own["withdrawals"] == 0
    assert own["byTier"] == [{"tier": "DIRECTOR", "count": 3}]


@pytest.mark.parametrize(
    "roles", [[], ["contact_person"], ["director"]], ids=["no role", "contact person", "director"]
)
async def test_who_is_not_staff_of_an_alliance_sees_none_of_its_figures(
    membership: SubgraphClient, world: dict[str, Any], roles: list[str]
) -> None:
    claims = claims_for("fig-nobody", alliances={world["aii"]: roles} if roles else {})
    body = await membership.execute(PLATFORM, {"s": "2026-01-01", "u": "2026-04-30"}, claims=claims)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other = claims_for("fig-other-sec", alliances={world["asean"]: ["secretariat"]})
    body = await membership.execute(
        FIGURES % world["aii"], {"s": "2026-01-01", "u": "2026-04-30", "g": "MONTH"}, claims=other
    )
    # the other alliance's staff do not even see aii; the operator's view is checked above
    assert body["data"]["alliance"] is None


async def test_a_window_that_ends_before_it_starts_is_bad_input(
    membership: SubgraphClient, world: dict[str, Any]
) -> None:
    body = await membership.execute(
        PLATFORM, {"s": "2026-05-01", "u": "2026-04-30"}, claims=OPERATOR
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await membership.execute(
        PLATFORM, {"s": "1900-01-01", "u": "2026-04-30"}, claims=OPERATOR
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_figures_of_fifty_alliances_cost_the_statements_of_one(
    membership_settings: Settings, world: dict[str, Any]
) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Alliance {
      membershipFigures(since: "2025-01-01", until: "2026-12-31") {
        members byTier { count } series { members } pending { step } } } } }"""
    ids = [str(world["aii_id"]), str(world["asean_id"])] + [
        str(alliance_id(f"fig-none-{n}")) for n in range(48)
    ]
    quiet = membership_settings.model_copy(update={"run_workers": False})
    counts = []
    async with running(lambda: create_app(quiet)) as client:
        for take in (ids[:1], ids):
            reps = [{"__typename": "Alliance", "id": i} for i in take]
            with statements_of(client.app) as statements:
                data = await client.data(query, {"r": reps}, claims=OPERATOR)
            assert len(data["_entities"]) == len(take)
            counts.append(len(statements))
    assert counts[0] == counts[1], counts

"""Governance's dashboard figures, checked against the meetings and votes the test held: meetings
per body against the charter's minimum (AII Art.23), motions passed and failed, turnout and
quorum failures; one alliance's figures cost the statements of fifty."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

from devkit.testing.subgraph import (
    TEST_SECRET,
    SubgraphClient,
    claims_for,
    running,
    statements_of,
)
from governance.app import create_app
from governance.settings import Settings
from servicekit.tenancy import alliance_id
from services.governance.tests.support import World
from services.governance.tests.test_council_votes import DIRECTORS, aii, council_vote

OPERATOR = claims_for("op-1", operator=True)
FIGURES = """query($r: [_Any!]!, $s: Date!, $u: Date!) { _entities(representations: $r) {
  ... on Alliance { governanceFigures(since: $s, until: $u) {
    openMotions meetingsHeld motionsPassed motionsFailed quorumFailures
    series { period meetingsHeld motionsPassed motionsFailed votesClosed quorumFailures turnout }
    bodies { body year held minimum belowMinimum source } } } } }"""


def this_month() -> tuple[str, str]:
    """From the month of the test meetings (``World.convene``: 20 November 2026) to today."""
    return date(2026, 11, 1).isoformat(), datetime.now(UTC).date().isoformat()


async def figures_of(client: SubgraphClient, world: World, claims: dict[str, Any]) -> Any:
    since, until = this_month()
    return await client.execute(
        FIGURES,
        {"r": [{"__typename": "Alliance", "id": str(world.id)}], "s": since, "u": until},
        claims=claims,
    )


async def test_the_figures_count_the_meetings_and_votes_held_against_the_charter(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, DIRECTORS)
    held = [(6, 4, 2), (6, 3, 3), (5, 5, 0)]  # passed; failed; not quorate (below 2/3 present)
    for present, yes, no in held:
        await council_vote(world, present=present, yes=yes, no=no)
    # Their meetings are held once the attendance is closed; one more is convened, not held.
    await world.convene("COUNCIL")
    meetings = await world.q(
        "query($a: [_Any!]!) { _entities(representations: $a) { ... on Alliance { "
        "meetings(first: 10) { edges { node { id } } } } } }",
        {"a": [{"__typename": "Alliance", "id": str(world.id)}]},
    )
    edges = meetings["_entities"][0]["meetings"]["edges"]
    assert len(edges) == 4
    for edge in edges[1:]:
        await world.q(
            "mutation($m: ID!) { closeAttendance(meeting: $m) { id } }", {"m": edge["node"]["id"]}
        )
    staff = claims_for(f"{world.slug}-secretariat", alliances={world.slug: ["secretariat"]})
    body = await figures_of(governance, world, staff)
    assert not body.get("errors"), body
    found = body["data"]["_entities"][0]["governanceFigures"]
    assert (found["meetingsHeld"], found["motionsPassed"], found["motionsFailed"]) == (3, 1, 2)
    assert found["quorumFailures"] == 1 and found["openMotions"] == 0
    series = {p["period"]: p for p in found["series"]}
    assert series["2026-11-01"]["meetingsHeld"] == 3  # the meetings' month
    today = datetime.now(UTC).date()
    (voted,) = [p for p in found["series"] if p["votesClosed"]]  # the votes closed today
    assert voted["period"] == date(today.year, today.month, 1).isoformat()
    assert voted["votesClosed"] == 3 and voted["quorumFailures"] == 1
    expected = sum(Fraction(p, 9) for p, _, _ in held) / len(held)
    assert abs(voted["turnout"] - float(expected)) < 1e-4
    assert all(p["turnout"] is None for p in found["series"] if not p["votesClosed"])
    council = [b for b in found["bodies"] if b["body"] == "COUNCIL" and b["year"] == 2026]
    assert council == [
        {
            "body": "COUNCIL",
            "year": 2026,
            "held": 3,
            "minimum": council[0]["minimum"],
            "belowMinimum": False,
            "source": council[0]["source"],
        }
    ]
    assert council[0]["minimum"] >= 1 and "AII" in council[0]["source"]


async def test_another_alliances_staff_are_refused_its_figures(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, {"理事单位1": "director"})
    stranger = claims_for("aitisa-secretariat", alliances={"aitisa": ["secretariat"]})
    body = await figures_of(governance, world, stranger)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    nobody = await governance.execute(
        "query($s: Date!, $u: Date!) { governanceFigures(since: $s, until: $u) { meetingsHeld } }",
        dict(zip(("s", "u"), this_month(), strict=True)),
        claims=claims_for("someone"),
    )
    assert nobody["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_figures_of_fifty_alliances_cost_the_statements_of_one(
    governance_db: Any, nats_url: str
) -> None:
    settings = Settings(
        database_url=governance_db.app_url,
        nats_url=nats_url,
        signing_secret=TEST_SECRET,
        run_workers=False,
    )
    ids = [str(alliance_id(f"gfig-{n}-{uuid.uuid4().hex[:4]}")) for n in range(50)]
    since, until = "2025-01-01", "2026-12-31"
    counts = []
    async with running(lambda: create_app(settings)) as client:
        for take in (ids[:1], ids):
            reps = [{"__typename": "Alliance", "id": i} for i in take]
            with statements_of(client.app) as statements:
                data = await client.data(
                    FIGURES, {"r": reps, "s": since, "u": until}, claims=OPERATOR
                )
            assert len(data["_entities"]) == len(take)
            counts.append(len(statements))
    assert counts[0] == counts[1], counts


async def test_the_figures_count_working_groups_by_state_with_their_members(
    governance: SubgraphClient, nats_url: str
) -> None:
    """AITISA: one group founded by 5 (approved, 5 members), one application still pending."""
    from services.governance.tests.test_working_groups import NAMES, apply, founded
    from services.governance.tests.test_working_groups import aitisa as aitisa_world

    world = await aitisa_world(governance, nats_url, 6)
    await founded(world, NAMES[:5])
    pending = await apply(world, NAMES[1:6])
    assert not pending.get("errors"), pending
    staff = claims_for(f"{world.slug}-secretariat", alliances={world.slug: ["secretariat"]})
    since, until = this_month()
    body = await governance.execute(
        "query($r: [_Any!]!, $s: Date!, $u: Date!) { _entities(representations: $r) { "
        "... on Alliance { governanceFigures(since: $s, until: $u) { workingGroups { active "
        "pending dissolved belowMinimum members meetingsHeld commendations warnings } } } } }",
        {"r": [{"__typename": "Alliance", "id": str(world.id)}], "s": since, "u": until},
        claims=staff,
    )
    assert not body.get("errors"), body
    groups = body["data"]["_entities"][0]["governanceFigures"]["workingGroups"]
    assert groups == {
        "active": 1,
        "pending": 1,
        "dissolved": 0,
        "belowMinimum": 0,
        "members": 5,
        "meetingsHeld": 0,
        "commendations": 0,
        "warnings": 0,
    }

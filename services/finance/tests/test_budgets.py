"""Budgets through the finance subgraph, for alliances finance learned of from events."""

from __future__ import annotations

from contracts.membership import AllianceCreated
from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from servicekit.tenancy import alliance_id

AII_STAFF = claims_for("aii-sec", alliances={"aii": ["secretariat"]})
ASEAN_STAFF = claims_for("ca-sec", alliances={"china-asean": ["secretariat"]})
CREATE = """mutation($a: String!, $y: Int!) {
  createBudget(alliance: $a, fiscalYear: $y) { id fiscalYear currency status alliance { id } }
}"""
BUDGETS = (
    "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Alliance { "
    "budgets { fiscalYear status } } } }"
)


async def _created(client: SubgraphClient, slug: str) -> bool:
    result = await client.execute(
        CREATE, {"a": slug, "y": 2026}, claims=claims_for("s", alliances={slug: ["secretariat"]})
    )
    return not result.get("errors")


async def test_budgets_of_known_alliances(finance: SubgraphClient, nats_url: str) -> None:
    for slug in ("aii", "china-asean"):
        await publish(
            nats_url,
            event(
                "membership.alliance.created",
                AllianceCreated(
                    alliance_id=alliance_id(slug), slug=slug, name_zh=slug, name_en=slug
                ).to_data(),
                alliance_id=alliance_id(slug),
            ),
        )
    assert await eventually(lambda: _created(finance, "aii"))
    assert await eventually(lambda: _created(finance, "china-asean"))

    again = await finance.execute(CREATE, {"a": "aii", "y": 2026}, claims=AII_STAFF)
    assert again["errors"][0]["extensions"]["code"] == "BUDGET_EXISTS"
    foreign = await finance.execute(CREATE, {"a": "aii", "y": 2027}, claims=ASEAN_STAFF)
    assert foreign["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad_year = await finance.execute(CREATE, {"a": "aii", "y": 1999}, claims=AII_STAFF)
    assert bad_year["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = await finance.execute(
        CREATE,
        {"a": "nosuch", "y": 2026},
        claims=claims_for("x", alliances={"nosuch": ["secretariat"]}),
    )
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    reps = {"reps": [{"__typename": "Alliance", "id": str(alliance_id("aii"))}]}
    own = await finance.data(BUDGETS, reps, claims=AII_STAFF)
    assert own["_entities"][0]["budgets"] == [{"fiscalYear": 2026, "status": "DRAFT"}]
    other = await finance.data(BUDGETS, reps, claims=ASEAN_STAFF)
    assert other["_entities"][0]["budgets"] == []

"""Bodies set up from the adopted charter, per alliance."""

from __future__ import annotations

import charter
from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from servicekit.tenancy import alliance_id

BODIES = (
    "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Alliance { "
    "bodies { id kind name nameEn minMeetingsPerYear source } } } }"
)


def adopted(slug: str, template: str) -> object:
    document = charter.load_template(template).to_data()
    return event(
        "membership.charter.adopted",
        {"allianceId": str(alliance_id(slug)), "slug": slug, "version": 1, "charter": document},
        alliance_id=alliance_id(slug),
    )


async def test_bodies_follow_the_charter(governance: SubgraphClient, nats_url: str) -> None:
    await publish(nats_url, adopted("aii", "aii"), adopted("aitisa", "aitisa"))  # type: ignore[arg-type]
    staff = claims_for("aii-sec", alliances={"aii": ["secretariat"]})
    reps = {"reps": [{"__typename": "Alliance", "id": str(alliance_id("aii"))}]}

    async def bodies() -> list[dict[str, object]]:
        data = await governance.data(BODIES, reps, claims=staff)
        return data["_entities"][0]["bodies"]

    found = await eventually(bodies)
    kinds = [b["kind"] for b in found]
    assert kinds[:3] == ["GENERAL_ASSEMBLY", "COUNCIL", "STANDING_COUNCIL"]
    council = next(b for b in found if b["kind"] == "COUNCIL")
    assert council["minMeetingsPerYear"] == 1
    assert "AII Art." in str(council["source"])

    stranger = claims_for("aitisa-sec", alliances={"aitisa": ["secretariat"]})
    other = await governance.data(BODIES, reps, claims=stranger)
    assert other["_entities"][0]["bodies"] == []
    body = await governance.data(
        "query($id: ID!) { body(id: $id) { kind alliance { id } } }",
        {"id": council["id"]},
        claims=staff,
    )
    assert body["body"] == {"kind": "COUNCIL", "alliance": {"id": str(alliance_id("aii"))}}
    hidden = await governance.data(
        "query($id: ID!) { body(id: $id) { kind } }", {"id": council["id"]}, claims=stranger
    )
    assert hidden["body"] is None

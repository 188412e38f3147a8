"""The whole membership lifecycle of the three charters, at the membership subgraph."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event

import charter
from devkit.local.provision import ServiceDatabase
from devkit.testing.events import event as make_event
from devkit.testing.events import eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for, running, statements_of
from membership import credit_code
from membership.app import create_app
from membership.settings import Settings
from servicekit.tenancy import alliance_id

OPERATOR = claims_for("op-1", operator=True)
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id } }"""
FORWARD = "mutation($id: ID!) { forwardApplication(id: $id) { status } }"
DECIDE = """mutation($id: ID!, $d: DecisionInput!) { recordDecision(id: $id, input: $d) {
  status membership { id tier status certificateNumber } } }"""
MEMBERSHIP = """query($id: ID!) { membership(id: $id) { tier status endedAt
  timeline { change fromValue toValue actor reason rule charterVersion } } }"""
DECIDING = {"aii": "STANDING_COUNCIL", "aitisa": "COUNCIL", "china-asean": "COUNCIL"}


def staff(slug: str) -> dict[str, Any]:
    return claims_for(f"{slug}-sec", alliances={slug: ["secretariat"]})


def decision(body: str, approved: bool = True) -> dict[str, Any]:
    return {"approved": approved, "body": body, "meeting": "第5次会议", "decidedOn": "2026-11-18"}


def new_code() -> str:
    digits = "".join(str(int(c, 16) % 10) for c in uuid.uuid4().hex[:8])
    return credit_code.complete("91310115" + digits)


@pytest.fixture(scope="module")
async def alliances(membership: SubgraphClient) -> None:
    for slug in ("aii", "aitisa", "china-asean"):
        await membership.data(
            "mutation($i: CreateAllianceInput!) { createAlliance(input: $i) { id } }",
            {"i": {"slug": slug, "nameZh": slug, "template": slug}},
            claims=OPERATOR,
        )


async def admit(client: SubgraphClient, slug: str, tier: str, contact: str) -> dict[str, Any]:
    """An organisation admitted through the charter's admission path."""
    files = [
        {"material": m.id, "reference": "纸质件"}
        for m in charter.load_template(slug).membership.application_materials
    ]
    app_id = (
        await client.data(
            SUBMIT,
            {
                "i": {
                    "alliance": slug,
                    "tier": tier,
                    "contactName": "联络员",
                    "contactEmail": "c@example.cn",
                    "materials": files,
                    "organization": {
                        "nameZh": f"机构{uuid.uuid4().hex[:6]}",
                        "kind": "ENTERPRISE",
                        "country": "CN",
                        "registrationNumber": new_code(),
                    },
                }
            },
            claims=claims_for(contact),
        )
    )["submitApplication"]["id"]
    await client.data(FORWARD, {"id": app_id}, claims=staff(slug))
    decided = await client.data(
        DECIDE, {"id": app_id, "d": decision(DECIDING[slug])}, claims=staff(slug)
    )
    membership: dict[str, Any] = decided["recordDecision"]["membership"]
    return membership


async def test_china_asean_admission_issues_a_certificate(
    membership: SubgraphClient, alliances: None
) -> None:
    first = await admit(membership, "china-asean", "DIRECTOR", "ca-contact-1")
    second = await admit(membership, "china-asean", "VICE_CHAIR", "ca-contact-2")
    year = first["certificateNumber"].split("-")[-2]
    assert first["certificateNumber"] == f"CHINA-ASEAN-{year}-0001"
    assert second["certificateNumber"] == f"CHINA-ASEAN-{year}-0002"


async def test_aii_tier_change_is_decided_by_the_council(
    membership: SubgraphClient, alliances: None
) -> None:
    member = await admit(membership, "aii", "ORDINARY", "aii-tier-contact")
    request = """mutation($m: ID!) { requestTierChange(membershipId: $m, tier: DIRECTOR,
      reason: "拟推荐理事") { id status } }"""
    stranger = await membership.execute(request, {"m": member["id"]}, claims=staff("aii"))
    assert stranger["errors"][0]["extensions"]["code"] == "NOT_CONTACT_PERSON"
    asked = (
        await membership.data(request, {"m": member["id"]}, claims=claims_for("aii-tier-contact"))
    )["requestTierChange"]
    assert asked["status"] == "FORWARDED"  # AII has no preliminary review of a tier change
    wrong = await membership.execute(
        DECIDE, {"id": asked["id"], "d": decision("STANDING_COUNCIL")}, claims=staff("aii")
    )
    assert wrong["errors"][0]["extensions"]["code"] == "WRONG_BODY"
    await membership.data(
        DECIDE, {"id": asked["id"], "d": decision("COUNCIL")}, claims=staff("aii")
    )
    after = (await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff("aii")))[
        "membership"
    ]
    assert after["tier"] == "DIRECTOR"
    assert after["timeline"][-1] | {"actor": None} == {
        "change": "tier",
        "fromValue": "ordinary",
        "toValue": "director",
        "actor": None,
        "reason": "拟推荐理事; decided by the council off the platform, recorded by the "
        "secretariat at 第5次会议 on 2026-11-18",
        "rule": "AII Art.22(3)",
        "charterVersion": 1,
    }


WITHDRAW = """mutation($m: ID!) { requestWithdrawal(membershipId: $m, reason: "业务调整") {
  id status } }"""
COMPLETE = 'mutation($id: ID!) { completeApplication(id: $id, note: "已收到书面通知") { status } }'


async def test_aii_withdrawal_is_free_once_the_secretariat_records_the_notice(
    membership: SubgraphClient, alliances: None
) -> None:
    member = await admit(membership, "aii", "DIRECTOR", "aii-leaver")
    refused = await membership.execute(
        WITHDRAW, {"m": member["id"]}, claims=claims_for("not-the-contact")
    )
    assert refused["errors"][0]["extensions"]["code"] in ("NOT_FOUND", "NOT_CONTACT_PERSON")
    notice = (
        await membership.data(WITHDRAW, {"m": member["id"]}, claims=claims_for("aii-leaver"))
    )["requestWithdrawal"]
    assert notice["status"] == "SUBMITTED"
    no_vote = await membership.execute(
        DECIDE, {"id": notice["id"], "d": decision("COUNCIL")}, claims=staff("aii")
    )
    assert (
        no_vote["errors"][0]["extensions"]["code"] == "NOT_FORWARDED"
        or no_vote["errors"][0]["extensions"]["code"] == "NO_DECISION_STEP"
    )
    await membership.data(COMPLETE, {"id": notice["id"]}, claims=staff("aii"))
    after = (await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff("aii")))[
        "membership"
    ]
    assert after["status"] == "WITHDRAWN" and after["endedAt"]
    assert after["timeline"][-1]["rule"] == "AII Art.15(1)"


async def test_each_change_of_a_membership_is_published_with_its_next_revision(
    membership: SubgraphClient, membership_db: ServiceDatabase, alliances: None
) -> None:
    """Consumers keeping the member as it stands apply only the newest revision they hear."""
    member = await admit(membership, "aii", "DIRECTOR", "aii-reviser")
    notice = (
        await membership.data(WITHDRAW, {"m": member["id"]}, claims=claims_for("aii-reviser"))
    )["requestWithdrawal"]
    await membership.data(COMPLETE, {"id": notice["id"]}, claims=staff("aii"))
    conn = await asyncpg.connect(membership_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        rows = await conn.fetch(
            "SELECT type, (envelope::jsonb -> 'data' ->> 'revision')::int AS revision FROM outbox"
            " WHERE envelope::jsonb -> 'data' ->> 'membershipId' = $1"
            " AND type LIKE 'membership.member.%' ORDER BY position",
            member["id"],
        )
    finally:
        await conn.close()
    assert [(r["type"], r["revision"]) for r in rows] == [
        ("membership.member.admitted", 1),
        ("membership.member.withdrawn", 2),
    ]


async def test_china_asean_withdrawal_needs_council_approval(
    membership: SubgraphClient, alliances: None
) -> None:
    member = await admit(membership, "china-asean", "DIRECTOR", "ca-leaver")
    asked = (await membership.data(WITHDRAW, {"m": member["id"]}, claims=claims_for("ca-leaver")))[
        "requestWithdrawal"
    ]
    assert asked["status"] == "FORWARDED"
    not_free = await membership.execute(COMPLETE, {"id": asked["id"]}, claims=staff("china-asean"))
    assert not_free["errors"][0]["extensions"]["code"] == "NO_COMPLETION_STEP"
    await membership.data(
        DECIDE, {"id": asked["id"], "d": decision("COUNCIL")}, claims=staff("china-asean")
    )
    after = (await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff("china-asean")))[
        "membership"
    ]
    assert after["status"] == "WITHDRAWN"
    assert after["timeline"][-1]["rule"] == "China-ASEAN Art.21.3"
    # The member's grounds, and that the council decided off the platform (recordDecision).
    reason = after["timeline"][-1]["reason"]
    assert reason.startswith("业务调整; ") and "council off the platform" in reason


async def test_aitisa_withdrawal_takes_effect_on_notice(
    membership: SubgraphClient, alliances: None
) -> None:
    member = await admit(membership, "aitisa", "ORDINARY", "aitisa-leaver")
    notice = await membership.data(
        WITHDRAW, {"m": member["id"]}, claims=claims_for("aitisa-leaver")
    )
    assert notice["requestWithdrawal"]["status"] == "APPROVED"
    after = (await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff("aitisa")))[
        "membership"
    ]
    assert after["status"] == "WITHDRAWN"
    assert after["timeline"][-1]["rule"] == "default"


PROPOSE = """mutation($m: ID!) { proposeExpulsion(membershipId: $m, grounds: "严重违反章程") {
  id status } }"""


@pytest.mark.parametrize(
    ("slug", "body", "rule"),
    [("aii", "COUNCIL", "AII Art.16"), ("china-asean", "COUNCIL", "China-ASEAN Art.21.4")],
)
async def test_expulsion_is_proposed_and_decided(
    membership: SubgraphClient, alliances: None, slug: str, body: str, rule: str
) -> None:
    contact = f"{slug}-expelled-{uuid.uuid4().hex[:4]}"
    member = await admit(membership, slug, "DIRECTOR", contact)
    by_member = await membership.execute(PROPOSE, {"m": member["id"]}, claims=claims_for(contact))
    assert by_member["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    proposal = (await membership.data(PROPOSE, {"m": member["id"]}, claims=staff(slug)))[
        "proposeExpulsion"
    ]
    assert proposal["status"] == "FORWARDED"
    await membership.data(DECIDE, {"id": proposal["id"], "d": decision(body)}, claims=staff(slug))
    after = (await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff(slug)))[
        "membership"
    ]
    assert after["status"] == "EXPELLED"
    assert after["timeline"][-1]["rule"] == rule
    again = await membership.execute(PROPOSE, {"m": member["id"]}, claims=staff(slug))
    assert again["errors"][0]["extensions"]["code"] == "MEMBERSHIP_ENDED"


async def test_a_revoked_licence_ends_an_aii_membership_only(
    membership: SubgraphClient, alliances: None
) -> None:
    revoke = """mutation($m: ID!) { recordLicenceRevocation(membershipId: $m,
      reference: "市监处罚〔2026〕18号") { status } }"""
    aii = await admit(membership, "aii", "DIRECTOR", "aii-revoked")
    done = await membership.data(revoke, {"m": aii["id"]}, claims=staff("aii"))
    assert done["recordLicenceRevocation"]["status"] == "TERMINATED"
    after = (await membership.data(MEMBERSHIP, {"id": aii["id"]}, claims=staff("aii")))[
        "membership"
    ]
    assert after["timeline"][-1]["rule"] == "AII Art.15(2)"
    ca = await admit(membership, "china-asean", "DIRECTOR", "ca-revoked")
    refused = await membership.execute(revoke, {"m": ca["id"]}, claims=staff("china-asean"))
    assert refused["errors"][0]["extensions"]["code"] == "RULE_NOT_IN_CHARTER"


def attendance(
    meeting: str, held_on: str, org_states: dict[str, str], body: str = "council"
) -> Any:
    return make_event(
        "governance.attendance.recorded",
        {
            "allianceId": str(alliance_id("aii")),
            "meetingId": meeting,
            "body": body,
            "heldOn": held_on,
            "attendance": [{"organizationId": o, "status": s} for o, s in org_states.items()],
        },
        alliance_id=alliance_id("aii"),
    )


async def test_three_consecutive_council_absences_demote_an_aii_member(
    membership: SubgraphClient, alliances: None, nats_url: str
) -> None:
    director = await admit(membership, "aii", "DIRECTOR", "aii-absent")
    steady = await admit(membership, "aii", "DIRECTOR", "aii-steady")
    ordinary = await admit(membership, "aii", "ORDINARY", "aii-ordinary")
    orgs = {}
    for m in (director, steady, ordinary):
        data = await membership.data(
            "query($id: ID!) { membership(id: $id) { organization { id } } }",
            {"id": m["id"]},
            claims=staff("aii"),
        )
        orgs[m["id"]] = data["membership"]["organization"]["id"]
    d, s, o = orgs[director["id"]], orgs[steady["id"]], orgs[ordinary["id"]]
    await publish(
        nats_url,
        attendance("C-2026-1", "2026-01-10", {d: "absent", s: "absent", o: "absent"}),
        attendance("C-2026-2", "2026-04-10", {d: "absent", s: "proxy", o: "absent"}),
        attendance("C-2026-3", "2026-07-10", {d: "absent", s: "absent", o: "absent"}),
    )

    async def demoted() -> dict[str, Any] | None:
        m = (await membership.data(MEMBERSHIP, {"id": director["id"]}, claims=staff("aii")))[
            "membership"
        ]
        return m if m["tier"] == "ORDINARY" else None

    after = await eventually(demoted)
    last = after["timeline"][-1]
    assert (last["change"], last["fromValue"], last["toValue"], last["rule"]) == (
        "tier",
        "director",
        "ordinary",
        "AII Art.13",
    )
    assert "C-2026-1, C-2026-2, C-2026-3" in last["reason"]
    # A written proxy counts as attending; an ordinary member is not obliged to attend.
    for other, tier in ((steady, "DIRECTOR"), (ordinary, "ORDINARY")):
        m = (await membership.data(MEMBERSHIP, {"id": other["id"]}, claims=staff("aii")))[
            "membership"
        ]
        assert m["tier"] == tier and len(m["timeline"]) == 1


async def test_a_governance_decision_event_decides_a_forwarded_application(
    membership: SubgraphClient, alliances: None, nats_url: str
) -> None:
    files = [{"material": "application_form", "reference": "纸质件"}]
    app_id = (
        await membership.data(
            SUBMIT,
            {
                "i": {
                    "alliance": "aii",
                    "tier": "DIRECTOR",
                    "contactName": "联络员",
                    "contactEmail": "c@example.cn",
                    "materials": files,
                    "organization": {
                        "nameZh": "表决测试公司",
                        "kind": "ENTERPRISE",
                        "country": "CN",
                        "registrationNumber": new_code(),
                    },
                }
            },
            claims=claims_for("vote-contact"),
        )
    )["submitApplication"]["id"]
    await membership.data(FORWARD, {"id": app_id}, claims=staff("aii"))
    motion = uuid.uuid4()
    await publish(
        nats_url,
        make_event(
            "governance.application.decided",
            {
                "applicationId": app_id,
                "allianceId": str(alliance_id("aii")),
                "body": "standing_council",
                "approved": True,
                "meeting": "2026年第4次常务理事会",
                "decidedOn": "2026-11-19",
                "minutes": "表决：9票赞成",
                "motionId": str(motion),
            },
            alliance_id=alliance_id("aii"),
        ),
    )

    async def decided() -> dict[str, Any] | None:
        a = (
            await membership.data(
                "query($id: ID!) { application(id: $id) { status "
                "decisionReference { body meeting } timeline { actor reason rule } "
                "membership { timeline { change actor reason rule } } } }",
                {"id": app_id},
                claims=staff("aii"),
            )
        )["application"]
        return a if a["status"] == "APPROVED" else None

    found = await eventually(decided)
    assert found["decisionReference"] == {
        "body": "STANDING_COUNCIL",
        "meeting": "2026年第4次常务理事会",
    }
    assert found["timeline"][-1]["actor"] == "governance"
    # Both timelines say the decision was a vote on the platform, citing the motion.
    [joined] = found["membership"]["timeline"]
    for entry in (found["timeline"][-1], joined):
        assert entry["rule"] == "AII Art.11(3)"
        assert f"standing_council's vote on the platform (motion {motion})" in entry["reason"]
        assert "2026年第4次常务理事会" in entry["reason"] and "9票赞成" in entry["reason"]


async def test_roles_rights_amendments_and_contacts(
    membership: SubgraphClient, alliances: None
) -> None:
    assigned = await membership.data(
        'mutation { assignRole(input: {alliance: "aii", userId: "u-sg", name: "李秘书长", '
        'role: "secretary_general"}) { id role } }',
        claims=OPERATOR,
    )
    people = await membership.data(
        '{ alliance(slug: "aii") { people { userId role } } }', claims=staff("aii")
    )
    assert {"userId": "u-sg", "role": "secretary_general"} in people["alliance"]["people"]
    await membership.data(
        "mutation($id: ID!) { revokeRole(id: $id) { id } }",
        {"id": assigned["assignRole"]["id"]},
        claims=staff("aii"),
    )

    tiers = (
        await membership.data(
            '{ alliance(slug: "aii") { tiers { id rank rights { id source } } } }',
            claims=staff("aii"),
        )
    )["alliance"]["tiers"]
    assert [t["id"] for t in tiers] == ["ORDINARY", "DIRECTOR", "VICE_CHAIR", "CHAIR"]
    ordinary = {r["id"] for r in tiers[0]["rights"]}
    director = {r["id"] for r in tiers[1]["rights"]}
    assert ordinary < director  # rights accumulate upward (AII Art.12)

    member = await admit(membership, "aii", "ORDINARY", "aii-rights")
    org = (
        await membership.data(
            "query($id: ID!) { membership(id: $id) { organization { id } rights { id } } }",
            {"id": member["id"]},
            claims=staff("aii"),
        )
    )["membership"]
    assert {r["id"] for r in org["rights"]} == ordinary
    only_director = sorted(director - ordinary)[0]
    check = """query($o: ID!, $r: String!) { rightCheck(alliance: "aii", organizationId: $o,
      right: $r) { allowed tier source reason } }"""
    refused = await membership.data(
        check, {"o": org["organization"]["id"], "r": only_director}, claims=staff("aii")
    )
    assert refused["rightCheck"]["allowed"] is False
    granted = await membership.data(
        check, {"o": org["organization"]["id"], "r": sorted(ordinary)[0]}, claims=staff("aii")
    )
    assert granted["rightCheck"]["allowed"] and granted["rightCheck"]["source"]

    amended = await membership.data(
        """mutation { amendCharter(alliance: "aii", note: "2026年会员大会第2号决议", changes: [
          {path: "bodies.council.rules.ordinary_resolution.pass.fraction", value: "3/4"}]) {
          charterVersion charterVersions { version reason } } }""",
        claims=OPERATOR,
    )
    assert amended["amendCharter"]["charterVersion"] == 2
    not_operator = await membership.execute(
        'mutation { amendCharter(alliance: "aii", note: "x", changes: []) { id } }',
        claims=staff("aii"),
    )
    assert not_operator["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    changed = await membership.data(
        """mutation($m: ID!) { changeContactPerson(membershipId: $m, contact: {userId: "new-c",
          name: "赵新", email: "zhao@example.cn"}, reason: "人员变动") {
          contactPerson { userId } } }""",
        {"m": member["id"]},
        claims=claims_for("aii-rights"),
    )
    assert changed["changeContactPerson"]["contactPerson"]["userId"] == "new-c"
    mine = await membership.data("{ myMemberships { id } }", claims=claims_for("new-c"))
    assert [m["id"] for m in mine["myMemberships"]] == [member["id"]]
    timeline = (
        await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=claims_for("new-c"))
    )["membership"]["timeline"]
    assert timeline[-1]["change"] == "contact" and timeline[-1]["charterVersion"] == 2


async def test_member_list_costs_the_same_statements_whatever_the_page_size(
    membership: SubgraphClient,
    membership_settings: Settings,
    membership_db: ServiceDatabase,
    alliances: None,
) -> None:
    conn = await asyncpg.connect(membership_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        await conn.execute(
            """
            WITH orgs AS (
              INSERT INTO organizations (id, name_zh, name_en, kind, country,
                                         registration_number)
              SELECT gen_random_uuid(), '批量机构' || n, 'Bulk ' || n, 'enterprise',
                     (ARRAY['CN','SG','MY','TH'])[1 + n % 4], 'BULK-' || n
              FROM generate_series(1, 10000) n RETURNING id, name_zh, country)
            INSERT INTO memberships (id, alliance_id, organization_id, sort_name, country, tier,
                                     status, contact_user_id, contact_name, contact_email)
            SELECT gen_random_uuid(), $1, id, name_zh, country,
                   (ARRAY['ordinary','director','vice_chair','chair'])[1 + abs(hashtext(name_zh))
                                                                       % 4],
                   'active', 'bulk', '批量', 'bulk@example.cn' FROM orgs""",
            alliance_id("aitisa"),
        )
    finally:
        await conn.close()
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    query = """query($n: Int!, $after: String) { alliance(slug: "aitisa") {
      members(first: $n, after: $after) { totalCount totalsByTier { tier count }
        edges { cursor node { tier organization { nameZh country } } }
        pageInfo { hasNextPage endCursor } } } }"""
    counts, after = {}, None
    # Without the relay and consumers, whose polling would be counted too.
    quiet = membership_settings.model_copy(update={"run_workers": False})
    async with running(lambda: create_app(quiet)) as client:
        event.listen(client.app.state.database.engine.sync_engine, "before_cursor_execute", count)
        for size in (10, 200, 200):
            statements.clear()
            page = (await client.data(query, {"n": size, "after": after}, claims=staff("aitisa")))[
                "alliance"
            ]["members"]
            counts[size] = len(statements)
            assert len(page["edges"]) == size and page["pageInfo"]["hasNextPage"]
            after = page["pageInfo"]["endCursor"]
        bare = query.replace("totalCount totalsByTier { tier count }", "")
        statements.clear()
        await client.data(bare, {"n": 50, "after": after}, claims=staff("aitisa"))
        counts[0] = len(statements)
    # set_config, the alliance, the page, the totals per tier (which give totalCount too), the
    # organisations; a page that asks for no total counts nothing
    assert counts[10] == counts[200] == 5, (counts, [s[:60] for s in statements])
    assert counts[0] == 4, counts
    assert page["totalCount"] >= 10000
    assert sum(t["count"] for t in page["totalsByTier"]) == page["totalCount"]


async def test_the_totals_of_a_page_are_the_members_there_are_after_every_kind_of_change(
    membership: SubgraphClient, membership_db: ServiceDatabase, alliances: None
) -> None:
    """The per-tier totals come from the counts PostgreSQL keeps; after inserts, tier and
    status changes and deletions of many rows at once they still equal a count of the rows."""
    aid = alliance_id("aitisa")
    conn = await asyncpg.connect(membership_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        await conn.execute(
            """WITH orgs AS (
                 INSERT INTO organizations (id, name_zh, name_en, kind, country,
                                            registration_number)
                 SELECT gen_random_uuid(), '计数' || g, 'Count ' || g, 'enterprise', 'CN',
                        'COUNT' || g
                 FROM generate_series(1, 300) g RETURNING id, name_zh)
               INSERT INTO memberships (id, alliance_id, organization_id, sort_name, country,
                                        tier, status, contact_user_id, contact_name,
                                        contact_email)
               SELECT gen_random_uuid(), $1, id, name_zh, 'CN', 'director', 'active', 'count',
                      '计数', 'count@example.cn' FROM orgs""",
            aid,
        )
        await conn.execute(
            "UPDATE memberships SET tier = 'ordinary' WHERE contact_email = 'count@example.cn'"
            " AND id::text < '8'"
        )
        await conn.execute(
            "UPDATE memberships SET status = 'withdrawn' WHERE contact_email = 'count@example.cn'"
            " AND id::text < '4'"
        )
        await conn.execute(
            "DELETE FROM memberships WHERE contact_email = 'count@example.cn' AND id::text > 'c'"
        )
        counted = {
            (r["status"], r["tier"]): r["n"]
            for r in await conn.fetch(
                "SELECT status, tier, count(*) AS n FROM memberships WHERE alliance_id = $1"
                " GROUP BY 1, 2",
                aid,
            )
        }
    finally:
        await conn.close()
    query = """query($s: MembershipStatus) { alliance(slug: "aitisa") {
      members(first: 1, status: $s) { totalCount totalsByTier { tier count } } } }"""
    for status in ("ACTIVE", "WITHDRAWN", None):
        page = (await membership.data(query, {"s": status}, claims=staff("aitisa")))["alliance"][
            "members"
        ]
        expected: dict[str, int] = {}
        for (s, tier), n in counted.items():
            if status is None or s == status.lower():
                expected[tier.upper()] = expected.get(tier.upper(), 0) + n
        assert {t["tier"]: t["count"] for t in page["totalsByTier"]} == expected, status
        assert page["totalCount"] == sum(expected.values())


async def test_the_applications_list_costs_the_same_statements_whatever_the_page_size(
    membership: SubgraphClient, membership_settings: Settings, alliances: None
) -> None:
    files = [
        {"material": m.id, "reference": "纸质件"}
        for m in charter.load_template("aii").membership.application_materials
    ]
    for n in range(6):
        await membership.data(
            SUBMIT,
            {
                "i": {
                    "alliance": "aii",
                    "tier": "DIRECTOR",
                    "contactName": "钱联络",
                    "contactEmail": "qian@example.cn",
                    "materials": files,
                    "organization": {
                        "nameZh": f"计页科技有限公司{n}",
                        "kind": "ENTERPRISE",
                        "country": "CN",
                        "registrationNumber": new_code(),
                    },
                }
            },
            claims=claims_for(f"paging-contact-{n}"),
        )
    query = """query($n: Int!) { alliance(slug: "aii") { applications(first: $n) {
      totalCount edges { node { id kind status tier contactPerson { name }
        organization { nameZh } alliance { slug } materials { reference } } }
      pageInfo { hasNextPage } } } }"""
    quiet = membership_settings.model_copy(update={"run_workers": False})
    counts = {}
    async with running(lambda: create_app(quiet)) as client:
        for size in (1, 6):
            with statements_of(client.app) as statements:
                page = (await client.data(query, {"n": size}, claims=staff("aii")))["alliance"][
                    "applications"
                ]
            assert len(page["edges"]) == size
            counts[size] = len(statements)
    assert counts[1] == counts[6], counts


async def test_one_organisation_across_alliances(
    membership: SubgraphClient, alliances: None
) -> None:
    """The same company joins two alliances as one identity; the operator sees both
    memberships, each alliance's staff only its own."""
    code = new_code()
    for slug in ("aii", "china-asean"):
        files = [
            {"material": m.id, "reference": "纸质件"}
            for m in charter.load_template(slug).membership.application_materials
        ]
        app_id = (
            await membership.data(
                SUBMIT,
                {
                    "i": {
                        "alliance": slug,
                        "tier": "DIRECTOR",
                        "contactName": "周联络",
                        "contactEmail": "zhou@example.cn",
                        "materials": files,
                        "organization": {
                            "nameZh": "跨联盟科技有限公司",
                            "kind": "ENTERPRISE",
                            "country": "cn",
                            "registrationNumber": code.lower(),
                        },
                    }
                },
                claims=claims_for("cross-contact"),
            )
        )["submitApplication"]["id"]
        await membership.data(FORWARD, {"id": app_id}, claims=staff(slug))
        await membership.data(
            DECIDE, {"id": app_id, "d": decision(DECIDING[slug])}, claims=staff(slug)
        )
    mine = (
        await membership.data(
            "{ myMemberships { organization { id registrationNumber } } }",
            claims=claims_for("cross-contact"),
        )
    )["myMemberships"]
    assert len({m["organization"]["id"] for m in mine}) == 1  # deduplicated on country + number
    assert mine[0]["organization"]["registrationNumber"] == code
    query = """query($id: ID!) { organization(id: $id) { memberships { alliance { slug }
      tier } } }"""
    org_id = mine[0]["organization"]["id"]
    every = (await membership.data(query, {"id": org_id}, claims=OPERATOR))["organization"]
    assert sorted(m["alliance"]["slug"] for m in every["memberships"]) == ["aii", "china-asean"]
    own = (await membership.data(query, {"id": org_id}, claims=staff("aii")))["organization"]
    assert [m["alliance"]["slug"] for m in own["memberships"]] == ["aii"]


async def test_a_member_that_left_may_rejoin_and_stale_matters_cannot_act(
    membership: SubgraphClient, alliances: None
) -> None:
    member = await admit(membership, "china-asean", "DIRECTOR", "ca-rejoin")
    proposal = (await membership.data(PROPOSE, {"m": member["id"]}, claims=staff("china-asean")))[
        "proposeExpulsion"
    ]
    left = (await membership.data(WITHDRAW, {"m": member["id"]}, claims=claims_for("ca-rejoin")))[
        "requestWithdrawal"
    ]
    await membership.data(
        DECIDE, {"id": left["id"], "d": decision("COUNCIL")}, claims=staff("china-asean")
    )
    # The expulsion voted after the member withdrew cannot overwrite how it left.
    stale = await membership.execute(
        DECIDE, {"id": proposal["id"], "d": decision("COUNCIL")}, claims=staff("china-asean")
    )
    assert stale["errors"][0]["extensions"]["code"] == "MEMBERSHIP_ENDED"
    after = (await membership.data(MEMBERSHIP, {"id": member["id"]}, claims=staff("china-asean")))[
        "membership"
    ]
    assert after["status"] == "WITHDRAWN"

    org = (
        await membership.data(
            "query($id: ID!) { membership(id: $id) { organization { "
            "registrationNumber nameZh } } }",
            {"id": member["id"]},
            claims=staff("china-asean"),
        )
    )["membership"]["organization"]
    files = [
        {"material": m.id, "reference": "纸质件"}
        for m in charter.load_template("china-asean").membership.application_materials
    ]
    again = (
        await membership.data(
            SUBMIT,
            {
                "i": {
                    "alliance": "china-asean",
                    "tier": "DIRECTOR",
                    "contactName": "联络员",
                    "contactEmail": "c@example.cn",
                    "materials": files,
                    "organization": {
                        "nameZh": org["nameZh"],
                        "kind": "ENTERPRISE",
                        "country": "CN",
                        "registrationNumber": org["registrationNumber"],
                    },
                }
            },
            claims=claims_for("ca-rejoin"),
        )
    )["submitApplication"]["id"]
    await membership.data(FORWARD, {"id": again}, claims=staff("china-asean"))
    rejoined = await membership.data(
        DECIDE, {"id": again, "d": decision("COUNCIL")}, claims=staff("china-asean")
    )
    assert rejoined["recordDecision"]["membership"]["status"] == "ACTIVE"
    assert rejoined["recordDecision"]["membership"]["id"] != member["id"]


async def test_the_charter_in_force_follows_amendments(membership: SubgraphClient) -> None:
    await membership.data(
        'mutation { createAlliance(input: {slug: "charter-view", '
        'nameZh: "章程查看", template: "aii"}) { id } }',
        claims=OPERATOR,
    )
    await membership.data(
        """mutation { amendCharter(alliance: "charter-view", note: "第1号决议", changes: [
          {path: "bodies.council.rules.ordinary_resolution.pass.fraction", value: "3/4"}]) {
          id } }""",
        claims=OPERATOR,
    )
    current = (
        await membership.data(
            '{ alliance(slug: "charter-view") { charter { version reason document } } }',
            claims=OPERATOR,
        )
    )["alliance"]
    council = current["charter"]["document"]["bodies"]["council"]
    assert current["charter"]["version"] == 2 and current["charter"]["reason"] == "第1号决议"
    assert council["rules"]["ordinary_resolution"]["pass"]["fraction"] == "3/4"


async def test_absences_count_in_the_order_meetings_were_held_whatever_order_they_arrive(
    membership: SubgraphClient, alliances: None, nats_url: str
) -> None:
    late_absent = await admit(membership, "aii", "DIRECTOR", "aii-late-absent")
    late_present = await admit(membership, "aii", "DIRECTOR", "aii-late-present")
    sentinel = await admit(membership, "aii", "DIRECTOR", "aii-sentinel")
    orgs = {}
    for m in (late_absent, late_present, sentinel):
        data = await membership.data(
            "query($id: ID!) { membership(id: $id) { organization { id } } }",
            {"id": m["id"]},
            claims=staff("aii"),
        )
        orgs[m["id"]] = data["membership"]["organization"]["id"]
    a, p, z = orgs[late_absent["id"]], orgs[late_present["id"]], orgs[sentinel["id"]]
    # Meetings held Jan, Apr, Jul, Oct; April's attendance is recorded last but one.
    await publish(
        nats_url,
        attendance("L-1", "2025-01-10", {a: "absent", p: "absent", z: "absent"}),
        attendance("L-3", "2025-07-10", {a: "absent", p: "absent", z: "absent"}),
    )
    await publish(nats_url, attendance("L-2", "2025-04-10", {a: "absent", p: "present"}))

    async def tier(m: dict[str, Any]) -> str:
        found = await membership.data(MEMBERSHIP, {"id": m["id"]}, claims=staff("aii"))
        return str(found["membership"]["tier"])

    async def demoted() -> bool:
        return await tier(late_absent) == "ORDINARY"

    # The late April absence completes Jan–Apr–Jul: three in a row, demoted.
    assert await eventually(demoted)
    # The late April "present" broke the run: Jul and Oct make only two in a row.
    # (The sentinel missed L-1, L-3 and L-4: its demotion shows L-4 has been counted.)
    await publish(nats_url, attendance("L-4", "2025-10-10", {p: "absent", z: "absent"}))

    async def counted() -> bool:
        return await tier(sentinel) == "ORDINARY"

    assert await eventually(counted)
    assert await tier(late_present) == "DIRECTOR"


async def test_an_amendment_passed_on_the_platform_becomes_the_next_version_citing_the_motion(
    membership: SubgraphClient, nats_url: str
) -> None:
    await membership.data(
        'mutation { createAlliance(input: {slug: "voted-charter", '
        'nameZh: "表决章程", template: "aii"}) { id } }',
        claims=OPERATOR,
    )
    motion = uuid.uuid4()
    decided = {
        "motionId": str(motion),
        "allianceId": str(alliance_id("voted-charter")),
        "matter": "charter_amendment",
        "title": "修改章程第二十三条",
        "body": "general_assembly",
        "outcome": "passed",
        "passed": True,
        "decidedOn": "2026-11-30",
        "meeting": "2026年会员大会",
        "counts": {"entitled": 9, "present": 6, "yes": 3, "no": 3, "abstain": 0},
        "rule": "AII Art.19; AII Art.30",
        "explanationZh": "通过",
        "explanationEn": "passed",
        "changes": [
            {"path": "bodies.council.rules.ordinary_resolution.pass.fraction", "new": "3/4"}
        ],
    }
    envelope = make_event(
        "governance.motion.decided", decided, alliance_id=alliance_id("voted-charter")
    )
    await publish(nats_url, envelope)
    await publish(nats_url, envelope, msg_id=str(uuid.uuid4()))  # a redelivery changes nothing

    async def amended() -> dict[str, Any] | None:
        found = (
            await membership.data(
                '{ alliance(slug: "voted-charter") { charter { version reason document } '
                "charterVersions { version motionId adoptedBy } } }",
                claims=OPERATOR,
            )
        )["alliance"]
        # (the fields resolve concurrently, each in its own read: wait until all show it)
        seen = [found["charter"]["version"], max(v["version"] for v in found["charterVersions"])]
        return found if seen == [2, 2] else None

    found = await eventually(amended)
    assert found is not None
    assert str(motion) in found["charter"]["reason"] and "AII Art.19" in found["charter"]["reason"]
    council = found["charter"]["document"]["bodies"]["council"]
    assert council["rules"]["ordinary_resolution"]["pass"]["fraction"] == "3/4"
    versions = {v["version"]: v for v in found["charterVersions"]}
    assert versions[2]["motionId"] == str(motion) and versions[2]["adoptedBy"] == "governance"
    assert versions[1]["motionId"] is None and set(versions) == {1, 2}

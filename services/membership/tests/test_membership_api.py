"""The membership subgraph against real PostgreSQL and NATS: alliances, applications,
tenancy and the events it publishes."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import nats
import pytest

from membership import credit_code
from servicekit.auth import sign_request
from servicekit.testing.subgraph import SubgraphClient, claims_for

OPERATOR = claims_for("op-1", operator=True)
AII_STAFF = claims_for("aii-sec", alliances={"aii": ["secretariat"]})
AITISA_STAFF = claims_for("aitisa-sec", alliances={"aitisa": ["secretariat"]})
APPLICANT = claims_for("applicant-1")

CREATE = """
mutation($input: CreateAllianceInput!) {
  createAlliance(input: $input) { id slug name nameEn template charterVersion }
}"""
SUBMIT = """
mutation($input: SubmitApplicationInput!) {
  submitApplication(input: $input) {
    id status tier contactPerson { userId name }
    organization { id nameZh country registrationNumber }
    alliance { slug }
  }
}"""
APPROVE = 'mutation($id: ID!) { approveApplication(id: $id, reason: "材料齐全") { id status } }'
REJECT = """mutation($id: ID!, $r: String!) {
  rejectApplication(id: $id, reason: $r) { id status decisionReason }
}"""


def new_code() -> str:
    return credit_code.complete(
        "91110108"
        + uuid.uuid4()
        .hex[:8]
        .upper()
        .replace("I", "1")
        .replace("O", "0")
        .replace("S", "5")
        .replace("V", "7")
        .replace("Z", "2")
    )


def application(alliance: str, code: str, tier: str = "DIRECTOR") -> dict[str, Any]:
    return {
        "input": {
            "alliance": alliance,
            "tier": tier,
            "contactName": "王敏",
            "contactEmail": "wang.min@example.cn",
            "organization": {
                "nameZh": f"测试科技有限公司{code[-6:]}",
                "nameEn": "Test Tech",
                "kind": "ENTERPRISE",
                "country": "CN",
                "registrationNumber": code,
            },
        }
    }


@pytest.fixture(scope="module")
async def alliances(membership: SubgraphClient) -> None:
    for slug, template in (("aii", "aii"), ("aitisa", "aitisa")):
        await membership.data(
            CREATE,
            {
                "input": {
                    "slug": slug,
                    "nameZh": f"{slug}联盟",
                    "nameEn": slug.upper(),
                    "template": template,
                }
            },
            claims=OPERATOR,
        )


async def test_only_the_operator_creates_alliances(membership: SubgraphClient) -> None:
    result = await membership.execute(
        CREATE, {"input": {"slug": "rogue", "nameZh": "x", "template": "aii"}}, claims=AII_STAFF
    )
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_bad_alliance_input_is_a_typed_error(membership: SubgraphClient) -> None:
    for variables, code in (
        ({"slug": "Bad Slug", "nameZh": "x", "template": "aii"}, "INVALID_SLUG"),
        ({"slug": "nosuch", "nameZh": "x", "template": "nosuch"}, "UNKNOWN_TEMPLATE"),
    ):
        result = await membership.execute(CREATE, {"input": variables}, claims=OPERATOR)
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == code
        assert "Traceback" not in json.dumps(result)


async def test_alliance_creation_is_listed_and_unique(
    membership: SubgraphClient, alliances: None
) -> None:
    data = await membership.data("{ alliances { slug name template } }", claims=OPERATOR)
    assert [a["slug"] for a in data["alliances"]] == ["aii", "aitisa"]
    again = await membership.execute(
        CREATE, {"input": {"slug": "aii", "nameZh": "again", "template": "aii"}}, claims=OPERATOR
    )
    assert again["errors"][0]["extensions"]["code"] == "ALLIANCE_EXISTS"


async def test_apply_then_approve_publishes_events(
    membership: SubgraphClient, alliances: None, nats_url: str
) -> None:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    sub = await js.subscribe(
        "concord.membership.application.>",
        ordered_consumer=True,
        deliver_policy=nats.js.api.DeliverPolicy.NEW,
    )
    try:
        submitted = (
            await membership.data(SUBMIT, application("aii", new_code()), claims=APPLICANT)
        )["submitApplication"]
        assert submitted["status"] == "SUBMITTED"
        assert submitted["contactPerson"]["userId"] == "applicant-1"
        approved = (await membership.data(APPROVE, {"id": submitted["id"]}, claims=AII_STAFF))[
            "approveApplication"
        ]
        assert approved["status"] == "APPROVED"
        seen = []
        while len(seen) < 2:
            msg = await sub.next_msg(timeout=5)
            body = json.loads(msg.data)
            if body["data"]["applicationId"] == submitted["id"]:
                seen.append(body)
                assert msg.headers and msg.headers["Nats-Msg-Id"] == body["id"]
        assert [e["type"] for e in seen] == [
            "membership.application.submitted",
            "membership.application.approved",
        ]
        assert seen[1]["specversion"] == "1.0"
        assert seen[1]["allianceid"] == seen[1]["data"]["allianceId"]
        assert seen[1]["data"]["contactUserId"] == "applicant-1"
    finally:
        await nc.close()

    members = await membership.data(
        '{ alliance(slug: "aii") { members(first: 10) { totalCount edges { node { tier '
        "organization { registrationNumber } } } } } }",
        claims=AII_STAFF,
    )
    codes = [
        e["node"]["organization"]["registrationNumber"]
        for e in members["alliance"]["members"]["edges"]
    ]
    assert submitted["organization"]["registrationNumber"] in codes


async def test_refusals_change_nothing(membership: SubgraphClient, alliances: None) -> None:
    code = new_code()
    first = await membership.data(SUBMIT, application("aii", code), claims=APPLICANT)
    app_id = first["submitApplication"]["id"]
    cases = [
        (SUBMIT, application("aii", code), APPLICANT, "APPLICATION_ALREADY_OPEN"),
        (
            SUBMIT,
            application("aii", code[:17] + ("0" if code[17] != "0" else "1")),
            APPLICANT,
            "INVALID_CREDIT_CODE",
        ),
        (SUBMIT, application("aii", new_code(), tier="ORDINARY"), APPLICANT, None),
        (REJECT, {"id": app_id, "r": "  "}, AII_STAFF, "REASON_REQUIRED"),
        (APPROVE, {"id": app_id}, AITISA_STAFF, "NOT_FOUND"),
        (APPROVE, {"id": app_id}, APPLICANT, "FORBIDDEN"),
    ]
    for query, variables, claims, code_expected in cases:
        result = await membership.execute(query, variables, claims=claims)
        if code_expected is None:
            assert not result.get("errors")
            continue
        assert result["errors"][0]["extensions"]["code"] == code_expected, result
    status = await membership.data(
        "query($id: ID!) { application(id: $id) { status } }", {"id": app_id}, claims=AII_STAFF
    )
    assert status["application"]["status"] == "SUBMITTED"
    # The rejection refused for want of reasons left the application open: reject it properly.
    rejected = await membership.data(
        REJECT, {"id": app_id, "r": "材料不全：缺少营业执照复印件"}, claims=AII_STAFF
    )
    assert rejected["rejectApplication"]["decisionReason"].startswith("材料不全")
    closed = await membership.execute(APPROVE, {"id": app_id}, claims=AII_STAFF)
    assert closed["errors"][0]["extensions"]["code"] == "APPLICATION_CLOSED"


async def test_tier_not_in_charter_is_refused(membership: SubgraphClient, alliances: None) -> None:
    await membership.data(
        CREATE,
        {"input": {"slug": "china-asean", "nameZh": "中国—东盟", "template": "china-asean"}},
        claims=OPERATOR,
    )
    result = await membership.execute(
        SUBMIT, application("china-asean", new_code(), tier="ORDINARY"), claims=APPLICANT
    )
    assert result["errors"][0]["extensions"]["code"] == "UNKNOWN_TIER"
    assert "china-asean" in result["errors"][0]["message"]


async def test_concurrent_submissions_leave_one_open_application(
    membership: SubgraphClient, alliances: None
) -> None:
    code = new_code()
    results = await asyncio.gather(
        *[
            membership.execute(SUBMIT, application("aitisa", code), claims=APPLICANT)
            for _ in range(6)
        ]
    )
    ok = [r for r in results if not r.get("errors")]
    refused = [r for r in results if r.get("errors")]
    assert len(ok) == 1
    assert {r["errors"][0]["extensions"]["code"] for r in refused} == {"APPLICATION_ALREADY_OPEN"}
    mine = await membership.data(
        "{ myApplications { organization { registrationNumber } status } }", claims=APPLICANT
    )
    assert sum(a["organization"]["registrationNumber"] == code for a in mine["myApplications"]) == 1


async def test_one_alliance_sees_nothing_of_another(
    membership: SubgraphClient, alliances: None
) -> None:
    submitted = (await membership.data(SUBMIT, application("aii", new_code()), claims=APPLICANT))[
        "submitApplication"
    ]
    alliance_id = (await membership.data('{ alliance(slug: "aii") { id } }', claims=AII_STAFF))[
        "alliance"
    ]["id"]
    seen = await membership.data(
        "query($reps: [_Any!]!) { _entities(representations: $reps) { "
        "... on Alliance { slug } ... on Application { status } } }",
        {
            "reps": [
                {"__typename": "Alliance", "id": alliance_id},
                {"__typename": "Application", "id": submitted["id"]},
            ]
        },
        claims=AITISA_STAFF,
    )
    assert seen["_entities"] == [None, None]
    listed = await membership.data("{ alliances { slug } }", claims=AITISA_STAFF)
    assert [a["slug"] for a in listed["alliances"]] == ["aitisa"]
    assert (await membership.data('{ alliance(slug: "aii") { slug } }', claims=AITISA_STAFF))[
        "alliance"
    ] is None
    own = await membership.data(
        "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Alliance { slug } } }",
        {"reps": [{"__typename": "Alliance", "id": alliance_id}]},
        claims=AII_STAFF,
    )
    assert own["_entities"] == [{"slug": "aii"}]


async def test_unsigned_or_tampered_requests_are_refused(membership: SubgraphClient) -> None:
    body = json.dumps({"query": "{ alliances { slug } }"}).encode()
    unsigned = await membership.post(body)
    assert unsigned.status_code == 401
    assert unsigned.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    headers = sign_request(membership.secret, AII_STAFF, body)
    other_body = json.dumps({"query": "{ alliances { slug template } }"}).encode()
    assert (await membership.post(other_body, headers)).status_code == 401
    forged = sign_request("not-the-gateway-secret-000", OPERATOR, body)
    assert (await membership.post(body, forged)).status_code == 401
    stale = sign_request(membership.secret, AII_STAFF, body, now=0)
    assert (await membership.post(body, stale)).status_code == 401
    health = await membership.http.get("/healthz")
    assert health.status_code == 200

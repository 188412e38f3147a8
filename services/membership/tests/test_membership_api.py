"""The membership subgraph against real PostgreSQL and NATS: alliances, applications through
the charter's workflow, tenancy, refusals, and the events it publishes."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import uuid
from typing import Any

import nats
import pytest
from pypdf import PdfWriter

import charter
from devkit.testing.subgraph import SubgraphClient, claims_for
from membership import credit_code
from servicekit.auth import sign_request

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
    id status tier kind contactPerson { userId name }
    organization { id nameZh country registrationNumber }
    alliance { slug }
    materials { material reference sha256 size }
  }
}"""
FORWARD = 'mutation($id: ID!) { forwardApplication(id: $id, note: "材料齐全") { status } }'
DECIDE = """mutation($id: ID!, $d: DecisionInput!) {
  recordDecision(id: $id, input: $d) { status decisionReference { body meeting } membership {
    id tier status certificateNumber } }
}"""
REJECT = """mutation($id: ID!, $r: String!) {
  rejectApplication(id: $id, reason: $r) { id status decisionReason }
}"""


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def decision(body: str = "STANDING_COUNCIL", approved: bool = True) -> dict[str, Any]:
    return {
        "approved": approved,
        "body": body,
        "meeting": "2026年第三次常务理事会",
        "decidedOn": "2026-11-20",
        "minutes": "纪要第12号",
    }


def new_code() -> str:
    digits = "".join(str(int(c, 16) % 10) for c in uuid.uuid4().hex[:8])
    return credit_code.complete("91110108" + digits)


def materials(template: str) -> list[dict[str, str]]:
    return [
        {"material": m.id, "reference": f"纸质件 {m.id}"}
        for m in charter.load_template(template).membership.application_materials
    ]


def application(
    alliance: str,
    code: str,
    tier: str = "DIRECTOR",
    template: str | None = None,
    country: str = "CN",
    files: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "input": {
            "alliance": alliance,
            "tier": tier,
            "contactName": "王敏",
            "contactEmail": "wang.min@example.cn",
            "materials": files if files is not None else materials(template or alliance),
            "organization": {
                "nameZh": f"测试科技有限公司{code[-6:]}",
                "nameEn": "Test Tech",
                "kind": "ENTERPRISE",
                "country": country,
                "registrationNumber": code,
            },
        }
    }


@pytest.fixture(scope="module")
async def alliances(membership: SubgraphClient) -> None:
    for slug, template in (("aii", "aii"), ("aitisa", "aitisa"), ("china-asean", "china-asean")):
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
        ({"slug": "ownfile", "nameZh": "x", "charterYaml": "slug: [broken"}, "INVALID_CHARTER"),
    ):
        result = await membership.execute(CREATE, {"input": variables}, claims=OPERATOR)
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == code
        assert "Traceback" not in json.dumps(result)


async def test_an_alliance_from_its_own_charter_file(membership: SubgraphClient) -> None:
    text = charter.template_text("aii").replace("fraction: 2/3", "fraction: 3/4", 1)
    created = await membership.data(
        CREATE,
        {"input": {"slug": "own-charter", "nameZh": "自定", "charterYaml": text}},
        claims=OPERATOR,
    )
    assert created["createAlliance"]["charterVersion"] == 1


async def test_alliance_creation_is_listed_and_unique(
    membership: SubgraphClient, alliances: None
) -> None:
    data = await membership.data("{ alliances { slug name template } }", claims=OPERATOR)
    assert {"aii", "aitisa", "china-asean"} <= {a["slug"] for a in data["alliances"]}
    again = await membership.execute(
        CREATE, {"input": {"slug": "aii", "nameZh": "again", "template": "aii"}}, claims=OPERATOR
    )
    assert again["errors"][0]["extensions"]["code"] == "ALLIANCE_EXISTS"


async def test_admission_publishes_each_step(
    membership: SubgraphClient, alliances: None, nats_url: str
) -> None:
    nc = await nats.connect(nats_url)
    sub = await nc.jetstream().subscribe(
        "concord.membership.>", ordered_consumer=True, deliver_policy=nats.js.api.DeliverPolicy.NEW
    )
    try:
        submitted = (
            await membership.data(SUBMIT, application("aii", new_code()), claims=APPLICANT)
        )["submitApplication"]
        assert submitted["status"] == "SUBMITTED"
        assert submitted["contactPerson"]["userId"] == "applicant-1"
        assert submitted["materials"] == [
            {
                "material": "application_form",
                "reference": "纸质件 application_form",
                "sha256": None,
                "size": None,
            }
        ]
        await membership.data(FORWARD, {"id": submitted["id"]}, claims=AII_STAFF)
        decided = (
            await membership.data(
                DECIDE, {"id": submitted["id"], "d": decision()}, claims=AII_STAFF
            )
        )["recordDecision"]
        assert decided["status"] == "APPROVED"
        assert decided["membership"]["tier"] == "DIRECTOR"
        assert decided["membership"]["certificateNumber"] is None  # AII issues none
        seen: list[dict[str, Any]] = []
        while len(seen) < 4:
            msg = await sub.next_msg(timeout=5)
            body = json.loads(msg.data)
            if body["data"].get("applicationId") == submitted["id"]:
                seen.append(body)
                assert msg.headers and msg.headers["Nats-Msg-Id"] == body["id"]
        assert [e["type"] for e in seen] == [
            "membership.application.submitted",
            "membership.application.forwarded",
            "membership.member.admitted",
            "membership.application.approved",
        ]
        forwarded = seen[1]
        assert forwarded["data"]["deciders"] == ["standing_council", "council"]
        assert forwarded["data"]["rule"] == "AII Art.11(3)"
        assert seen[3]["specversion"] == "1.0"
        assert seen[3]["allianceid"] == seen[3]["data"]["allianceId"]
        assert seen[3]["data"]["rule"] == "AII Art.11(3)"
    finally:
        await nc.close()

    timeline = await membership.data(
        "query($id: ID!) { application(id: $id) { timeline { change fromValue toValue actor "
        "rule charterVersion } } }",
        {"id": submitted["id"]},
        claims=AII_STAFF,
    )
    assert [(t["toValue"], t["rule"]) for t in timeline["application"]["timeline"]] == [
        ("submitted", "AII Art.11"),
        ("forwarded", "AII Art.11(2)"),
        ("approved", "AII Art.11(3)"),
    ]


async def test_refusals_change_nothing(membership: SubgraphClient, alliances: None) -> None:
    code = new_code()
    first = await membership.data(SUBMIT, application("aii", code), claims=APPLICANT)
    app_id = first["submitApplication"]["id"]
    wrong_check = code[:17] + ("0" if code[17] != "0" else "1")
    pdf = base64.b64encode(real_pdf()).decode()
    exe = base64.b64encode(b"MZ\x90\x00 not a pdf").decode()
    # Issue 13 (9): the right magic bytes, then something else.
    pdf_exe = base64.b64encode(b"%PDF-1.7\n" + b"MZ\x90\x00" * 64 + b"<script>x()</script>")
    jpeg_html = base64.b64encode(b"\xff\xd8\xff<html><script>x()</script></html>")
    polyglot = base64.b64encode(real_pdf() + b"MZ\x90\x00 an executable after %%EOF")
    big = base64.b64encode(b"%PDF-" + b"0" * (2 * 1024 * 1024)).decode()

    def with_file(content: str, content_type: str = "application/pdf") -> dict[str, Any]:
        return application(
            "aii",
            new_code(),
            files=[
                {
                    "material": "application_form",
                    "fileName": "form.pdf",
                    "contentType": content_type,
                    "contentBase64": content,
                }
            ],
        )

    cases = [
        (SUBMIT, application("aii", code), APPLICANT, "APPLICATION_ALREADY_OPEN"),
        (SUBMIT, application("aii", wrong_check), APPLICANT, "INVALID_CREDIT_CODE"),
        (SUBMIT, application("aii", new_code(), files=[]), APPLICANT, "MISSING_MATERIALS"),
        (SUBMIT, with_file(exe), APPLICANT, "DISALLOWED_DOCUMENT"),
        (SUBMIT, with_file(pdf_exe.decode()), APPLICANT, "DISALLOWED_DOCUMENT"),
        (SUBMIT, with_file(jpeg_html.decode(), "image/jpeg"), APPLICANT, "DISALLOWED_DOCUMENT"),
        (SUBMIT, with_file(polyglot.decode()), APPLICANT, "DISALLOWED_DOCUMENT"),
        (SUBMIT, with_file(pdf, "application/x-msdownload"), APPLICANT, "DISALLOWED_DOCUMENT"),
        (SUBMIT, with_file(big), APPLICANT, "DOCUMENT_TOO_LARGE"),
        (
            SUBMIT,
            application("aii", new_code(), files=[{"material": "passport", "reference": "x"}]),
            APPLICANT,
            "UNKNOWN_MATERIAL",
        ),
        (
            SUBMIT,
            application("china-asean", new_code(), tier="ORDINARY"),
            APPLICANT,
            "UNKNOWN_TIER",
        ),
        (SUBMIT, application("china-asean", new_code(), country="US"), APPLICANT, "NOT_ELIGIBLE"),
        (DECIDE, {"id": app_id, "d": decision()}, AII_STAFF, "NOT_FORWARDED"),
        (REJECT, {"id": app_id, "r": "  "}, AII_STAFF, "REASON_REQUIRED"),
        (FORWARD, {"id": app_id}, AITISA_STAFF, "NOT_FOUND"),
        (FORWARD, {"id": app_id}, APPLICANT, "FORBIDDEN"),
    ]
    for query, variables, claims, code_expected in cases:
        result = await membership.execute(query, variables, claims=claims)
        assert result.get("errors"), (code_expected, result)
        assert result["errors"][0]["extensions"]["code"] == code_expected, result
        assert "Traceback" not in json.dumps(result)

    await membership.data(FORWARD, {"id": app_id}, claims=AII_STAFF)
    wrong_body = await membership.execute(
        DECIDE, {"id": app_id, "d": decision("GENERAL_ASSEMBLY")}, claims=AII_STAFF
    )
    assert wrong_body["errors"][0]["extensions"]["code"] == "WRONG_BODY"
    assert "AII Art.11(3)" in wrong_body["errors"][0]["message"]
    status = await membership.data(
        "query($id: ID!) { application(id: $id) { status } }", {"id": app_id}, claims=AII_STAFF
    )
    assert status["application"]["status"] == "FORWARDED"
    rejected = await membership.data(
        DECIDE,
        {"id": app_id, "d": decision(approved=False) | {"reason": "不符合入会条件"}},
        claims=AII_STAFF,
    )
    assert rejected["recordDecision"]["status"] == "REJECTED"
    closed = await membership.execute(FORWARD, {"id": app_id}, claims=AII_STAFF)
    assert closed["errors"][0]["extensions"]["code"] == "APPLICATION_CLOSED"


async def test_an_uploaded_file_is_kept_with_its_digest(
    membership: SubgraphClient, alliances: None
) -> None:
    content = real_pdf()
    result = await membership.data(
        SUBMIT,
        application(
            "aii",
            new_code(),
            files=[
                {
                    "material": "application_form",
                    "fileName": "申请表.pdf",
                    "contentType": "application/pdf",
                    "contentBase64": base64.b64encode(content).decode(),
                }
            ],
        ),
        claims=APPLICANT,
    )
    (material,) = result["submitApplication"]["materials"]
    assert material["sha256"] == hashlib.sha256(content).hexdigest()
    assert material["size"] == len(content)


async def test_return_for_correction_and_resubmit(
    membership: SubgraphClient, alliances: None
) -> None:
    app_id = (
        await membership.data(SUBMIT, application("china-asean", new_code()), claims=APPLICANT)
    )["submitApplication"]["id"]
    returned = await membership.data(
        'mutation($id: ID!) { returnApplication(id: $id, reasons: "营业执照复印件不清晰") '
        "{ status decisionReason } }",
        {"id": app_id},
        claims=staff("china-asean"),
    )
    assert returned["returnApplication"]["status"] == "RETURNED"
    stranger = await membership.execute(
        "mutation($id: ID!) { resubmitApplication(id: $id) { status } }",
        {"id": app_id},
        claims=claims_for("someone-else"),
    )
    assert stranger["errors"][0]["extensions"]["code"] in ("NOT_FOUND", "NOT_CONTACT_PERSON")
    again = await membership.data(
        "mutation($id: ID!, $m: [MaterialInput!]) { resubmitApplication(id: $id, materials: $m)"
        " { status materials { material } } }",
        {"id": app_id, "m": [{"material": "introduction_and_licence", "reference": "清晰复印件"}]},
        claims=APPLICANT,
    )
    assert again["resubmitApplication"]["status"] == "SUBMITTED"
    assert len(again["resubmitApplication"]["materials"]) == 4


def staff(slug: str) -> dict[str, Any]:
    return claims_for(f"{slug}-sec", alliances={slug: ["secretariat"]})


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
    headers = sign_request(membership.secret, AII_STAFF, body, audience="membership")
    other_body = json.dumps({"query": "{ alliances { slug template } }"}).encode()
    assert (await membership.post(other_body, headers)).status_code == 401
    forged = sign_request("not-the-gateway-secret-000", OPERATOR, body, audience="membership")
    assert (await membership.post(body, forged)).status_code == 401
    stale = sign_request(membership.secret, AII_STAFF, body, audience="membership", now=0)
    assert (await membership.post(body, stale)).status_code == 401
    health = await membership.http.get("/healthz")
    assert health.status_code == 200


async def test_a_contact_persons_token_reaches_only_its_own_records(
    membership: SubgraphClient, alliances: None
) -> None:
    contact = claims_for("own-only", alliances={"aii": ["contact_person"]})
    mine = (await membership.data(SUBMIT, application("aii", new_code()), claims=contact))[
        "submitApplication"
    ]
    other = (await membership.data(SUBMIT, application("aii", new_code()), claims=APPLICANT))[
        "submitApplication"
    ]
    query = "query($id: ID!) { application(id: $id) { id } }"
    assert (await membership.data(query, {"id": mine["id"]}, claims=contact))["application"]
    assert (await membership.data(query, {"id": other["id"]}, claims=contact))[
        "application"
    ] is None
    listed = await membership.execute(
        '{ alliance(slug: "aii") { applications { totalCount } } }', claims=contact
    )
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    staff_list = await membership.data(
        '{ alliance(slug: "aii") { applications(status: SUBMITTED) { totalCount } } }',
        claims=AII_STAFF,
    )
    assert staff_list["alliance"]["applications"]["totalCount"] >= 2


async def test_an_application_across_alliances_learns_nothing_of_the_other_tenants_members(
    membership: SubgraphClient, alliances: None
) -> None:
    """Issue 13 (5): anybody may apply, so a refusal may not say whom an alliance has."""
    code = new_code()
    owner = claims_for("the-real-contact")
    filed = await membership.data(SUBMIT, application("aii", code), claims=owner)
    snoop = claims_for("aitisa-sec-snooping", alliances={"aitisa": ["secretariat"]})
    name = filed["submitApplication"]["organization"]["nameZh"]

    def neutral(result: dict[str, Any]) -> None:
        (error,) = result["errors"]
        assert error["extensions"]["code"] == "APPLICATION_NOT_ACCEPTED", error
        assert name not in error["message"] and "member" not in error["message"]
        assert "open application" not in error["message"]
        assert result["data"] is None

    neutral(await membership.execute(SUBMIT, application("aii", code), claims=snoop))
    # The organisation's own contact person and the alliance's staff are told why.
    mine = await membership.execute(SUBMIT, application("aii", code), claims=owner)
    assert mine["errors"][0]["extensions"]["code"] == "APPLICATION_ALREADY_OPEN"
    clerk = await membership.execute(SUBMIT, application("aii", code), claims=AII_STAFF)
    assert clerk["errors"][0]["extensions"]["code"] == "APPLICATION_ALREADY_OPEN"

    app_id = filed["submitApplication"]["id"]
    await membership.data(FORWARD, {"id": app_id}, claims=AII_STAFF)
    await membership.data(DECIDE, {"id": app_id, "d": decision()}, claims=AII_STAFF)
    neutral(await membership.execute(SUBMIT, application("aii", code), claims=snoop))
    neutral(await membership.execute(SUBMIT, application("aii", code), claims=APPLICANT))
    member = await membership.execute(SUBMIT, application("aii", code), claims=owner)
    assert member["errors"][0]["extensions"]["code"] == "ALREADY_MEMBER"

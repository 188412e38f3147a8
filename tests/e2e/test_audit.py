"""Issue 13: every mutation is in its service's audit log, readable by the platform operator
and the alliance's own secretariat only; a replayed signed mutation is refused (real gateway,
real service processes)."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime

import httpx
import pytest

from devkit.local.platform import Platform
from servicekit.auth import sign_request
from servicekit.tenancy import alliance_id
from tests.e2e.client import SUBMIT, Caller, application, ensure_alliances, operator, staff

LOG = """query($a: String) { membershipAuditLog(alliance: $a, first: 200) { totalCount
  edges { node { at userId operator allianceId operation outcome errorCodes requestId } } } }"""


@pytest.fixture(scope="module")
def two_alliances(platform: Platform) -> None:
    ensure_alliances(platform, ("aii", "aitisa"))


def entries(caller: Caller, alliance: str | None = None) -> list[dict[str, object]]:
    data = caller.data(LOG, {"a": alliance})["membershipAuditLog"]
    return [e["node"] for e in data["edges"]]


def test_every_mutation_is_recorded_with_who_when_which_alliance_and_the_outcome(
    platform: Platform, two_alliances: None
) -> None:
    who = f"audited-{uuid.uuid4().hex[:6]}"
    contact = Caller(platform, who)
    before = time.time()
    contact.data(SUBMIT, application("aii", "审计测试有限公司"))
    refused = contact.execute(
        "mutation($id: ID!) { forwardApplication(id: $id) { id } }", {"id": str(uuid.uuid4())}
    )
    assert refused["errors"]
    mine = [e for e in entries(staff(platform, "aii"), "aii") if e["userId"] == who]
    ok = [e for e in mine if e["operation"] == "submitApplication"]
    assert len(ok) == 1 and ok[0]["outcome"] == "ok" and ok[0]["errorCodes"] == []
    assert ok[0]["allianceId"] == str(alliance_id("aii")) and ok[0]["operator"] is False
    assert ok[0]["requestId"]
    # The refusal names no alliance it could reach: only the operator sees it.
    everything = [e for e in entries(operator(platform)) if e["userId"] == who]
    failed = [e for e in everything if e["operation"] == "forwardApplication"]
    assert len(failed) == 1 and failed[0]["outcome"] == "refused" and failed[0]["errorCodes"]
    assert {e["operation"] for e in everything} >= {"submitApplication", "forwardApplication"}
    assert datetime.fromisoformat(str(ok[0]["at"])).timestamp() >= before - 5


def test_only_the_operator_and_the_alliances_own_secretariat_read_its_audit_log(
    platform: Platform, two_alliances: None
) -> None:
    staff(platform, "aii").data(
        'mutation { createBudget(alliance: "aii", fiscalYear: 2031) { id } }'
    )
    other = staff(platform, "aitisa")
    # Row-level security: without a filter another secretariat sees none of aii's entries.
    assert all(e["allianceId"] != str(alliance_id("aii")) for e in entries(other))
    assert all(e["allianceId"] == str(alliance_id("aitisa")) for e in entries(other)), (
        "a secretariat reads its own alliance's entries only"
    )
    for caller, alliance in (
        (other, "aii"),
        (Caller(platform, "aii-director", alliances={"aii": ["director", "chair"]}), "aii"),
        (Caller(platform, "aii-contact", alliances={"aii": ["contact_person"]}), "aii"),
        (Caller(platform, "nobody"), None),
    ):
        body = caller.execute(LOG, {"a": alliance})
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    # finance keeps its own log.
    log = operator(platform).data(
        '{ financeAuditLog(alliance: "aii") { edges { node { operation outcome } } } }'
    )["financeAuditLog"]["edges"]
    assert {"operation": "createBudget", "outcome": "ok"} in [e["node"] for e in log]


def test_a_replayed_signed_mutation_is_refused_and_changes_nothing(
    platform: Platform, two_alliances: None
) -> None:
    who = f"replay-{uuid.uuid4().hex[:6]}"
    body = json.dumps(
        {"query": SUBMIT, "variables": application("aitisa", "重放测试有限公司")}
    ).encode()
    claims = {"sub": who, "alliances": {}, "exp": int(time.time()) + 600}
    headers = {
        "content-type": "application/json",
        **sign_request(platform.config.signing_secret, claims, body, audience="membership"),
    }
    first = httpx.post(platform.service_url("membership"), content=body, headers=headers).json()
    assert not first.get("errors"), first
    again = httpx.post(platform.service_url("membership"), content=body, headers=headers).json()
    assert again["data"] is None and again["errors"][0]["extensions"]["code"] == "REPLAYED"
    # Another service does not take it either: the signature names membership.
    finance = httpx.post(platform.service_url("finance"), content=body, headers=headers)
    assert finance.status_code == 401
    assert finance.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    mine = Caller(platform, who).data("{ myApplications { id } }")["myApplications"]
    assert len(mine) == 1
    # A query may be repeated (nothing changes).
    read = json.dumps({"query": "{ myApplications { id } }"}).encode()
    read_headers = {
        "content-type": "application/json",
        **sign_request(platform.config.signing_secret, claims, read, audience="membership"),
    }
    for _ in range(2):
        answer = httpx.post(
            platform.service_url("membership"), content=read, headers=read_headers
        ).json()
        assert answer["data"]["myApplications"] == mine

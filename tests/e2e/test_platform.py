"""The platform end to end: through the real gateway to the real service processes."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest

from devkit.local.platform import Platform
from devkit.testing.handles import NatsHandle
from servicekit.auth import sign_request
from tests.e2e.client import (
    SUBMIT,
    Caller,
    application,
    approve,
    ensure_alliances,
    staff,
)
from tests.support.otlp import OtlpReceiver

FORWARD = """mutation($id: ID!) { forwardApplication(id: $id) { id status } }"""
NOTICES = """{ myNotifications(first: 50) { totalCount edges { node { eventType subjectId
  title } } } }"""


@pytest.fixture(scope="module")
def alliances(platform: Platform) -> None:
    ensure_alliances(platform, ("aii", "aitisa"), name_en=str.upper)


def wait_for(check: Any, within: float, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def test_admission_through_the_gateway_notifies_the_contact_within_two_seconds(
    platform: Platform, alliances: None
) -> None:
    contact = Caller(platform, f"contact-{uuid.uuid4().hex[:6]}")
    submitted = contact.data(SUBMIT, application("aii", "海川智造有限公司"))["submitApplication"]
    assert approve(platform, "aii", submitted["id"])["status"] == "APPROVED"
    approved_at = time.monotonic()

    def approval_notice() -> bool:
        edges = contact.data(NOTICES)["myNotifications"]["edges"]
        return any(e["node"]["eventType"] == "membership.application.approved" for e in edges)

    assert wait_for(approval_notice, within=2.0), "no approval notice within 2 s"
    assert time.monotonic() - approved_at <= 2.0


def test_one_query_spans_all_four_subgraphs(platform: Platform, alliances: None) -> None:
    aii = staff(platform, "aii")
    aii.data('mutation { createBudget(alliance: "aii", fiscalYear: 2027) { id } }')
    data = aii.data("""{ alliance(slug: "aii") {
        slug name template
        members(first: 5) { totalCount }
        bodies { kind source }
        budgets { fiscalYear status }
        myNotifications(first: 5) { totalCount }
    } }""")["alliance"]
    assert data["slug"] == "aii" and data["template"] == "aii"  # membership
    assert "COUNCIL" in [b["kind"] for b in data["bodies"]]  # governance
    assert {"fiscalYear": 2027, "status": "DRAFT"} in data["budgets"]  # finance
    assert data["myNotifications"]["totalCount"] == 0  # notifications


def test_a_subgraph_refuses_calls_that_bypass_the_gateway(platform: Platform) -> None:
    body = json.dumps({"query": "{ alliances { slug } }"}).encode()
    for service in ("membership", "governance", "finance", "notifications"):
        response = httpx.post(
            platform.service_url(service),
            content=body,
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 401, service
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_an_alliance_token_sees_nothing_of_another_alliance(
    platform: Platform, alliances: None
) -> None:
    aii, aitisa = staff(platform, "aii"), staff(platform, "aitisa")
    submitted = Caller(platform, "contact-x").data(SUBMIT, application("aii", "隔离测试有限公司"))[
        "submitApplication"
    ]
    assert [a["slug"] for a in aitisa.data("{ alliances { slug } }")["alliances"]] == ["aitisa"]
    assert aitisa.data('{ alliance(slug: "aii") { slug } }')["alliance"] is None
    query = "query($id: ID!) { application(id: $id) { status } }"
    assert aitisa.data(query, {"id": submitted["id"]})["application"] is None
    assert aii.data(query, {"id": submitted["id"]})["application"]["status"] == "SUBMITTED"
    refused = aitisa.execute(FORWARD, {"id": submitted["id"]})
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # What the gateway would send for an aitisa caller's entity fetch, correctly signed.
    aii_id = aii.data('{ alliance(slug: "aii") { id } }')["alliance"]["id"]
    for service, fragment in (
        ("membership", "... on Alliance { slug }"),
        ("governance", "... on Alliance { bodies { kind } }"),
        ("finance", "... on Alliance { budgets { fiscalYear } }"),
    ):
        body = json.dumps(
            {
                "query": "query($r: [_Any!]!) { _entities(representations: $r) { "
                f"{fragment} }} }}",
                "variables": {"r": [{"__typename": "Alliance", "id": aii_id}]},
            }
        ).encode()
        headers = sign_request(
            platform.config.signing_secret,
            {
                "sub": "aitisa-secretariat",
                "alliances": {"aitisa": ["secretariat"]},
                "exp": int(time.time()) + 600,
            },
            body,
            audience=service,
        )
        response = httpx.post(
            platform.service_url(service),
            content=body,
            headers={"content-type": "application/json", **headers},
        )
        entity = response.json()["data"]["_entities"][0]
        assert entity in (None, {"bodies": []}, {"budgets": []}), (service, entity)


def test_no_event_is_lost_while_nats_is_down(
    platform: Platform, alliances: None, nats_server: NatsHandle
) -> None:
    contact = Caller(platform, f"contact-{uuid.uuid4().hex[:6]}")
    ids = [
        contact.data(SUBMIT, application("aitisa", f"断网测试{i}号有限公司"))["submitApplication"][
            "id"
        ]
        for i in range(3)
    ]
    assert wait_for(
        lambda: contact.data(NOTICES)["myNotifications"]["totalCount"] >= 3, within=10
    ), "the three applications were not acknowledged before the outage"
    ready_url = platform.service_url("membership").replace("/graphql", "/readyz")
    with nats_server.outage(seconds=10):
        for app_id in ids:
            approve(platform, "aitisa", app_id)
        # Not ready while NATS is away (the database still answers, so writes go on).
        assert wait_for(lambda: httpx.get(ready_url).status_code == 503, within=8)
        assert httpx.get(ready_url).json()["checks"] == {"database": "ok", "nats": "unreachable"}
    assert wait_for(lambda: httpx.get(ready_url).status_code == 200, within=15)

    def approvals() -> list[str]:
        edges = contact.data(NOTICES)["myNotifications"]["edges"]
        return [
            e["node"]["subjectId"]
            for e in edges
            if e["node"]["eventType"] == "membership.application.approved"
        ]

    assert wait_for(lambda: len(approvals()) >= 3, within=30)
    time.sleep(1.0)  # anything duplicated would have arrived by now
    assert sorted(approvals()) == sorted(ids)


def test_one_trace_from_the_gateway_to_the_last_consumer(
    platform: Platform, alliances: None, otlp: OtlpReceiver
) -> None:
    contact = Caller(platform, f"contact-{uuid.uuid4().hex[:6]}")
    trace_id = uuid.uuid4().hex
    traceparent = f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"
    contact.data(
        SUBMIT, application("aii", "追踪测试有限公司"), headers={"traceparent": traceparent}
    )

    def services_in_trace() -> set[str] | None:
        """The services in the trace, once every span asserted below has arrived (each
        process exports on its own schedule)."""
        spans = otlp.trace(trace_id)
        services = {s.service for s in spans}
        names = {(s.service, s.name.split(" ")[0]) for s in spans}
        wanted = {
            ("membership", "publish"),
            ("notifications", "process"),
            ("membership", "INSERT"),
            ("notifications", "INSERT"),
        }
        ids = {s.span_id for s in spans}
        parents_missing = {s.parent_id for s in spans if s.parent_id and s.parent_id not in ids}
        complete = (
            {"gateway", "membership", "notifications"} <= services
            and wanted <= names
            and len(parents_missing) <= 1
        )  # only the client's own span is not ours
        return services if complete else None

    found = wait_for(services_in_trace, within=15, interval=0.2)
    spans = otlp.trace(trace_id)
    assert found, f"trace {trace_id} has spans from {sorted({s.service for s in spans})}"
    names = {(s.service, s.name) for s in spans}
    assert any(svc == "membership" and n.startswith("publish concord.") for svc, n in names)
    assert any(svc == "notifications" and n.startswith("process concord.") for svc, n in names)
    sql = {svc for svc, n in names if n.split(" ")[0] in ("INSERT", "SELECT", "UPDATE")}
    assert {"membership", "notifications"} <= sql, names
    # Connected: every span but the client's root has its parent in the same trace.
    ids = {s.span_id for s in spans}
    orphans = [s for s in spans if s.parent_id and s.parent_id not in ids]
    assert len({s.parent_id for s in orphans}) <= 1, orphans

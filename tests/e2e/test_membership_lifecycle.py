"""Each seed charter's admission, withdrawal and expulsion paths, and AII's automatic demotion,
end to end: through the gateway, with the timeline and the events checked."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import nats
import pytest

from devkit.local.platform import Platform
from devkit.testing.events import event, publish
from devkit.testing.handles import NatsHandle
from servicekit.events.envelope import Envelope, InvalidEnvelope
from servicekit.tenancy import alliance_id
from tests.e2e.client import (
    DECIDE,
    DECIDING_BODY,
    FORWARD,
    SUBMIT,
    Caller,
    application,
    decision,
    ensure_alliances,
    staff,
    until,
)

MEMBERSHIP = """query($id: ID!) { membership(id: $id) { tier status certificateNumber
  organization { id } timeline { change fromValue toValue rule } } }"""
WITHDRAW = """mutation($m: ID!) { requestWithdrawal(membershipId: $m, reason: "战略调整") {
  id status } }"""
PROPOSE = """mutation($m: ID!) { proposeExpulsion(membershipId: $m,
  grounds: "严重违反章程，经查属实") { id status } }"""
COMPLETE = "mutation($id: ID!) { completeApplication(id: $id) { status } }"
SLUGS = ("aii", "aitisa", "china-asean")


@pytest.fixture(scope="module")
def seeded(platform: Platform) -> None:
    ensure_alliances(platform, SLUGS, name_zh=str, name_en=lambda slug: None)


def events_about(nats_url: str, key: str, value: str) -> list[dict[str, Any]]:
    """Every event on the stream whose data[key] is ``value``, in stream order."""

    async def read() -> list[dict[str, Any]]:
        nc = await nats.connect(nats_url)
        try:
            sub = await nc.jetstream().subscribe("concord.>", ordered_consumer=True)
            found = []
            while True:
                try:
                    msg = await sub.next_msg(timeout=0.5)
                except nats.errors.TimeoutError:
                    return found
                try:
                    envelope = Envelope.from_json(msg.data)
                except InvalidEnvelope:
                    continue  # not an event (other tests put poison messages on the stream)
                if envelope.data.get(key) == value:
                    found.append(envelope.to_dict())
        finally:
            await nc.close()

    return asyncio.run(read())


def admitted(
    platform: Platform, slug: str, contact: Caller, tier: str = "DIRECTOR"
) -> tuple[str, str]:
    """Admission along the charter's path; returns (application id, membership id)."""
    submitted = contact.data(
        SUBMIT, application(slug, f"{slug}成员{uuid.uuid4().hex[:5]}", tier=tier)
    )["submitApplication"]
    clerk = staff(platform, slug)
    # The deciding body cannot decide before the secretariat forwards it.
    early = clerk.execute(DECIDE, {"id": submitted["id"], "d": decision(DECIDING_BODY[slug])})
    assert early["errors"][0]["extensions"]["code"] == "NOT_FORWARDED"
    clerk.data(FORWARD, {"id": submitted["id"]})
    decided = clerk.data(DECIDE, {"id": submitted["id"], "d": decision(DECIDING_BODY[slug])})
    assert decided["recordDecision"]["status"] == "APPROVED"
    return submitted["id"], decided["recordDecision"]["membership"]["id"]


@pytest.mark.parametrize(
    ("slug", "admission_rule", "certificate"),
    [
        ("aii", "AII Art.11(3)", False),
        ("aitisa", "default", False),
        ("china-asean", "China-ASEAN Art.17(2)", True),
    ],
)
def test_admission_path(
    platform: Platform, seeded: None, slug: str, admission_rule: str, certificate: bool
) -> None:
    contact = Caller(platform, f"{slug}-adm-{uuid.uuid4().hex[:6]}")
    app_id, membership_id = admitted(platform, slug, contact)
    member = contact.data(MEMBERSHIP, {"id": membership_id})["membership"]
    assert member["status"] == "ACTIVE"
    assert bool(member["certificateNumber"]) is certificate
    assert member["timeline"] == [
        {"change": "status", "fromValue": None, "toValue": "active", "rule": admission_rule}
    ]
    types = [e["type"] for e in events_about(platform.config.nats_url, "applicationId", app_id)]
    assert types == [
        "membership.application.submitted",
        "membership.application.forwarded",
        "membership.member.admitted",
        "membership.application.approved",
    ]


@pytest.mark.parametrize(
    ("slug", "path", "rule"),
    [
        ("aii", "secretariat records the notice", "AII Art.15(1)"),
        ("aitisa", "free on notice", "default"),
        ("china-asean", "council approves", "China-ASEAN Art.21.3"),
    ],
)
def test_withdrawal_path(platform: Platform, seeded: None, slug: str, path: str, rule: str) -> None:
    contact = Caller(platform, f"{slug}-wd-{uuid.uuid4().hex[:6]}")
    _, membership_id = admitted(platform, slug, contact)
    other = Caller(platform, "not-the-contact").execute(WITHDRAW, {"m": membership_id})
    assert other["errors"][0]["extensions"]["code"] in ("NOT_FOUND", "NOT_CONTACT_PERSON")
    notice = contact.data(WITHDRAW, {"m": membership_id})["requestWithdrawal"]
    clerk = staff(platform, slug)
    if path == "secretariat records the notice":
        assert notice["status"] == "SUBMITTED"
        clerk.data(COMPLETE, {"id": notice["id"]})
    elif path == "council approves":
        assert notice["status"] == "FORWARDED"
        clerk.data(DECIDE, {"id": notice["id"], "d": decision("COUNCIL")})
    else:
        assert notice["status"] == "APPROVED"
    member = clerk.data(MEMBERSHIP, {"id": membership_id})["membership"]
    assert member["status"] == "WITHDRAWN"
    assert member["timeline"][-1] == {
        "change": "status",
        "fromValue": "active",
        "toValue": "withdrawn",
        "rule": rule,
    }
    types = [
        e["type"] for e in events_about(platform.config.nats_url, "membershipId", membership_id)
    ]
    assert types[-2:] == ["membership.member.withdrawn", "membership.application.approved"]


def test_a_change_of_tier_the_council_approves_is_told_to_the_contact_person(
    platform: Platform, seeded: None
) -> None:
    """AITISA: a member moves from director to ordinary member on the council's decision; its
    contact person is told (tier_changed), in Chinese and in English."""
    user = f"aitisa-tier-{uuid.uuid4().hex[:6]}"
    contact = Caller(platform, user)
    _, membership_id = admitted(platform, "aitisa", contact)
    asked = contact.data(
        "mutation($m: ID!) { requestTierChange(membershipId: $m, tier: ORDINARY, "
        'reason: "调整参与程度") { id status } }',
        {"m": membership_id},
    )["requestTierChange"]
    clerk = staff(platform, "aitisa")
    if asked["status"] == "SUBMITTED":
        clerk.data(FORWARD, {"id": asked["id"]})
    clerk.data(DECIDE, {"id": asked["id"], "d": decision("COUNCIL")})
    member = clerk.data(MEMBERSHIP, {"id": membership_id})["membership"]
    assert member["tier"] == "ORDINARY"

    def told(locale: str) -> dict[str, Any] | None:
        edges = Caller(platform, user, locale=locale).data(
            "{ myNotifications(first: 20) { edges { node { kind title body } } } }"
        )["myNotifications"]["edges"]
        return next((e["node"] for e in edges if e["node"]["kind"] == "tier_changed"), None)

    zh, en = until(lambda: told("zh")), until(lambda: told("en"))
    assert en["title"].startswith("Membership tier changed") and "was" in en["body"]
    assert zh["title"] != en["title"] and zh["body"] != en["body"]


@pytest.mark.parametrize(
    ("slug", "body", "rule"),
    [
        ("aii", "STANDING_COUNCIL", "AII Art.16"),
        ("aitisa", "COUNCIL", "default"),
        ("china-asean", "COUNCIL", "China-ASEAN Art.21.4"),
    ],
)
def test_expulsion_path(platform: Platform, seeded: None, slug: str, body: str, rule: str) -> None:
    contact = Caller(platform, f"{slug}-ex-{uuid.uuid4().hex[:6]}")
    _, membership_id = admitted(platform, slug, contact)
    assert (
        contact.execute(PROPOSE, {"m": membership_id})["errors"][0]["extensions"]["code"]
        == "FORBIDDEN"
    )
    clerk = staff(platform, slug)
    proposal = clerk.data(PROPOSE, {"m": membership_id})["proposeExpulsion"]
    assert proposal["status"] == "FORWARDED"
    clerk.data(DECIDE, {"id": proposal["id"], "d": decision(body)})
    member = clerk.data(MEMBERSHIP, {"id": membership_id})["membership"]
    assert member["status"] == "EXPELLED"
    assert member["timeline"][-1]["rule"] == rule
    expelled = [
        e
        for e in events_about(platform.config.nats_url, "membershipId", membership_id)
        if e["type"] == "membership.member.expelled"
    ]
    assert len(expelled) == 1 and expelled[0]["data"]["rule"] == rule


def test_aii_demotion_after_three_consecutive_council_absences(
    platform: Platform, seeded: None, nats_server: NatsHandle
) -> None:
    contact = Caller(platform, f"aii-absent-{uuid.uuid4().hex[:6]}")
    _, membership_id = admitted(platform, "aii", contact, tier="VICE_CHAIR")
    clerk = staff(platform, "aii")
    org = clerk.data(MEMBERSHIP, {"id": membership_id})["membership"]["organization"]["id"]
    aii = alliance_id("aii")
    meetings = [
        event(
            "governance.attendance.recorded",
            {
                "allianceId": str(aii),
                "meetingId": f"AII-C-{n}",
                "body": "council",
                "heldOn": f"2026-0{n}-15",
                "attendance": [{"organizationId": org, "status": "absent"}],
            },
            alliance_id=aii,
        )
        for n in (1, 2, 3)
    ]
    asyncio.run(publish(nats_server.url, *meetings))
    deadline = time.monotonic() + 10
    while (member := clerk.data(MEMBERSHIP, {"id": membership_id})["membership"])[
        "tier"
    ] != "DIRECTOR" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert member["tier"] == "DIRECTOR"  # one tier down from vice-chair
    assert member["timeline"][-1] == {
        "change": "tier",
        "fromValue": "vice_chair",
        "toValue": "director",
        "rule": "AII Art.13",
    }
    demoted = [
        e
        for e in events_about(platform.config.nats_url, "membershipId", membership_id)
        if e["type"] == "membership.member.demoted"
    ]
    assert len(demoted) == 1
    assert demoted[0]["data"]["meetings"] == ["AII-C-1", "AII-C-2", "AII-C-3"]
    # The contact person is told, citing the article.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        edges = contact.data("{ myNotifications { edges { node { eventType body } } } }")[
            "myNotifications"
        ]["edges"]
        notice = [e["node"] for e in edges if e["node"]["eventType"].endswith("demoted")]
        if notice:
            break
        time.sleep(0.1)
    assert notice and "AII Art.13" in notice[0]["body"]

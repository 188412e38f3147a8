"""Speaking GraphQL to the gateway as a given person."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

import charter
from devkit.local.platform import Platform
from membership import credit_code
from servicekit.auth.devtoken import mint


class Caller:
    def __init__(
        self,
        platform: Platform,
        sub: str,
        *,
        operator: bool = False,
        alliances: dict[str, list[str]] | None = None,
        locale: str = "zh",
    ) -> None:
        self.url = platform.graphql_url
        self.sub = sub
        self.token = mint(
            platform.config.jwt_secret,
            sub=sub,
            operator=operator,
            alliances=alliances,
            locale=locale,
        )

    def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = httpx.post(
            self.url,
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.token}", **(headers or {})},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body = self.execute(query, variables, headers)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data


CREATE = """mutation($i: CreateAllianceInput!) { createAlliance(input: $i) { id slug } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id status } }"""
FORWARD = """mutation($id: ID!) { forwardApplication(id: $id) { id status } }"""
DECIDE = """mutation($id: ID!, $d: DecisionInput!) { recordDecision(id: $id, input: $d) {
  id status membership { id tier status certificateNumber } } }"""
# The body each seed charter names for admissions (AII Art.11: the standing council).
DECIDING_BODY = {"aii": "STANDING_COUNCIL", "aitisa": "COUNCIL", "china-asean": "COUNCIL"}


def operator(platform: Platform) -> Caller:
    return Caller(platform, "operator-1", operator=True)


def staff(platform: Platform, slug: str) -> Caller:
    return Caller(platform, f"{slug}-secretariat", alliances={slug: ["secretariat"]})


def decision(body: str, approved: bool = True, meeting: str = "2026年第3次会议") -> dict[str, Any]:
    return {"approved": approved, "body": body, "meeting": meeting, "decidedOn": "2026-11-20"}


def approve(platform: Platform, slug: str, application_id: str) -> dict[str, Any]:
    """The secretariat forwards the application and records the deciding body's approval."""
    clerk = staff(platform, slug)
    clerk.data(FORWARD, {"id": application_id})
    decided: dict[str, Any] = clerk.data(
        DECIDE, {"id": application_id, "d": decision(DECIDING_BODY[slug])}
    )
    return decided["recordDecision"]


def new_code() -> str:
    digits = "".join(str(int(c, 16) % 10) for c in uuid.uuid4().hex[:8])
    return credit_code.complete("91440300" + digits)


def application(
    slug: str,
    name: str,
    tier: str = "DIRECTOR",
    country: str = "CN",
    registration: str | None = None,
) -> dict[str, Any]:
    """An application with every material the seed charter asks for (as references)."""
    materials = [
        {"material": m.id, "reference": f"纸质件 {m.id}"}
        for m in charter.load_template(slug).membership.application_materials
    ]
    return {
        "i": {
            "alliance": slug,
            "tier": tier,
            "contactName": "陈静",
            "contactEmail": "chen.jing@example.cn",
            "materials": materials,
            "organization": {
                "nameZh": name,
                "kind": "ENTERPRISE",
                "country": country,
                "registrationNumber": registration or new_code(),
            },
        }
    }


def until(probe: Callable[[], Any], within: float = 30.0) -> Any:
    """``probe()`` until it answers something truthy (the services work asynchronously);
    an assertion error after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        found = probe()
        if found:
            return found
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.2)

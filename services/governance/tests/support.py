"""Building an alliance's world for governance tests: its charter, members and officers
arrive as the events membership publishes (real NATS), then the tests speak GraphQL."""

from __future__ import annotations

import uuid
from typing import Any

import charter
from contracts import Event
from contracts.membership import (
    ApplicationForwarded,
    CharterAdopted,
    MemberAdmitted,
    MemberDemoted,
    RoleAssigned,
)
from devkit.testing.events import eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from servicekit.events import Envelope
from servicekit.tenancy import alliance_id


def envelope(model: Event, subject: object = None) -> Envelope:
    data = model.to_data()
    return Envelope(
        type=model.TYPE,
        source="/concord/membership",
        subject=str(subject or uuid.uuid4()),
        data=data,
        alliance_id=uuid.UUID(data["allianceId"]),
    )


def staff(slug: str) -> dict[str, Any]:
    return claims_for(f"{slug}-secretariat", alliances={slug: ["secretariat"]})


def person(user: str, slug: str) -> dict[str, Any]:
    return claims_for(user, alliances={slug: ["contact_person"]})


class World:
    """One alliance: its charter and members, as governance learns them."""

    def __init__(self, client: SubgraphClient, nats_url: str, slug: str, template: str) -> None:
        self.client, self.nats_url, self.slug, self.template = client, nats_url, slug, template
        self.id = alliance_id(slug)
        self.members: dict[str, uuid.UUID] = {}
        self.orgs: dict[str, uuid.UUID] = {}
        self.convener: dict[str, Any] | None = None
        """Who convenes meetings (default: the secretariat)."""

    async def adopt(self) -> None:
        document = charter.load_template(self.template).to_data()
        await publish(
            self.nats_url,
            envelope(
                CharterAdopted(alliance_id=self.id, slug=self.slug, version=1, charter=document)
            ),
        )
        await eventually(self._has_bodies)

    async def _has_bodies(self) -> bool:
        data = await self.q(
            "query($a: [_Any!]!) { _entities(representations: $a) { ... on Alliance { bodies "
            "{ kind } } } }",
            {"a": [{"__typename": "Alliance", "id": str(self.id)}]},
        )
        return bool(data["_entities"][0]["bodies"])

    def member_event(
        self, name: str, tier: str, model: type[Any] = MemberAdmitted, **extra: Any
    ) -> Event:
        membership = self.members.setdefault(name, uuid.uuid4())
        org = self.orgs.setdefault(name, uuid.uuid4())
        status = extra.pop("status", "active")
        return model(
            membership_id=membership,
            alliance_id=self.id,
            alliance_slug=self.slug,
            alliance_name_zh=self.slug,
            alliance_name_en=self.slug,
            organization_id=org,
            organization_name_zh=name,
            tier=tier,
            status=status,
            contact_user_id=f"{name}-contact",
            **extra,
        )

    async def admit(self, tiers: dict[str, str]) -> None:
        await publish(self.nats_url, *(envelope(self.member_event(n, t)) for n, t in tiers.items()))

    async def demote(self, name: str, from_tier: str, tier: str) -> None:
        await publish(
            self.nats_url,
            envelope(self.member_event(name, tier, MemberDemoted, from_tier=from_tier)),
        )

    async def officer(self, user: str, role: str) -> None:
        await publish(
            self.nats_url,
            envelope(
                RoleAssigned(
                    assignment_id=uuid.uuid4(),
                    alliance_id=self.id,
                    alliance_slug=self.slug,
                    user_id=user,
                    name=user,
                    role=role,
                )
            ),
        )

    def forwarded(
        self, name: str, kind: str, deciders: list[str], **extra: Any
    ) -> tuple[Envelope, uuid.UUID]:
        application = uuid.uuid4()
        org = self.orgs.setdefault(name, uuid.uuid4())
        model = ApplicationForwarded(
            application_id=application,
            kind=kind,
            alliance_id=self.id,
            alliance_slug=self.slug,
            alliance_name_zh=self.slug,
            alliance_name_en=self.slug,
            organization_id=org,
            organization_name_zh=name,
            status="forwarded",
            charter_version=1,
            deciders=deciders,
            **extra,
        )
        return envelope(model, application), application

    async def q(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        claims: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return await self.client.data(query, variables, claims=claims or staff(self.slug))

    async def raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        claims: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return await self.client.execute(query, variables, claims=claims or staff(self.slug))

    async def body_id(self, kind: str) -> str:
        data = await self.q(
            "query($a: [_Any!]!) { _entities(representations: $a) { ... on Alliance { bodies "
            "{ id kind } } } }",
            {"a": [{"__typename": "Alliance", "id": str(self.id)}]},
        )
        return next(b["id"] for b in data["_entities"][0]["bodies"] if b["kind"] == kind)

    async def seats_now(self, kind: str) -> list[dict[str, Any]]:
        """The seats in force of the body of ``kind``, as governance answers now."""
        data = await self.q(
            "query($id: ID!) { body(id: $id) { seats { id organizationName holderUserId "
            "holderName role active } } }",
            {"id": await self.body_id(kind)},
        )
        rows: list[dict[str, Any]] = data["body"]["seats"]
        return rows

    async def seats(self, kind: str, count: int | None = None) -> list[dict[str, Any]]:
        """The seats in force, once there are ``count`` of them (at least one)."""

        async def found() -> list[dict[str, Any]] | None:
            rows = await self.seats_now(kind)
            return rows if count is None or len(rows) == count else None

        rows = await eventually(found, within=10)
        assert rows is not None
        return rows

    async def convene(
        self,
        body: str,
        *,
        mode: str = "IN_PERSON",
        agenda: list[str] | None = None,
        starts_at: str = "2026-11-20T09:00:00+08:00",
        deadline: str | None = None,
        title: str | None = None,
        claims: dict[str, Any] | None = None,
    ) -> str:
        data = await self.q(
            "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }",
            {
                "i": {
                    "alliance": self.slug,
                    "body": body,
                    "title": title or f"{body} meeting {uuid.uuid4().hex[:6]}",
                    "mode": mode,
                    "startsAt": starts_at,
                    "place": "北京" if mode == "IN_PERSON" else None,
                    "votingDeadline": deadline,
                    "agenda": agenda or [],
                }
            },
            claims=claims or self.convener,
        )
        return str(data["conveneMeeting"]["id"])

    async def attend(self, meeting: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
        return await self.raw(
            "mutation($m: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $m, "
            "entries: $e) { id quorum { present proxies seats quorate needed rule } } }",
            {"m": meeting, "e": entries},
        )

    async def propose(
        self,
        body: str,
        matter: str,
        title: str = "决议",
        changes: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        return await self.raw(
            "mutation($i: ProposeMotionInput!) { proposeMotion(input: $i) { id status stages "
            "{ id body index status } } }",
            {
                "i": {
                    "alliance": self.slug,
                    "body": body,
                    "matter": matter,
                    "title": title,
                    "changes": changes or [],
                }
            },
        )

    async def open_vote(self, motion: str, meeting: str, secret: bool = False) -> dict[str, Any]:
        return await self.raw(
            "mutation($m: ID!, $g: ID!, $s: Boolean!) { openVote(motion: $m, meeting: $g, "
            "secret: $s) { id status ruleSource body } }",
            {"m": motion, "g": meeting, "s": secret},
        )

    async def cast(
        self, stage: str, seat: dict[str, Any], choice: str, user: str | None = None
    ) -> dict[str, Any]:
        return await self.raw(
            "mutation($s: ID!, $t: ID!, $c: BallotChoice!) { castBallot(stage: $s, seat: $t, "
            "choice: $c) { receipt byProxy } }",
            {"s": stage, "t": seat["id"], "c": choice.upper()},
            claims=person(user or seat["holderUserId"], self.slug),
        )

    async def close(self, stage: str) -> dict[str, Any]:
        data = await self.q(
            "mutation($s: ID!) { closeVote(stage: $s) { status ballotListHash result { "
            "entitled present proxies attending yes no abstain quorate passed outcome rule "
            "explanationZh explanationEn } } }",
            {"s": stage},
        )
        result: dict[str, Any] = data["closeVote"]
        return result


def codes(result: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors") or []]


async def outbox_events(dsn: str, event_type: str) -> list[dict[str, Any]]:
    """The data of every event of ``event_type`` governance recorded (read as the owner)."""
    import json

    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        rows = await conn.fetch(
            "SELECT envelope FROM outbox WHERE type = $1 ORDER BY position", event_type
        )
    finally:
        await conn.close()
    return [json.loads(r["envelope"])["data"] for r in rows]

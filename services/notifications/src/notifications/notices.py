"""Turning membership events into notices for the people they concern, in Chinese and English.

The contact person of an organisation learns each step of its applications (received,
forwarded to the deciding body, returned for correction, approved, rejected with reasons) and
each change of its membership (tier changed or lowered under the charter, withdrawn, expelled,
ended), with the charter article applied.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.models import Notification, StaffMember
from servicekit.events import Envelope
from servicekit.graphql import NotFound


@dataclass(frozen=True)
class Text:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str


# What an application is called, by its kind.
KIND = {
    "admission": ("入会申请", "membership application"),
    "tier_change": ("会员级别调整申请", "application to change tier"),
    "withdrawal": ("退会申请", "withdrawal"),
    "expulsion": ("除名提议", "expulsion proposal"),
}
BODY = {
    "general_assembly": ("会员大会", "general assembly"),
    "council": ("理事会", "council"),
    "standing_council": ("常务理事会", "standing council"),
    "chairs_office": ("理事长办公会", "chair's office meeting"),
}
TIER = {
    "ordinary": ("普通会员单位", "ordinary member"),
    "director": ("理事单位", "director member"),
    "vice_chair": ("副理事长单位", "vice-chair member"),
    "chair": ("理事长单位", "chair member"),
}


def _names(d: dict[str, Any]) -> tuple[str, str, str, str, str, str]:
    kind_zh, kind_en = KIND.get(d.get("kind") or "admission", KIND["admission"])
    org_en = d.get("organizationNameEn") or d["organizationNameZh"]
    return (
        kind_zh,
        kind_en,
        d["allianceNameZh"],
        d["allianceNameEn"],
        d["organizationNameZh"],
        org_en,
    )


def _rule(d: dict[str, Any]) -> tuple[str, str]:
    rule = d.get("rule")
    return (f"（依据：{rule}）", f" ({rule})") if rule else ("", "")


def _submitted(d: dict[str, Any]) -> Text:
    kz, ke, az, ae, oz, oe = _names(d)
    return Text(
        f"{kz}已收到：{az}",
        f"{ke.capitalize()} received: {ae}",
        f"{oz}的{kz}已提交，秘书处将按章程办理。",
        f"The {ke} of {oe} has been received; the secretariat will handle it as the charter says.",
    )


def _forwarded(d: dict[str, Any]) -> Text:
    kz, ke, az, ae, oz, oe = _names(d)
    bodies = [BODY.get(b, (b, b)) for b in d.get("deciders") or []]
    rz, re_ = _rule(d)
    return Text(
        f"{kz}已提交审议：{az}",
        f"{ke.capitalize()} forwarded: {ae}",
        f"{oz}的{kz}已提交{'或'.join(b[0] for b in bodies)}审议{rz}。",
        f"The {ke} of {oe} goes to the {' or '.join(b[1] for b in bodies)} for its decision{re_}.",
    )


def _returned(d: dict[str, Any]) -> Text:
    kz, ke, az, ae, oz, oe = _names(d)
    return Text(
        f"{kz}被退回补正：{az}",
        f"{ke.capitalize()} returned for correction: {ae}",
        f"{oz}的{kz}需补正后重新提交。理由：{d['reason']}",
        f"The {ke} of {oe} was returned for correction. Reasons: {d['reason']}",
    )


def _approved(d: dict[str, Any]) -> Text:
    kz, ke, az, ae, oz, oe = _names(d)
    rz, re_ = _rule(d)
    return Text(
        f"{kz}已获批准：{az}",
        f"{ke.capitalize()} approved: {ae}",
        f"{oz}的{kz}已获批准{rz}。",
        f"The {ke} of {oe} was approved{re_}.",
    )


def _rejected(d: dict[str, Any]) -> Text:
    kz, ke, az, ae, oz, oe = _names(d)
    rz, re_ = _rule(d)
    return Text(
        f"{kz}未获批准：{az}",
        f"{ke.capitalize()} rejected: {ae}",
        f"{oz}的{kz}未获批准{rz}。理由：{d['reason']}",
        f"The {ke} of {oe} was not approved{re_}. Reasons: {d['reason']}",
    )


def _tier(d: dict[str, Any], demoted: bool) -> Text:
    _, _, az, ae, oz, oe = _names(d)
    old, new = TIER.get(d.get("fromTier") or "", ("", "")), TIER.get(d["tier"], ("", ""))
    rz, re_ = _rule(d)
    why_zh = f"原因：{d['reason']}" if demoted and d.get("reason") else ""
    why_en = f" Reason: {d['reason']}" if demoted and d.get("reason") else ""
    return Text(
        f"会员级别{'降级' if demoted else '调整'}：{az}",
        f"Membership tier {'lowered' if demoted else 'changed'}: {ae}",
        f"{oz}由{old[0]}调整为{new[0]}{rz}。{why_zh}",
        f"{oe} is now a {new[1]} (was {old[1]}){re_}.{why_en}",
    )


def _ended(d: dict[str, Any]) -> Text:
    _, _, az, ae, oz, oe = _names(d)
    how = {
        "withdrawn": ("已退出", "has withdrawn from"),
        "expelled": ("已被除名", "was expelled from"),
        "terminated": ("会员资格已终止", "is no longer a member of"),
    }[d["status"]]
    rz, re_ = _rule(d)
    return Text(
        f"会员资格变更：{az}",
        f"Membership ended: {ae}",
        f"{oz}{how[0]}{az}{rz}。",
        f"{oe} {how[1]} {ae}{re_}.",
    )


TEXTS: dict[str, Callable[[dict[str, Any]], Text]] = {
    "membership.application.submitted": _submitted,
    "membership.application.forwarded": _forwarded,
    "membership.application.returned": _returned,
    "membership.application.approved": _approved,
    "membership.application.rejected": _rejected,
    "membership.member.tier_changed": lambda d: _tier(d, demoted=False),
    "membership.member.demoted": lambda d: _tier(d, demoted=True),
    "membership.member.withdrawn": _ended,
    "membership.member.expelled": _ended,
    "membership.member.terminated": _ended,
}


def _new_work(d: dict[str, Any]) -> Text:
    kz, ke, az, ae, oz, oe = _names(d)
    return Text(
        f"待办：{oz}的{kz}",
        f"To handle: {ke} of {oe}",
        f"{az}收到{oz}的{kz}，请秘书处按章程办理。",
        f"{ae} received the {ke} of {oe}; the secretariat handles it as the charter says.",
    )


# Events that give the secretariat work, and what it is told.
STAFF_TEXTS: dict[str, Callable[[dict[str, Any]], Text]] = {
    "membership.application.submitted": _new_work,
    "membership.application.resubmitted": _new_work,
}
SECRETARIAT = "secretariat"


async def on_membership_event(session: AsyncSession, event: Envelope) -> None:
    """File the notices of ``event``: for the organisation's contact person and, where it is
    new work, for the alliance's secretariat (once each, even if redelivered)."""
    assert event.alliance_id is not None, "membership events belong to an alliance"
    notices: list[tuple[str, Text]] = []
    if event.type in TEXTS:
        notices.append((event.data["contactUserId"], TEXTS[event.type](event.data)))
    if event.type in STAFF_TEXTS:
        staff = (
            await session.scalars(
                sa.select(StaffMember.user_id).where(
                    StaffMember.alliance_id == event.alliance_id,
                    StaffMember.role == SECRETARIAT,
                    StaffMember.active,
                )
            )
        ).all()
        text = STAFF_TEXTS[event.type](event.data)
        notices += [
            (user, text) for user in sorted(set(staff)) if user != event.data["contactUserId"]
        ]
    for recipient, text in notices:
        await session.execute(
            insert(Notification)
            .values(
                id=uuid.uuid4(),
                alliance_id=event.alliance_id,
                recipient_id=recipient,
                event_id=event.id,
                event_type=event.type,
                subject_id=event.subject,
                title_zh=text.title_zh,
                title_en=text.title_en,
                body_zh=text.body_zh,
                body_en=text.body_en,
            )
            .on_conflict_do_nothing(index_elements=["event_id", "recipient_id"])
        )


async def on_role_event(session: AsyncSession, event: Envelope) -> None:
    """Keep the register of who holds which role in each alliance."""
    data = event.data
    active = event.type == "membership.role.assigned"
    await session.execute(
        insert(StaffMember)
        .values(
            assignment_id=uuid.UUID(data["assignmentId"]),
            alliance_id=event.alliance_id,
            user_id=data["userId"],
            role=data["role"],
            active=active,
        )
        .on_conflict_do_update(index_elements=["assignment_id"], set_={"active": active})
    )


async def page_for(
    session: AsyncSession,
    recipient: str,
    *,
    first: int,
    after: Sequence[str] | None,
    alliance_id: uuid.UUID | None = None,
    unread_only: bool = False,
) -> tuple[Sequence[Notification], int]:
    """Newest first, keyset on (created_at, id)."""
    where = [Notification.recipient_id == recipient]
    if alliance_id is not None:
        where.append(Notification.alliance_id == alliance_id)
    if unread_only:
        where.append(Notification.read_at.is_(None))
    query = sa.select(Notification).where(*where)
    if after is not None:
        query = query.where(
            sa.tuple_(Notification.created_at, Notification.id)
            < sa.tuple_(
                sa.literal(datetime.fromisoformat(after[0])), sa.literal(uuid.UUID(after[1]))
            )
        )
    rows = (
        await session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(first + 1)
        )
    ).all()
    total = await session.scalar(sa.select(sa.func.count()).select_from(Notification).where(*where))
    return rows, int(total or 0)


async def mark_read(
    session: AsyncSession, recipient: str, notification_id: uuid.UUID
) -> Notification:
    row = await session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.recipient_id == recipient
        )
    )
    if row is None:
        raise NotFound("no such notification of yours")
    if row.read_at is None:
        row.read_at = datetime.now(UTC)
        await session.flush()
    return row

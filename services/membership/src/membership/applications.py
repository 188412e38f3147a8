"""Applications: every membership matter a charter makes somebody decide.

An application asks for admission, a change of tier, withdrawal, or (proposed by the
secretariat) expulsion. It moves as the alliance's charter says (:mod:`membership.workflow`):
the secretariat's preliminary review forwards it, returns it for correction or rejects it; the
body the charter names decides it, and the secretariat records that decision with its
reference (later a governance vote sends the same decision as an event); or the secretariat
completes it where no body decides. Each step is written to the history with who, when, why and
the article applied, and published as an event.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from charter import Charter
from contracts.membership import (
    ApplicationApproved,
    ApplicationEvent,
    ApplicationForwarded,
    ApplicationKind,
    ApplicationRejected,
    ApplicationResubmitted,
    ApplicationReturned,
    ApplicationStatus,
    ApplicationSubmitted,
    MembershipStatus,
)
from membership import documents, events, memberships
from membership.alliances import current_charter
from membership.charters import parsed
from membership.documents import MaterialInput
from membership.models import (
    OPEN_APPLICATION_STATES,
    Alliance,
    Application,
    HistoryChange,
    HistoryEntry,
    Membership,
    Organization,
)
from membership.organizations import OrganizationInput, find_or_register
from membership.workflow import Workflow, workflow
from servicekit.auth import Principal
from servicekit.errors import Conflict, DomainError, Forbidden, NotFound

GOVERNANCE = "governance"  # the actor recorded when a governance vote decides


@dataclass(frozen=True)
class ApplicationInput:
    organization: OrganizationInput
    tier: str
    contact_name: str
    contact_email: str
    materials: Sequence[MaterialInput] = ()


@dataclass(frozen=True)
class Decision:
    """A body's decision, as recorded from its meeting."""

    approved: bool
    body: str
    meeting: str
    decided_on: date
    minutes: str | None = None
    reason: str | None = None
    motion_id: uuid.UUID | None = None
    """The governance motion whose vote decided it (none: a meeting held off the platform)."""
    effective_on: date | None = None
    """The day the decision took effect, when the secretariat records it after the fact
    (see :func:`effective_at`); ``None``: it takes effect now."""

    def account(self) -> str:
        """How it was decided, for the timeline: by a vote on the platform, citing the motion
        and its result, or recorded from a meeting held off the platform."""
        if self.motion_id is not None:
            how = f"decided by the {self.body}'s vote on the platform (motion {self.motion_id})"
        else:
            how = f"decided by the {self.body} off the platform, recorded by the secretariat"
        text = f"{how} at {self.meeting} on {self.decided_on.isoformat()}"
        if self.minutes:
            text += f"; {self.minutes}"
        return f"{self.reason} ({text})" if self.reason else text

    def reference(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "meeting": self.meeting,
            "decidedOn": self.decided_on.isoformat(),
            "minutes": self.minutes,
        }


@dataclass
class Case:
    """An application with everything needed to move it."""

    application: Application
    alliance: Alliance
    organization: Organization
    charter_version: int
    charter: Charter
    flow: Workflow

    def history(
        self,
        actor: str,
        old: str | None,
        new: str,
        reason: str | None,
        rule: str | None,
        at: datetime | None = None,
    ) -> HistoryEntry:
        """A step of the application in its history (``at``: when it took effect, if not
        now)."""
        entry = HistoryEntry(
            alliance_id=self.alliance.id,
            application_id=self.application.id,
            change=HistoryChange.APPLICATION_STATUS,
            from_value=old,
            to_value=new,
            actor=actor,
            reason=reason,
            rule=rule,
            charter_version=self.charter_version,
        )
        if at is not None:
            entry.at = at
        return entry

    def change(
        self, actor: str, rule: str | None, reason: str | None, at: datetime | None = None
    ) -> memberships.Change:
        """What the membership this application acts on is told of the change."""
        return memberships.Change(
            actor, rule, self.charter_version, reason, self.application, at=at
        )

    async def publish(
        self, session: AsyncSession, model: type[ApplicationEvent], **extra: Any
    ) -> None:
        app = self.application
        await events.publish(
            session,
            events.application_event(
                model, app, self.alliance, self.organization, self.charter_version, **extra
            ),
            subject=app.id,
            alliance_id=self.alliance.id,
        )


# ------------------------------------------------------------------------------- starting


async def submit_admission(
    session: AsyncSession, actor: Principal, slug: str, data: ApplicationInput
) -> Application:
    """File an application for admission; the submitter becomes the contact person."""
    alliance = await session.scalar(sa.select(Alliance).where(Alliance.slug == slug))
    if alliance is None:
        raise NotFound(f"there is no alliance {slug!r}")
    version = await current_charter(session, alliance)
    model = parsed(version)
    flow = workflow(model, ApplicationKind.ADMISSION)
    tiers = [str(t.value) for t in model.tier_ids]
    if data.tier not in tiers:
        raise DomainError(
            f"the charter of {alliance.slug} has no tier {data.tier!r}; its tiers are "
            f"{', '.join(tiers)}",
            code="UNKNOWN_TIER",
            field="tier",
        )
    _check_contact(data.contact_name, data.contact_email)
    eligible = model.membership.eligible_countries
    country = data.organization.country.strip().upper()
    if eligible is not None and country not in eligible.codes:
        raise DomainError(
            f"{alliance.slug} admits organisations from {', '.join(eligible.codes)} only "
            f"({eligible.source})",
            code="NOT_ELIGIBLE",
            field="organization.country",
            rule=eligible.source,
        )
    materials = _required_materials(model, data.materials)
    org = await find_or_register(session, data.organization)
    member = await session.scalar(
        sa.select(Membership.contact_user_id).where(
            Membership.alliance_id == alliance.id,
            Membership.organization_id == org.id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )
    # Who the organisation is to this alliance is for its staff and the organisation's own
    # contact person to know; anybody else (any signed-in person may apply) learns only that
    # this application cannot be filed, never that the organisation is a member or applying.
    if member is not None:
        if not _may_know(actor, alliance, member):
            raise _not_accepted(alliance)
        raise Conflict(
            f"{org.name_zh} is already a member of {alliance.slug}", code="ALREADY_MEMBER"
        )
    application = Application(
        id=uuid.uuid4(),
        alliance_id=alliance.id,
        organization_id=org.id,
        kind=ApplicationKind.ADMISSION,
        tier=data.tier,
        status=ApplicationStatus.SUBMITTED,
        submitted_by=actor.user_id,
        contact_user_id=actor.user_id,
        contact_name=data.contact_name.strip(),
        contact_email=data.contact_email.strip(),
    )
    case = Case(application, alliance, org, version.version, model, flow)
    try:
        await _insert(
            session, case, f"{org.name_zh} has an open application to {alliance.slug} already"
        )
    except Conflict:
        open_contact = await session.scalar(
            sa.select(Application.contact_user_id).where(
                Application.alliance_id == alliance.id,
                Application.organization_id == org.id,
                Application.kind == ApplicationKind.ADMISSION,
                Application.status.in_(OPEN_APPLICATION_STATES),
            )
        )
        if not _may_know(actor, alliance, open_contact):
            raise _not_accepted(alliance) from None
        raise
    documents.store(session, alliance.id, application.id, materials, actor.user_id)
    return await _started(session, case, actor.user_id)


def _may_know(actor: Principal, alliance: Alliance, contact_user_id: str | None) -> bool:
    return actor.is_staff(alliance.slug) or (
        contact_user_id is not None and contact_user_id == actor.user_id
    )


def _not_accepted(alliance: Alliance) -> DomainError:
    return DomainError(
        f"this application cannot be filed with {alliance.slug}; the organisation's contact "
        f"person or the secretariat of {alliance.slug} can tell why",
        code="APPLICATION_NOT_ACCEPTED",
    )


async def request_tier_change(
    session: AsyncSession,
    actor: Principal,
    membership_id: uuid.UUID,
    tier: str,
    reason: str | None,
) -> Application:
    case = await _for_membership(session, actor, membership_id, ApplicationKind.TIER_CHANGE)
    tiers = [str(t.value) for t in case.charter.tier_ids]
    membership, _ = await memberships.load(session, membership_id, lock=False)
    if tier not in tiers:
        raise DomainError(
            f"the charter of {case.alliance.slug} has no tier {tier!r}; its "
            f"tiers are {', '.join(tiers)}",
            code="UNKNOWN_TIER",
            field="tier",
        )
    if tier == membership.tier:
        raise DomainError(f"the member is a {tier} member already", field="tier")
    case.application.tier = tier
    case.application.grounds = (reason or "").strip() or None
    await _insert(session, case, "a change of tier is open for this member already")
    return await _started(session, case, actor.user_id)


async def request_withdrawal(
    session: AsyncSession, actor: Principal, membership_id: uuid.UUID, reason: str | None
) -> Application:
    """The contact person's written notice (or application) to leave."""
    case = await _for_membership(session, actor, membership_id, ApplicationKind.WITHDRAWAL)
    case.application.grounds = (reason or "").strip() or None
    await _insert(session, case, "a withdrawal is open for this member already")
    return await _started(session, case, actor.user_id)


async def propose_expulsion(
    session: AsyncSession, actor: Principal, membership_id: uuid.UUID, grounds: str
) -> Application:
    if not grounds.strip():
        raise DomainError(
            "an expulsion proposal states its grounds", code="REASON_REQUIRED", field="grounds"
        )
    case = await _for_membership(session, actor, membership_id, ApplicationKind.EXPULSION)
    case.application.grounds = grounds.strip()
    await _insert(session, case, "an expulsion of this member is proposed already")
    return await _started(session, case, actor.user_id)


async def _for_membership(
    session: AsyncSession, actor: Principal, membership_id: uuid.UUID, kind: ApplicationKind
) -> Case:
    membership, alliance = await memberships.load(session, membership_id, lock=False)
    org = await session.get(Organization, membership.organization_id)
    assert org is not None
    version = await current_charter(session, alliance)
    model = parsed(version)
    flow = workflow(model, kind)
    if membership.status != MembershipStatus.ACTIVE:
        raise Conflict(f"the membership is {membership.status}", code="MEMBERSHIP_ENDED")
    _check_starter(actor, alliance, membership, flow)
    application = Application(
        id=uuid.uuid4(),
        alliance_id=alliance.id,
        organization_id=org.id,
        kind=kind,
        membership_id=membership.id,
        tier=None,
        status=ApplicationStatus.SUBMITTED,
        submitted_by=actor.user_id,
        contact_user_id=membership.contact_user_id,
        contact_name=membership.contact_name,
        contact_email=membership.contact_email,
    )
    return Case(application, alliance, org, version.version, model, flow)


def _check_starter(
    actor: Principal, alliance: Alliance, membership: Membership, flow: Workflow
) -> None:
    if "member" in flow.starters and actor.user_id == membership.contact_user_id:
        return
    staff_may = "secretariat" in flow.starters or any(
        s in flow.starters for s in ("chair", "secretary_general")
    )
    if staff_may and actor.is_staff(alliance.slug):
        return
    who = " or ".join(flow.starters)
    if "member" in flow.starters:
        raise Forbidden(
            f"only the organisation's contact person may start a {flow.matter} ({flow.source})",
            code="NOT_CONTACT_PERSON",
            rule=flow.source,
        )
    raise Forbidden(f"a {flow.matter} is started by the {who} ({flow.source})", rule=flow.source)


async def _insert(session: AsyncSession, case: Case, conflict: str) -> None:
    try:
        async with session.begin_nested():
            session.add(case.application)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(conflict, code="APPLICATION_ALREADY_OPEN") from exc


async def _started(session: AsyncSession, case: Case, actor: str) -> Application:
    """After filing: announce it, and move on at once where the charter has nobody review,
    decide or complete it (free withdrawal by written notice)."""
    app, flow = case.application, case.flow
    session.add(case.history(actor, None, ApplicationStatus.SUBMITTED, app.grounds, flow.source))
    await case.publish(session, ApplicationSubmitted)
    if flow.needs_decision and not flow.review:
        await _forward(session, case, actor, None, flow.source)
    elif not (flow.review or flow.needs_decision or flow.finisher_source):
        await _approve(session, case, actor, None, flow.source)
    return app


# ---------------------------------------------------------------------------- the review


async def forward(
    session: AsyncSession, actor: Principal, application_id: uuid.UUID, note: str | None
) -> Application:
    case = await _open_case(session, actor, application_id)
    _expect_review(case)
    _expect(case, ApplicationStatus.SUBMITTED)
    await _forward(session, case, actor.user_id, note, case.flow.review)
    return case.application


async def _forward(
    session: AsyncSession, case: Case, actor: str, note: str | None, rule: str | None
) -> None:
    app = case.application
    previous, app.status, app.forwarded_at = (
        app.status,
        ApplicationStatus.FORWARDED,
        datetime.now(UTC),
    )
    session.add(case.history(actor, previous, ApplicationStatus.FORWARDED, note, rule))
    await session.flush()
    await case.publish(
        session,
        ApplicationForwarded,
        deciders=list(case.flow.deciders),
        matter=case.flow.matter,
        rule=case.flow.decision_source,
    )


async def return_for_correction(
    session: AsyncSession, actor: Principal, application_id: uuid.UUID, reasons: str
) -> Application:
    reasons = _reasons(reasons)
    case = await _open_case(session, actor, application_id)
    _expect_review(case)
    _expect(case, ApplicationStatus.SUBMITTED)
    app = case.application
    app.status, app.decision_reason = ApplicationStatus.RETURNED, reasons
    session.add(
        case.history(
            actor.user_id,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.RETURNED,
            reasons,
            case.flow.review,
        )
    )
    await session.flush()
    await case.publish(session, ApplicationReturned)
    return app


async def resubmit(
    session: AsyncSession,
    actor: Principal,
    application_id: uuid.UUID,
    materials: Sequence[MaterialInput],
) -> Application:
    case = await _load_case(session, application_id, lock=True)
    app = case.application
    if actor.user_id != app.contact_user_id:
        raise Forbidden(
            "only the contact person resubmits an application", code="NOT_CONTACT_PERSON"
        )
    _expect(case, ApplicationStatus.RETURNED)
    allowed = [m.id for m in case.charter.membership.application_materials]
    checked = documents.check_all(materials, allowed)
    documents.store(session, case.alliance.id, app.id, checked, actor.user_id)
    app.status, app.decision_reason = ApplicationStatus.SUBMITTED, None
    session.add(
        case.history(
            actor.user_id,
            ApplicationStatus.RETURNED,
            ApplicationStatus.SUBMITTED,
            None,
            case.flow.source,
        )
    )
    await session.flush()
    await case.publish(session, ApplicationResubmitted)
    return app


async def reject(
    session: AsyncSession, actor: Principal, application_id: uuid.UUID, reasons: str
) -> Application:
    """The secretariat's rejection at preliminary review, with its reasons."""
    reasons = _reasons(reasons)
    case = await _open_case(session, actor, application_id)
    _expect_review(case)
    _expect(case, ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED)
    await _reject(session, case, actor.user_id, reasons, case.flow.review)
    return case.application


# ----------------------------------------------------------------------- the decision


async def record_decision(
    session: AsyncSession, actor: Principal | None, application_id: uuid.UUID, decision: Decision
) -> Application:
    """The deciding body's decision, recorded by the secretariat (``actor``) or sent by
    governance (``actor`` None) after a vote."""
    case = await _load_case(session, application_id, lock=True, staff=actor)
    flow = case.flow
    if not flow.needs_decision:
        raise Conflict(
            f"no body decides a {flow.matter} under {flow.source}; the secretariat completes it",
            code="NO_DECISION_STEP",
        )
    app = case.application
    if app.status == ApplicationStatus.SUBMITTED and flow.review:
        raise Conflict(
            f"the secretariat has not forwarded this application ({flow.review})",
            code="NOT_FORWARDED",
        )
    _expect(case, ApplicationStatus.FORWARDED)
    if decision.body not in flow.deciders:
        raise DomainError(
            f"a {flow.matter} is decided by the {' or '.join(flow.deciders)} "
            f"({flow.decision_source}), not the {decision.body}",
            code="WRONG_BODY",
            field="body",
            rule=flow.decision_source,
        )
    if not decision.meeting.strip():
        raise DomainError("the decision's meeting reference is required", field="meeting")
    at = None
    if decision.effective_on is not None:
        if actor is None:
            raise DomainError("a decision sent by a vote takes effect when the vote closed")
        at = effective_at(decision.effective_on, decided_on=decision.decided_on)
    who = actor.user_id if actor else GOVERNANCE
    app.decided_by_body = decision.body
    app.decision_reference = decision.reference()
    if decision.approved:
        await _approve(
            session,
            case,
            who,
            decision.reason,
            flow.decision_source,
            note=decision.account(),
            at=at,
        )
    else:
        _reasons(decision.reason or "")
        await _reject(
            session,
            case,
            who,
            decision.reason or "",
            flow.decision_source,
            decision.account(),
            at=at,
        )
    return app


EFFECTIVE_MAX_AGE_DAYS = 366


def effective_at(on: date, *, decided_on: date | None = None) -> datetime:
    """When a decision the secretariat records after the fact took effect: the day it names
    (noon UTC; now if that is today). Not in the future, not before the body decided, at most
    a year back (an older decision is recorded as it stands today). The caller has checked the
    actor is the alliance's secretariat (staff only)."""
    now = datetime.now(UTC)
    if on > now.date():
        raise DomainError(
            "a decision cannot take effect in the future",
            code="BAD_EFFECTIVE_DATE",
            field="effectiveOn",
        )
    if (now.date() - on).days > EFFECTIVE_MAX_AGE_DAYS:
        raise DomainError(
            f"a decision that took effect more than {EFFECTIVE_MAX_AGE_DAYS} days ago cannot "
            "be recorded with its date",
            code="BAD_EFFECTIVE_DATE",
            field="effectiveOn",
        )
    if decided_on is not None and on < decided_on:
        raise DomainError(
            f"a decision cannot take effect before it was made ({decided_on.isoformat()})",
            code="BAD_EFFECTIVE_DATE",
            field="effectiveOn",
        )
    return now if on == now.date() else datetime.combine(on, time(12), tzinfo=UTC)


async def complete(
    session: AsyncSession,
    actor: Principal,
    application_id: uuid.UUID,
    note: str | None,
    effective_on: date | None = None,
) -> Application:
    """The secretariat completes a matter no body decides (AII: records the written notice
    of withdrawal, Art.15(1))."""
    case = await _open_case(session, actor, application_id)
    if case.flow.needs_decision or not case.flow.finisher_source:
        raise Conflict(
            f"a {case.flow.matter} is decided by the "
            f"{' or '.join(case.flow.deciders) or 'charter'}, not completed by "
            "the secretariat",
            code="NO_COMPLETION_STEP",
        )
    _expect(case, ApplicationStatus.SUBMITTED)
    at = effective_at(effective_on) if effective_on is not None else None
    await _approve(session, case, actor.user_id, note, case.flow.finisher_source, at=at)
    return case.application


async def _approve(
    session: AsyncSession,
    case: Case,
    actor: str,
    reason: str | None,
    rule: str | None,
    *,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    """``note``: what the timeline says of the decision (default: ``reason``); ``at``: when
    it took effect (default: now)."""
    app = case.application
    previous = app.status
    app.status, app.decided_at, app.decided_by = (
        ApplicationStatus.APPROVED,
        at or datetime.now(UTC),
        actor,
    )
    app.decision_reason = reason
    told = note or reason
    session.add(case.history(actor, previous, ApplicationStatus.APPROVED, told, rule, at))
    await _take_effect(session, case, actor, rule, told, at)
    await session.flush()
    await case.publish(session, ApplicationApproved, rule=rule)


async def _reject(
    session: AsyncSession,
    case: Case,
    actor: str,
    reasons: str,
    rule: str | None,
    note: str | None = None,
    *,
    at: datetime | None = None,
) -> None:
    app = case.application
    previous = app.status
    app.status, app.decided_at, app.decided_by = (
        ApplicationStatus.REJECTED,
        at or datetime.now(UTC),
        actor,
    )
    app.decision_reason = reasons
    session.add(
        case.history(actor, previous, ApplicationStatus.REJECTED, note or reasons, rule, at)
    )
    await session.flush()
    await case.publish(session, ApplicationRejected, rule=rule)


# -------------------------------------------------------------------------- the effects


async def _take_effect(
    session: AsyncSession,
    case: Case,
    actor: str,
    rule: str | None,
    note: str | None,
    at: datetime | None = None,
) -> None:
    """An approved application changes the membership (in :mod:`membership.memberships`);
    ``note`` is what the membership's timeline says of it (default: the application's own
    reason or grounds)."""
    app = case.application
    kind = ApplicationKind(app.kind)
    if kind is ApplicationKind.ADMISSION:
        await memberships.admit(
            session,
            case.alliance,
            case.organization,
            app,
            case.change(actor, rule, note or app.decision_reason, at),
            issue_certificate=case.flow.issues == "membership_certificate",
        )
    elif kind is ApplicationKind.TIER_CHANGE:
        assert app.tier is not None, "a change of tier names the tier asked for"
        await memberships.change_tier(
            session,
            app.membership_id,
            app.tier,
            case.change(actor, rule, _joined(app.grounds, note), at),
        )
    else:
        await memberships.end(
            session,
            app.membership_id,
            ENDS_AS[kind],
            case.change(actor, rule, _joined(app.grounds, note), at),
        )


def _joined(*parts: str | None) -> str | None:
    return "; ".join(p for p in parts if p) or None


ENDS_AS = {
    ApplicationKind.WITHDRAWAL: MembershipStatus.WITHDRAWN,
    ApplicationKind.EXPULSION: MembershipStatus.EXPELLED,
}


# ---------------------------------------------------------------------------- loading


async def _load_case(
    session: AsyncSession, application_id: uuid.UUID, *, lock: bool, staff: Principal | None = None
) -> Case:
    query = sa.select(Application).where(Application.id == application_id)
    application = await session.scalar(query.with_for_update() if lock else query)
    if application is None:
        raise NotFound("no such application")
    alliance = await session.get(Alliance, application.alliance_id, with_for_update=lock)
    org = await session.get(Organization, application.organization_id)
    assert alliance is not None and org is not None
    if staff is not None and not staff.is_staff(alliance.slug):
        raise Forbidden(f"only the secretariat of {alliance.slug} handles applications")
    version = await current_charter(session, alliance)
    model = parsed(version)
    return Case(
        application, alliance, org, version.version, model, workflow(model, application.kind)
    )


async def _open_case(session: AsyncSession, actor: Principal, application_id: uuid.UUID) -> Case:
    return await _load_case(session, application_id, lock=True, staff=actor)


def _expect_review(case: Case) -> None:
    """Forwarding, returning and rejecting are steps of the secretariat's preliminary review,
    which not every procedure has (an expulsion goes to the deciding body directly)."""
    if not case.flow.review:
        raise Conflict(
            f"the charter has no preliminary review for {case.flow.matter}; it is decided by "
            f"the {' or '.join(case.flow.deciders) or 'secretariat'}",
            code="NO_REVIEW_STEP",
        )


def _expect(case: Case, *states: str) -> None:
    status = case.application.status
    if status not in states:
        closed = status not in OPEN_APPLICATION_STATES
        raise Conflict(
            f"the application is {status}"
            + ("" if closed else f"; this step needs it {' or '.join(states)}"),
            code="APPLICATION_CLOSED" if closed else "WRONG_STATE",
        )


def _reasons(reasons: str) -> str:
    if not reasons.strip():
        raise DomainError(
            "a rejection or return states its reasons", code="REASON_REQUIRED", field="reason"
        )
    return reasons.strip()


def _check_contact(name: str, email: str) -> None:
    if not name.strip() or "@" not in email or len(email) > 200:
        raise DomainError(
            "the contact person needs a name and an e-mail address", field="contactEmail"
        )


def _required_materials(
    model: Charter, given: Sequence[MaterialInput]
) -> list[documents.CheckedMaterial]:
    wanted = model.membership.application_materials
    checked = documents.check_all(given, [m.id for m in wanted])
    missing = [m for m in wanted if m.id not in {c.material for c in checked}]
    if missing:
        raise DomainError(
            "the application lacks "
            + "; ".join(f"{m.id} ({m.text.en}, {m.source})" for m in missing),
            code="MISSING_MATERIALS",
            field="materials",
            missing=[m.id for m in missing],
        )
    return checked

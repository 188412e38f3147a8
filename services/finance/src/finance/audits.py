"""The audit (China-ASEAN Art.27): an accounting firm the council confirms (an
``auditor_confirmation`` motion) audits the year; the report is recorded and reported to the
council (``finance.audit.reported``), and the year is locked. The one writer of ``auditors``
and ``audit_reports``. Whether there is an audit, who confirms the firm and to whom the report
goes are the charter's ``finance.audit`` (:mod:`finance.charters`). The AII and AITISA texts have
no audit article and their configurations set none: a firm proposed there is refused, typed,
until an amendment of the charter provides for an audit."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from charter.ids import MatterKind
from charter.model import Audit
from contracts.finance import AuditorDecided, AuditReported
from finance import charters
from finance import matters as matter_book
from finance.access import AllianceRef
from finance.kinds import AuditOpinion, AuditorStatus, MatterStatus, YearStatus
from finance.models import SOURCE, audit_reports, auditors, outbox
from finance.years import get_year, lock_audited
from servicekit.errors import Conflict, DomainError
from servicekit.events import record_event


async def audit_rule(session: AsyncSession, alliance: AllianceRef) -> Audit:
    """The charter's audit (China-ASEAN Art.27: 接受理事会确认的会计师事务所审计，并报理事会审查),
    or a typed refusal where the charter provides for none."""
    rules = await charters.finance_rules(session, alliance.id)
    if rules is None or rules.audit is None or not rules.audit.confirmed_by:
        raise DomainError(
            f"the charter of {alliance.slug} provides for no audit by an accounting firm "
            "confirmed by a body (as China-ASEAN Art.27 does); amend the charter to add one",
            code="NO_AUDIT_IN_CHARTER",
        )
    return rules.audit


async def propose(
    session: AsyncSession, *, alliance: AllianceRef, year: int, firm_name: str, proposed_by: str
) -> sa.Row[Any]:
    await audit_rule(session, alliance)
    if not firm_name.strip():
        raise DomainError("name the accounting firm", field="firmName")
    live = await session.scalar(
        sa.select(auditors.c.id).where(
            auditors.c.alliance_id == alliance.id,
            auditors.c.fiscal_year == year,
            auditors.c.status != AuditorStatus.REJECTED.value,
        )
    )
    if live is not None:
        raise Conflict(
            f"an accounting firm for {year} is proposed or confirmed already", code="AUDITOR_EXISTS"
        )
    auditor_id = uuid.uuid4()
    await session.execute(
        sa.insert(auditors).values(
            id=auditor_id,
            alliance_id=alliance.id,
            fiscal_year=year,
            firm_name=firm_name,
            status=AuditorStatus.SUBMITTED.value,
            proposed_by=proposed_by,
        )
    )
    matter = await matter_book.submit(
        session,
        alliance=alliance.id,
        kind=MatterKind.AUDITOR_CONFIRMATION,
        subject_id=auditor_id,
        fiscal_year=year,
        title_zh=f"确认{firm_name}为{year}年度审计会计师事务所",
        title_en=f"Confirm {firm_name} as the auditor of {year}",
        submitted_by=proposed_by,
    )
    await session.execute(
        sa.update(auditors).where(auditors.c.id == auditor_id).values(approval_matter_id=matter)
    )
    return (await session.execute(sa.select(auditors).where(auditors.c.id == auditor_id))).one()


async def apply_decision(session: AsyncSession, matter: sa.Row[Any]) -> None:
    passed = matter.status == MatterStatus.PASSED
    await session.execute(
        sa.update(auditors)
        .where(auditors.c.id == matter.subject_id)
        .values(
            status=(AuditorStatus.CONFIRMED if passed else AuditorStatus.REJECTED).value,
            approval_matter_id=matter.id,
            confirmed_at=sa.func.now() if passed else None,
        )
    )
    firm = await session.scalar(
        sa.select(auditors.c.firm_name).where(auditors.c.id == matter.subject_id)
    )
    await record_event(
        session,
        outbox,
        AuditorDecided(
            alliance_id=matter.alliance_id,
            matter_id=matter.id,
            motion_id=matter.motion_id,
            fiscal_year=matter.fiscal_year,
            approved=passed,
            rule=matter.rule or "",
            auditor_id=matter.subject_id,
            firm_name=firm or "",
        ),
        source=SOURCE,
        subject=matter.subject_id,
        alliance_id=matter.alliance_id,
    )


async def record_report(
    session: AsyncSession,
    *,
    alliance: AllianceRef,
    year: int,
    opinion: AuditOpinion,
    reference: str,
    summary: str,
    recorded_by: str,
) -> sa.Row[Any]:
    """Record the audit report of a closed year by the confirmed firm; report it to the
    council; lock the year."""
    fiscal_year = await get_year(session, alliance.id, year)
    if fiscal_year is None or fiscal_year.status == YearStatus.OPEN:
        raise DomainError(
            f"a year is audited after it is closed; {year} is not", code="YEAR_NOT_CLOSED"
        )
    if fiscal_year.status == YearStatus.AUDITED:
        raise Conflict(f"the audit of {year} is recorded already", code="YEAR_AUDITED")
    auditor = (
        await session.execute(
            sa.select(auditors).where(
                auditors.c.alliance_id == alliance.id,
                auditors.c.fiscal_year == year,
                auditors.c.status == AuditorStatus.CONFIRMED.value,
            )
        )
    ).first()
    if auditor is None:
        raise DomainError(
            f"no accounting firm is confirmed by the council for {year} (China-ASEAN Art.27)",
            code="AUDITOR_NOT_CONFIRMED",
        )
    if not reference.strip():
        raise DomainError("give the audit report's reference number", field="reference")
    rule = await audit_rule(session, alliance)
    report_id = uuid.uuid4()
    await session.execute(
        sa.insert(audit_reports).values(
            id=report_id,
            alliance_id=alliance.id,
            fiscal_year=year,
            auditor_id=auditor.id,
            opinion=opinion.value,
            reference=reference,
            summary=summary,
            recorded_by=recorded_by,
        )
    )
    await lock_audited(session, alliance.id, year)
    await record_event(
        session,
        outbox,
        AuditReported(
            audit_report_id=report_id,
            alliance_id=alliance.id,
            fiscal_year=year,
            firm_name=auditor.firm_name,
            opinion=opinion.value,
            reference=reference,
            reported_to=[str(body) for body in rule.reported_to],
        ),
        source=SOURCE,
        subject=report_id,
        alliance_id=alliance.id,
    )
    return (
        await session.execute(sa.select(audit_reports).where(audit_reports.c.id == report_id))
    ).one()


async def auditors_of(session: AsyncSession, alliance: uuid.UUID, year: int) -> list[sa.Row[Any]]:
    return list(
        (
            await session.execute(
                sa.select(auditors)
                .where(auditors.c.alliance_id == alliance, auditors.c.fiscal_year == year)
                .order_by(auditors.c.created_at)
            )
        ).all()
    )


async def report_of(session: AsyncSession, alliance: uuid.UUID, year: int) -> sa.Row[Any] | None:
    return (
        await session.execute(
            sa.select(audit_reports).where(
                audit_reports.c.alliance_id == alliance, audit_reports.c.fiscal_year == year
            )
        )
    ).first()

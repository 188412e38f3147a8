"""Final accounts and the audit in the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from finance import audits, final_accounts
from finance.access import keeper_of
from finance.kinds import AuditOpinion as AuditOpinionEnum
from servicekit.graphql import Info

AuditOpinion = strawberry.enum(AuditOpinionEnum)


@strawberry.type(description="决算: the final accounts of a closed year (council approves).")
class FinalAccounts:
    id: strawberry.ID
    fiscal_year: int
    status: str
    approved_at: datetime | None
    matter_id: strawberry.ID | None

    @classmethod
    def of(cls, r: Any) -> FinalAccounts:
        return cls(
            id=strawberry.ID(str(r.id)),
            fiscal_year=r.fiscal_year,
            status=r.status,
            approved_at=r.approved_at,
            matter_id=strawberry.ID(str(r.approval_matter_id)) if r.approval_matter_id else None,
        )


@strawberry.type(description="The accounting firm proposed to, or confirmed by, the council.")
class Auditor:
    id: strawberry.ID
    fiscal_year: int
    firm_name: str
    status: str
    confirmed_at: datetime | None
    matter_id: strawberry.ID | None

    @classmethod
    def of(cls, r: Any) -> Auditor:
        return cls(
            id=strawberry.ID(str(r.id)),
            fiscal_year=r.fiscal_year,
            firm_name=r.firm_name,
            status=r.status,
            confirmed_at=r.confirmed_at,
            matter_id=strawberry.ID(str(r.approval_matter_id)) if r.approval_matter_id else None,
        )


@strawberry.type
class AuditReport:
    id: strawberry.ID
    fiscal_year: int
    opinion: AuditOpinion  # type: ignore[valid-type]
    reference: str
    summary: str
    recorded_at: datetime

    @classmethod
    def of(cls, r: Any) -> AuditReport:
        return cls(
            id=strawberry.ID(str(r.id)),
            fiscal_year=r.fiscal_year,
            opinion=AuditOpinionEnum(r.opinion),
            reference=r.reference,
            summary=r.summary,
            recorded_at=r.recorded_at,
        )


@strawberry.type
class AuditMutation:
    @strawberry.mutation(description="Submit a closed year's final accounts to the council.")
    async def submit_final_accounts(
        self, info: Info, alliance: str, fiscal_year: int
    ) -> FinalAccounts:
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, alliance)
            row = await final_accounts.submit(
                session, alliance=ref, year=fiscal_year, prepared_by=info.context.principal.user_id
            )
        return FinalAccounts.of(row)

    @strawberry.mutation(description="Propose the accounting firm for the council to confirm.")
    async def propose_auditor(
        self, info: Info, alliance: str, fiscal_year: int, firm_name: str
    ) -> Auditor:
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, alliance)
            row = await audits.propose(
                session,
                alliance=ref,
                year=fiscal_year,
                firm_name=firm_name,
                proposed_by=info.context.principal.user_id,
            )
        return Auditor.of(row)

    @strawberry.mutation(
        description="Record the audit report; it is reported to the council and the year is locked."
    )
    async def record_audit_report(
        self,
        info: Info,
        alliance: str,
        fiscal_year: int,
        opinion: AuditOpinion,  # type: ignore[valid-type]
        reference: str,
        summary: str,
    ) -> AuditReport:
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, alliance)
            row = await audits.record_report(
                session,
                alliance=ref,
                year=fiscal_year,
                opinion=AuditOpinionEnum(opinion),
                reference=reference,
                summary=summary,
                recorded_by=info.context.principal.user_id,
            )
        return AuditReport.of(row)

"""Events published by finance."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from charter.ids import MatterKind
from contracts.base import Event


class BudgetCreated(Event, type="finance.budget.created", subject="budget id"):
    """The secretariat drafted an annual budget."""

    budget_id: uuid.UUID
    alliance_id: uuid.UUID
    alliance_slug: str
    fiscal_year: int
    currency: str
    prepared_by: str


class MatterSubmitted(Event, type="finance.matter.submitted", subject="matter id"):
    """Finance asks the body the charter names to decide a matter by vote: a budget
    (``budget_approval``), final accounts (``final_accounts_approval``), an accounting firm
    (``auditor_confirmation``). Governance makes it a pending matter of that body; its
    ``governance.motion.decided`` (same ``matterId``) comes back to finance."""

    matter: MatterKind
    matter_id: uuid.UUID
    alliance_id: uuid.UUID
    title_zh: str
    title_en: str
    fiscal_year: int | None = None
    working_group_id: uuid.UUID | None = None
    """Set for a working group's budget (AITISA Art.12: the chair's office approves)."""


class FiscalYearClosed(Event, type="finance.fiscal_year.closed", subject="alliance id/year"):
    """Nothing more is posted into the year; its final accounts (决算) can be drawn up."""

    alliance_id: uuid.UUID
    fiscal_year: int
    closed_by: str


class Decision(Event):
    """What finance did with a decided matter (``governance.motion.decided``)."""

    alliance_id: uuid.UUID
    matter_id: uuid.UUID
    motion_id: uuid.UUID
    fiscal_year: int
    approved: bool
    rule: str


class BudgetDecided(Decision, type="finance.budget.decided", subject="budget id"):
    """A budget was approved (or not) by the vote of the body the charter names."""

    budget_id: uuid.UUID
    working_group_id: uuid.UUID | None = None
    working_group_name: str | None = None
    recipients: list[str] = Field(default_factory=list)
    """Who is told besides the officers and the secretariat: a working group's leader and
    co-leaders, and whoever prepared the budget (AITISA Art.12(1))."""


class BudgetReturned(Event, type="finance.budget.returned", subject="budget id"):
    """The secretariat's preliminary review returned a working group's budget to the group,
    with its reasons (AITISA Art.12(1): 提交秘书处初审); the group may correct and resubmit it."""

    alliance_id: uuid.UUID
    budget_id: uuid.UUID
    fiscal_year: int
    working_group_id: uuid.UUID
    working_group_name: str
    reasons: str
    returned_by: str
    returned_on: date
    recipients: list[str] = Field(default_factory=list)
    """The group's leader and co-leaders, and whoever prepared the budget."""
    rule: str = "AITISA Art.12(1)"


class FinalAccountsDecided(
    Decision, type="finance.final_accounts.decided", subject="final accounts id"
):
    """The final accounts (决算) of a closed year were approved (or not) by the council."""

    final_accounts_id: uuid.UUID


class AuditorDecided(Decision, type="finance.auditor.decided", subject="auditor id"):
    """The council confirmed (or did not) the accounting firm that audits a year."""

    auditor_id: uuid.UUID
    firm_name: str


class AuditReported(Event, type="finance.audit.reported", subject="audit report id"):
    """The audit report of a year is recorded and reported to the council (China-ASEAN
    Art.27: 并报理事会审查); the year is locked."""

    audit_report_id: uuid.UUID
    alliance_id: uuid.UUID
    fiscal_year: int
    firm_name: str
    opinion: str
    reference: str
    reported_to: list[str]


class InvoiceEvent(Event):
    invoice_id: uuid.UUID
    alliance_id: uuid.UUID
    membership_id: uuid.UUID
    organization_id: uuid.UUID
    fiscal_year: int
    amount: str
    """Decimal as a string, in ``currency`` (never a float)."""
    currency: str
    due_on: date


class InvoiceIssued(InvoiceEvent, type="finance.invoice.issued", subject="invoice id"):
    """A membership fee invoice was issued (on admission, or for a year)."""


class InvoiceOverdue(InvoiceEvent, type="finance.invoice.overdue", subject="invoice id"):
    """An invoice is past its due date unpaid (for a reminder notice)."""

    outstanding: str

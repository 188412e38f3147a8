"""Finance's vocabularies, each citing the article it comes from."""

from __future__ import annotations

from enum import StrEnum


class AccountKind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    NET_ASSETS = "net_assets"
    INCOME = "income"
    EXPENSE = "expense"


DEBIT_NORMAL = frozenset({AccountKind.ASSET, AccountKind.EXPENSE})
"""Kinds whose balance is debits less credits; the others are credits less debits."""


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class IncomeSource(StrEnum):
    """China-ASEAN Art.24: 会费、政府财政资助、成员捐献、活动和服务收入."""

    MEMBERSHIP_FEES = "membership_fees"
    GOVERNMENT_GRANTS = "government_grants"
    DONATIONS = "donations"
    CONSULTING = "consulting"
    TRAINING = "training"
    EVENTS = "events"
    JOINT_BIDDING = "joint_bidding"
    INTERNATIONAL_COOPERATION = "international_cooperation"
    OTHER_SERVICES = "other_services"


class ExpenseUse(StrEnum):
    """China-ASEAN Art.25: 各项活动、技术攻关、项目研发及创新服务, 办公、专项工作和日常管理."""

    ACTIVITIES = "activities"
    TECHNOLOGY_RESEARCH = "technology_research"
    PROJECT_RND = "project_rnd"
    INNOVATION_SERVICES = "innovation_services"
    OFFICE = "office"
    SPECIAL_WORK = "special_work"
    ADMINISTRATION = "administration"


class Restriction(StrEnum):
    UNRESTRICTED = "unrestricted"
    EARMARKED = "earmarked"
    """专款专用 (China-ASEAN Art.27): spent only on its purposes, kept in its own ledger."""


class FundSource(StrEnum):
    GENERAL = "general"
    GOVERNMENT_GRANT = "government_grant"
    """Follows the state's rules on such funds (China-ASEAN Art.26)."""
    DONATION = "donation"
    RND_PROJECT = "rnd_project"
    """Spent by the agreed contributions and shares (China-ASEAN Art.26)."""


class YearStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    AUDITED = "audited"


class EntryKind(StrEnum):
    MANUAL = "manual"
    INCOME = "income"
    EXPENSE = "expense"
    TRANSFER = "transfer"
    INVOICE = "invoice"
    PAYMENT = "payment"
    REVERSAL = "reversal"


class BudgetStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    """A working group's budget that passed the secretariat's preliminary review (AITISA
    Art.12(1)) and went to the chair's office meeting."""
    APPROVED = "approved"
    REJECTED = "rejected"


class MatterStatus(StrEnum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


class ApprovalStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class AuditorStatus(StrEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class AuditOpinion(StrEnum):
    UNQUALIFIED = "unqualified"
    QUALIFIED = "qualified"
    ADVERSE = "adverse"
    DISCLAIMER = "disclaimer"


class InvoiceStatus(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    PAID = "paid"

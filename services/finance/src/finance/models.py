"""Finance's tables: the alliances it has heard of, their books, funds, budgets, audits and
fees. The constraints and triggers that hold the ledger's invariants are in the migration
``b7f3c1d2e4a5``; these declarations are what the code queries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from finance.kinds import BudgetStatus
from servicekit.db import metadata
from servicekit.events.tables import event_tables

SOURCE = "/concord/finance"


class Base(DeclarativeBase):
    metadata = metadata()


outbox, inbox = event_tables(Base.metadata)


class KnownAlliance(Base):
    """Finance's copy of an alliance (from ``membership.alliance.created``)."""

    __tablename__ = "alliances"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)


class Budget(Base):
    """An alliance's annual budget (预算), prepared by the secretariat (China-ASEAN Art.27)."""

    __tablename__ = "budgets"
    __table_args__ = (
        sa.UniqueConstraint(
            "alliance_id",
            "fiscal_year",
            "working_group_id",
            name="uq_budgets_alliance_year_group",
            postgresql_nulls_not_distinct=True,
        ),
        sa.CheckConstraint("fiscal_year BETWEEN 2000 AND 2200", name="fiscal_year_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id")
    )
    fiscal_year: Mapped[int] = mapped_column(sa.Integer)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(20), default=BudgetStatus.DRAFT)
    prepared_by: Mapped[str] = mapped_column(sa.Text)
    working_group_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    working_group_name: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    approval_matter_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    returned_reasons: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    """Why the secretariat's preliminary review last returned a group's budget (Art.12(1))."""
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


_md = Base.metadata
_uuid = UUID(as_uuid=True)


def _tenant(name: str, *columns: Any) -> sa.Table:
    return sa.Table(name, _md, sa.Column("alliance_id", _uuid, nullable=False), *columns)


accounts = _tenant(
    "accounts",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("code", sa.String(12), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("income_source", sa.String(30)),
    sa.Column("expense_use", sa.String(30)),
    sa.Column("source", sa.Text, nullable=False),
)

funds = _tenant(
    "funds",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("restriction", sa.String(12), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("purposes", ARRAY(sa.Text), nullable=False),
    sa.Column("purpose_text", sa.Text),
    sa.Column("rules", sa.Text),
    sa.Column("shares", JSONB, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("balance_minor", sa.BigInteger, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

fiscal_years = _tenant(
    "fiscal_years",
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("closed_by", sa.Text),
    sa.Column("audited_at", sa.DateTime(timezone=True)),
)

journal_entries = _tenant(
    "journal_entries",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("entry_date", sa.Date, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("memo", sa.Text, nullable=False),
    sa.Column("idempotency_key", sa.Text),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("reverses_id", _uuid),
    sa.Column("working_group_id", _uuid),
    sa.Column("posted_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

postings = _tenant(
    "postings",
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("entry_id", _uuid, nullable=False),
    sa.Column("account_id", _uuid, nullable=False),
    sa.Column("fund_id", _uuid, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("side", sa.String(6), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
)

matters = _tenant(
    "matters",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("subject_id", _uuid, nullable=False),
    sa.Column("fiscal_year", sa.Integer),
    sa.Column("working_group_id", _uuid),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("motion_id", _uuid),
    sa.Column("body", sa.String(40)),
    sa.Column("rule", sa.Text),
    sa.Column("decided_on", sa.Date),
    sa.Column("submitted_by", sa.Text, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
)

budget_lines = _tenant(
    "budget_lines",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("budget_id", _uuid, nullable=False),
    sa.Column("account_id", _uuid, nullable=False),
    sa.Column("fund_id", _uuid),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("note", sa.Text),
)

final_accounts = _tenant(
    "final_accounts",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("snapshot", JSONB, nullable=False),
    sa.Column("approval_matter_id", _uuid),
    sa.Column("prepared_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("approved_at", sa.DateTime(timezone=True)),
)

auditors = _tenant(
    "auditors",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("firm_name", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("approval_matter_id", _uuid),
    sa.Column("proposed_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("confirmed_at", sa.DateTime(timezone=True)),
)

audit_reports = _tenant(
    "audit_reports",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("auditor_id", _uuid, nullable=False),
    sa.Column("opinion", sa.String(20), nullable=False),
    sa.Column("reference", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

fee_schedules = _tenant(
    "fee_schedules",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("tier", sa.String(40), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("decided_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

members = _tenant(
    "members",
    sa.Column("membership_id", _uuid, primary_key=True),
    sa.Column("organization_id", _uuid, nullable=False),
    sa.Column("organization_name_zh", sa.Text, nullable=False),
    sa.Column("tier", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("admitted_on", sa.Date, nullable=False),
    # The membership's revision this row stands at: an event of an older one changes nothing.
    sa.Column("revision", sa.Integer),
)

invoices = _tenant(
    "invoices",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("membership_id", _uuid, nullable=False),
    sa.Column("organization_id", _uuid, nullable=False),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("tier", sa.String(40), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("paid_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("entry_id", _uuid, nullable=False),
    sa.Column("overdue_since", sa.Date),
)

payments = _tenant(
    "payments",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("invoice_id", _uuid, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("paid_on", sa.Date, nullable=False),
    sa.Column("entry_id", _uuid, nullable=False),
)


working_groups = _tenant(
    "working_groups",
    sa.Column("id", _uuid, primary_key=True),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)
"""The alliance's approved working groups, from governance's events (``finance.working_groups``)."""

working_group_posts = _tenant(
    "working_group_posts",
    sa.Column("seat_id", _uuid, primary_key=True),
    sa.Column("group_id", _uuid, nullable=False),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("post", sa.String(20), nullable=False),
)
"""Who holds a group's leader and co-leader posts (AITISA Art.7(3)), by the member's seat."""

charter_rules = _tenant(
    "charter_rules",
    sa.Column("charter_version", sa.Integer, nullable=False),
    sa.Column("finance", JSONB, nullable=False),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.PrimaryKeyConstraint("alliance_id"),
)
"""The ``finance`` part of each alliance's charter in force (``finance.charters``)."""


TENANT_TABLES = {"alliances": "id", "budgets": "alliance_id"} | {
    name: "alliance_id"
    for name in (
        "accounts",
        "funds",
        "fiscal_years",
        "journal_entries",
        "postings",
        "matters",
        "budget_lines",
        "final_accounts",
        "auditors",
        "audit_reports",
        "fee_schedules",
        "members",
        "invoices",
        "payments",
        "working_groups",
        "working_group_posts",
        "charter_rules",
    )
}
PLATFORM_TABLES: set[str] = set()

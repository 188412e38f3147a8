"""Finance's tables: the alliances it has heard of, and their budgets."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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
        sa.UniqueConstraint("alliance_id", "fiscal_year"),
        sa.CheckConstraint("fiscal_year BETWEEN 2000 AND 2200", name="fiscal_year_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id")
    )
    fiscal_year: Mapped[int] = mapped_column(sa.Integer)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    prepared_by: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


TENANT_TABLES = {"alliances": "id", "budgets": "alliance_id"}
PLATFORM_TABLES: set[str] = set()

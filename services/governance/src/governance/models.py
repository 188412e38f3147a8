"""Governance's tables: the alliances it has heard of, and their bodies (council, assembly …).

Everything here is tenant data under forced row-level security.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicekit.db import metadata
from servicekit.events.tables import event_tables

SOURCE = "/concord/governance"


class Base(DeclarativeBase):
    metadata = metadata()


outbox, inbox = event_tables(Base.metadata)


class KnownAlliance(Base):
    """Governance's copy of an alliance and the charter version it runs by (from events)."""

    __tablename__ = "alliances"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    charter_version: Mapped[int] = mapped_column(sa.Integer)


class Body(Base):
    __tablename__ = "bodies"
    __table_args__ = (sa.UniqueConstraint("alliance_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id")
    )
    kind: Mapped[str] = mapped_column(sa.String(40))
    name_zh: Mapped[str] = mapped_column(sa.Text)
    name_en: Mapped[str] = mapped_column(sa.Text)
    min_meetings_per_year: Mapped[int | None] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.Text, doc="the charter article that sets it up")
    charter_version: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


TENANT_TABLES = {"alliances": "id", "bodies": "alliance_id"}
PLATFORM_TABLES: set[str] = set()

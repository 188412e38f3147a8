"""working groups' activity rules (AITISA Art.14) and annual evaluations (Art.11)

Revision ID: a1f0c0de0010
Revises: a1f0c0de0009
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from servicekit.tenancy import tenant_policy_sql

revision: str = "a1f0c0de0010"
down_revision: str | None = "a1f0c0de0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    op.add_column("working_groups", sa.Column("rules_motion_id", UUID, nullable=True))
    op.add_column("working_groups", sa.Column("proposed_rules", sa.Text(), nullable=True))
    op.add_column("working_groups", sa.Column("rules", sa.Text(), nullable=True))
    op.add_column("working_groups", sa.Column("rules_approved_on", sa.Date(), nullable=True))
    op.create_table(
        "working_group_evaluations",
        sa.Column("id", UUID, nullable=False),
        sa.Column("alliance_id", UUID, nullable=False),
        sa.Column("group_id", UUID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.Text(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("corrective_actions", sa.Text(), nullable=True),
        sa.Column("evaluated_on", sa.Date(), nullable=True),
        sa.Column("motion_id", UUID, nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["working_groups.id"],
            name=op.f("fk_working_group_evaluations_group_id_working_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_group_evaluations")),
        sa.UniqueConstraint(
            "group_id", "year", name=op.f("uq_working_group_evaluations_group_id_year")
        ),
    )
    for statement in tenant_policy_sql("working_group_evaluations"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("working_group_evaluations")
    for column in ("rules_approved_on", "rules", "proposed_rules", "rules_motion_id"):
        op.drop_column("working_groups", column)

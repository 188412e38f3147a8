"""working groups (AITISA Art.4-7): groups, their initiators and join requests; seats and
meetings of a group

Revision ID: a1f0c0de0009
Revises: 9a7ced000002
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from servicekit.tenancy import tenant_policy_sql

revision: str = "a1f0c0de0009"
down_revision: str | None = "9a7ced000002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    op.create_table(
        "working_groups",
        sa.Column("id", UUID, nullable=False),
        sa.Column("alliance_id", UUID, nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lead_organization_id", UUID, nullable=False),
        sa.Column("positioning", sa.Text(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("current_state", sa.Text(), nullable=False),
        sa.Column("necessity", sa.Text(), nullable=False),
        sa.Column("mode_of_operation", sa.Text(), nullable=False),
        sa.Column("overlap", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.Text(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answer_reasons", sa.Text(), nullable=True),
        sa.Column("creation_motion_id", UUID, nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("rejection_reasons", sa.Text(), nullable=True),
        sa.Column("rejection_notified_on", sa.Date(), nullable=True),
        sa.Column("dissolution_motion_id", UUID, nullable=True),
        sa.Column("dissolution_route", sa.String(length=20), nullable=True),
        sa.Column("dissolution_ground", sa.String(length=30), nullable=True),
        sa.Column("dissolution_reasons", sa.Text(), nullable=True),
        sa.Column("dissolution_moved_on", sa.Date(), nullable=True),
        sa.Column("dissolution_reviewed_on", sa.Date(), nullable=True),
        sa.Column("dissolution_notified_on", sa.Date(), nullable=True),
        sa.Column("objection", sa.Text(), nullable=True),
        sa.Column("objected_on", sa.Date(), nullable=True),
        sa.Column("dissolved_on", sa.Date(), nullable=True),
        sa.Column("rename_motion_id", UUID, nullable=True),
        sa.Column("proposed_name_zh", sa.Text(), nullable=True),
        sa.Column("proposed_name_en", sa.Text(), nullable=True),
        sa.Column("rename_reviewed_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("position", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_groups")),
    )
    op.create_table(
        "working_group_initiators",
        sa.Column("group_id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("alliance_id", UUID, nullable=False),
        sa.Column("organization_name", sa.Text(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("contact_user_id", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["working_groups.id"],
            name=op.f("fk_working_group_initiators_group_id_working_groups"),
        ),
        sa.PrimaryKeyConstraint(
            "group_id", "organization_id", name=op.f("pk_working_group_initiators")
        ),
    )
    op.create_table(
        "working_group_requests",
        sa.Column("id", UUID, nullable=False),
        sa.Column("alliance_id", UUID, nullable=False),
        sa.Column("group_id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("organization_name", sa.Text(), nullable=False),
        sa.Column("representative_user_id", sa.Text(), nullable=False),
        sa.Column("representative_name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("filed_by", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["working_groups.id"],
            name=op.f("fk_working_group_requests_group_id_working_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_group_requests")),
    )
    op.add_column("seats", sa.Column("group_id", UUID, nullable=True))
    op.create_foreign_key(
        op.f("fk_seats_group_id_working_groups"), "seats", "working_groups", ["group_id"], ["id"]
    )
    op.create_index(
        "uq_seats_one_group_led_per_person",
        "seats",
        ["alliance_id", "holder_user_id"],
        unique=True,
        postgresql_where=sa.text("role = 'group_leader' AND active"),
    )
    op.add_column("meetings", sa.Column("group_id", UUID, nullable=True))
    op.create_foreign_key(
        op.f("fk_meetings_group_id_working_groups"),
        "meetings",
        "working_groups",
        ["group_id"],
        ["id"],
    )
    for table in ("working_groups", "working_group_initiators", "working_group_requests"):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_constraint(op.f("fk_meetings_group_id_working_groups"), "meetings")
    op.drop_column("meetings", "group_id")
    op.drop_index("uq_seats_one_group_led_per_person", table_name="seats")
    op.drop_constraint(op.f("fk_seats_group_id_working_groups"), "seats")
    op.drop_column("seats", "group_id")
    op.drop_table("working_group_requests")
    op.drop_table("working_group_initiators")
    op.drop_table("working_groups")

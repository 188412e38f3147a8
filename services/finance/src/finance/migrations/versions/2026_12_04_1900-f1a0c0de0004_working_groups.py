"""working groups finance has heard of (from governance) and who holds their posts: who may
prepare a group's budget (AITISA Art.12(1), Art.7(3)); the reasons a review returned it

Revision ID: f1a0c0de0004
Revises: 9a7ced000003
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

from alembic import op

from servicekit.tenancy import tenant_policy_sql

revision: str = "f1a0c0de0004"
down_revision: str | None = "9a7ced000003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = """
CREATE TABLE working_groups (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    name_zh text NOT NULL,
    name_en text NOT NULL,
    status varchar(20) NOT NULL
        CONSTRAINT ck_working_groups_status CHECK (status IN ('approved', 'dissolved')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE working_group_posts (
    seat_id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    group_id uuid NOT NULL,
    user_id text NOT NULL,
    post varchar(20) NOT NULL
        CONSTRAINT ck_working_group_posts_post CHECK (post IN ('group_leader', 'group_co_leader'))
);
CREATE INDEX ix_working_group_posts_group_user ON working_group_posts (group_id, user_id);
ALTER TABLE budgets ADD COLUMN returned_reasons text
"""


def upgrade() -> None:
    for statement in TABLES.split(";\n"):
        if statement.strip():
            op.execute(statement)
    for table in ("working_groups", "working_group_posts"):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.execute("ALTER TABLE budgets DROP COLUMN returned_reasons")
    op.execute("DROP TABLE working_group_posts")
    op.execute("DROP TABLE working_groups")

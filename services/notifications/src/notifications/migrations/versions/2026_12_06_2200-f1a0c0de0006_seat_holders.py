"""who sits on which body, from governance.seat.changed (the audit report reaches each council
member, China-ASEAN Art.27)

Revision ID: f1a0c0de0006
Revises: 9a7ced000004
Create Date: 2026-12-06 22:00:00
"""

from collections.abc import Sequence

from alembic import op

from servicekit.tenancy import tenant_policy_sql

revision: str = "f1a0c0de0006"
down_revision: str | None = "9a7ced000004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = """
CREATE TABLE seat_holders (
    seat_id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL,
    body varchar(40) NOT NULL,
    user_id text,
    active boolean NOT NULL,
    position bigint NOT NULL
)
"""


def upgrade() -> None:
    op.execute(TABLE)
    op.execute("CREATE INDEX ix_seat_holders_alliance_body ON seat_holders (alliance_id, body)")
    for statement in tenant_policy_sql("seat_holders"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE seat_holders")

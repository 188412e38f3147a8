"""tenant policies read their settings once per statement (servicekit.tenancy)

Every ``current_setting(...)`` in a row-level-security policy is wrapped in a scalar
sub-select, so PostgreSQL evaluates it as an initplan instead of once per scanned row.

And ``membership_counts``: members per alliance, status and tier, kept by statement triggers on
``memberships`` in the same transaction, so a members page reads its totals from a few rows
instead of counting the alliance on every page.

Revision ID: e1a0c0de0001
Revises: 16bbf557f282
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.tenancy import hoist_settings_ops, tenant_policy_sql, unhoist_settings_ops

revision: str = "e1a0c0de0001"
down_revision: str | None = "16bbf557f282"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APP_ROLE = "concord_app"

# One function for the three statement triggers: the rows a statement removed count down, the
# rows it added count up (an UPDATE does both), grouped, in one upsert each.
COUNTS = """
CREATE FUNCTION membership_counts_apply() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO membership_counts AS c (alliance_id, status, tier, members)
        SELECT alliance_id, status, tier, -count(*) FROM old_rows GROUP BY 1, 2, 3
        ON CONFLICT (alliance_id, status, tier)
        DO UPDATE SET members = c.members + excluded.members;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO membership_counts AS c (alliance_id, status, tier, members)
        SELECT alliance_id, status, tier, count(*) FROM new_rows GROUP BY 1, 2, 3
        ON CONFLICT (alliance_id, status, tier)
        DO UPDATE SET members = c.members + excluded.members;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_counted_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION membership_counts_apply();
CREATE TRIGGER memberships_counted_update AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION membership_counts_apply();
CREATE TRIGGER memberships_counted_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION membership_counts_apply();
"""


def upgrade() -> None:
    hoist_settings_ops()
    op.create_table(
        "membership_counts",
        sa.Column("alliance_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("members", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliances.id"],
            name=op.f("fk_membership_counts_alliance_id_alliances"),
        ),
        sa.PrimaryKeyConstraint("alliance_id", "status", "tier", name=op.f("pk_membership_counts")),
    )
    for statement in tenant_policy_sql("membership_counts"):
        op.execute(statement)
    op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON membership_counts FROM {APP_ROLE}")
    function, *triggers = COUNTS.split("\nCREATE TRIGGER ")
    op.execute(function)
    for trigger in triggers:
        op.execute("CREATE TRIGGER " + trigger)
    # the memberships there are already (the migration's own scope: every alliance)
    op.execute("SELECT set_config('app.all_alliances', 'on', true)")
    op.execute(
        "INSERT INTO membership_counts (alliance_id, status, tier, members)"
        " SELECT alliance_id, status, tier, count(*) FROM memberships GROUP BY 1, 2, 3"
    )
    op.execute("SELECT set_config('app.all_alliances', '', true)")


def downgrade() -> None:
    for op_name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER memberships_counted_{op_name} ON memberships")
    op.execute("DROP FUNCTION membership_counts_apply()")
    op.drop_table("membership_counts")
    unhoist_settings_ops()

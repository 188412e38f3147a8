"""the charter's finance rules per alliance (who keeps the books, the audit); a working group's
leader and co-leaders read their group's budgets (AITISA Art.12(1))

``charter_rules`` holds the ``finance`` part of the charter in force (``finance.charters``). It
has no foreign key to ``alliances``: the charter event and the alliance event reach finance on
two consumers, in either order.

The leader of a working group is a member's contact person, with no scope in the alliance: the
policies of ``working_group_posts``, ``budgets``, ``budget_lines`` and ``matters`` let the holder
of a group's leader or co-leader post (by governance's record) read that group's rows, with the
alliance's chart of accounts and the funds its lines name (to show a line). Writes are
held to the alliance scope as before (a leader's writes go through ``tx.widened``, decided in
Python by ``finance.budgets``).

Revision ID: f1a0c0de0005
Revises: f1a0c0de0004
Create Date: 2026-12-06 22:00:00
"""

from collections.abc import Sequence

from alembic import op

from servicekit.tenancy import tenant_policy_sql

revision: str = "f1a0c0de0005"
down_revision: str | None = "f1a0c0de0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = """
CREATE TABLE charter_rules (
    alliance_id uuid PRIMARY KEY,
    charter_version integer NOT NULL
        CONSTRAINT ck_charter_rules_version CHECK (charter_version >= 1),
    finance jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
)
"""

# the caller's user id, read once per statement (an initplan), as servicekit.tenancy does
ME = "(SELECT NULLIF(current_setting('app.user_id', true), ''))"
LED_GROUPS = f"SELECT p.group_id FROM working_group_posts p WHERE p.user_id = {ME}"
LED_BUDGETS = f"SELECT b.id FROM budgets b WHERE b.working_group_id IN ({LED_GROUPS})"
LEADER_READS = {
    "working_group_posts": f"user_id = {ME}",
    "budgets": f"working_group_id IN ({LED_GROUPS})",
    "budget_lines": f"budget_id IN ({LED_BUDGETS})",
    "matters": f"working_group_id IN ({LED_GROUPS})",
    # a line names its account and fund: the alliance's chart of accounts (no amounts in it),
    # and only the funds the group's own budget lines name
    "accounts": f"alliance_id IN (SELECT p.alliance_id FROM working_group_posts p "
    f"WHERE p.user_id = {ME})",
    "funds": f"id IN (SELECT l.fund_id FROM budget_lines l WHERE l.budget_id IN ({LED_BUDGETS}))",
}


def upgrade() -> None:
    op.execute(TABLE)
    for statement in tenant_policy_sql("charter_rules"):
        op.execute(statement)
    for table, leader in LEADER_READS.items():
        op.execute(f"DROP POLICY tenant_isolation ON {table}")
        for statement in tenant_policy_sql(table, extra_using=leader):
            op.execute(statement)


def downgrade() -> None:
    for table in LEADER_READS:
        op.execute(f"DROP POLICY tenant_isolation ON {table}")
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    op.execute("DROP TABLE charter_rules")

"""tenant policies read their settings once per statement (servicekit.tenancy)

Every ``current_setting(...)`` in a row-level-security policy is wrapped in a scalar
sub-select, so PostgreSQL evaluates it as an initplan instead of once per scanned row.

The balance check of an entry reads the entry's postings through ``ix_postings_entry_id``
(a fenced sub-select): with the policy cheaper to evaluate, the planner had started to walk
``ix_postings_fund_id`` over every posting for each entry (for the GROUP BY … LIMIT 1), which
made a 100,000-entry load quadratic.

Revision ID: e1a0c0de0003
Revises: 6c10e9841c44
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

from alembic import op

from servicekit.tenancy import hoist_settings_ops, unhoist_settings_ops

revision: str = "e1a0c0de0003"
down_revision: str | None = "6c10e9841c44"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


BALANCED = """
CREATE OR REPLACE FUNCTION finance_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry uuid;
    bad record;
BEGIN
    IF TG_TABLE_NAME = 'postings' THEN
        entry := NEW.entry_id;
    ELSE
        entry := NEW.id;
    END IF;
    IF (SELECT count(*) FROM postings WHERE entry_id = entry) < 2 THEN
        RAISE EXCEPTION 'finance: entry % has fewer than two postings', entry
            USING ERRCODE = 'P0005';
    END IF;
    -- OFFSET 0 fences the sub-select: the entry's postings by their entry index, then grouped.
    SELECT fund_id,
           sum(CASE WHEN side = 'debit' THEN amount_minor ELSE -amount_minor END) AS net
    INTO bad FROM (SELECT fund_id, side, amount_minor FROM postings WHERE entry_id = entry
                   OFFSET 0) AS p
    GROUP BY fund_id
    HAVING sum(CASE WHEN side = 'debit' THEN amount_minor ELSE -amount_minor END) <> 0
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'finance: entry % does not balance in fund % (debits - credits = %)',
            entry, bad.fund_id, bad.net USING ERRCODE = 'P0005';
    END IF;
    RETURN NULL;
END $$;
"""
UNFENCED = BALANCED.replace(
    "FROM (SELECT fund_id, side, amount_minor FROM postings WHERE entry_id = entry\n"
    "                   OFFSET 0) AS p",
    "FROM postings WHERE entry_id = entry",
)


def upgrade() -> None:
    hoist_settings_ops()
    op.execute(BALANCED)


def downgrade() -> None:
    op.execute(UNFENCED)
    unhoist_settings_ops()

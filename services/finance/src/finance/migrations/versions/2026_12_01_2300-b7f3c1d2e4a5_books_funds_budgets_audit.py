"""books, funds, fiscal years, budgets by line, matters, final accounts, audit, fees, invoices

The ledger's invariants are held by PostgreSQL itself (see ``finance.ledger``):

* postings and journal entries are never updated or deleted: the app role has no UPDATE,
  DELETE or TRUNCATE on them, and a trigger refuses it even to the owner;
* every entry balances per fund (debits = credits) and has at least two postings: deferred
  constraint triggers check it at commit;
* a posting is added only together with its entry (same transaction), in the entry's currency
  (composite foreign keys), to an account and fund of the same alliance;
* an entry is reversed at most once (``reverses_id`` unique); nothing is posted into a year
  that is not open; years only move open → closed → audited;
* each fund keeps its balance (assets − liabilities, in minor units); an earmarked fund's
  balance never goes below zero (CHECK), and its money is spent only on its purposes;
* a budget, final accounts or an auditor becomes approved only with a passed matter.

Revision ID: b7f3c1d2e4a5
Revises: 4a23ecc5afb1
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

from alembic import op

from servicekit.tenancy import tenant_policy_sql

revision: str = "b7f3c1d2e4a5"
down_revision: str | None = "4a23ecc5afb1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "concord_app"

TABLES = """
CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    code varchar(12) NOT NULL,
    kind varchar(12) NOT NULL
        CONSTRAINT ck_accounts_kind
        CHECK (kind IN ('asset', 'liability', 'net_assets', 'income', 'expense')),
    name_zh text NOT NULL,
    name_en text NOT NULL,
    income_source varchar(30),
    expense_use varchar(30),
    source text NOT NULL,
    CONSTRAINT uq_accounts_alliance_id_code UNIQUE (alliance_id, code),
    CONSTRAINT uq_accounts_id_alliance_id UNIQUE (id, alliance_id),
    CONSTRAINT ck_accounts_source_on_income CHECK ((kind = 'income') = (income_source IS NOT NULL)),
    CONSTRAINT ck_accounts_use_on_expense CHECK ((kind = 'expense') = (expense_use IS NOT NULL))
);

CREATE TABLE funds (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    code varchar(40) NOT NULL,
    name_zh text NOT NULL,
    name_en text NOT NULL,
    restriction varchar(12) NOT NULL
        CONSTRAINT ck_funds_restriction CHECK (restriction IN ('unrestricted', 'earmarked')),
    source varchar(20) NOT NULL
        CONSTRAINT ck_funds_source
        CHECK (source IN ('general', 'government_grant', 'donation', 'rnd_project')),
    purposes text[] NOT NULL DEFAULT '{}',
    purpose_text text,
    rules text,
    shares jsonb NOT NULL DEFAULT '[]',
    currency char(3) NOT NULL,
    balance_minor bigint NOT NULL DEFAULT 0,
    version bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_funds_alliance_id_code UNIQUE (alliance_id, code),
    CONSTRAINT uq_funds_id_alliance_id_currency UNIQUE (id, alliance_id, currency),
    CONSTRAINT ck_funds_earmarked_never_negative
        CHECK (restriction <> 'earmarked' OR balance_minor >= 0),
    CONSTRAINT ck_funds_earmarked_has_purpose
        CHECK (restriction <> 'earmarked' OR cardinality(purposes) > 0),
    CONSTRAINT ck_funds_general_is_unrestricted
        CHECK ((source = 'general') = (restriction = 'unrestricted'))
);

CREATE TABLE fiscal_years (
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    year integer NOT NULL CONSTRAINT ck_fiscal_years_range CHECK (year BETWEEN 2000 AND 2200),
    status varchar(10) NOT NULL DEFAULT 'open'
        CONSTRAINT ck_fiscal_years_status CHECK (status IN ('open', 'closed', 'audited')),
    opened_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    closed_by text,
    audited_at timestamptz,
    CONSTRAINT pk_fiscal_years PRIMARY KEY (alliance_id, year)
);

CREATE TABLE journal_entries (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL,
    fiscal_year integer NOT NULL,
    entry_date date NOT NULL,
    currency char(3) NOT NULL,
    kind varchar(20) NOT NULL,
    memo text NOT NULL,
    idempotency_key text,
    request_hash text NOT NULL,
    reverses_id uuid,
    working_group_id uuid,
    posted_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fk_journal_entries_year FOREIGN KEY (alliance_id, fiscal_year)
        REFERENCES fiscal_years (alliance_id, year),
    CONSTRAINT uq_journal_entries_idempotency UNIQUE (alliance_id, idempotency_key),
    CONSTRAINT uq_journal_entries_reverses_id UNIQUE (reverses_id),
    CONSTRAINT uq_journal_entries_id_alliance_currency UNIQUE (id, alliance_id, currency),
    CONSTRAINT fk_journal_entries_reversal_same_books
        FOREIGN KEY (reverses_id, alliance_id, currency)
        REFERENCES journal_entries (id, alliance_id, currency),
    CONSTRAINT ck_journal_entries_date_in_year
        CHECK (extract(year FROM entry_date)::integer = fiscal_year),
    CONSTRAINT ck_journal_entries_not_self_reversal CHECK (reverses_id IS DISTINCT FROM id)
);
CREATE INDEX ix_journal_entries_alliance_year ON journal_entries (alliance_id, fiscal_year);

CREATE TABLE postings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id uuid NOT NULL,
    alliance_id uuid NOT NULL,
    account_id uuid NOT NULL,
    fund_id uuid NOT NULL,
    currency char(3) NOT NULL,
    side varchar(6) NOT NULL CONSTRAINT ck_postings_side CHECK (side IN ('debit', 'credit')),
    amount_minor bigint NOT NULL CONSTRAINT ck_postings_amount_positive CHECK (amount_minor > 0),
    CONSTRAINT fk_postings_entry FOREIGN KEY (entry_id, alliance_id, currency)
        REFERENCES journal_entries (id, alliance_id, currency),
    CONSTRAINT fk_postings_account FOREIGN KEY (account_id, alliance_id)
        REFERENCES accounts (id, alliance_id),
    CONSTRAINT fk_postings_fund FOREIGN KEY (fund_id, alliance_id, currency)
        REFERENCES funds (id, alliance_id, currency)
);
CREATE INDEX ix_postings_entry_id ON postings (entry_id);
CREATE INDEX ix_postings_account_id ON postings (account_id);
CREATE INDEX ix_postings_fund_id ON postings (fund_id);

CREATE TABLE matters (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    kind varchar(40) NOT NULL
        CONSTRAINT ck_matters_kind
        CHECK (kind IN ('budget_approval', 'final_accounts_approval', 'auditor_confirmation')),
    subject_id uuid NOT NULL,
    fiscal_year integer,
    working_group_id uuid,
    status varchar(10) NOT NULL DEFAULT 'pending'
        CONSTRAINT ck_matters_status CHECK (status IN ('pending', 'passed', 'failed')),
    motion_id uuid,
    body varchar(40),
    rule text,
    decided_on date,
    submitted_by text NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    CONSTRAINT ck_matters_decided_has_motion CHECK (status = 'pending' OR motion_id IS NOT NULL)
);
CREATE UNIQUE INDEX uq_matters_one_pending_per_subject ON matters (subject_id, kind)
    WHERE status = 'pending';

ALTER TABLE budgets DROP CONSTRAINT uq_budgets_alliance_id_fiscal_year;
ALTER TABLE budgets ADD COLUMN working_group_id uuid;
ALTER TABLE budgets ADD COLUMN working_group_name text;
ALTER TABLE budgets ADD COLUMN approval_matter_id uuid REFERENCES matters (id);
ALTER TABLE budgets ADD COLUMN approved_at timestamptz;
ALTER TABLE budgets ADD COLUMN reviewed_by text;
ALTER TABLE budgets ADD CONSTRAINT uq_budgets_alliance_year_group
    UNIQUE NULLS NOT DISTINCT (alliance_id, fiscal_year, working_group_id);
ALTER TABLE budgets ADD CONSTRAINT ck_budgets_status
    CHECK (status IN ('draft', 'submitted', 'reviewed', 'approved', 'rejected'));
ALTER TABLE budgets ADD CONSTRAINT ck_budgets_approved_by_matter
    CHECK (status <> 'approved' OR approval_matter_id IS NOT NULL);
ALTER TABLE budgets ADD CONSTRAINT uq_budgets_id_alliance_id UNIQUE (id, alliance_id);

CREATE TABLE budget_lines (
    id uuid PRIMARY KEY,
    budget_id uuid NOT NULL,
    alliance_id uuid NOT NULL,
    account_id uuid NOT NULL,
    fund_id uuid,
    amount_minor bigint NOT NULL
        CONSTRAINT ck_budget_lines_amount_positive CHECK (amount_minor > 0),
    note text,
    CONSTRAINT fk_budget_lines_budget FOREIGN KEY (budget_id, alliance_id)
        REFERENCES budgets (id, alliance_id),
    CONSTRAINT fk_budget_lines_account FOREIGN KEY (account_id, alliance_id)
        REFERENCES accounts (id, alliance_id),
    CONSTRAINT fk_budget_lines_fund FOREIGN KEY (fund_id) REFERENCES funds (id),
    CONSTRAINT uq_budget_lines_budget_account_fund
        UNIQUE NULLS NOT DISTINCT (budget_id, account_id, fund_id)
);

CREATE TABLE final_accounts (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL,
    fiscal_year integer NOT NULL,
    status varchar(10) NOT NULL
        CONSTRAINT ck_final_accounts_status CHECK (status IN ('submitted', 'approved', 'rejected')),
    snapshot jsonb NOT NULL,
    approval_matter_id uuid REFERENCES matters (id),
    prepared_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    approved_at timestamptz,
    CONSTRAINT fk_final_accounts_year FOREIGN KEY (alliance_id, fiscal_year)
        REFERENCES fiscal_years (alliance_id, year),
    CONSTRAINT ck_final_accounts_approved_by_matter
        CHECK (status <> 'approved' OR approval_matter_id IS NOT NULL)
);
CREATE UNIQUE INDEX uq_final_accounts_one_live_per_year ON final_accounts (alliance_id, fiscal_year)
    WHERE status <> 'rejected';

CREATE TABLE auditors (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    fiscal_year integer NOT NULL,
    firm_name text NOT NULL,
    status varchar(10) NOT NULL
        CONSTRAINT ck_auditors_status CHECK (status IN ('submitted', 'confirmed', 'rejected')),
    approval_matter_id uuid REFERENCES matters (id),
    proposed_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz,
    CONSTRAINT ck_auditors_confirmed_by_matter
        CHECK (status <> 'confirmed' OR approval_matter_id IS NOT NULL)
);
CREATE UNIQUE INDEX uq_auditors_one_live_per_year ON auditors (alliance_id, fiscal_year)
    WHERE status <> 'rejected';

CREATE TABLE audit_reports (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL,
    fiscal_year integer NOT NULL,
    auditor_id uuid NOT NULL REFERENCES auditors (id),
    opinion varchar(20) NOT NULL
        CONSTRAINT ck_audit_reports_opinion
        CHECK (opinion IN ('unqualified', 'qualified', 'adverse', 'disclaimer')),
    reference text NOT NULL,
    summary text NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fk_audit_reports_year FOREIGN KEY (alliance_id, fiscal_year)
        REFERENCES fiscal_years (alliance_id, year),
    CONSTRAINT uq_audit_reports_alliance_id_fiscal_year UNIQUE (alliance_id, fiscal_year)
);

CREATE TABLE fee_schedules (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    fiscal_year integer NOT NULL,
    tier varchar(40) NOT NULL,
    amount_minor bigint NOT NULL
        CONSTRAINT ck_fee_schedules_amount_positive CHECK (amount_minor > 0),
    currency char(3) NOT NULL,
    decided_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_fee_schedules_alliance_year_tier UNIQUE (alliance_id, fiscal_year, tier)
);

CREATE TABLE members (
    membership_id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    organization_id uuid NOT NULL,
    organization_name_zh text NOT NULL,
    tier varchar(40) NOT NULL,
    status varchar(20) NOT NULL,
    admitted_on date NOT NULL
);

CREATE TABLE invoices (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    membership_id uuid NOT NULL REFERENCES members (membership_id),
    organization_id uuid NOT NULL,
    fiscal_year integer NOT NULL,
    tier varchar(40) NOT NULL,
    amount_minor bigint NOT NULL CONSTRAINT ck_invoices_amount_positive CHECK (amount_minor > 0),
    paid_minor bigint NOT NULL DEFAULT 0,
    currency char(3) NOT NULL,
    issued_on date NOT NULL,
    due_on date NOT NULL,
    status varchar(10) NOT NULL DEFAULT 'open'
        CONSTRAINT ck_invoices_status CHECK (status IN ('open', 'overdue', 'paid')),
    entry_id uuid NOT NULL REFERENCES journal_entries (id),
    overdue_since date,
    CONSTRAINT uq_invoices_membership_year UNIQUE (alliance_id, membership_id, fiscal_year),
    CONSTRAINT ck_invoices_paid_within_amount CHECK (paid_minor BETWEEN 0 AND amount_minor),
    CONSTRAINT ck_invoices_paid_status CHECK ((status = 'paid') = (paid_minor = amount_minor))
);

CREATE TABLE payments (
    id uuid PRIMARY KEY,
    alliance_id uuid NOT NULL REFERENCES alliances (id),
    invoice_id uuid NOT NULL REFERENCES invoices (id),
    amount_minor bigint NOT NULL CONSTRAINT ck_payments_amount_positive CHECK (amount_minor > 0),
    currency char(3) NOT NULL,
    paid_on date NOT NULL,
    entry_id uuid NOT NULL REFERENCES journal_entries (id),
    CONSTRAINT uq_payments_entry_id UNIQUE (entry_id)
);
"""

FUNCTIONS = r"""
CREATE FUNCTION finance_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'finance: % on % refused: posted entries are immutable; post a reversing entry',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;

CREATE FUNCTION finance_entry_year_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    year_status text;
BEGIN
    SELECT status INTO year_status FROM fiscal_years
    WHERE alliance_id = NEW.alliance_id AND year = NEW.fiscal_year FOR SHARE;
    IF year_status IS DISTINCT FROM 'open' THEN
        RAISE EXCEPTION 'finance: fiscal year % is %, nothing can be posted into it',
            NEW.fiscal_year, coalesce(year_status, 'not opened') USING ERRCODE = 'P0002';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION finance_year_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT ((OLD.status = NEW.status)
            OR (OLD.status = 'open' AND NEW.status = 'closed')
            OR (OLD.status = 'closed' AND NEW.status = 'audited')) THEN
        RAISE EXCEPTION 'finance: fiscal year % cannot go from % to %',
            OLD.year, OLD.status, NEW.status USING ERRCODE = 'P0003';
    END IF;
    IF NEW.alliance_id <> OLD.alliance_id OR NEW.year <> OLD.year THEN
        RAISE EXCEPTION 'finance: a fiscal year keeps its alliance and year'
            USING ERRCODE = 'P0003';
    END IF;
    RETURN NEW;
END $$;

-- Runs as the owner: the app role cannot write fund balances itself, only through postings.
CREATE FUNCTION finance_apply_postings() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    bad record;
BEGIN
    -- A posting is added only with its entry, in the transaction that created the entry.
    SELECT p.entry_id INTO bad FROM new_postings p JOIN journal_entries e ON e.id = p.entry_id
    WHERE e.xmin::text <> (pg_current_xact_id()::text::bigint % 4294967296)::text LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'finance: entry % is already posted; postings cannot be added to it',
            bad.entry_id USING ERRCODE = 'P0001';
    END IF;
    -- An earmarked fund pays only for its purposes (专款专用).
    SELECT f.code, a.code AS account INTO bad
    FROM new_postings p
    JOIN funds f ON f.id = p.fund_id
    JOIN accounts a ON a.id = p.account_id
    WHERE f.restriction = 'earmarked' AND a.kind = 'expense' AND p.side = 'debit'
      AND NOT (a.expense_use = ANY (f.purposes))
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'finance: earmarked fund % cannot pay for account %', bad.code, bad.account
            USING ERRCODE = 'P0004';
    END IF;
    -- Each fund's balance: assets less liabilities, moved by the net of this statement.
    UPDATE funds f
    SET balance_minor = f.balance_minor + d.delta, version = f.version + 1
    FROM (
        SELECT p.fund_id,
               sum(CASE WHEN p.side = 'debit' THEN p.amount_minor ELSE -p.amount_minor END) AS delta
        FROM new_postings p JOIN accounts a ON a.id = p.account_id
        WHERE a.kind IN ('asset', 'liability')
        GROUP BY p.fund_id
    ) d
    WHERE f.id = d.fund_id AND d.delta <> 0;
    RETURN NULL;
END $$;

CREATE FUNCTION finance_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
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
    SELECT fund_id,
           sum(CASE WHEN side = 'debit' THEN amount_minor ELSE -amount_minor END) AS net
    INTO bad FROM postings WHERE entry_id = entry
    GROUP BY fund_id
    HAVING sum(CASE WHEN side = 'debit' THEN amount_minor ELSE -amount_minor END) <> 0
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'finance: entry % does not balance in fund % (debits - credits = %)',
            entry, bad.fund_id, bad.net USING ERRCODE = 'P0005';
    END IF;
    RETURN NULL;
END $$;

-- A budget, final accounts or an auditor is approved only by a passed matter about it.
CREATE FUNCTION finance_approved_by_passed_matter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = TG_ARGV[1] AND NOT EXISTS (
        SELECT 1 FROM matters m
        WHERE m.id = NEW.approval_matter_id AND m.kind = TG_ARGV[0]
          AND m.subject_id = NEW.id AND m.status = 'passed'
    ) THEN
        RAISE EXCEPTION 'finance: % % cannot be % without a passed % motion',
            TG_TABLE_NAME, NEW.id, TG_ARGV[1], TG_ARGV[0] USING ERRCODE = 'P0006';
    END IF;
    RETURN NEW;
END $$;
"""

TRIGGERS = """
CREATE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION finance_refuse_change();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION finance_refuse_change();
CREATE TRIGGER journal_entries_immutable BEFORE UPDATE OR DELETE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION finance_refuse_change();
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION finance_refuse_change();
CREATE TRIGGER journal_entries_year_open BEFORE INSERT ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION finance_entry_year_open();
CREATE TRIGGER fiscal_years_transition BEFORE UPDATE ON fiscal_years
    FOR EACH ROW EXECUTE FUNCTION finance_year_transition();
CREATE TRIGGER postings_apply AFTER INSERT ON postings
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION finance_apply_postings();
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION finance_entry_balanced();
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION finance_entry_balanced();
CREATE TRIGGER budgets_approved_by_matter BEFORE INSERT OR UPDATE ON budgets
    FOR EACH ROW EXECUTE FUNCTION finance_approved_by_passed_matter('budget_approval', 'approved');
CREATE TRIGGER final_accounts_approved_by_matter BEFORE INSERT OR UPDATE ON final_accounts
    FOR EACH ROW
    EXECUTE FUNCTION finance_approved_by_passed_matter('final_accounts_approval', 'approved');
CREATE TRIGGER auditors_confirmed_by_matter BEFORE INSERT OR UPDATE ON auditors
    FOR EACH ROW
    EXECUTE FUNCTION finance_approved_by_passed_matter('auditor_confirmation', 'confirmed');
"""

TENANT_TABLES = (
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
)


def _statements(script: str) -> list[str]:
    """Split on blank-line-separated statements (function bodies contain semicolons)."""
    return [s.strip() for s in script.split("\n\n") if s.strip()]


def upgrade() -> None:
    for statement in TABLES.split(";\n"):
        if statement.strip():
            op.execute(statement)
    for statement in _statements(FUNCTIONS):
        op.execute(statement)
    for statement in TRIGGERS.split(";\n"):
        if statement.strip():
            op.execute(statement)
    for table in TENANT_TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    # The app role may add entries and postings but never change or remove them; fund balances
    # move only through postings (the trigger runs as the owner).
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON postings, journal_entries FROM {APP_ROLE}")
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON funds FROM {APP_ROLE}")
    # Its names may be corrected (and SELECT … FOR UPDATE needs UPDATE on some column); its
    # balance, restriction, purposes and currency never by the app.
    op.execute(f"GRANT UPDATE (name_zh, name_en) ON funds TO {APP_ROLE}")
    op.execute(f"REVOKE DELETE, TRUNCATE ON fiscal_years, matters, audit_reports FROM {APP_ROLE}")


def downgrade() -> None:
    for table in (
        "payments",
        "invoices",
        "members",
        "fee_schedules",
        "audit_reports",
        "auditors",
        "final_accounts",
        "budget_lines",
    ):
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP TRIGGER budgets_approved_by_matter ON budgets")
    for column in (
        "working_group_id",
        "working_group_name",
        "approval_matter_id",
        "approved_at",
        "reviewed_by",
    ):
        op.execute(f"ALTER TABLE budgets DROP COLUMN {column} CASCADE")
    op.execute("ALTER TABLE budgets DROP CONSTRAINT IF EXISTS ck_budgets_status")
    op.execute("ALTER TABLE budgets DROP CONSTRAINT IF EXISTS uq_budgets_id_alliance_id")
    op.execute(
        "ALTER TABLE budgets ADD CONSTRAINT uq_budgets_alliance_id_fiscal_year "
        "UNIQUE (alliance_id, fiscal_year)"
    )
    for table in ("matters", "postings", "journal_entries", "fiscal_years", "funds", "accounts"):
        op.execute(f"DROP TABLE {table}")
    for function in (
        "finance_refuse_change",
        "finance_entry_year_open",
        "finance_year_transition",
        "finance_apply_postings",
        "finance_entry_balanced",
        "finance_approved_by_passed_matter",
    ):
        op.execute(f"DROP FUNCTION {function}()")

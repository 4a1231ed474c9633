"""Rules that span rows, enforced by PostgreSQL triggers so that no code path (admin, shell, a bug) can
break them: a reversal is never larger than the paid original it reverses; the paid total of a project never
exceeds its commitment, even under concurrent payments; and paid money records are never deleted or have
their amounts changed. SQLite (the demo database) relies on model validation alone."""

from django.db import migrations

GUARDS = r"""
CREATE OR REPLACE FUNCTION portfolio_refuse(constraint_name text, message text) RETURNS void AS $$
BEGIN
    RAISE EXCEPTION '%', message USING ERRCODE = 'check_violation', CONSTRAINT = constraint_name;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION portfolio_disbursement_guard() RETURNS trigger AS $$
DECLARE
    original portfolio_disbursement%ROWTYPE;
    project_commitment numeric;
    paid_before numeric;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'paid' THEN
            PERFORM portfolio_refuse('disbursement_paid_is_permanent', 'a paid disbursement cannot be deleted');
        END IF;
        RETURN OLD;
    END IF;
    -- Once paid, everything that says what was paid, to whom, when and on whose authority is frozen;
    -- only the note and the bank reference may still be corrected.
    IF TG_OP = 'UPDATE' AND OLD.status = 'paid' AND (
        NEW.amount, NEW.status, NEW.project_id, NEW.tranche_id, NEW.paid_date, NEW.reverses_id,
        NEW.requested_by_id, NEW.approved_by_id, NEW.approved_at, NEW.original_currency,
        NEW.original_amount, NEW.fx_rate, NEW.fx_rate_date
    ) IS DISTINCT FROM (
        OLD.amount, OLD.status, OLD.project_id, OLD.tranche_id, OLD.paid_date, OLD.reverses_id,
        OLD.requested_by_id, OLD.approved_by_id, OLD.approved_at, OLD.original_currency,
        OLD.original_amount, OLD.fx_rate, OLD.fx_rate_date
    ) THEN
        PERFORM portfolio_refuse('disbursement_paid_is_permanent',
            'a paid disbursement can only have its note and bank reference corrected');
    END IF;
    IF NEW.status = 'paid' AND NEW.amount > 0 THEN
        -- The paid total of a project never exceeds its commitment. Locking the project row serialises
        -- concurrent payments to one project, so two that each fit alone cannot both land.
        SELECT commitment INTO project_commitment FROM portfolio_project WHERE id = NEW.project_id FOR UPDATE;
        SELECT coalesce(sum(amount), 0) INTO paid_before FROM portfolio_disbursement
            WHERE project_id = NEW.project_id AND status = 'paid' AND id <> NEW.id;
        IF paid_before + NEW.amount > project_commitment THEN
            PERFORM portfolio_refuse('disbursement_paid_within_project_commitment',
                'the paid total of a project cannot exceed its commitment');
        END IF;
    END IF;
    IF NEW.reverses_id IS NOT NULL THEN
        -- Lock the original so a concurrent edit cannot slip between this check and the insert.
        SELECT * INTO original FROM portfolio_disbursement WHERE id = NEW.reverses_id FOR UPDATE;
        IF original.reverses_id IS NOT NULL THEN
            PERFORM portfolio_refuse('disbursement_reversal_of_original_only', 'a reversal cannot be reversed');
        END IF;
        IF original.status <> 'paid' THEN
            PERFORM portfolio_refuse('disbursement_reversal_of_paid_only', 'only a paid disbursement can be reversed');
        END IF;
        IF original.project_id <> NEW.project_id THEN
            PERFORM portfolio_refuse('disbursement_reversal_same_project', 'a reversal must stay in its project');
        END IF;
        IF -NEW.amount > original.amount THEN
            PERFORM portfolio_refuse('disbursement_reversal_not_larger_than_original',
                'a reversal cannot be larger than the disbursement it reverses');
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER portfolio_disbursement_guard
    BEFORE INSERT OR UPDATE OR DELETE ON portfolio_disbursement
    FOR EACH ROW EXECUTE FUNCTION portfolio_disbursement_guard();

-- A project's commitment cannot drop below what has already been paid to it.
CREATE OR REPLACE FUNCTION portfolio_project_guard() RETURNS trigger AS $$
DECLARE
    paid numeric;
BEGIN
    IF NEW.commitment < OLD.commitment THEN
        SELECT coalesce(sum(amount), 0) INTO paid FROM portfolio_disbursement
            WHERE project_id = NEW.id AND status = 'paid';
        IF paid > NEW.commitment THEN
            PERFORM portfolio_refuse('project_commitment_covers_paid',
                'a project''s commitment cannot be less than what was already paid to it');
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER portfolio_project_guard
    BEFORE UPDATE OF commitment ON portfolio_project
    FOR EACH ROW EXECUTE FUNCTION portfolio_project_guard();

-- Money that has arrived (receipts, capital call payments) is permanent: what, when, from where and at
-- which rate never change, and the row is never deleted. Corrections are new records. TG_ARGV[0] names the
-- parent column (project_id or item_id), which must not change either.
CREATE OR REPLACE FUNCTION portfolio_received_money_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM portfolio_refuse(TG_TABLE_NAME || '_is_permanent', 'a paid money record cannot be deleted');
        RETURN OLD;
    END IF;
    IF (NEW.amount, NEW.date, NEW.original_currency, NEW.original_amount, NEW.fx_rate, NEW.fx_rate_date,
        to_jsonb(NEW) -> TG_ARGV[0])
       IS DISTINCT FROM
       (OLD.amount, OLD.date, OLD.original_currency, OLD.original_amount, OLD.fx_rate, OLD.fx_rate_date,
        to_jsonb(OLD) -> TG_ARGV[0]) THEN
        PERFORM portfolio_refuse(TG_TABLE_NAME || '_is_permanent',
            'a paid money record cannot change its amount, date, parent or currency');
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER portfolio_receipt_guard
    BEFORE UPDATE OR DELETE ON portfolio_receipt
    FOR EACH ROW EXECUTE FUNCTION portfolio_received_money_guard('project_id');
CREATE TRIGGER portfolio_capitalcallpayment_guard
    BEFORE UPDATE OR DELETE ON portfolio_capitalcallpayment
    FOR EACH ROW EXECUTE FUNCTION portfolio_received_money_guard('item_id');

-- A paid distribution stays paid, and the items of a paid distribution are permanent.
CREATE OR REPLACE FUNCTION portfolio_distribution_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'paid' AND (
        TG_OP = 'DELETE' OR (NEW.status, NEW.fund_id, NEW.date) IS DISTINCT FROM ('paid', OLD.fund_id, OLD.date)
    ) THEN
        PERFORM portfolio_refuse('distribution_paid_is_permanent', 'a paid distribution cannot be undone');
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER portfolio_distribution_guard
    BEFORE UPDATE OR DELETE ON portfolio_distribution
    FOR EACH ROW EXECUTE FUNCTION portfolio_distribution_guard();

CREATE OR REPLACE FUNCTION portfolio_distributionitem_guard() RETURNS trigger AS $$
DECLARE
    old_paid boolean := false;
    new_paid boolean := false;
BEGIN
    -- Both parents count on an update: an item may neither leave a paid distribution nor join one.
    IF TG_OP <> 'INSERT' THEN
        SELECT status = 'paid' INTO old_paid FROM portfolio_distribution WHERE id = OLD.distribution_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT status = 'paid' INTO new_paid FROM portfolio_distribution WHERE id = NEW.distribution_id;
    END IF;
    IF (coalesce(old_paid, false) OR coalesce(new_paid, false)) AND (
        TG_OP <> 'UPDATE' OR
        (NEW.amount, NEW.distribution_id, NEW.investor_id, NEW.original_currency, NEW.original_amount,
         NEW.fx_rate, NEW.fx_rate_date)
        IS DISTINCT FROM
        (OLD.amount, OLD.distribution_id, OLD.investor_id, OLD.original_currency, OLD.original_amount,
         OLD.fx_rate, OLD.fx_rate_date)
    ) THEN
        PERFORM portfolio_refuse('distribution_item_paid_is_permanent',
            'the items of a paid distribution cannot be added, changed or deleted');
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER portfolio_distributionitem_guard
    BEFORE INSERT OR UPDATE OR DELETE ON portfolio_distributionitem
    FOR EACH ROW EXECUTE FUNCTION portfolio_distributionitem_guard();
"""

DROP = r"""
DROP TRIGGER IF EXISTS portfolio_distributionitem_guard ON portfolio_distributionitem;
DROP TRIGGER IF EXISTS portfolio_distribution_guard ON portfolio_distribution;
DROP TRIGGER IF EXISTS portfolio_capitalcallpayment_guard ON portfolio_capitalcallpayment;
DROP TRIGGER IF EXISTS portfolio_receipt_guard ON portfolio_receipt;
DROP TRIGGER IF EXISTS portfolio_disbursement_guard ON portfolio_disbursement;
DROP TRIGGER IF EXISTS portfolio_project_guard ON portfolio_project;
DROP FUNCTION IF EXISTS portfolio_distributionitem_guard();
DROP FUNCTION IF EXISTS portfolio_distribution_guard();
DROP FUNCTION IF EXISTS portfolio_received_money_guard();
DROP FUNCTION IF EXISTS portfolio_disbursement_guard();
DROP FUNCTION IF EXISTS portfolio_project_guard();
DROP FUNCTION IF EXISTS portfolio_refuse(text, text);
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(GUARDS), _on_postgresql(DROP))]

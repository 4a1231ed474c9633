"""Rules that span rows, enforced by PostgreSQL triggers so that no code path (admin, shell, a bug) can
break them: a reversal is never larger than the paid original it reverses, and paid money records are never
deleted or have their amounts changed. SQLite (the demo database) relies on model validation alone."""

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
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'paid' THEN
            PERFORM portfolio_refuse('disbursement_paid_is_permanent', 'a paid disbursement cannot be deleted');
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = 'paid' AND (
        NEW.amount <> OLD.amount OR NEW.status <> OLD.status OR NEW.project_id <> OLD.project_id
        OR NEW.paid_date IS DISTINCT FROM OLD.paid_date OR NEW.reverses_id IS DISTINCT FROM OLD.reverses_id
    ) THEN
        PERFORM portfolio_refuse('disbursement_paid_is_permanent',
            'a paid disbursement cannot change its amount, status, project, date or original');
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

-- Money that has arrived (receipts, capital call payments) is permanent: its amount never changes
-- and the row is never deleted. Corrections are new records.
CREATE OR REPLACE FUNCTION portfolio_received_money_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM portfolio_refuse(TG_TABLE_NAME || '_is_permanent', 'a paid money record cannot be deleted');
        RETURN OLD;
    END IF;
    IF NEW.amount <> OLD.amount THEN
        PERFORM portfolio_refuse(TG_TABLE_NAME || '_is_permanent', 'a paid money record cannot change its amount');
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER portfolio_receipt_guard
    BEFORE UPDATE OR DELETE ON portfolio_receipt
    FOR EACH ROW EXECUTE FUNCTION portfolio_received_money_guard();
CREATE TRIGGER portfolio_capitalcallpayment_guard
    BEFORE UPDATE OR DELETE ON portfolio_capitalcallpayment
    FOR EACH ROW EXECUTE FUNCTION portfolio_received_money_guard();

-- A paid distribution stays paid, and the items of a paid distribution are permanent.
CREATE OR REPLACE FUNCTION portfolio_distribution_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'paid' AND (TG_OP = 'DELETE' OR NEW.status <> 'paid' OR NEW.fund_id <> OLD.fund_id) THEN
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
    parent_status text;
BEGIN
    SELECT status INTO parent_status FROM portfolio_distribution
        WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.distribution_id ELSE OLD.distribution_id END;
    IF parent_status = 'paid' AND (
        TG_OP <> 'UPDATE' OR NEW.amount <> OLD.amount OR NEW.distribution_id <> OLD.distribution_id
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
DROP FUNCTION IF EXISTS portfolio_distributionitem_guard();
DROP FUNCTION IF EXISTS portfolio_distribution_guard();
DROP FUNCTION IF EXISTS portfolio_received_money_guard();
DROP FUNCTION IF EXISTS portfolio_disbursement_guard();
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

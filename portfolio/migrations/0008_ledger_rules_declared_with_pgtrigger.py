"""The ledger rules of 0002_ledger_guards, now declared beside the models (`Meta.triggers`, see
portfolio/models/rules.py): the hand-written functions and triggers go, and pgtrigger installs its own.

Both run in this one migration's transaction, so no write ever finds the ledger unguarded. Going back
reinstalls 0002's functions. SQLite has neither."""

import pgtrigger.compiler
import pgtrigger.migrations
from importlib import import_module

from django.db import migrations

LEDGER_GUARDS = import_module("portfolio.migrations.0002_ledger_guards")


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('portfolio', '0007_progress_capital_accounts_and_stale_marks'),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(LEDGER_GUARDS.DROP), _on_postgresql(LEDGER_GUARDS.GUARDS)),
        pgtrigger.migrations.AddTrigger(
            model_name='capitalcallpayment',
            trigger=pgtrigger.compiler.Trigger(name='portfolio_capitalcallpayment_not_deleted', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'a paid money record cannot be deleted' USING ERRCODE = 'check_violation', CONSTRAINT = 'portfolio_capitalcallpayment_is_permanent';", hash='e1c46b38ec7c0d527eeb3eb4730e812441fd2bb0', operation='DELETE', pgid='pgtrigger_portfolio_capitalcallpayment_not_deleted_6f99d', table='portfolio_capitalcallpayment', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='capitalcallpayment',
            trigger=pgtrigger.compiler.Trigger(name='portfolio_capitalcallpayment_frozen', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (((OLD."amount" IS DISTINCT FROM (NEW."amount") OR OLD."date" IS DISTINCT FROM (NEW."date") OR OLD."fx_rate" IS DISTINCT FROM (NEW."fx_rate") OR OLD."fx_rate_date" IS DISTINCT FROM (NEW."fx_rate_date") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."item_id" IS DISTINCT FROM (NEW."item_id") OR OLD."original_amount" IS DISTINCT FROM (NEW."original_amount") OR OLD."original_currency" IS DISTINCT FROM (NEW."original_currency"))))', func="RAISE EXCEPTION 'a paid money record cannot change its amount, date, parent, currency or any column but bank_reference' USING ERRCODE = 'check_violation', CONSTRAINT = 'portfolio_capitalcallpayment_is_permanent';", hash='f6e414a6307483f40375eb273ab7afae4e603cb6', operation='UPDATE', pgid='pgtrigger_portfolio_capitalcallpayment_frozen_898b8', table='portfolio_capitalcallpayment', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='disbursement',
            trigger=pgtrigger.compiler.Trigger(name='disbursement_paid_not_deleted', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."status" = \'paid\')', func="RAISE EXCEPTION 'a paid disbursement cannot be deleted' USING ERRCODE = 'check_violation', CONSTRAINT = 'disbursement_paid_is_permanent';", hash='66bb10981f783cd454ef6af609af20c738f26f9e', operation='DELETE', pgid='pgtrigger_disbursement_paid_not_deleted_33ac5', table='portfolio_disbursement', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='disbursement',
            trigger=pgtrigger.compiler.Trigger(name='disbursement_paid_frozen', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN ((OLD."status" = \'paid\') AND ((OLD."amount" IS DISTINCT FROM (NEW."amount") OR OLD."approved_at" IS DISTINCT FROM (NEW."approved_at") OR OLD."approved_by_id" IS DISTINCT FROM (NEW."approved_by_id") OR OLD."fx_rate" IS DISTINCT FROM (NEW."fx_rate") OR OLD."fx_rate_date" IS DISTINCT FROM (NEW."fx_rate_date") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."original_amount" IS DISTINCT FROM (NEW."original_amount") OR OLD."original_currency" IS DISTINCT FROM (NEW."original_currency") OR OLD."paid_date" IS DISTINCT FROM (NEW."paid_date") OR OLD."project_id" IS DISTINCT FROM (NEW."project_id") OR OLD."rejected_at" IS DISTINCT FROM (NEW."rejected_at") OR OLD."rejected_by_id" IS DISTINCT FROM (NEW."rejected_by_id") OR OLD."rejection_reason" IS DISTINCT FROM (NEW."rejection_reason") OR OLD."requested_at" IS DISTINCT FROM (NEW."requested_at") OR OLD."requested_by_id" IS DISTINCT FROM (NEW."requested_by_id") OR OLD."reverses_id" IS DISTINCT FROM (NEW."reverses_id") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."tranche_id" IS DISTINCT FROM (NEW."tranche_id"))))', func="RAISE EXCEPTION 'a paid disbursement can only have its note and bank reference corrected' USING ERRCODE = 'check_violation', CONSTRAINT = 'disbursement_paid_is_permanent';", hash='c58f6bacb5a5a1127b0eb8fbb84165d769d5dc1b', operation='UPDATE', pgid='pgtrigger_disbursement_paid_frozen_a9383', table='portfolio_disbursement', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='disbursement',
            trigger=pgtrigger.compiler.Trigger(name='disbursement_paid_within_project_commitment', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (NEW."amount" > 0 AND NEW."status" = \'paid\')', declare='DECLARE project_commitment numeric; paid_before numeric;', func="\n            SELECT commitment INTO project_commitment FROM portfolio_project\n                WHERE id = NEW.project_id FOR UPDATE;\n            SELECT coalesce(sum(amount), 0) INTO paid_before FROM portfolio_disbursement\n                WHERE project_id = NEW.project_id AND status = 'paid' AND id <> NEW.id;\n            IF paid_before + NEW.amount > project_commitment THEN\n                RAISE EXCEPTION 'the paid total of a project cannot exceed its commitment' USING ERRCODE = 'check_violation', CONSTRAINT = 'disbursement_paid_within_project_commitment';\n            END IF;\n            RETURN NEW;\n        ", hash='7030ce2ebdedd562971721ca40d1301760944e0a', operation='INSERT OR UPDATE', pgid='pgtrigger_disbursement_paid_within_project_commitment_b2ffd', table='portfolio_disbursement', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='disbursement',
            trigger=pgtrigger.compiler.Trigger(name='disbursement_reversal_rules', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (NEW."reverses_id" IS NOT NULL)', declare='DECLARE original portfolio_disbursement%ROWTYPE;', func="\n            SELECT * INTO original FROM portfolio_disbursement WHERE id = NEW.reverses_id FOR UPDATE;\n            IF original.reverses_id IS NOT NULL THEN\n                RAISE EXCEPTION 'a reversal cannot be reversed' USING ERRCODE = 'check_violation', CONSTRAINT = 'disbursement_reversal_of_original_only';\n            END IF;\n            IF original.status <> 'paid' THEN\n                RAISE EXCEPTION 'only a paid disbursement can be reversed' USING ERRCODE = 'check_violation', CONSTRAINT = 'disbursement_reversal_of_paid_only';\n            END IF;\n            IF original.project_id <> NEW.project_id THEN\n                RAISE EXCEPTION 'a reversal must stay in its project' USING ERRCODE = 'check_violation', CONSTRAINT = 'disbursement_reversal_same_project';\n            END IF;\n            IF -NEW.amount > original.amount THEN\n                RAISE EXCEPTION 'a reversal cannot be larger than the disbursement it reverses' USING ERRCODE = 'check_violation', CONSTRAINT = 'disbursement_reversal_not_larger_than_original';\n            END IF;\n            RETURN NEW;\n        ", hash='80495495160992fdb2f1e00341a696d43e2c6c0f', operation='INSERT OR UPDATE', pgid='pgtrigger_disbursement_reversal_rules_d3dbe', table='portfolio_disbursement', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='distribution',
            trigger=pgtrigger.compiler.Trigger(name='distribution_paid_not_deleted', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."status" = \'paid\')', func="RAISE EXCEPTION 'a paid distribution cannot be undone or deleted' USING ERRCODE = 'check_violation', CONSTRAINT = 'distribution_paid_is_permanent';", hash='3fcb95edc902a4a88e1f39711cad5b6103af6d64', operation='DELETE', pgid='pgtrigger_distribution_paid_not_deleted_fd7c5', table='portfolio_distribution', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='distribution',
            trigger=pgtrigger.compiler.Trigger(name='distribution_paid_frozen', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN ((OLD."status" = \'paid\') AND ((OLD."date" IS DISTINCT FROM (NEW."date") OR OLD."fund_id" IS DISTINCT FROM (NEW."fund_id") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."kind" IS DISTINCT FROM (NEW."kind") OR OLD."number" IS DISTINCT FROM (NEW."number") OR OLD."status" IS DISTINCT FROM (NEW."status"))))', func="RAISE EXCEPTION 'a paid distribution cannot be undone or changed but for its note' USING ERRCODE = 'check_violation', CONSTRAINT = 'distribution_paid_is_permanent';", hash='b061999402d9d37521dae55ffa2ca03e832807d2', operation='UPDATE', pgid='pgtrigger_distribution_paid_frozen_4d751', table='portfolio_distribution', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='distributionitem',
            trigger=pgtrigger.compiler.Trigger(name='distribution_item_paid_is_permanent', sql=pgtrigger.compiler.UpsertTriggerSql(declare='DECLARE old_paid boolean; new_paid boolean;', func="\n            IF TG_OP <> 'INSERT' THEN\n                SELECT status = 'paid' INTO old_paid FROM portfolio_distribution\n                    WHERE id = OLD.distribution_id;\n            END IF;\n            IF TG_OP <> 'DELETE' THEN\n                SELECT status = 'paid' INTO new_paid FROM portfolio_distribution\n                    WHERE id = NEW.distribution_id;\n            END IF;\n            IF (coalesce(old_paid, false) OR coalesce(new_paid, false))\n               AND (TG_OP <> 'UPDATE' OR OLD IS DISTINCT FROM NEW) THEN\n                RAISE EXCEPTION 'the items of a paid distribution cannot be added, changed or deleted' USING ERRCODE = 'check_violation', CONSTRAINT = 'distribution_item_paid_is_permanent';\n            END IF;\n            IF TG_OP = 'DELETE' THEN\n                RETURN OLD;\n            END IF;\n            RETURN NEW;\n        ", hash='e18aa6a50b6741898f1206ceea2be7b7dafa26e7', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_distribution_item_paid_is_permanent_69e52', table='portfolio_distributionitem', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='project',
            trigger=pgtrigger.compiler.Trigger(name='project_commitment_covers_paid', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (NEW."commitment" < (OLD."commitment"))', declare='DECLARE paid numeric;', func="\n            SELECT coalesce(sum(amount), 0) INTO paid FROM portfolio_disbursement\n                WHERE project_id = NEW.id AND status = 'paid';\n            IF paid > NEW.commitment THEN\n                RAISE EXCEPTION 'a project''s commitment cannot be less than what was already paid to it' USING ERRCODE = 'check_violation', CONSTRAINT = 'project_commitment_covers_paid';\n            END IF;\n            RETURN NEW;\n        ", hash='88d59626246bd1089b75b3c5e218ddfa7119ae1a', operation='UPDATE OF "commitment"', pgid='pgtrigger_project_commitment_covers_paid_bb061', table='portfolio_project', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='receipt',
            trigger=pgtrigger.compiler.Trigger(name='portfolio_receipt_not_deleted', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'a paid money record cannot be deleted' USING ERRCODE = 'check_violation', CONSTRAINT = 'portfolio_receipt_is_permanent';", hash='aa9e7dfd264c0ceef0d8a40ad0eaf53fb1a78852', operation='DELETE', pgid='pgtrigger_portfolio_receipt_not_deleted_a7adf', table='portfolio_receipt', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='receipt',
            trigger=pgtrigger.compiler.Trigger(name='portfolio_receipt_frozen', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (((OLD."amount" IS DISTINCT FROM (NEW."amount") OR OLD."date" IS DISTINCT FROM (NEW."date") OR OLD."fx_rate" IS DISTINCT FROM (NEW."fx_rate") OR OLD."fx_rate_date" IS DISTINCT FROM (NEW."fx_rate_date") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."original_amount" IS DISTINCT FROM (NEW."original_amount") OR OLD."original_currency" IS DISTINCT FROM (NEW."original_currency") OR OLD."project_id" IS DISTINCT FROM (NEW."project_id"))))', func="RAISE EXCEPTION 'a paid money record cannot change its amount, date, parent, currency or any column but source, note' USING ERRCODE = 'check_violation', CONSTRAINT = 'portfolio_receipt_is_permanent';", hash='6318d73b7bc6b1ae72299ccbac25c3ce4d4fef7b', operation='UPDATE', pgid='pgtrigger_portfolio_receipt_frozen_a218e', table='portfolio_receipt', when='BEFORE')),
        ),
    ]

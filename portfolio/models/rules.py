"""Rules that span rows or freeze a row, declared beside the models as PostgreSQL triggers (django-pgtrigger).

`makemigrations` turns each model's `Meta.triggers` into migration operations; SQLite (the demo) skips them
and relies on model validation and the services. Each refusal is a `check_violation` that names its rule in
the CONSTRAINT field, so Django raises `IntegrityError` and a caller can tell the rules apart.

"Frozen once paid" is written as the few columns that may still change: the trigger compares every other
column, so a column added later is frozen without anyone remembering to list it (the trigger, and with it its
migration, changes when a field is added).
"""

import pgtrigger


def refuse(rule: str, message: str) -> str:
    """The PL/pgSQL that refuses the row, naming `rule` as the constraint."""
    quoted = message.replace("'", "''")
    return f"RAISE EXCEPTION '{quoted}' USING ERRCODE = 'check_violation', CONSTRAINT = '{rule}';"


class AllOf(pgtrigger.Condition):
    """Every one of the conditions (pgtrigger's Q cannot be combined with AnyChange)."""

    def __init__(self, *conditions: pgtrigger.Condition):
        self.conditions = conditions

    def resolve(self, model) -> str:
        # Wrapped whole: CREATE TRIGGER wants the WHEN condition in one pair of parentheses.
        return "(" + " AND ".join(f"({condition.resolve(model)})" for condition in self.conditions) + ")"


def frozen(
    *, name: str, when: pgtrigger.Condition | None, open_columns: tuple[str, ...], rule: str, message: str
):
    """Refuse an update that changes any column but `open_columns` of a row for which `when` holds."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Update,
        condition=AllOf(*filter(None, [when, pgtrigger.AnyChange(exclude=list(open_columns))])),
        func=refuse(rule, message),
    )


def never_deleted(*, name: str, rule: str, message: str, when: pgtrigger.Condition | None = None):
    """Refuse the deletion of a row (for which `when` holds)."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Delete,
        condition=when,
        func=refuse(rule, message),
    )


PAID = pgtrigger.Q(old__status="paid")

# The database's own words (in English, for whoever reads the log: the services refuse first, translated).
OVER_COMMITMENT = "the paid total of a project cannot exceed its commitment"
LARGER_REVERSAL = "a reversal cannot be larger than the disbursement it reverses"
BELOW_PAID = "a project's commitment cannot be less than what was already paid to it"
PAID_ITEMS = "the items of a paid distribution cannot be added, changed or deleted"

# What a paid record keeps open to correction (the words around the money; admin's save_correction writes
# only these). Everything else of a paid row is frozen.
DISBURSEMENT_OPEN = ("note", "bank_reference")
RECEIPT_OPEN = ("source", "note")
CAPITAL_CALL_PAYMENT_OPEN = ("bank_reference",)
DISTRIBUTION_OPEN = ("note",)


def paid_within_commitment() -> pgtrigger.Trigger:
    """The paid total of a project never exceeds its commitment.

    Locking the project row serialises concurrent payments to one project, so two that each fit alone cannot
    both land."""
    return pgtrigger.Trigger(
        name="disbursement_paid_within_project_commitment",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.Update,
        condition=pgtrigger.Q(new__status="paid", new__amount__gt=0),
        declare=[("project_commitment", "numeric"), ("paid_before", "numeric")],
        func=f"""
            SELECT commitment INTO project_commitment FROM portfolio_project
                WHERE id = NEW.project_id FOR UPDATE;
            SELECT coalesce(sum(amount), 0) INTO paid_before FROM portfolio_disbursement
                WHERE project_id = NEW.project_id AND status = 'paid' AND id <> NEW.id;
            IF paid_before + NEW.amount > project_commitment THEN
                {refuse("disbursement_paid_within_project_commitment", OVER_COMMITMENT)}
            END IF;
            RETURN NEW;
        """,
    )


def reversal_rules() -> pgtrigger.Trigger:
    """A reversal undoes a paid original (never a reversal) of its own project, by at most its amount."""
    return pgtrigger.Trigger(
        name="disbursement_reversal_rules",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.Update,
        condition=pgtrigger.Q(new__reverses__isnull=False),
        declare=[("original", "portfolio_disbursement%ROWTYPE")],
        # The original is locked so a concurrent edit cannot slip between this check and the write.
        func=f"""
            SELECT * INTO original FROM portfolio_disbursement WHERE id = NEW.reverses_id FOR UPDATE;
            IF original.reverses_id IS NOT NULL THEN
                {refuse("disbursement_reversal_of_original_only", "a reversal cannot be reversed")}
            END IF;
            IF original.status <> 'paid' THEN
                {refuse("disbursement_reversal_of_paid_only", "only a paid disbursement can be reversed")}
            END IF;
            IF original.project_id <> NEW.project_id THEN
                {refuse("disbursement_reversal_same_project", "a reversal must stay in its project")}
            END IF;
            IF -NEW.amount > original.amount THEN
                {refuse("disbursement_reversal_not_larger_than_original", LARGER_REVERSAL)}
            END IF;
            RETURN NEW;
        """,
    )


def commitment_covers_paid() -> pgtrigger.Trigger:
    """A project's commitment never drops below what has been paid to it."""
    return pgtrigger.Trigger(
        name="project_commitment_covers_paid",
        when=pgtrigger.Before,
        operation=pgtrigger.UpdateOf("commitment"),
        condition=pgtrigger.Q(new__commitment__lt=pgtrigger.F("old__commitment")),
        declare=[("paid", "numeric")],
        func=f"""
            SELECT coalesce(sum(amount), 0) INTO paid FROM portfolio_disbursement
                WHERE project_id = NEW.id AND status = 'paid';
            IF paid > NEW.commitment THEN
                {refuse("project_commitment_covers_paid", BELOW_PAID)}
            END IF;
            RETURN NEW;
        """,
    )


def distribution_items_of_paid_frozen() -> pgtrigger.Trigger:
    """The items of a paid distribution are never added, changed in any column, moved or deleted.

    Both parents count on an update: an item may neither leave a paid distribution nor join one."""
    return pgtrigger.Trigger(
        name="distribution_item_paid_is_permanent",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        declare=[("old_paid", "boolean"), ("new_paid", "boolean")],
        func=f"""
            IF TG_OP <> 'INSERT' THEN
                SELECT status = 'paid' INTO old_paid FROM portfolio_distribution
                    WHERE id = OLD.distribution_id;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                SELECT status = 'paid' INTO new_paid FROM portfolio_distribution
                    WHERE id = NEW.distribution_id;
            END IF;
            IF (coalesce(old_paid, false) OR coalesce(new_paid, false))
               AND (TG_OP <> 'UPDATE' OR OLD IS DISTINCT FROM NEW) THEN
                {refuse("distribution_item_paid_is_permanent", PAID_ITEMS)}
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        """,
    )


def received_money_permanent(table: str, open_columns: tuple[str, ...]) -> list[pgtrigger.Trigger]:
    """Money that has arrived (a receipt, a capital call payment) is never deleted, and only its
    `open_columns` may change: corrections are new records."""
    rule = f"{table}_is_permanent"
    return [
        never_deleted(
            name=f"{table}_not_deleted", rule=rule, message="a paid money record cannot be deleted"
        ),
        frozen(
            name=f"{table}_frozen",
            when=None,
            open_columns=open_columns,
            rule=rule,
            message="a paid money record cannot change its amount, date, parent, currency or any column but "
            + ", ".join(open_columns),
        ),
    ]

"""A paid record is frozen but for the few columns it keeps open to correction (portfolio/models/rules.py).

The rule is a short allowlist, not a list of frozen columns: every other column, one added tomorrow included,
is refused by PostgreSQL. These tests walk every concrete field the model has today, so a field the triggers
forgot (or an allowlist that grew) fails here.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pgtrigger
import pytest
from django.db import models as django_models
from django.utils import timezone

from portfolio import models
from portfolio.models import rules
from tests.factories import (
    CapitalCallPaymentFactory,
    DisbursementFactory,
    DistributionFactory,
    DistributionItemFactory,
    ReceiptFactory,
)
from tests.test_constraints import COMPLETE_FOREIGN_AMOUNT, refused_by

pytestmark = pytest.mark.django_db


def paid_disbursement():
    return DisbursementFactory(paid=True, amount=Decimal("45455000.00"), **COMPLETE_FOREIGN_AMOUNT)


def paid_distribution():
    distribution = DistributionFactory()
    DistributionItemFactory(distribution=distribution)
    models.Distribution.objects.filter(pk=distribution.pk).update(status=models.Distribution.Status.PAID)
    distribution.refresh_from_db()
    return distribution


def item_of_a_paid_distribution():
    distribution = DistributionFactory()
    item = DistributionItemFactory(distribution=distribution, **COMPLETE_FOREIGN_AMOUNT)
    models.Distribution.objects.filter(pk=distribution.pk).update(status=models.Distribution.Status.PAID)
    return item


# model: (a paid record of it, the columns it keeps open, the rule that refuses the others)
PAID_RECORDS = {
    models.Disbursement: (paid_disbursement, rules.DISBURSEMENT_OPEN, "disbursement_paid_is_permanent"),
    models.Receipt: (
        lambda: ReceiptFactory(**COMPLETE_FOREIGN_AMOUNT),
        rules.RECEIPT_OPEN,
        "portfolio_receipt_is_permanent",
    ),
    models.CapitalCallPayment: (
        lambda: CapitalCallPaymentFactory(**COMPLETE_FOREIGN_AMOUNT),
        rules.CAPITAL_CALL_PAYMENT_OPEN,
        "portfolio_capitalcallpayment_is_permanent",
    ),
    models.Distribution: (paid_distribution, rules.DISTRIBUTION_OPEN, "distribution_paid_is_permanent"),
    models.DistributionItem: (item_of_a_paid_distribution, (), "distribution_item_paid_is_permanent"),
}

FROZEN_COLUMNS = [
    pytest.param(model, field.name, id=f"{model.__name__}.{field.name}")
    for model, (_make, open_columns, _rule) in PAID_RECORDS.items()
    for field in model._meta.concrete_fields
    if field.name not in open_columns
]
OPEN_COLUMNS = [
    pytest.param(model, name, id=f"{model.__name__}.{name}")
    for model, (_make, open_columns, _rule) in PAID_RECORDS.items()
    for name in open_columns
]


def another_value(field, value):
    """A value of the field's type that differs from `value`; validity does not matter, because the BEFORE
    trigger answers before any CHECK, UNIQUE or foreign key is looked at."""
    if field.is_relation:
        return (value or 0) + 1_000_000
    if isinstance(field, django_models.DateTimeField):
        return (value or timezone.now()) + datetime.timedelta(days=1)
    if isinstance(field, django_models.DateField):
        return (value or datetime.date(2025, 1, 1)) + datetime.timedelta(days=1)
    if isinstance(field, django_models.DecimalField):
        return (value or Decimal("0")) + 1
    if isinstance(field, django_models.IntegerField | django_models.AutoField):
        return (value or 0) + 1_000_000
    if isinstance(field, django_models.BooleanField):
        return not value
    if field.choices:
        return next(choice for choice, _label in field.flatchoices if choice != value)
    if isinstance(field, django_models.CharField | django_models.TextField):
        return "Z" * min(field.max_length or 3, 3) if value != "ZZZ" else "YYY"
    raise AssertionError(f"No other value known for {field!r}: teach another_value its type.")


@pytest.mark.parametrize(("model", "name"), FROZEN_COLUMNS)
def test_every_column_of_a_paid_record_but_the_open_ones_is_refused_by_the_database(model, name):
    make, _open_columns, rule = PAID_RECORDS[model]
    record = make()
    field = model._meta.get_field(name)
    before = getattr(record, field.attname)

    with refused_by(rule):
        model.objects.filter(pk=record.pk).update(**{field.attname: another_value(field, before)})

    assert model.objects.filter(pk=record.pk, **{field.attname: before}).exists()


@pytest.mark.parametrize(("model", "name"), OPEN_COLUMNS)
def test_the_open_columns_of_a_paid_record_can_still_be_corrected(model, name):
    make, _open_columns, _rule = PAID_RECORDS[model]
    record = make()
    field = model._meta.get_field(name)
    corrected = another_value(field, getattr(record, field.attname))

    model.objects.filter(pk=record.pk).update(**{field.attname: corrected})

    assert getattr(model.objects.get(pk=record.pk), field.attname) == corrected


@pytest.mark.parametrize("model", list(PAID_RECORDS), ids=lambda model: model.__name__)
def test_the_installed_triggers_compare_every_column_the_model_has_but_the_open_ones(model):
    """The triggers are rendered from the model's fields, and the installed ones are the rendered ones: a
    field added to the model changes the trigger (makemigrations --check fails until it is migrated)."""
    _make, open_columns, _rule = PAID_RECORDS[model]
    triggers = [trigger for registered, trigger in pgtrigger.registered() if registered is model]
    rendered = " ".join(str(trigger.compile(model).sql) for trigger in triggers)

    for field in model._meta.concrete_fields:
        if field.name in open_columns:
            assert f'"{field.column}"' not in rendered, field.name
        elif (
            model is not models.DistributionItem
        ):  # its trigger compares whole rows: OLD IS DISTINCT FROM NEW
            assert f'OLD."{field.column}" IS DISTINCT FROM' in rendered, field.name
    for trigger in triggers:
        assert trigger.get_installation_status(model) == ("INSTALLED", True), trigger.name


def test_no_code_of_the_app_lifts_the_rules():
    """pgtrigger.ignore() lets the code inside it skip named triggers; the app never asks for that."""
    app = Path(__file__).resolve().parent.parent / "portfolio"
    lifting = [path for path in app.rglob("*.py") if "pgtrigger.ignore" in path.read_text(encoding="utf-8")]
    assert lifting == []

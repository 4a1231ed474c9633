"""The demo, seeded once for a test module: built by the command inside a transaction that is rolled back
when the module ends, so the seeded rows never reach another module."""

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models as db_models
from django.db import transaction
from django.db.models import Sum
from simple_history.models import HistoricalChanges

from portfolio.models import Disbursement


def seed_command():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The command's output; the demo it built stays in the database until the module ends."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed_command()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def total(queryset, field="amount"):
    return queryset.aggregate(total=Sum(field))["total"] or Decimal("0.00")


def net_paid(queryset):
    return total(queryset.filter(status=Disbursement.Status.PAID))


def table_state():
    counts = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    sums = {}
    for model in apps.get_app_config("portfolio").get_models():
        for field in model._meta.fields:
            if isinstance(field, db_models.DecimalField):
                sums[f"{model._meta.label}.{field.name}"] = total(model._default_manager.all(), field.name)
    return counts, sums


def seeded_models():
    return [
        model
        for model in apps.get_app_config("portfolio").get_models()
        if not issubclass(model, HistoricalChanges)
    ]

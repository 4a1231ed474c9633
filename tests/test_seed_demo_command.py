"""`manage.py seed_demo` on an empty database: it refuses a production-looking setup unless forced; and the
demo's FX rates, which never depend on the clock."""

import datetime
from functools import partial
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from portfolio import demo
from portfolio.models import Fund, FxRate

pytestmark = pytest.mark.django_db


def test_the_command_refuses_to_run_without_force_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())

    assert not Fund.objects.exists()
    assert not FxRate.objects.exists()
    assert not get_user_model().objects.exists()


def test_the_command_runs_with_force_when_debug_is_off_and_mails_nobody(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = False

    with django_capture_on_commit_callbacks() as after_commit:
        call_command("seed_demo", "--force", stdout=StringIO())

    assert Fund.objects.filter(slug="tolqyn").exists()
    # The demo is a history import: its requests and approvals queue no mail.
    assert [
        getattr(callback, "func", None) for callback in after_commit if isinstance(callback, partial)
    ] == []


def test_the_rates_are_the_same_on_every_run_and_never_depend_on_the_clock():
    assert demo.usd_rates() == demo.usd_rates()
    assert demo.usd_rates(end=datetime.date(2025, 2, 1)).items() <= demo.usd_rates().items()

"""Carrying values of projects, for NAV."""

import datetime

from django.db import transaction

from portfolio.models import Project, Valuation
from portfolio.money import NOT_NEGATIVE

from .common import date_input, locked, money_input, require_manage, save, text_input


@transaction.atomic
def valuation_record(*, user, project: Project, date: datetime.date, amount, note: str = "") -> Valuation:
    """Record a manager's carrying value of a project at a date (one per project and date; zero allowed)."""
    require_manage(user, project.fund)
    # The project row locked first: two identical posts at once queue here, and the second one's uniqueness
    # check then sees the first and is refused in words, not by the database's unique key (a 500).
    project = locked(Project, project.pk)
    valuation = Valuation(
        project=project,
        date=date_input(date, field="date", not_future=True),
        amount=money_input(amount, field="amount", sign=NOT_NEGATIVE),
        note=text_input(note, field="note"),
        recorded_by=user,
    )
    return save(valuation, user=user)

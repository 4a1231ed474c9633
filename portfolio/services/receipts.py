"""Money coming back to the fund from its projects."""

import datetime

from django.db import transaction

from portfolio.models import Project, Receipt

from .common import Foreign, date_input, foreign_fields, money_input, require_manage, save, text_input


@transaction.atomic
def receipt_record(
    *,
    user,
    project: Project,
    date: datetime.date,
    amount,
    source: str = Receipt.Source.BOX_OFFICE,
    note: str = "",
    foreign: Foreign | None = None,
) -> Receipt:
    """Record money received from a project (box office, streaming, a loan repaid, ...) on a past date."""
    require_manage(user, project.fund)
    receipt = Receipt(
        project=project,
        date=date_input(date, field="date", not_future=True),
        amount=money_input(amount, field="amount"),
        source=source,
        note=text_input(note, field="note"),
        **foreign_fields(foreign),
    )
    return save(receipt, user=user)

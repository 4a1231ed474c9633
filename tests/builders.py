"""Helpers for the service tests: a fund with two managers and investors, projects built through the
services, and assertions for refusals and the audit history."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portfolio.models import Fund, Project, Stage, Tranche
from portfolio.services.projects import project_create, project_stage_change
from portfolio.services.tranches import TrancheInput, tranche_schedule_set
from tests.factories import CommitmentFactory, FundFactory, UserFactory

M = Decimal
D = datetime.date
APPROVED_ON = D(2025, 3, 3)


@dataclass
class Team:
    fund: Fund
    manager: object
    approver: object
    outsider: object  # a manager of another fund


def team(**fund_values) -> Team:
    """A fund (target 5.5 bn, cap 15%) with 4.4 bn committed by two investors, and its two managers."""
    fund = FundFactory(**fund_values)
    CommitmentFactory(fund=fund, amount=M("2400000000.00"), date=D(2025, 1, 15))
    CommitmentFactory(fund=fund, amount=M("2000000000.00"), date=D(2025, 1, 20))
    manager, approver, outsider = UserFactory(), UserFactory(), UserFactory()
    fund.managers.add(manager, approver)
    FundFactory().managers.add(outsider)
    return Team(fund=fund, manager=manager, approver=approver, outsider=outsider)


_slugs = iter(range(1, 10**6))


def project(t: Team, *, commitment="300000000.00", budget="900000000.00", **values) -> Project:
    """A project approved through the service, at development since APPROVED_ON."""
    number = next(_slugs)
    values = {
        "title": f"Film {number}",
        "slug": f"film-{number}",
        "total_budget": budget,
        "commitment": commitment,
        "approval_date": APPROVED_ON,
        **values,
    }
    return project_create(user=t.manager, fund=t.fund, **values)


def eligible_tranche(t: Team, p: Project, *, shares=(1,)) -> Tranche:
    """Give `p` a schedule whose first tranche is due on signing (a date already past), without conditions."""
    entries = [
        TrancheInput(
            number=index,
            share=share,
            planned_date=D(2025, 4, 1),
            trigger_date=APPROVED_ON if index == 1 else None,
            trigger_stage="" if index == 1 else Stage.PRODUCTION,
        )
        for index, share in enumerate(shares, start=1)
    ]
    tranche_schedule_set(user=t.manager, project=p, tranches=entries)
    return p.tranches.get(number=1)


def move(t: Team, p: Project, *stages_and_dates) -> None:
    for stage, date in stages_and_dates:
        project_stage_change(project=p, stage=stage, date=date, user=t.manager)


def refused(service, **kwargs) -> dict[str, list[str]]:
    """The field-keyed messages the service refuses with."""
    with pytest.raises(ValidationError) as excinfo:
        service(**kwargs)
    return excinfo.value.message_dict


def last_actor(record):
    """Who the audit history names for the record's latest change."""
    return record.history.order_by("-history_id").first().history_user

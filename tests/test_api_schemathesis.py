"""Schemathesis against a live server: the API answers what its OpenAPI schema says, for every identity.

Each identity gets its own run of the whole engine (examples, coverage, fuzzing and the stateful phase, every
check) against `live_server`, with a fixed seed and a bounded number of examples so the run stays short. The
command is printed on failure, so a failure can be replayed by hand against `make run`.
"""

import datetime
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from portfolio.services.capital_calls import capital_call_issue
from portfolio.services.disbursements import disbursement_approve, disbursement_pay, disbursement_request
from portfolio.services.progress import progress_snapshot_refresh
from portfolio.services.projects import project_create
from portfolio.services.tranches import TrancheInput, tranche_schedule_set
from tests.factories import (
    CapitalCallFactory,
    CapitalCallItemFactory,
    CapitalCallPaymentFactory,
    DisbursementFactory,
    FundFactory,
    ProjectFactory,
    UserFactory,
)
from tests.test_api import investor_user_in

pytestmark = pytest.mark.django_db(transaction=True)

D = datetime.date
# Examples per operation and phase: enough to reach every parameter's edge cases, few enough for minutes.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261129"))


def seed() -> dict[str, object]:
    """Two funds with money on their ledgers and snapshots; one user for each identity."""
    fund = FundFactory(name="Tolqyn Film Fund OEIC Ltd.", slug="tolqyn")
    other = FundFactory(name="Steppe Documentary Fund", slug="steppe-docs")
    manager, requester, approver = (UserFactory(username=name) for name in ("manager", "alice", "bob"))
    fund.managers.add(manager, requester, approver)
    investor_user, investor = investor_user_in(fund, "investor", "Altyn Dala Capital")
    outsider, _ = investor_user_in(other, "outsider", "Outsider Capital")
    call = CapitalCallFactory(fund=fund, amount=Decimal("60000000.00"), call_date=D(2025, 3, 1))
    item = CapitalCallItemFactory(capital_call=call, investor=investor, amount=Decimal("60000000.00"))
    CapitalCallPaymentFactory(item=item, amount=Decimal("60000000.00"), date=D(2025, 3, 10))
    for title in ("Дала әні", "Степной ветер"):
        project = ProjectFactory(
            fund=fund, title=title, approval_date=D(2025, 3, 15), commitment=Decimal("100000000.00")
        )
        DisbursementFactory(
            project=project,
            paid=True,
            paid_date=D(2025, 4, 1),
            amount=Decimal("20000000.00"),
            requested_by=requester,
            approved_by=approver,
        )
    for day in (D(2025, 12, 31), D(2026, 1, 31), D(2026, 2, 28)):
        progress_snapshot_refresh(fund_id=fund.pk, as_of=day)
    _writable(fund, requester, approver)
    return {"investor": investor_user, "outsider": outsider, "manager": manager, "anonymous": None}


def _writable(fund, requester, approver) -> None:
    """Records in every state a write acts on, made through the services: a project with an eligible
    tranche, disbursements requested, approved and paid (by two managers other than `manager`, so that
    `manager` may approve, reject, pay and reverse them), and a capital call with an item to pay."""
    film = project_create(
        user=requester,
        fund=fund,
        title="Көк бөрі",
        slug="kok-bori",
        total_budget="200000000.00",
        commitment="50000000.00",
        approval_date=D(2025, 3, 3),
    )
    tranche_schedule_set(
        user=requester,
        project=film,
        tranches=[TrancheInput(number=1, share=1, planned_date=D(2025, 4, 1), trigger_date=D(2025, 3, 3))],
    )
    tranche = film.tranches.get()
    ask = lambda: disbursement_request(user=requester, tranche=tranche, amount="1000000.00")  # noqa: E731
    ask()
    disbursement_approve(user=approver, disbursement=ask())
    today = timezone.localdate()
    approved = disbursement_approve(user=approver, disbursement=ask())
    disbursement_pay(user=requester, disbursement=approved, paid_date=today, bank_reference="KZ-1")
    capital_call_issue(
        user=requester, fund=fund, call_date=D(2025, 6, 1), due_date=D(2025, 6, 17), amount="1000000.00"
    )


# A schema says what a well-formed request is, not whether the fund's rules allow it today: a valid
# request to pay a disbursement that is not approved yet, or to approve one's own request, is refused by
# the service with a 400 and its message. For writes, that 400 is an expected answer to valid data.
CONFIG = """
[[operations]]
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "422"]
"""


def schemathesis_command(base_url: str, user, report: Path) -> list[str]:
    config = report.with_name("schemathesis.toml")
    config.write_text(CONFIG)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        f"--config-file={config}",
        "run",
        f"{base_url}/api/schema/?format=json",
        "--checks=all",
        "--phases=examples,coverage,fuzzing,stateful",
        f"--max-examples={MAX_EXAMPLES}",
        f"--seed={SEED}",
        "--workers=1",
        "--request-timeout=30",
        "--suppress-health-check=too_slow",
        "--report=junit",
        f"--report-junit-path={report}",
    ]
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        command.append(f"--header=Authorization: Token {token.key}")
    return command


@pytest.mark.parametrize("identity", ["investor", "outsider", "manager", "anonymous"])
def test_the_api_keeps_every_promise_of_its_schema(live_server, tmp_path, identity):
    users = seed()
    command = schemathesis_command(live_server.url, users[identity], tmp_path / "junit.xml")
    assert shutil.which(command[0]), "schemathesis is installed with the test extra"
    started = time.monotonic()
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # Schemathesis keeps a cache of crashes in the working directory
        env={**os.environ, "NO_COLOR": "1"},
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    print(f"schemathesis for {identity}: {elapsed:.1f} s\n{output}")
    assert result.returncode == 0, output[-20000:]

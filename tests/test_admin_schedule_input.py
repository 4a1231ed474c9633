"""A tranche number below 1 typed into admin's schedule page: a clear message, nothing saved, never a 500."""

import pytest

from tests.builders import project
from tests.test_admin_money import _action_errors, _rows, _schedule_url, as_user, t  # noqa: F401  (t: fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("number", ["0", "-1"])
def test_a_tranche_numbered_below_one_is_refused_and_nothing_is_saved(client, t, number):  # noqa: F811
    p = project(t)

    response = as_user(client, t.manager).post(
        _schedule_url(p),
        _rows(
            {"number": number, "share_pct": "100", "planned_date": "2025-04-01", "trigger_date": "2025-03-03"}
        ),
    )

    assert response.status_code == 200
    assert _action_errors(response) == ["Tranches are numbered from 1."]
    assert not p.tranches.exists()

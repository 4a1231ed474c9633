"""The read API's access matrix: every read endpoint of a fund, for every role of tests/test_api_access.py.

A manager of another fund is nobody here, with or without staff status: staff status opens admin's door,
never another fund's figures. Anonymous is 401; whoever may not see the fund gets 404, as if it did not
exist."""

import pytest

from tests.test_api_access import ROLES, client_for, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.django_db

SEES_TOLQYN = {"investor", "manager", "approver", "superuser"}

READS = {
    "fund": "/api/v1/funds/tolqyn/",
    "progress": "/api/v1/funds/tolqyn/progress/",
    "live progress": "/api/v1/funds/tolqyn/progress/?live=true",
    "history": "/api/v1/funds/tolqyn/progress/history/",
}


def expected(role: str) -> int:
    if role == "anonymous":
        return 401
    return 200 if role in SEES_TOLQYN else 404


@pytest.mark.parametrize("endpoint", READS)
@pytest.mark.parametrize("role", ROLES)
def test_every_read_endpoint_of_a_fund_answers_by_role(world, role, endpoint):  # noqa: F811
    _t, users, _ids = world

    response = client_for(users[role]).get(READS[endpoint])

    assert response.status_code == expected(role), response.content[:200]
    if response.status_code == 200 and endpoint == "fund":
        assert response.json()["slug"] == "tolqyn"


@pytest.mark.parametrize("role", ROLES)
def test_the_fund_list_shows_the_fund_only_to_those_who_may_see_it(world, role):  # noqa: F811
    _t, users, _ids = world

    response = client_for(users[role]).get("/api/v1/funds/")

    if role == "anonymous":
        assert response.status_code == 401
        return
    slugs = {row["slug"] for row in response.json()["results"]}
    assert ("tolqyn" in slugs) == (role in SEES_TOLQYN)
    # The other fund's people see their own fund: the list is not simply empty for them.
    assert ("steppe-docs" in slugs) == (
        role in {"outsider", "other_manager", "other_staff_manager", "superuser"}
    )

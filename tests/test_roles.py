"""The one roles module: who sees and who changes which fund, asked the same way everywhere."""

import pytest

from portfolio import roles
from tests.factories import CommitmentFactory, FundFactory, InvestorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def funds():
    return FundFactory(slug="tolqyn"), FundFactory(slug="steppe-docs")


def _people(tolqyn, docs):
    manager = UserFactory(username="manager")
    tolqyn.managers.add(manager)
    staff_manager_of_docs = UserFactory(username="docs-boss", is_staff=True)
    docs.managers.add(staff_manager_of_docs)
    investor_user = UserFactory(username="investor")
    investor = InvestorFactory()
    investor.users.add(investor_user)
    CommitmentFactory(fund=tolqyn, investor=investor)
    return {
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        "manager": manager,
        "staff manager of the other fund": staff_manager_of_docs,
        "investor": investor_user,
        "staff without a fund": UserFactory(username="clerk", is_staff=True),
        "stranger": UserFactory(username="stranger"),
        "inactive manager": _inactive_manager(tolqyn),
    }


def _inactive_manager(fund):
    user = UserFactory(username="gone", is_active=False)
    fund.managers.add(user)
    return user


# who: (role in tolqyn, may manage tolqyn, may view tolqyn, sees every investor of tolqyn)
EXPECTED = {
    "superuser": (roles.SUPERUSER, True, True, True),
    "manager": (roles.MANAGER, True, True, True),
    "staff manager of the other fund": (None, False, False, False),
    "investor": (roles.INVESTOR, False, True, False),
    "staff without a fund": (None, False, False, False),
    "stranger": (None, False, False, False),
    "inactive manager": (None, False, False, False),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_each_role_in_a_fund_answers_the_same_through_rules_and_helpers(funds, who):
    tolqyn, docs = funds
    user = _people(tolqyn, docs)[who]
    role, manage, view, all_investors = EXPECTED[who]
    assert roles.role_in_fund(user, tolqyn) == role
    assert user.has_perm("portfolio.manage_fund", tolqyn) is manage
    assert user.has_perm("portfolio.view_fund", tolqyn) is view
    assert user.has_perm("portfolio.view_all_investors", tolqyn) is all_investors
    assert (tolqyn in roles.funds_managed_by(user)) is manage
    assert (tolqyn in roles.funds_visible_to(user)) is view


def test_anonymous_users_see_and_manage_nothing(funds):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not roles.funds_visible_to(anonymous).exists()
    assert not roles.funds_managed_by(anonymous).exists()
    assert roles.role_in_fund(anonymous, funds[0]) is None
    assert roles.investor_ids_of(anonymous) == set()


def test_a_superuser_is_not_a_named_manager_for_four_eyes(funds):
    tolqyn, _docs = funds
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    manager = UserFactory(username="manager")
    tolqyn.managers.add(manager)
    assert roles.is_manager_of(manager, tolqyn)
    assert not roles.is_manager_of(root, tolqyn)


def test_funds_visible_to_lists_a_fund_once_however_many_links(funds):
    tolqyn, _docs = funds
    user = UserFactory(username="both")
    tolqyn.managers.add(user)
    for _ in range(3):
        investor = InvestorFactory()
        investor.users.add(user)
        CommitmentFactory(fund=tolqyn, investor=investor)
    assert list(roles.funds_visible_to(user)) == [tolqyn]

import os

import pytest
from django.conf import settings

pytest_plugins = ("celery.contrib.pytest",)

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made from the test body
# (fixtures, assertions) are still plain synchronous calls, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    # The suite proves database-level rules (CHECK constraints, triggers, row locks): on SQLite it would
    # pass for the wrong reasons, so refuse to run there.
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(f"Run the tests on PostgreSQL (make test sets DATABASE_URL); got {engine}.")
    # Factories create many users; a deliberately slow password hash would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded browser; the flags keep it off the (closed) network.
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    # A request in Russian or Kazakh leaves that language active on the thread (LocaleMiddleware activates
    # it and nothing deactivates it); later tests must start in English again.
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def fund():
    """The Tolqyn fund as the page and API tests know it (slug `tolqyn`)."""
    from tests.factories import FundFactory

    return FundFactory(name="Tolqyn Film Fund OEIC Ltd.", slug="tolqyn")


@pytest.fixture
def manager(fund):
    """A fund manager of `fund`."""
    from tests.factories import UserFactory

    user = UserFactory(username="manager")
    fund.managers.add(user)
    return user

import pytest
from django.conf import settings


def pytest_configure(config):
    # The suite proves database-level rules (CHECK constraints, triggers, row locks): on SQLite it would
    # pass for the wrong reasons, so refuse to run there.
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(f"Run the tests on PostgreSQL (make test sets DATABASE_URL); got {engine}.")

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portfolio import signals, tasks  # noqa: F401
        from portfolio.roles import sync_fund_manager_group

        # The tasks register with Celery in every process (not only in workers), so the recompute request
        # finds its task by name after commit without importing the tasks module itself (which imports it).
        signals.connect()

        # After every migrate the "Fund managers" group gets exactly the permissions listed in roles.py.
        post_migrate.connect(sync_fund_manager_group, sender=self)

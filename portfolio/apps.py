from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portfolio import signals
        from portfolio.roles import sync_fund_manager_group

        signals.connect()

        # After every migrate the "Fund managers" group gets exactly the permissions listed in roles.py.
        post_migrate.connect(sync_fund_manager_group, sender=self)

"""Django admin for the portfolio: one module per area, registered on import."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import (  # noqa: F401  (registers the model admins)
    capital,
    disbursements,
    funds,
    ledger,
    progress,
    projects,
    reference,
    tranches,
    users,
)

admin.site.site_header = _("fundtracker administration")
admin.site.site_title = _("fundtracker administration")
admin.site.index_title = _("fundtracker administration")

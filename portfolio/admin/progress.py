"""Admin for what the progress engine stores besides snapshots: read-only, since only the engine writes it."""

from django.contrib import admin

from portfolio.models import CapitalAccount, ProgressStaleMark

from .guards import GuardedAdminMixin
from .scoping import FundFilter, FundScopedMixin, PortfolioAdmin


class ReadOnlyAdmin(FundScopedMixin, GuardedAdminMixin, admin.ModelAdmin):
    show_full_result_count = PortfolioAdmin.show_full_result_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # A capital account is rewritten with its snapshot, and a stale mark is a recompute still owed: deleting
    # either by hand would only hide a figure or lose a correction.
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CapitalAccount)
class CapitalAccountAdmin(ReadOnlyAdmin):
    list_display = ("fund", "investor", "as_of", "commitment", "paid_in", "nav_share", "tvpi", "net_irr")
    list_select_related = ("fund", "investor")
    list_filter = (("fund", FundFilter),)
    date_hierarchy = "as_of"
    search_fields = ("investor__name", "fund__name")


@admin.register(ProgressStaleMark)
class ProgressStaleMarkAdmin(ReadOnlyAdmin):
    list_display = ("fund", "stale_from", "marked_at")
    list_select_related = ("fund",)

"""Admin for FX rates (importable from CSV) and the progress snapshots the background job writes."""

import json
from decimal import Decimal, InvalidOperation

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ImportExportMixin

from portfolio.models import FxRate, ProgressSnapshot

from .base import AdminModelForm, format_money
from .guards import GuardedAdminMixin
from .scoping import FundFilter, FundScopedMixin, PortfolioAdmin


class FxRateResource(resources.ModelResource):
    """CSV columns currency, date, rate[, source]; a row for an existing currency and date updates it."""

    class Meta:
        model = FxRate
        fields = ("currency", "date", "rate", "source")
        import_id_fields = ("currency", "date")
        skip_unchanged = True
        report_skipped = True
        # Run FxRate.clean and the constraints, so a bad row is reported instead of failing in the database.
        clean_model_instances = True


@admin.register(FxRate)
class FxRateAdmin(ImportExportMixin, PortfolioAdmin):
    form = AdminModelForm
    resource_classes = (FxRateResource,)
    list_display = ("currency", "date", "rate", "source")
    list_filter = ("currency", "source")
    search_fields = ("currency",)
    date_hierarchy = "date"

    # Importing writes rates, so it needs the rights to add and change them, not only to open the page.
    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)


@admin.register(ProgressSnapshot)
class ProgressSnapshotAdmin(FundScopedMixin, GuardedAdminMixin, admin.ModelAdmin):
    """Snapshots are computed by the background job: admin only reads them (and may delete a bad one)."""

    show_full_result_count = PortfolioAdmin.show_full_result_count

    list_display = ("fund", "as_of", "committed_capital", "disbursed", "nav", "computed_at")
    list_select_related = ("fund",)
    list_filter = (("fund", FundFilter),)
    date_hierarchy = "as_of"
    search_fields = ("fund__name",)
    fields = ("fund", "as_of", "computed_at", "metrics_display")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def _metric(self, obj, name):
        value = (obj.metrics or {}).get(name)
        if value is None:
            return None
        try:
            return format_money(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)

    @admin.display(description=_("committed capital"))
    def committed_capital(self, obj):
        return self._metric(obj, "committed_capital")

    @admin.display(description=_("disbursed"))
    def disbursed(self, obj):
        return self._metric(obj, "disbursed")

    @admin.display(description=_("NAV"))
    def nav(self, obj):
        return self._metric(obj, "nav")

    @admin.display(description=_("metrics"))
    def metrics_display(self, obj):
        text = json.dumps(obj.metrics, cls=DjangoJSONEncoder, indent=2, sort_keys=True, ensure_ascii=False)
        return format_html("<pre>{}</pre>", text)

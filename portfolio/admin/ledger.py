"""Admin for money coming back from projects (receipts) and their carrying values (valuations).

Both are recorded through their services with the acting user; what arrived, when and from which project is
permanent (for superusers too), and only the words around it (source, note) may be corrected.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portfolio.models import Receipt, Valuation
from portfolio.services.receipts import receipt_record
from portfolio.services.valuations import valuation_record

from .base import FOREIGN_AMOUNT_FIELDS, money_column
from .scoping import FundFilter
from .writes import ServiceAdmin, foreign_from, save_correction


@admin.register(Receipt)
class ReceiptAdmin(ServiceAdmin):
    list_display = ("__str__", "project", "date", "amount_display", "source", "original_currency")
    list_display_links = ("__str__",)
    list_select_related = ("project",)
    list_filter = ("source", ("project__fund", FundFilter))
    search_fields = ("project__title", "note")
    date_hierarchy = "date"
    autocomplete_fields = ("project",)
    fieldsets = (
        (None, {"fields": ("project", "date", "amount", "source", "note")}),
        (_("Foreign currency"), {"fields": FOREIGN_AMOUNT_FIELDS, "classes": ("collapse",)}),
    )

    amount_display = money_column("amount", _("amount"))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("project", "date", "amount", *FOREIGN_AMOUNT_FIELDS)
        return ()

    def save_through_service(self, request, obj, form, change):
        if change:
            return save_correction(request, obj, form)
        data = form.cleaned_data
        return receipt_record(
            user=request.user,
            project=data["project"],
            date=data["date"],
            amount=data["amount"],
            source=data["source"],
            note=data["note"],
            foreign=foreign_from(data),
        )


@admin.register(Valuation)
class ValuationAdmin(ServiceAdmin):
    list_display = ("project", "date", "amount_display", "recorded_by")
    list_select_related = ("project", "recorded_by")
    list_filter = (("project__fund", FundFilter),)
    search_fields = ("project__title", "note")
    date_hierarchy = "date"
    autocomplete_fields = ("project",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("project", "date", "amount", "note")
        return ("project", "date", "amount", "note", "recorded_by")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("project", "date", "amount", "recorded_by")
        return ()

    amount_display = money_column("amount", _("carrying value"))

    def save_through_service(self, request, obj, form, change):
        if change:
            return save_correction(request, obj, form)
        data = form.cleaned_data
        return valuation_record(
            user=request.user,
            project=data["project"],
            date=data["date"],
            amount=data["amount"],
            note=data["note"],
        )

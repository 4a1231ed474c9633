"""Admin for money between the fund and its investors: capital calls, payments and distributions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portfolio.models import CapitalCall, CapitalCallItem, CapitalCallPayment, Distribution, DistributionItem

from .base import FOREIGN_AMOUNT_FIELDS, AdminModelForm, count_of, format_money, lock_fields, sum_of
from .guards import stored
from .scoping import FundFilter, PortfolioAdmin, PortfolioInline

PAID = Distribution.Status.PAID

# What an arrived payment keeps for good (the database refuses changes to them as well).
PAYMENT_PERMANENT_FIELDS = ("item", "date", "amount", *FOREIGN_AMOUNT_FIELDS)


def _without_bulk_delete(actions: dict) -> dict:
    # Bulk deletion would stop at the first permanent record with a permission error; one by one, the
    # delete page says which record is permanent and why.
    actions.pop("delete_selected", None)
    return actions


class CapitalCallPaymentForm(AdminModelForm):
    """A payment that has arrived is permanent: only its bank reference may be corrected."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            lock_fields(self, PAYMENT_PERMANENT_FIELDS)


class PaidFiguresMixin:
    """Columns "paid so far" and "outstanding" of a capital call item, from the `paid_total` annotation."""

    @admin.display(description=_("paid so far"), ordering="paid_total")
    def paid_so_far(self, obj):
        return format_money(getattr(obj, "paid_total", None))

    @admin.display(description=_("outstanding"))
    def outstanding(self, obj):
        paid = getattr(obj, "paid_total", None)
        if paid is None or obj.amount is None:
            return None
        return format_money(obj.amount - paid)


class CapitalCallItemInline(PaidFiguresMixin, PortfolioInline, admin.TabularInline):
    model = CapitalCallItem
    form = AdminModelForm
    fields = ("investor", "amount", "paid_so_far", "outstanding")
    readonly_fields = ("paid_so_far", "outstanding")
    autocomplete_fields = ("investor",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("investor")
            .annotate(paid_total=sum_of(CapitalCallPayment.objects.all(), "item"))
        )


@admin.register(CapitalCall)
class CapitalCallAdmin(PortfolioAdmin):
    form = AdminModelForm
    list_display = (
        "__str__",
        "fund",
        "number",
        "call_date",
        "due_date",
        "purpose",
        "amount_display",
        "paid_in",
    )
    list_display_links = ("__str__",)
    list_select_related = ("fund",)
    list_filter = ("purpose", ("fund", FundFilter))
    search_fields = ("fund__name", "note")
    date_hierarchy = "call_date"
    readonly_fields = ("paid_in",)
    inlines = (CapitalCallItemInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(paid_total=sum_of(CapitalCallPayment.objects.all(), "item__capital_call"))
        )

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)

    @admin.display(description=_("paid in"), ordering="paid_total")
    def paid_in(self, obj):
        return format_money(getattr(obj, "paid_total", None))


class CapitalCallPaymentInline(PortfolioInline, admin.TabularInline):
    model = CapitalCallPayment
    form = CapitalCallPaymentForm
    fields = ("date", "amount", "bank_reference")
    extra = 0
    can_delete = False


@admin.register(CapitalCallItem)
class CapitalCallItemAdmin(PaidFiguresMixin, PortfolioAdmin):
    form = AdminModelForm
    list_display = ("capital_call", "investor", "amount_display", "paid_so_far", "outstanding")
    list_select_related = ("capital_call__fund", "investor")
    list_filter = (("capital_call__fund", FundFilter),)
    search_fields = ("investor__name", "capital_call__fund__name")
    raw_id_fields = ("capital_call",)
    autocomplete_fields = ("investor",)
    readonly_fields = ("paid_so_far", "outstanding")
    inlines = (CapitalCallPaymentInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(paid_total=sum_of(CapitalCallPayment.objects.all(), "item"))
        )

    @admin.display(description=_("amount called"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)


@admin.register(CapitalCallPayment)
class CapitalCallPaymentAdmin(PortfolioAdmin):
    form = CapitalCallPaymentForm
    list_display = ("item", "date", "amount_display", "original_currency", "bank_reference")
    list_select_related = ("item__capital_call__fund", "item__investor")
    list_filter = (("item__capital_call__fund", FundFilter),)
    search_fields = ("bank_reference", "item__investor__name", "item__capital_call__fund__name")
    date_hierarchy = "date"
    raw_id_fields = ("item",)
    fieldsets = (
        (None, {"fields": ("item", "date", "amount", "bank_reference")}),
        (_("Foreign currency"), {"fields": FOREIGN_AMOUNT_FIELDS, "classes": ("collapse",)}),
    )

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return PAYMENT_PERMANENT_FIELDS
        return ()

    # Money that has arrived is permanent, for superusers too; a correction is a new record.
    def has_delete_permission(self, request, obj=None):
        return False


class DistributionItemForm(AdminModelForm):
    def clean(self):
        cleaned = super().clean()
        distribution = cleaned.get("distribution")
        if distribution is not None and distribution.status == PAID:
            self.add_error(
                "distribution", _("The items of a paid distribution cannot be added, changed or deleted.")
            )
        return cleaned


class DistributionItemInline(PortfolioInline, admin.TabularInline):
    model = DistributionItem
    form = AdminModelForm
    fields = ("investor", "amount")
    autocomplete_fields = ("investor",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("investor")

    # Once the distribution is paid its items are shown read-only.
    def has_add_permission(self, request, obj=None):
        return not _is_paid(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _is_paid(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_paid(obj) and super().has_delete_permission(request, obj)


def _is_paid(distribution) -> bool:
    return distribution is not None and distribution.pk is not None and stored(distribution).status == PAID


@admin.register(Distribution)
class DistributionAdmin(PortfolioAdmin):
    form = AdminModelForm
    list_display = ("__str__", "fund", "number", "date", "kind", "status", "total", "item_count")
    list_display_links = ("__str__",)
    list_select_related = ("fund",)
    list_filter = ("status", "kind", ("fund", FundFilter))
    search_fields = ("fund__name", "note")
    date_hierarchy = "date"
    readonly_fields = ("total",)
    inlines = (DistributionItemInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                items_total=sum_of(DistributionItem.objects.all(), "distribution"),
                items_count=count_of(DistributionItem.objects.all(), "distribution"),
            )
        )

    @admin.display(description=_("total"), ordering="items_total")
    def total(self, obj):
        return format_money(getattr(obj, "items_total", None))

    @admin.display(description=_("items"), ordering="items_count")
    def item_count(self, obj):
        return getattr(obj, "items_count", None)

    def get_readonly_fields(self, request, obj=None):
        if _is_paid(obj):
            return ("fund", "date", "kind", "status", "total")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return not _is_paid(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        return _without_bulk_delete(super().get_actions(request))

    def save_model(self, request, obj, form, change):
        # The database refuses new items in a paid distribution, and admin saves the distribution before
        # its items: a distribution marked paid in this form is saved as planned and paid after its items.
        form.pay_after_items = obj.status == PAID and (not change or "status" in form.changed_data)
        if form.pay_after_items:
            obj.status = Distribution.Status.PLANNED
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(form, "pay_after_items", False):
            form.instance.status = PAID
            form.instance.save(update_fields=["status"])


@admin.register(DistributionItem)
class DistributionItemAdmin(PortfolioAdmin):
    form = DistributionItemForm
    list_display = ("distribution", "investor", "amount_display", "original_currency")
    list_select_related = ("distribution__fund", "investor")
    list_filter = ("distribution__status", ("distribution__fund", FundFilter))
    search_fields = ("investor__name", "distribution__fund__name")
    raw_id_fields = ("distribution",)
    autocomplete_fields = ("investor",)
    fieldsets = (
        (None, {"fields": ("distribution", "investor", "amount")}),
        (_("Foreign currency"), {"fields": FOREIGN_AMOUNT_FIELDS, "classes": ("collapse",)}),
    )

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and _is_paid(obj.distribution)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and _is_paid(obj.distribution)) and super().has_delete_permission(
            request, obj
        )

    def get_actions(self, request):
        return _without_bulk_delete(super().get_actions(request))

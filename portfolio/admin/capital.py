"""Admin for money between the fund and its investors: capital calls with their payments, and distributions.

A call or a distribution is issued for a total, and the service splits it pro rata over the commitments into
per-investor items, shown here and never typed. Investors' payments are recorded one at a time (partial
payments allowed), and a distribution is marked paid with one step; each through its service. Money that
arrived is permanent: only a payment's bank reference and a note may be corrected.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portfolio.models import CapitalCall, CapitalCallItem, CapitalCallPayment, Distribution, DistributionItem
from portfolio.money import MoneyFormField
from portfolio.services.capital_calls import capital_call_issue, capital_call_payment_record
from portfolio.services.distributions import distribution_issue, distribution_pay

from .base import FOREIGN_AMOUNT_FIELDS, ServiceForm, count_of, format_money, money_column, sum_of
from .scoping import FundFilter, ReadOnlyInline
from .writes import RecordAction, ServiceAdmin, foreign_from, save_correction

PAID = Distribution.Status.PAID


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


def _with_paid_totals(queryset):
    return queryset.annotate(paid_total=sum_of(CapitalCallPayment.objects.all(), "item"))


class CapitalCallItemInline(PaidFiguresMixin, ReadOnlyInline, admin.TabularInline):
    model = CapitalCallItem
    fields = ("investor", "amount", "paid_so_far", "outstanding")
    readonly_fields = ("paid_so_far", "outstanding")
    verbose_name_plural = _("items (the call split pro rata over the commitments)")

    def get_queryset(self, request):
        return _with_paid_totals(super().get_queryset(request).select_related("investor"))


@admin.register(CapitalCall)
class CapitalCallAdmin(ServiceAdmin):
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
    inlines = (CapitalCallItemInline,)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("fund", "call_date", "due_date", "purpose", "amount", "note")
        return ("fund", "number", "call_date", "due_date", "purpose", "amount", "paid_in", "note")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("fund", "number", "call_date", "due_date", "purpose", "amount", "paid_in")

    def get_queryset(self, request):
        payments = CapitalCallPayment.objects.all()
        return super().get_queryset(request).annotate(paid_total=sum_of(payments, "item__capital_call"))

    def save_through_service(self, request, obj, form, change):
        if change:
            return save_correction(request, obj, form)
        data = form.cleaned_data
        return capital_call_issue(
            user=request.user,
            fund=data["fund"],
            call_date=data["call_date"],
            due_date=data["due_date"],
            amount=data["amount"],
            purpose=data["purpose"],
            note=data["note"],
        )

    amount_display = money_column("amount", _("amount"))

    @admin.display(description=_("paid in"), ordering="paid_total")
    def paid_in(self, obj):
        return format_money(getattr(obj, "paid_total", None))


class CapitalCallPaymentInline(ReadOnlyInline, admin.TabularInline):
    model = CapitalCallPayment
    fields = ("date", "amount", "bank_reference")


@admin.register(CapitalCallItem)
class CapitalCallItemAdmin(PaidFiguresMixin, ServiceAdmin):
    list_display = ("capital_call", "investor", "amount_display", "paid_so_far", "outstanding")
    list_select_related = ("capital_call__fund", "investor")
    list_filter = (("capital_call__fund", FundFilter),)
    search_fields = ("investor__name", "capital_call__fund__name")
    fields = ("capital_call", "investor", "amount", "paid_so_far", "outstanding")
    readonly_fields = fields
    inlines = (CapitalCallPaymentInline,)

    def get_queryset(self, request):
        return _with_paid_totals(super().get_queryset(request))

    # Items come from the pro-rata split of their call.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def record_links(self, request, obj):
        if not request.user.has_perm("portfolio.add_capitalcallpayment"):
            return []
        return [
            (_("Record a payment"), reverse("admin:portfolio_capitalcallpayment_add") + f"?item={obj.pk}")
        ]

    amount_display = money_column("amount", _("amount called"))


@admin.register(CapitalCallPayment)
class CapitalCallPaymentAdmin(ServiceAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("item", "date", "amount", *FOREIGN_AMOUNT_FIELDS)
        return ()

    def save_through_service(self, request, obj, form, change):
        if change:
            return save_correction(request, obj, form)
        data = form.cleaned_data
        return capital_call_payment_record(
            user=request.user,
            item=data["item"],
            amount=data["amount"],
            date=data["date"],
            bank_reference=data["bank_reference"],
            foreign=foreign_from(data),
        )

    amount_display = money_column("amount", _("amount"))


class DistributionForm(ServiceForm):
    amount = MoneyFormField(
        label=_("amount"), required=False, help_text=_("Split pro rata to the commitments.")
    )


class DistributionItemInline(ReadOnlyInline, admin.TabularInline):
    model = DistributionItem
    fields = ("investor", "amount")
    verbose_name_plural = _("items (the distribution split pro rata over the commitments)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("investor")


MARK_PAID = RecordAction(
    name="pay",
    label=_("Mark paid"),
    run=lambda request, distribution, data: distribution_pay(user=request.user, distribution=distribution),
    done=_("The distribution is marked paid."),
    offered=lambda distribution: distribution.status != PAID,
)


@admin.register(Distribution)
class DistributionAdmin(ServiceAdmin):
    form = DistributionForm
    list_display = ("__str__", "fund", "number", "date", "kind", "status", "total", "item_count")
    list_display_links = ("__str__",)
    list_select_related = ("fund",)
    list_filter = ("status", "kind", ("fund", FundFilter))
    search_fields = ("fund__name", "note")
    date_hierarchy = "date"
    inlines = (DistributionItemInline,)
    record_actions = (MARK_PAID,)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("fund", "date", "kind", "amount", "note")
        return ("fund", "number", "date", "kind", "status", "total", "note")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("fund", "number", "date", "kind", "status", "total")

    def get_queryset(self, request):
        items = DistributionItem.objects.all()
        return (
            super()
            .get_queryset(request)
            .annotate(items_total=sum_of(items, "distribution"), items_count=count_of(items, "distribution"))
        )

    def save_through_service(self, request, obj, form, change):
        if change:
            return save_correction(request, obj, form)
        data = form.cleaned_data
        return distribution_issue(
            user=request.user,
            fund=data["fund"],
            date=data["date"],
            amount=data["amount"],
            kind=data["kind"],
            note=data["note"],
        )

    @admin.display(description=_("total"), ordering="items_total")
    def total(self, obj):
        return format_money(getattr(obj, "items_total", None))

    @admin.display(description=_("items"), ordering="items_count")
    def item_count(self, obj):
        return getattr(obj, "items_count", None)


@admin.register(DistributionItem)
class DistributionItemAdmin(ServiceAdmin):
    list_display = ("distribution", "investor", "amount_display", "original_currency")
    list_select_related = ("distribution__fund", "investor")
    list_filter = ("distribution__status", ("distribution__fund", FundFilter))
    search_fields = ("investor__name", "distribution__fund__name")
    fields = ("distribution", "investor", "amount", *FOREIGN_AMOUNT_FIELDS)
    readonly_fields = fields

    # Items come from the pro-rata split of their distribution.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    amount_display = money_column("amount", _("amount"))

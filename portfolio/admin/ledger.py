"""Admin for money between the fund and its projects: disbursements, receipts and valuations.

Paid money is permanent: a paid disbursement, a receipt and its amount are never edited or deleted here,
for superusers too. The PostgreSQL triggers of migration 0002 refuse the same as a backstop; admin must
stop first so that nobody meets a database error page.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portfolio.models import Disbursement, Receipt, Valuation

from .base import FOREIGN_AMOUNT_FIELDS, AdminModelForm, CurrentUserAdmin, format_money, lock_fields
from .guards import stored
from .scoping import FundFilter, PortfolioAdmin

PAID = Disbursement.Status.PAID

# What a paid disbursement keeps for good; only its bank reference and note may still be corrected.
DISBURSEMENT_PAID_FIELDS = (
    "project",
    "tranche",
    "amount",
    "status",
    "requested_by",
    "requested_at",
    "approved_by",
    "approved_at",
    "paid_date",
    "reverses",
    *FOREIGN_AMOUNT_FIELDS,
)


def _is_paid(disbursement) -> bool:
    return disbursement is not None and disbursement.pk is not None and stored(disbursement).status == PAID


def reversal_add_url(original: Disbursement) -> str:
    """The add form filled in with a full reversal of `original`; the manager may lower the amount."""
    params = {"project": original.project_id, "reverses": original.pk, "amount": -original.amount}
    if original.tranche_id:
        params["tranche"] = original.tranche_id
    return f"{reverse('admin:portfolio_disbursement_add')}?{urlencode(params)}"


class DisbursementForm(AdminModelForm):
    current_user_fields = ("requested_by",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Admin pages make these fields read-only; an inline row of a project needs them locked per row.
        if _is_paid(self.instance):
            lock_fields(self, DISBURSEMENT_PAID_FIELDS)

    def clean(self):
        cleaned = super().clean()
        # The approver is recorded with the time of approval; saves a second field to type.
        approved_by = cleaned.get("approved_by", self.instance.approved_by)
        if approved_by is not None and not cleaned.get("approved_at", self.instance.approved_at):
            cleaned["approved_at"] = self.instance.approved_at = timezone.now()
        return cleaned


class DisbursementInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if _is_paid(form.instance) and DELETION_FIELD_NAME in form.fields:
            form.fields[DELETION_FIELD_NAME].disabled = True


@admin.register(Disbursement)
class DisbursementAdmin(CurrentUserAdmin, PortfolioAdmin):
    form = DisbursementForm
    list_display = (
        "__str__",
        "project",
        "tranche",
        "amount_display",
        "status",
        "paid_date",
        "requested_by",
        "approved_by",
        "is_reversal",
        "is_reversed",
    )
    list_display_links = ("__str__",)
    list_select_related = ("project", "tranche__project", "requested_by", "approved_by", "reversal")
    list_filter = ("status", ("reverses", admin.EmptyFieldListFilter), ("project__fund", FundFilter))
    search_fields = ("project__title", "bank_reference", "note")
    date_hierarchy = "paid_date"
    autocomplete_fields = ("project",)
    raw_id_fields = ("tranche", "reverses", "requested_by", "approved_by")
    actions = ("reverse_disbursement",)
    fieldsets = (
        (None, {"fields": ("project", "tranche", "amount", "status", "note")}),
        (
            _("Four eyes and payment"),
            {
                "fields": (
                    "requested_by",
                    "requested_at",
                    "approved_by",
                    "approved_at",
                    "paid_date",
                    "bank_reference",
                )
            },
        ),
        (_("Reversal"), {"fields": ("reverses", "reversal_link")}),
        (_("Foreign currency"), {"fields": FOREIGN_AMOUNT_FIELDS, "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        # __str__ names the project, and the autocomplete and delete pages list many rows. The changelist
        # skips list_select_related once a queryset has select_related, so the two lists are one.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)

    @admin.display(description=_("reversal"), boolean=True)
    def is_reversal(self, obj):
        return obj.reverses_id is not None

    @admin.display(description=_("reversed"), boolean=True)
    def is_reversed(self, obj):
        return hasattr(obj, "reversal")

    @admin.display(description=_("reversed by"))
    def reversal_link(self, obj):
        if obj is None or obj.pk is None:
            return None
        reversal = Disbursement.objects.filter(reverses=obj).first()
        if reversal is not None:
            url = reverse("admin:portfolio_disbursement_change", args=[reversal.pk])
            return format_html('<a href="{}">{}</a>', url, reversal)
        if obj.status == PAID and obj.reverses_id is None:
            return format_html('<a href="{}">{}</a>', reversal_add_url(obj), _("Reverse this disbursement"))
        return None

    def get_readonly_fields(self, request, obj=None):
        if _is_paid(obj):
            return (*DISBURSEMENT_PAID_FIELDS, "reversal_link")
        return ("reversal_link",)

    def has_delete_permission(self, request, obj=None):
        return not _is_paid(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Reverse the selected paid disbursement"), permissions=("add",))
    def reverse_disbursement(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one paid disbursement to reverse."), messages.WARNING
            )
            return None
        original = queryset.get()
        if original.status != PAID:
            problem = _("Only a paid disbursement can be reversed.")
        elif original.reverses_id is not None:
            problem = _("A reversal cannot itself be reversed.")
        elif Disbursement.objects.filter(reverses=original).exists():
            problem = _("This disbursement has already been reversed.")
        else:
            return HttpResponseRedirect(reversal_add_url(original))
        self.message_user(request, problem, messages.ERROR)
        return None


@admin.register(Receipt)
class ReceiptAdmin(PortfolioAdmin):
    form = AdminModelForm
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

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # What arrived, when and from which project is permanent; the source and note may be corrected.
            return ("project", "date", "amount", *FOREIGN_AMOUNT_FIELDS)
        return ()

    # Money that has arrived is permanent, for superusers too; a correction is a new record.
    def has_delete_permission(self, request, obj=None):
        return False


class ValuationForm(AdminModelForm):
    current_user_fields = ("recorded_by",)


@admin.register(Valuation)
class ValuationAdmin(CurrentUserAdmin, PortfolioAdmin):
    form = ValuationForm
    list_display = ("project", "date", "amount_display", "recorded_by")
    list_select_related = ("project", "recorded_by")
    list_filter = (("project__fund", FundFilter),)
    search_fields = ("project__title", "note")
    date_hierarchy = "date"
    autocomplete_fields = ("project",)
    raw_id_fields = ("recorded_by",)

    @admin.display(description=_("carrying value"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)

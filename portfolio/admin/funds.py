"""Admin for funds, investors and their commitments.

Funds and commitments are written through their services with the acting user (a fund is set up by an
administrator, who also names its managers); investors carry no money and are edited directly.
"""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portfolio.models import Commitment, Fund, Investor, Project, Stage
from portfolio.services.funds import (
    FUND_EDITABLE,
    commitment_change,
    commitment_record,
    fund_create,
    fund_update,
)

from .base import (
    FOREIGN_AMOUNT_FIELDS,
    AdminModelForm,
    count_of,
    format_money,
    format_pct,
    money_column,
    sum_of,
)
from .scoping import FundFilter, PortfolioAdmin, ReadOnlyInline, in_managed_funds
from .writes import ServiceAdmin, foreign_from


@admin.register(Fund)
class FundAdmin(ServiceAdmin):
    list_display = (
        "name",
        "status",
        "target_size_display",
        "committed_capital",
        "fundraising_pct",
        "projects_active",
        "investment_period_start",
        "investment_period_end",
    )
    list_filter = ("status",)
    search_fields = ("name", "slug", "legal_form")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("managers",)
    readonly_fields = (
        "base_currency",
        "committed_capital",
        "fundraising_pct",
        "projects_active",
        "commitments_link",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "legal_form", "status", "managers")}),
        (
            _("Size and limits"),
            {
                "fields": (
                    "base_currency",
                    "target_size",
                    "concentration_cap_pct",
                    ("project_band_min", "project_band_max"),
                    ("investment_period_start", "investment_period_end"),
                )
            },
        ),
        (
            _("Progress"),
            {
                "fields": (
                    "committed_capital",
                    "fundraising_pct",
                    "projects_active",
                    "commitments_link",
                    "created_at",
                )
            },
        ),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets[:2]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Picking managers means searching users, which belongs to admins; fund managers see the list only.
        if not request.user.has_perm("auth.view_user"):
            return (*self.readonly_fields, "managers")
        return self.readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                committed_total=sum_of(Commitment.objects.all(), "fund"),
                projects_active_total=count_of(Project.objects.filter(~Q(stage=Stage.ABANDONED)), "fund"),
            )
        )

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            details = {
                name: data[name] for name in FUND_EDITABLE - {"name", "slug", "target_size"} if name in data
            }
            return fund_create(
                user=request.user,
                name=data["name"],
                slug=data["slug"],
                target_size=data["target_size"],
                **details,
            )
        changes = {name: data[name] for name in form.changed_data if name in FUND_EDITABLE}
        return fund_update(user=request.user, fund=obj, **changes) if changes else obj

    # An administrator may delete a fund set up by mistake; the database protects a fund with records.
    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    target_size_display = money_column("target_size", _("target size"))

    @admin.display(description=_("committed capital"), ordering="committed_total")
    def committed_capital(self, obj):
        return format_money(getattr(obj, "committed_total", None))

    @admin.display(description=_("share of target committed"))
    def fundraising_pct(self, obj):
        return format_pct(getattr(obj, "committed_total", None), obj.target_size)

    @admin.display(description=_("active projects"), ordering="projects_active_total")
    def projects_active(self, obj):
        return getattr(obj, "projects_active_total", None)

    @admin.display(description=_("commitments"))
    def commitments_link(self, obj):
        if not obj.pk:
            return None
        url = reverse("admin:portfolio_commitment_changelist")
        return format_html(
            '<a href="{}?fund__id__exact={}">{}</a>', url, obj.pk, _("Commitments of this fund")
        )


class CommitmentInline(ReadOnlyInline, admin.TabularInline):
    model = Commitment
    fields = ("fund", "amount", "date")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("fund", "investor")


@admin.register(Investor)
class InvestorAdmin(PortfolioAdmin):
    form = AdminModelForm
    list_display = ("name", "kind", "country", "email", "commitment_count", "committed")
    list_filter = ("kind", "country")
    search_fields = ("name", "email")
    autocomplete_fields = ("users",)
    readonly_fields = ("created_at",)
    inlines = (CommitmentInline,)

    def get_queryset(self, request):
        # Only the commitments to the user's funds count: another fund's figures are not theirs to see.
        commitments = in_managed_funds(Commitment.objects.all(), request.user)
        return (
            super()
            .get_queryset(request)
            .annotate(
                committed_total=sum_of(commitments, "investor"),
                commitment_total=count_of(commitments, "investor"),
            )
        )

    @admin.display(description=_("commitments"), ordering="commitment_total")
    def commitment_count(self, obj):
        return getattr(obj, "commitment_total", None)

    @admin.display(description=_("committed"), ordering="committed_total")
    def committed(self, obj):
        return format_money(getattr(obj, "committed_total", None))


@admin.register(Commitment)
class CommitmentAdmin(ServiceAdmin):
    list_display = ("investor", "fund", "amount_display", "pct_of_target", "date", "original_currency")
    list_select_related = ("investor", "fund")
    list_filter = (("fund", FundFilter),)
    search_fields = ("investor__name", "fund__name")
    date_hierarchy = "date"
    autocomplete_fields = ("investor",)
    readonly_fields = ("pct_of_target",)
    fieldsets = (
        (None, {"fields": ("investor", "fund", "amount", "date", "pct_of_target")}),
        (_("Foreign currency"), {"fields": FOREIGN_AMOUNT_FIELDS, "classes": ("collapse",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # Who committed to which fund and when stays; the amount changes through commitment_change.
        return ("investor", "fund", "date", "pct_of_target")

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if not set(form.changed_data) & {"amount", *FOREIGN_AMOUNT_FIELDS}:
                return None
            return commitment_change(
                user=request.user, commitment=obj, amount=data["amount"], foreign=foreign_from(data)
            )
        return commitment_record(
            user=request.user,
            fund=data["fund"],
            investor=data["investor"],
            amount=data["amount"],
            date=data["date"],
            foreign=foreign_from(data),
        )

    amount_display = money_column("amount", _("amount"))

    @admin.display(description=_("share of fund target"))
    def pct_of_target(self, obj):
        if obj.fund_id is None:
            return None
        return format_pct(obj.amount, obj.fund.target_size)

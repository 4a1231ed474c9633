"""Admin for funds, investors and their commitments."""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portfolio.models import Commitment, Fund, Investor, Project, Stage

from .base import FOREIGN_AMOUNT_FIELDS, AdminModelForm, count_of, format_money, format_pct, sum_of
from .scoping import FundFilter, PortfolioAdmin, PortfolioInline, in_managed_funds


@admin.register(Fund)
class FundAdmin(PortfolioAdmin):
    form = AdminModelForm
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

    @admin.display(description=_("target size"), ordering="target_size")
    def target_size_display(self, obj):
        return format_money(obj.target_size)

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


class CommitmentInline(PortfolioInline, admin.TabularInline):
    model = Commitment
    form = AdminModelForm
    fields = ("fund", "amount", "date")
    extra = 0
    show_change_link = True

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
class CommitmentAdmin(PortfolioAdmin):
    form = AdminModelForm
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

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)

    @admin.display(description=_("share of fund target"))
    def pct_of_target(self, obj):
        if obj.fund_id is None:
            return None
        return format_pct(obj.amount, obj.fund.target_size)

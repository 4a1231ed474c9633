"""Fund boundaries in admin: a superuser sees every fund, anyone else only the funds they manage.

The one filter, `in_managed_funds`, is applied to every changelist, change, delete and history page, every
autocomplete answer, every inline and every foreign-key choice of a form, so a record of another fund is
never listed, offered or opened (it is a 404). Who manages what is `portfolio.roles`' answer.
"""

from django.contrib import admin
from django.db.models import QuerySet
from simple_history.admin import SimpleHistoryAdmin

from portfolio import roles
from portfolio.models import (
    CapitalAccount,
    CapitalCall,
    CapitalCallItem,
    CapitalCallPayment,
    Commitment,
    Disbursement,
    Distribution,
    DistributionItem,
    Fund,
    FxRate,
    Investor,
    ProgressSnapshot,
    ProgressStaleMark,
    Project,
    ProjectCommitmentChange,
    Receipt,
    StageChange,
    Tranche,
    TrancheCondition,
    Valuation,
)

from .guards import GuardedAdminMixin

# How a record reaches the fund it belongs to.
FUND_PATHS = {
    Fund: "pk",
    Commitment: "fund",
    CapitalCall: "fund",
    CapitalCallItem: "capital_call__fund",
    CapitalCallPayment: "item__capital_call__fund",
    Distribution: "fund",
    DistributionItem: "distribution__fund",
    Project: "fund",
    StageChange: "project__fund",
    ProjectCommitmentChange: "project__fund",
    Tranche: "project__fund",
    TrancheCondition: "tranche__project__fund",
    Disbursement: "project__fund",
    Receipt: "project__fund",
    Valuation: "project__fund",
    ProgressSnapshot: "fund",
    CapitalAccount: "fund",
    ProgressStaleMark: "fund",
}
# Public reference data: the National Bank's rates belong to no fund.
PUBLIC_MODELS = {FxRate}


def is_fund_bound(model) -> bool:
    return model in FUND_PATHS or model is Investor


def in_managed_funds(queryset: QuerySet, user) -> QuerySet:
    """The rows of `queryset` that belong to funds `user` manages (every row for a superuser).

    An investor belongs to the funds they committed to. A model this module does not know raises, so a
    new model cannot appear in admin before someone decides whose it is.
    """
    model = queryset.model
    if model in PUBLIC_MODELS or (user.is_active and user.is_superuser):
        return queryset
    funds = roles.funds_managed_by(user)
    if model is Investor:
        return queryset.filter(pk__in=Commitment.objects.filter(fund__in=funds).values("investor_id"))
    return queryset.filter(**{f"{FUND_PATHS[model]}__in": funds})


class FundScopedMixin:
    """ModelAdmin and InlineModelAdmin mixin: rows and foreign-key choices only of the user's funds."""

    def get_queryset(self, request):
        return in_managed_funds(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if "queryset" not in kwargs and is_fund_bound(related):
            queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
            if queryset is None:
                queryset = related._default_manager.using(kwargs.get("using"))
            kwargs["queryset"] = in_managed_funds(queryset, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FundFilter(admin.RelatedFieldListFilter):
    """The fund filter of a changelist offers only the funds the user manages."""

    def field_choices(self, field, request, model_admin):
        return [(fund.pk, str(fund)) for fund in roles.funds_managed_by(request.user).order_by("name")]


class PortfolioAdmin(FundScopedMixin, GuardedAdminMixin, SimpleHistoryAdmin):
    """The base of every portfolio admin: fund boundaries, guarded URLs and the simple-history pages."""

    # A filtered list would count its rows twice (filtered and in all); on a ledger of a million rows the
    # second count costs as much as the first and says little.
    show_full_result_count = False

    def get_inlines(self, request, obj):
        # A record being added has no children to list yet, so its form carries no read-only inline.
        inlines = super().get_inlines(request, obj)
        if obj is None:
            return [inline for inline in inlines if not issubclass(inline, ReadOnlyInline)]
        return inlines


class PortfolioInline(FundScopedMixin):
    """Mixin for inlines: their rows and their choices stay within the user's funds too."""


class ReadOnlyInline(PortfolioInline):
    """Mixin for an inline that lists a record's children; each child is written on its own page, through
    its service, never from its parent's form."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        # Every listed field is shown as text; non-editable ones (recorded at) could not be form fields.
        return (*self.fields, *self.readonly_fields)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Admin for projects with their dated stage and commitment histories.

A project is approved (created), described, moved to another stage and given another commitment through the
project services, with the acting user: the form's "move to stage" and "change the commitment" parts each
record a dated entry with its reason. Its tranches, disbursements and valuations are listed here and written
on their own pages.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.db.models import BLANK_CHOICE_DASH
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.dates import BoundedDateFormField
from portfolio.models import (
    Disbursement,
    Project,
    ProjectCommitmentChange,
    Stage,
    StageChange,
    Tranche,
    Valuation,
)
from portfolio.money import MoneyFormField
from portfolio.services.projects import (
    EDITABLE,
    project_commitment_change,
    project_create,
    project_stage_change,
    project_update,
)

from .base import ServiceForm, format_money, format_pct, money_column, sum_of
from .scoping import FundFilter, PortfolioAdmin, ReadOnlyInline
from .tranches import SCHEDULE
from .writes import ServiceAdmin, fields_renamed


def _note(label, help_text):
    return forms.CharField(
        label=label, required=False, max_length=300, widget=forms.TextInput({"size": 60}), help_text=help_text
    )


class ProjectForm(ServiceForm):
    """The project, plus the two dated changes that carry history: a stage move and a new commitment."""

    new_stage = forms.ChoiceField(
        label=_("move to stage"), choices=BLANK_CHOICE_DASH + list(Stage.choices), required=False
    )
    stage_date = BoundedDateFormField(
        label=_("stage change date"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Today when left blank."),
    )
    stage_note = _note(_("reason for the stage change"), _("Why, when the move skips a stage or goes back."))
    new_commitment = MoneyFormField(label=_("new commitment"), required=False)
    commitment_date = BoundedDateFormField(
        label=_("effective date"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Today when left blank."),
    )
    commitment_reason = _note(_("reason for the new commitment"), "")


class StageChangeInline(ReadOnlyInline, admin.TabularInline):
    model = StageChange
    fields = ("date", "stage", "note", "recorded_by", "recorded_at")
    ordering = ("date", "id")
    verbose_name_plural = _("stage history (move the stage above)")
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class CommitmentChangeInline(ReadOnlyInline, admin.TabularInline):
    model = ProjectCommitmentChange
    fields = ("date", "amount", "reason", "recorded_by", "recorded_at")
    ordering = ("date", "id")
    verbose_name_plural = _("commitment history (change the commitment above)")
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class TrancheInline(ReadOnlyInline, admin.TabularInline):
    model = Tranche
    fields = ("number", "amount", "planned_date", "trigger", "trigger_stage", "trigger_date", "status")


class DisbursementInline(ReadOnlyInline, admin.TabularInline):
    model = Disbursement
    fk_name = "project"
    fields = ("tranche", "amount", "status", "requested_by", "approved_by", "paid_date", "reverses")
    ordering = ("requested_at", "id")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("tranche__project", "requested_by", "approved_by", "reverses__project")
        )


class ValuationInline(ReadOnlyInline, admin.TabularInline):
    model = Valuation
    fields = ("date", "amount", "note", "recorded_by")
    ordering = ("-date",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


_DESCRIPTION = (None, {"fields": ("fund", "title", "original_title", "slug", "format", "genre", "language")})
_PEOPLE = (_("People"), {"fields": ("director", "producer", "production_company")})
_MONEY = (
    _("Investment"),
    {"fields": ("total_budget", "commitment", "instrument", "approval_date", "expected_release")},
)
_DETAILS = EDITABLE - {"title", "slug", "total_budget"}


@admin.register(Project)
class ProjectAdmin(ServiceAdmin):
    form = ProjectForm
    list_display = (
        "title",
        "fund",
        "format",
        "stage",
        "commitment_display",
        "disbursed",
        "disbursed_pct",
        "approval_date",
    )
    list_select_related = ("fund",)
    list_filter = ("stage", "format", "instrument", "language", ("fund", FundFilter))
    search_fields = ("title", "original_title", "slug", "director", "producer", "production_company")
    date_hierarchy = "approval_date"
    prepopulated_fields = {"slug": ("title",)}
    inlines = (StageChangeInline, CommitmentChangeInline, TrancheInline, DisbursementInline, ValuationInline)
    record_actions = (SCHEDULE,)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (_DESCRIPTION, _PEOPLE, _MONEY, (_("Stage"), {"fields": ("stage",)}))
        return (
            _DESCRIPTION,
            _PEOPLE,
            _MONEY,
            (_("Progress"), {"fields": ("disbursed", "disbursed_pct")}),
            (_("Stage"), {"fields": ("stage", "new_stage", "stage_date", "stage_note")}),
            (
                _("Change the commitment"),
                {"fields": ("new_commitment", "commitment_date", "commitment_reason")},
            ),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Money and dates that carry history move only through their dated changes (the parts below).
        return ("fund", "commitment", "approval_date", "stage", "disbursed", "disbursed_pct")

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}

    def get_queryset(self, request):
        paid = Disbursement.objects.filter(status=Disbursement.Status.PAID)
        # Reversals are paid rows with negative amounts, so the sum is already net of them.
        return super().get_queryset(request).annotate(disbursed_total=sum_of(paid, "project"))

    def record_links(self, request, obj):
        links = []
        for model, label, initial in (
            ("disbursement", _("Request a disbursement"), ""),
            ("receipt", _("Record a receipt"), f"?project={obj.pk}"),
            ("valuation", _("Record a valuation"), f"?project={obj.pk}"),
        ):
            if request.user.has_perm(f"portfolio.add_{model}"):
                links.append((label, reverse(f"admin:portfolio_{model}_add") + initial))
        return links

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            return project_create(
                user=request.user,
                fund=data["fund"],
                title=data["title"],
                slug=data["slug"],
                total_budget=data["total_budget"],
                commitment=data["commitment"],
                approval_date=data["approval_date"],
                stage=data["stage"],
                **{name: data[name] for name in _DETAILS if name in data},
            )
        changes = {name: data[name] for name in form.changed_data if name in EDITABLE}
        if changes:
            project_update(user=request.user, project=obj, **changes)
        today = timezone.localdate()
        if data.get("new_commitment") is not None:
            with fields_renamed(
                {"amount": "new_commitment", "date": "commitment_date", "reason": "commitment_reason"}
            ):
                project_commitment_change(
                    user=request.user,
                    project=obj,
                    amount=data["new_commitment"],
                    date=data["commitment_date"] or today,
                    reason=data["commitment_reason"],
                )
        if data.get("new_stage"):
            with fields_renamed({"stage": "new_stage", "date": "stage_date", "note": "stage_note"}):
                project_stage_change(
                    user=request.user,
                    project=obj,
                    stage=data["new_stage"],
                    date=data["stage_date"] or today,
                    note=data["stage_note"],
                )
        return obj

    commitment_display = money_column("commitment", _("fund commitment"))

    @admin.display(description=_("disbursed so far"), ordering="disbursed_total")
    def disbursed(self, obj):
        return format_money(getattr(obj, "disbursed_total", None))

    @admin.display(description=_("share of commitment disbursed"))
    def disbursed_pct(self, obj):
        return format_pct(getattr(obj, "disbursed_total", None), obj.commitment)


@admin.register(StageChange)
class StageChangeAdmin(ServiceAdmin):
    """The dated stage history: an entry added here goes through project_stage_change; none is edited."""

    list_display = ("project", "stage", "date", "recorded_by", "recorded_at")
    list_select_related = ("project", "recorded_by")
    list_filter = ("stage", ("project__fund", FundFilter))
    search_fields = ("project__title", "note")
    date_hierarchy = "date"
    autocomplete_fields = ("project",)
    readonly_fields = ("recorded_by", "recorded_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("project", "stage", "date", "note")
        return ("project", "stage", "date", "note", "recorded_by", "recorded_at")

    def has_change_permission(self, request, obj=None):
        return False

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        return project_stage_change(
            user=request.user,
            project=data["project"],
            stage=data["stage"],
            date=data["date"],
            note=data["note"],
        )


@admin.register(ProjectCommitmentChange)
class ProjectCommitmentChangeAdmin(PortfolioAdmin):
    """The dated commitment history: records are added by the commitment service (on the project's page),
    never edited."""

    list_display = ("project", "date", "amount_display", "reason", "recorded_by", "recorded_at")
    list_select_related = ("project", "recorded_by")
    list_filter = (("project__fund", FundFilter),)
    search_fields = ("project__title", "reason")
    date_hierarchy = "date"
    fields = ("project", "date", "amount", "reason", "recorded_by", "recorded_at")
    readonly_fields = fields

    amount_display = money_column("amount", _("commitment"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

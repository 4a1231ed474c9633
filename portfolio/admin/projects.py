"""Admin for projects with their stage history, tranche schedule, disbursements and valuations."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.db.models import BLANK_CHOICE_DASH
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.models import (
    Disbursement,
    Project,
    ProjectCommitmentChange,
    Stage,
    StageChange,
    Tranche,
    TrancheCondition,
    Valuation,
)
from portfolio.services.projects import project_stage_change, project_stage_change_refusals

from .base import AdminModelForm, CurrentUserAdmin, CurrentUserInline, format_money, format_pct, sum_of
from .ledger import DisbursementForm, DisbursementInlineFormSet, ValuationForm
from .scoping import FundFilter, PortfolioAdmin, PortfolioInline


def stage_change_errors(project: Project, stage: str, date: datetime.date, note: str = "") -> dict:
    """The rules project_stage_change enforces (its own check), while the form can still show them."""
    refusals = project_stage_change_refusals(project=project, stage=stage, date=date, note=note)
    return {field: messages[0] for field, messages in refusals.items()}


def _service_error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


class ProjectForm(AdminModelForm):
    """The project, plus a way to move it to another stage that goes through the stage history."""

    new_stage = forms.ChoiceField(
        label=_("move to stage"),
        choices=BLANK_CHOICE_DASH + list(Stage.choices),
        required=False,
        help_text=_("Records a dated entry in the stage history and updates the current stage."),
    )
    stage_date = forms.DateField(
        label=_("stage change date"),
        required=False,
        widget=widgets.AdminDateWidget,
        help_text=_("Today when left blank."),
    )
    stage_note = forms.CharField(label=_("stage change note"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        stage = cleaned.get("new_stage")
        if stage and self.instance.pk is not None:
            cleaned["stage_date"] = cleaned.get("stage_date") or timezone.localdate()
            errors = stage_change_errors(
                self.instance, stage, cleaned["stage_date"], cleaned.get("stage_note", "")
            )
            field_names = {"stage": "new_stage", "date": "stage_date", "note": "stage_note"}
            for name, message in errors.items():
                self.add_error(field_names[name], message)
        return cleaned


class StageChangeInline(PortfolioInline, admin.TabularInline):
    model = StageChange
    fields = ("date", "stage", "note", "recorded_by", "recorded_at")
    readonly_fields = fields
    ordering = ("date", "id")
    extra = 0
    verbose_name_plural = _("stage history (change the stage above)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")

    # The history is kept, never rewritten; new entries come from the "move to stage" field.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TrancheInline(PortfolioInline, admin.TabularInline):
    model = Tranche
    form = AdminModelForm
    fields = ("number", "amount", "planned_date", "trigger", "trigger_stage", "trigger_date", "status")
    extra = 0
    show_change_link = True


class DisbursementInline(CurrentUserInline, PortfolioInline, admin.TabularInline):
    model = Disbursement
    fk_name = "project"
    form = DisbursementForm
    formset = DisbursementInlineFormSet
    fields = (
        "tranche",
        "amount",
        "status",
        "requested_by",
        "approved_by",
        "paid_date",
        "bank_reference",
        "reverses",
    )
    raw_id_fields = ("requested_by", "approved_by", "reverses")
    ordering = ("requested_at", "id")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tranche__project")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Offer only this project's tranches, not every tranche of every fund.
        tranches = formset.form.base_fields["tranche"]
        project_tranches = (
            Tranche.objects.filter(project=obj) if obj is not None and obj.pk else Tranche.objects.none()
        )
        tranches.queryset = project_tranches.select_related("project")
        return formset


class ValuationInline(CurrentUserInline, PortfolioInline, admin.TabularInline):
    model = Valuation
    form = ValuationForm
    fields = ("date", "amount", "note", "recorded_by")
    readonly_fields = ("recorded_by",)
    ordering = ("-date",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Project)
class ProjectAdmin(PortfolioAdmin):
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
    inlines = (StageChangeInline, TrancheInline, DisbursementInline, ValuationInline)

    _description = (
        None,
        {"fields": ("fund", "title", "original_title", "slug", "format", "genre", "language")},
    )
    _people = (_("People"), {"fields": ("director", "producer", "production_company")})
    _money = (
        _("Investment"),
        {"fields": ("total_budget", "commitment", "instrument", "approval_date", "expected_release")},
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (self._description, self._people, self._money, (_("Stage"), {"fields": ("stage",)}))
        return (
            self._description,
            self._people,
            self._money,
            (_("Progress"), {"fields": ("disbursed", "disbursed_pct")}),
            (_("Stage"), {"fields": ("stage", "new_stage", "stage_date", "stage_note")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The current stage only moves through the stage history (see ProjectForm.new_stage).
        return ("stage", "disbursed", "disbursed_pct")

    def get_queryset(self, request):
        paid = Disbursement.objects.filter(status=Disbursement.Status.PAID)
        # Reversals are paid rows with negative amounts, so the sum is already net of them.
        return super().get_queryset(request).annotate(disbursed_total=sum_of(paid, "project"))

    @admin.display(description=_("fund commitment"), ordering="commitment")
    def commitment_display(self, obj):
        return format_money(obj.commitment)

    @admin.display(description=_("disbursed so far"), ordering="disbursed_total")
    def disbursed(self, obj):
        return format_money(getattr(obj, "disbursed_total", None))

    @admin.display(description=_("share of commitment disbursed"))
    def disbursed_pct(self, obj):
        return format_pct(getattr(obj, "disbursed_total", None), obj.commitment)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # The row was created in this transaction with this stage, so history and current stage agree
            # without the service's lock (which also refuses any change to an abandoned project).
            StageChange.objects.create(
                project=obj, stage=obj.stage, date=obj.approval_date, recorded_by=request.user
            )
            return
        stage = form.cleaned_data.get("new_stage")
        if not stage:
            return
        try:
            project_stage_change(
                project=obj,
                stage=stage,
                date=form.cleaned_data["stage_date"],
                user=request.user,
                note=form.cleaned_data.get("stage_note", ""),
            )
        except ValidationError as error:
            # Only reachable if another manager moved the project between the form check and this save.
            self.message_user(
                request,
                _("The stage was not changed: %(error)s") % {"error": _service_error_text(error)},
                messages.ERROR,
            )


class StageChangeForm(AdminModelForm):
    class Meta:
        model = StageChange
        fields = ("project", "stage", "date", "note")

    def clean(self):
        cleaned = super().clean()
        project, stage, date = cleaned.get("project"), cleaned.get("stage"), cleaned.get("date")
        if project is not None and stage and date:
            for name, message in stage_change_errors(project, stage, date, cleaned.get("note", "")).items():
                self.add_error(name, message)
        return cleaned


@admin.register(StageChange)
class StageChangeAdmin(PortfolioAdmin):
    """The dated stage history: entries are added through project_stage_change and never edited."""

    form = StageChangeForm
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

    # Deletion stays with the model permission (admins, not fund managers): deleting a project created by
    # mistake takes its stage history with it.

    def save_model(self, request, obj, form, change):
        # Through the service, so the project's current stage moves with its history.
        created = project_stage_change(
            project=obj.project, stage=obj.stage, date=obj.date, user=request.user, note=obj.note
        )
        obj.pk, obj.recorded_by, obj.recorded_at = created.pk, created.recorded_by, created.recorded_at


class TrancheConditionForm(AdminModelForm):
    """A tick records who ticked it and when; clearing the date clears both."""

    class Meta:
        model = TrancheCondition
        fields = ("tranche", "position", "text", "met_on")

    def clean(self):
        cleaned = super().clean()
        if "met_on" in self.changed_data or self.instance.pk is None:
            met = cleaned.get("met_on") is not None
            self.instance.met_by = self.current_user if met else None
            self.instance.met_recorded_at = timezone.now() if met else None
        return cleaned


class TrancheConditionInline(PortfolioInline, CurrentUserInline, admin.TabularInline):
    model = TrancheCondition
    form = TrancheConditionForm
    fields = ("position", "text", "met_on", "met_by", "met_recorded_at")
    readonly_fields = ("met_by", "met_recorded_at")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("met_by")


@admin.register(TrancheCondition)
class TrancheConditionAdmin(CurrentUserAdmin, PortfolioAdmin):
    form = TrancheConditionForm
    list_display = ("text", "tranche", "position", "met_on", "met_by")
    list_select_related = ("tranche__project", "met_by")
    list_filter = (("tranche__project__fund", FundFilter),)
    search_fields = ("text", "tranche__project__title")
    raw_id_fields = ("tranche",)
    readonly_fields = ("met_by", "met_recorded_at")


@admin.register(ProjectCommitmentChange)
class ProjectCommitmentChangeAdmin(PortfolioAdmin):
    """The dated commitment history: records are added by the commitment service, never edited."""

    list_display = ("project", "date", "amount_display", "reason", "recorded_by", "recorded_at")
    list_select_related = ("project", "recorded_by")
    list_filter = (("project__fund", FundFilter),)
    search_fields = ("project__title", "reason")
    date_hierarchy = "date"
    fields = ("project", "date", "amount", "reason", "recorded_by", "recorded_at")
    readonly_fields = fields

    @admin.display(description=_("commitment"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Tranche)
class TrancheAdmin(PortfolioAdmin):
    form = AdminModelForm
    inlines = (TrancheConditionInline,)
    list_display = (
        "__str__",
        "project",
        "number",
        "amount_display",
        "share",
        "paid_against",
        "planned_date",
        "trigger",
        "trigger_stage",
        "trigger_date",
        "status",
    )
    list_display_links = ("__str__",)
    list_select_related = ("project",)
    list_filter = ("status", "trigger", ("project__fund", FundFilter))
    search_fields = ("project__title", "conditions__text")
    date_hierarchy = "planned_date"
    autocomplete_fields = ("project",)
    readonly_fields = ("share", "paid_against")

    def get_queryset(self, request):
        paid = Disbursement.objects.filter(status=Disbursement.Status.PAID)
        return (
            super()
            .get_queryset(request)
            .select_related("project")
            .annotate(paid_total=sum_of(paid, "tranche"))
        )

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_money(obj.amount)

    @admin.display(description=_("share of project commitment"))
    def share(self, obj):
        return format_pct(obj.amount, obj.project.commitment) if obj.project_id else None

    @admin.display(description=_("paid against it"), ordering="paid_total")
    def paid_against(self, obj):
        return format_money(getattr(obj, "paid_total", None))

"""Admin for tranche schedules: the schedule is set as a whole on its project's page, conditions are ticked on
the tranche's page, and a tranche is cancelled with a date and a reason, each through the tranche services.
A tranche's status is never typed: the services keep it equal to what its records say of today.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.db.models import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from portfolio.dates import BoundedDateFormField
from portfolio.models import PIPELINE, Disbursement, Stage, Tranche, TrancheCondition
from portfolio.money import MoneyFormField
from portfolio.services.tranches import (
    TrancheInput,
    tranche_cancel,
    tranche_condition_mark,
    tranche_schedule_set,
)
from portfolio.workspace.forms_schedule import schedule_initial

from .base import ServiceForm, format_money, format_pct, money_column, sum_of
from .scoping import FundFilter, PortfolioInline
from .writes import RecordAction, ServiceAdmin

STAGE_CHOICES = BLANK_CHOICE_DASH + [(stage, label) for stage, label in Stage.choices if stage in PIPELINE]


class TrancheRowForm(forms.Form):
    number = forms.IntegerField(label=_("number"), required=False)
    amount = MoneyFormField(label=_("amount"), required=False)
    share_pct = forms.DecimalField(
        label=_("or share of the commitment, %"),
        required=False,
        max_digits=12,
        decimal_places=8,
        widget=forms.TextInput({"size": 8, "inputmode": "decimal"}),
    )
    planned_date = BoundedDateFormField(label=_("planned date"), required=False, widget=AdminDateWidget)
    trigger_stage = forms.ChoiceField(label=_("trigger stage"), choices=STAGE_CHOICES, required=False)
    trigger_date = BoundedDateFormField(label=_("or trigger date"), required=False, widget=AdminDateWidget)
    conditions = forms.CharField(
        label=_("conditions, one per line"), required=False, widget=forms.Textarea({"rows": 2, "cols": 30})
    )


TrancheRows = forms.formset_factory(TrancheRowForm, extra=3, can_delete=True)


class ScheduleForm(forms.Form):
    """A project's open schedule as rows (a cancelled tranche stays as it is); the service judges it whole."""

    def __init__(self, data=None, initial=None):
        super().__init__(data)
        self.rows = TrancheRows(data, initial=initial or [], prefix="tranches")

    @property
    def media(self):
        return self.rows.media

    def is_valid(self):
        rows_valid = self.rows.is_valid()
        return super().is_valid() and rows_valid

    def clean(self):
        cleaned = super().clean()
        if self.rows.is_valid():
            cleaned["tranches"] = [_entry(row) for row in self.rows.cleaned_data if row and not row["DELETE"]]
        return cleaned


def _entry(row: dict) -> TrancheInput:
    share = row["share_pct"]
    return TrancheInput(
        number=row["number"],
        planned_date=row["planned_date"],
        amount=row["amount"],
        share=None if share is None else share / Decimal(100),
        trigger_stage=row["trigger_stage"],
        trigger_date=row["trigger_date"],
        conditions=tuple(line.strip() for line in row["conditions"].splitlines() if line.strip()),
    )


def _schedule_rows(project) -> list[dict]:
    # The same starting rows as the workspace's schedule editor.
    open_tranches = project.tranches.exclude(status=Tranche.Status.CANCELLED).prefetch_related("conditions")
    return schedule_initial(open_tranches.order_by("number"))


SCHEDULE = RecordAction(
    name="schedule",
    label=_("Tranche schedule"),
    run=lambda request, project, data: tranche_schedule_set(
        user=request.user, project=project, tranches=data["tranches"]
    ),
    done=_("The tranche schedule is saved."),
    form=ScheduleForm,
    initial=_schedule_rows,
    template="admin/portfolio/tranche_schedule.html",
)


class CancelForm(forms.Form):
    date = BoundedDateFormField(label=_("cancelled on"), required=False, widget=AdminDateWidget)
    reason = forms.CharField(
        label=_("reason for cancelling"), required=False, max_length=300, widget=forms.Textarea({"rows": 3})
    )


CANCEL = RecordAction(
    name="cancel",
    label=_("Cancel the tranche"),
    run=lambda request, tranche, data: tranche_cancel(
        user=request.user, tranche=tranche, date=data["date"], reason=data["reason"]
    ),
    done=_("The tranche is cancelled."),
    form=CancelForm,
    offered=lambda tranche: tranche.status not in (Tranche.Status.CANCELLED, Tranche.Status.PAID),
)


def _mark_conditions(request, formset) -> None:
    ticked = [form for form in formset.forms if "met_on" in form.changed_data]
    for form in ticked:
        tranche_condition_mark(user=request.user, condition=form.instance, met_on=form.cleaned_data["met_on"])
    # What admin's history message reads, as if the formset had saved itself.
    formset.new_objects, formset.deleted_objects = [], []
    formset.changed_objects = [(form.instance, ["met_on"]) for form in ticked]


class TrancheConditionInline(PortfolioInline, admin.TabularInline):
    model = TrancheCondition
    form = ServiceForm
    fields = ("position", "text", "met_on", "met_by", "met_recorded_at")
    readonly_fields = ("position", "text", "met_by", "met_recorded_at")
    verbose_name_plural = _("conditions (tick one with the date it was met; set them in the schedule)")
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("met_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Tranche)
class TrancheAdmin(ServiceAdmin):
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
    fields = (
        "project",
        "number",
        "amount",
        "share",
        "paid_against",
        "planned_date",
        "trigger",
        "trigger_stage",
        "trigger_date",
        "status",
        "cancelled_on",
        "cancel_reason",
    )
    readonly_fields = fields
    record_actions = (CANCEL,)

    def get_queryset(self, request):
        paid = Disbursement.objects.filter(status=Disbursement.Status.PAID)
        return (
            super()
            .get_queryset(request)
            .select_related("project")
            .annotate(paid_total=sum_of(paid, "tranche"))
        )

    # A schedule is set as a whole, on its project's page ("Tranche schedule").
    def has_add_permission(self, request):
        return False

    def save_through_service(self, request, obj, form, change):
        return None

    def save_formset(self, request, form, formset, change):
        _mark_conditions(request, formset)

    amount_display = money_column("amount", _("amount"))

    @admin.display(description=_("share of project commitment"))
    def share(self, obj):
        return format_pct(obj.amount, obj.project.commitment) if obj.project_id else None

    @admin.display(description=_("paid against it"), ordering="paid_total")
    def paid_against(self, obj):
        return format_money(getattr(obj, "paid_total", None))


@admin.register(TrancheCondition)
class TrancheConditionAdmin(ServiceAdmin):
    list_display = ("text", "tranche", "position", "met_on", "met_by")
    list_select_related = ("tranche__project", "met_by")
    list_filter = (("tranche__project__fund", FundFilter),)
    search_fields = ("text", "tranche__project__title")
    fields = ("tranche", "position", "text", "met_on", "met_by", "met_recorded_at")
    readonly_fields = ("tranche", "position", "text", "met_by", "met_recorded_at")

    # Conditions are written with the schedule, on the project's page.
    def has_add_permission(self, request):
        return False

    def save_through_service(self, request, obj, form, change):
        if "met_on" not in form.changed_data:
            return None
        return tranche_condition_mark(user=request.user, condition=obj, met_on=form.cleaned_data["met_on"])

"""Forms of the project pages. They read and normalise input; every rule is the service's, and its refusal
is put beside the field it names by the view (`portfolio.forms.show_refusal`)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.dates import BoundedDateFormField
from portfolio.models import PIPELINE, Project, Stage
from portfolio.money import MoneyFormField
from portfolio.services.projects import EDITABLE
from portfolio.workspace.once import OnceForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DESCRIPTION = [
    "title",
    "original_title",
    "slug",
    "format",
    "genre",
    "language",
    "director",
    "producer",
    "production_company",
    "instrument",
    "total_budget",
    "expected_release",
]
assert set(DESCRIPTION) == EDITABLE, "the form edits what project_update accepts"


def helper(form_id: str, label) -> FormHelper:
    result = FormHelper()
    result.form_id = form_id
    result.add_input(Submit("submit", label))
    return result


def _date(label, *, required=True, initial=None, help_text=""):
    return BoundedDateFormField(
        label=label, required=required, initial=initial, widget=DATE_INPUT, help_text=help_text
    )


class ProjectForm(OnceForm):
    """A project's description; a new project also gives its commitment, approval date and first stage."""

    def __init__(self, *args, project: Project | None = None, **kwargs):
        if project is not None and not kwargs.get("data"):
            kwargs.setdefault("initial", model_to_dict(project, fields=DESCRIPTION))
        super().__init__(*args, **kwargs)
        names = DESCRIPTION if project else [*DESCRIPTION[:11], "commitment", "approval_date", "stage"]
        self.fields.update(fields_for_model(Project, fields=names))
        if project is None:
            self.fields["stage"].choices = [(stage.value, stage.label) for stage in PIPELINE]
            self.fields["approval_date"] = _date(_("approval date"), initial=timezone.localdate)
            self.fields["expected_release"] = _date(_("expected release"), required=False)
        else:
            self.fields["expected_release"].widget = DATE_INPUT
        self.helper = helper("project-form", _("Save the project") if project else _("Approve the project"))


class StageForm(OnceForm):
    stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    date = _date(_("Date"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Needed when the project skips a stage, goes back or is abandoned."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("stage-form", _("Change the stage"))


class CommitmentForm(OnceForm):
    amount = MoneyFormField(label=_("New commitment (KZT)"))
    date = _date(_("Effective date"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("commitment-form", _("Change the commitment"))


class CancelForm(OnceForm):
    date = _date(_("Cancelled on"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper("cancel-form", _("Cancel the tranche"))


class ConditionForm(OnceForm):
    """Tick one condition of a tranche as met on a date, or untick it."""

    condition = forms.IntegerField(widget=forms.HiddenInput)
    met_on = _date(_("Met on"), required=False, initial=timezone.localdate)
    untick = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, tranche, **kwargs):
        super().__init__(*args, **kwargs)
        self.tranche = tranche

    def clean_condition(self):
        condition = self.tranche.conditions.filter(pk=self.cleaned_data["condition"]).first()
        if condition is None:
            raise forms.ValidationError(_("This condition is not on this tranche's checklist."))
        return condition

    def clean(self):
        data = super().clean()
        if not data.get("untick") and not data.get("met_on") and "met_on" not in self.errors:
            self.add_error("met_on", _("Give the date the condition was met."))
        return data

"""The tranche schedule editor: one row per tranche (an amount or a share of the commitment, a trigger and
its conditions), posted as a whole to `tranche_schedule_set`, which checks the total against the
commitment."""

from decimal import Decimal
from fractions import Fraction

from django import forms
from django.utils.translation import gettext_lazy as _

from portfolio.dates import BoundedDateFormField
from portfolio.models import PIPELINE, Tranche
from portfolio.money import MoneyFormField
from portfolio.services.tranches import TrancheInput

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TrancheRowForm(forms.Form):
    number = forms.IntegerField(label=_("No."), min_value=1, max_value=1000)
    amount = MoneyFormField(label=_("Amount (KZT)"), required=False)
    share = forms.DecimalField(
        label=_("or share (%)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        max_value=Decimal(100),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    planned_date = BoundedDateFormField(label=_("Planned date"), widget=DATE_INPUT)
    trigger_stage = forms.ChoiceField(
        label=_("Released at stage"),
        required=False,
        choices=[("", "—"), *((stage.value, stage.label) for stage in PIPELINE)],
    )
    trigger_date = BoundedDateFormField(label=_("or on date"), required=False, widget=DATE_INPUT)
    conditions = forms.CharField(
        label=_("Conditions, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def tranche_input(self) -> TrancheInput:
        data = self.cleaned_data
        share = data.get("share")
        return TrancheInput(
            number=data["number"],
            planned_date=data["planned_date"],
            amount=data.get("amount"),
            share=Fraction(share) / 100 if share is not None else None,
            trigger_stage=data.get("trigger_stage") or "",
            trigger_date=data.get("trigger_date"),
            conditions=tuple(
                line.strip() for line in data.get("conditions", "").splitlines() if line.strip()
            ),
        )


class BaseScheduleFormSet(forms.BaseFormSet):
    """New rows are numbered after the last tranche, so an untouched blank row stays unchanged (and
    ignored)."""

    def __init__(self, *args, next_number: int = 1, **kwargs):
        self.next_number = next_number
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index >= self.initial_form_count():
            kwargs["initial"] = {"number": self.next_number + index - self.initial_form_count()}
        return kwargs

    def tranche_inputs(self) -> list[TrancheInput]:
        """The rows kept: filled in and not marked for removal."""
        return [
            form.tranche_input()
            for form in self.forms
            # An untouched blank row has no cleaned data: it was never filled in.
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


ScheduleFormSet = forms.formset_factory(
    TrancheRowForm, formset=BaseScheduleFormSet, extra=2, can_delete=True, max_num=100, validate_max=True
)


def schedule_initial(tranches: list[Tranche]) -> list[dict]:
    return [
        {
            "number": tranche.number,
            "amount": tranche.amount,
            "planned_date": tranche.planned_date,
            "trigger_stage": tranche.trigger_stage,
            "trigger_date": tranche.trigger_date,
            "conditions": "\n".join(condition.text for condition in tranche.conditions.all()),
        }
        for tranche in tranches
    ]

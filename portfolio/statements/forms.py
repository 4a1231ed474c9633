"""The one input of a statement: the date it is as of."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.dates import BoundedDateFormField

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)

MESSAGES = {
    "format": _("Give the date as YYYY-MM-DD, for example 2026-03-31."),
    "future": _("Choose today or an earlier date: a statement shows what has happened."),
}


class AsOfForm(forms.Form):
    """`?as_of=YYYY-MM-DD`, read from the query string. One format only (what a date picker sends): a
    localized "31.03.2026" or digits of another script would be read differently per language."""

    as_of = BoundedDateFormField(
        label=_("As of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": MESSAGES["format"]},
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.today = timezone.localdate()

    def clean_as_of(self):
        raw = (self.data.get("as_of") or "").strip()
        if raw and not _ISO_DATE.fullmatch(raw):
            raise forms.ValidationError(MESSAGES["format"], code="invalid")
        value = self.cleaned_data["as_of"]
        if value and value > self.today:
            raise forms.ValidationError(MESSAGES["future"], code="future")
        return value

    def date(self):
        """The date asked for when it is valid, else today (a refused date is shown beside the field)."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("as_of"):
            return self.cleaned_data["as_of"]
        return self.today

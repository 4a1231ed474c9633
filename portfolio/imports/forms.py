from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .columns import KINDS
from .reading import MAX_BYTES


class ImportUploadForm(forms.Form):
    """The file to preview and what it holds; nothing is saved until the preview is confirmed."""

    kind = forms.ChoiceField(label=_("The file holds"), choices=[(k.name, k.label) for k in KINDS.values()])
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("UTF-8 text for CSV; the first sheet of an XLSX workbook. Row 1 names the columns."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "import-upload-form"
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(Submit("preview", _("Preview the import")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s KB.") % {"limit": MAX_BYTES // 1000}
            )
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _helper(form_id: str, label) -> FormHelper:
    helper = FormHelper()
    helper.form_id = form_id
    helper.add_input(Submit("submit", label, css_class="w-100"))
    return helper


class LoginForm(auth_forms.AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("login-form", _("Log in"))


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("password-reset-form", _("Send the link"))


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("set-password-form", _("Set the new password"))


def show_refusal(form: forms.BaseForm, error: ValidationError, renamed: dict | None = None) -> None:
    """Put each message of a service's refusal beside the form field it names (`renamed` maps a service's
    field name to the form's where they differ); a message for a field the form lacks goes to the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = (renamed or {}).get(name, name)
        form.add_error(target if target in form.fields else None, errors)

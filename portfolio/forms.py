from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.contrib.auth import forms as auth_forms
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

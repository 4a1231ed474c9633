"""A form posted twice makes one record.

Every workspace form that writes carries a one-time token, issued when the form is shown. The first post of
a token stores it as an `IdempotencyKey` of the user (the API's table, keys `form:<token>`) in the same
transaction as what the form writes, together with the page it led to. A second post of the same token (a
double click, a reload of the answer, a retry after a timeout) finds the row and goes where the first went,
writing nothing; one sent while the first is still running waits on the unique key until the first commits,
then does the same. A refused post rolls its row back with everything else, so the corrected form can be sent
again with the same token.
"""

import hashlib
import uuid
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portfolio.forms import show_refusal
from portfolio.models.idempotency import IDEMPOTENCY_RETENTION, IdempotencyKey

PREFIX = "form:"


def new_token() -> str:
    return uuid.uuid4().hex


class OnceField(forms.CharField):
    """The hidden one-time token of a form; anything but a token we could have issued is refused."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": gettext_lazy("This form has expired. Reload the page and send it again."),
        "invalid": gettext_lazy("This form has expired. Reload the page and send it again."),
    }

    def __init__(self, **kwargs):
        super().__init__(max_length=32, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            if value and uuid.UUID(hex=value).hex == value:
                return value
        except ValueError:
            pass
        if value:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class OnceForm(forms.Form):
    """A form with its one-time token, issued fresh whenever an unbound form is shown."""

    once = OnceField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("once", new_token())


def run_once(request, token: str, action: Callable[[], str]) -> str:
    """Run `action` (which writes through a service and returns the URL to go to) once for this token.

    Raises what `action` raises (a service's ValidationError), with nothing kept."""
    fingerprint = hashlib.sha256(request.path.encode()).hexdigest()
    with transaction.atomic():
        # Expired tokens of this user go first, so the table stays small without a sweep of its own.
        IdempotencyKey.objects.filter(
            user=request.user, key__startswith=PREFIX, created_at__lt=timezone.now() - IDEMPOTENCY_RETENTION
        ).delete()
        row, created = IdempotencyKey.objects.get_or_create(
            user=request.user, key=PREFIX + token, defaults={"fingerprint": fingerprint}
        )
        if not created:
            if row.fingerprint == fingerprint and row.response:
                return row.response["location"]
            raise ValidationError(_("This form was already sent. Reload the page to start again."))
        location = action()
        row.status_code, row.response = 303, {"location": location}
        row.save(update_fields=["status_code", "response"])
        return location


def attempt(request, form: OnceForm, action: Callable[[], str]) -> str | None:
    """A valid form's `action` run once: the URL it led to, or None with the service's refusal on the form
    (which keeps what was typed)."""
    try:
        return run_once(request, form.cleaned_data["once"], action)
    except ValidationError as error:
        show_refusal(form, error)
        return None


def submit(request, form: OnceForm, action: Callable[[], str], done: str):
    """A valid form's `action` run once, then a redirect to where it led with `done` said; None when the form
    is invalid or the service refused (its messages are then on the form, which keeps what was typed)."""
    if not form.is_valid():
        return None
    location = attempt(request, form, action)
    if location is None:
        return None
    messages.success(request, done)
    return redirect(location)

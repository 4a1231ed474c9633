"""Admin writes money and status only through the write services (`portfolio.services`).

Two ways in, both thin. A model admin's add or change form hands its data to a service
(`ServiceAdminMixin.save_through_service`). One step of a record (approve, pay, reverse, cancel...) has a page
of its own, a `RecordAction`: a small form whose data goes to one service call. A service refuses with a
field-keyed ValidationError; the page shows each message beside its field (at the top when the form has no
such field), saves nothing, and shows the record as it is stored. No rule is checked here.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from portfolio.forms import show_refusal
from portfolio.services.common import Foreign

from .base import FOREIGN_AMOUNT_FIELDS, ServiceForm
from .guards import stored
from .scoping import PortfolioAdmin


class ServiceRefused(Exception):
    """A service refused the write of an admin form; carries its ValidationError to the second pass."""

    def __init__(self, error: ValidationError):
        super().__init__(error)
        self.error = error


@contextmanager
def fields_renamed(renamed: dict[str, str]):
    """A service refusal inside the block names the form's fields (`renamed`: service name → form name)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed_errors = {renamed.get(name, name): errors for name, errors in error.error_dict.items()}
        raise ValidationError(renamed_errors) from error


def foreign_from(data: dict) -> Foreign | None:
    """The foreign-currency figures of a form, for a service; None when the record is in KZT."""
    if all(data.get(name) in (None, "") for name in FOREIGN_AMOUNT_FIELDS):
        return None
    return Foreign(
        currency=(data.get("original_currency") or "").upper(),
        amount=data.get("original_amount"),
        rate=data.get("fx_rate"),
        rate_date=data.get("fx_rate_date"),
    )


def save_correction(request, obj, form):
    """Save the few words a record keeps open to correction (a note, a bank reference): no money, no status.

    Only the form's editable fields are written, and the database lets only those columns of a paid record
    change, so nothing else can slip through here."""
    changed = [name for name in form.changed_data if name in form.fields]
    if not changed:
        return None
    for name in changed:
        setattr(obj, name, form.cleaned_data[name])
    obj.full_clean()
    obj._history_user = request.user
    obj.save(update_fields=changed)
    return obj


class ServiceAdminMixin:
    """ModelAdmin mixin: the add and change forms save through `save_through_service`, never `obj.save()`."""

    form = ServiceForm

    def save_through_service(self, request, obj, form, change):
        """Call the service for this form; return the saved record (or None when nothing was to save)."""
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            # The first pass rolled back. The second builds the same posted form, which now carries the
            # refusal as its errors: the page shows them and the stored record, and saves nothing.
            request.service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # modelform_factory builds a new class on every call, so this never leaks between requests.
        form.service_refusal = getattr(request, "service_refusal", None)
        return form

    def save_model(self, request, obj, form, change):
        try:
            saved = self.save_through_service(request, obj, form, change)
        except ValidationError as error:
            raise ServiceRefused(error) from error
        if saved is not None and saved is not obj:
            # Admin goes on with `obj` (its message, history log and redirect): make it the saved record.
            obj.pk = saved.pk
            obj._state.adding = False
            obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Inline rows that write (a condition ticked on its tranche's page) call services too.
        try:
            super().save_related(request, form, formsets, change)
        except ValidationError as error:
            raise ServiceRefused(error) from error


@dataclass(frozen=True)
class RecordAction:
    """One step of a record done on its own page: a form, then one service call."""

    name: str  # the URL segment, e.g. "approve"
    label: str  # the button on the change page and the title of the page
    run: Callable  # run(request, obj, cleaned_data) calls the service
    done: str  # the message once done
    form: Callable = forms.Form  # form(data, initial=...) → the form of the page
    offered: Callable = lambda obj: True  # whether the record as stored offers this step (its button)
    initial: Callable = lambda obj: {}
    renamed: dict = field(default_factory=dict)  # a service's field name → the form's, where they differ
    template: str = "admin/portfolio/record_action.html"


class RecordActionsMixin:
    """ModelAdmin mixin: each of `record_actions` gets a URL, and a button on the change page."""

    record_actions: tuple[RecordAction, ...] = ()

    def get_urls(self):
        app, model = self.opts.app_label, self.opts.model_name
        own = [
            path(
                f"<path:object_id>/{action.name}/",
                self.admin_site.admin_view(partial(self.record_action_view, action=action)),
                name=f"{app}_{model}_{action.name}",
            )
            for action in self.record_actions
        ]
        return own + super().get_urls()

    def _url(self, name: str, obj) -> str:
        app, model = self.opts.app_label, self.opts.model_name
        return reverse(f"admin:{app}_{model}_{name}", args=[obj.pk], current_app=self.admin_site.name)

    def record_links(self, request, obj) -> list[tuple[str, str]]:
        """Buttons of the change page besides the record's own steps (say, "Record a payment")."""
        return []

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            steps = []
            if self.has_change_permission(request, obj):
                steps = [
                    (action.label, self._url(action.name, obj))
                    for action in self.record_actions
                    if action.offered(stored(obj))
                ]
            context["record_actions"] = steps + self.record_links(request, stored(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def record_action_view(self, request, object_id, action: RecordAction):
        obj = self.get_object(request, unquote(object_id))  # 404 outside the user's funds
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = action.form(data, initial=action.initial(obj))
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic(using=router.db_for_write(self.model)):
                    action.run(request, obj, form.cleaned_data)
            except ValidationError as error:
                show_refusal(form, error, action.renamed)
            else:
                self.message_user(request, action.done, messages.SUCCESS)
                return HttpResponseRedirect(self._url("change", obj))
        fieldsets = [(None, {"fields": list(form.fields)})] if form.fields else []
        admin_form = helpers.AdminForm(form, fieldsets, {})
        context = {
            **self.admin_site.each_context(request),
            "title": action.label,
            "subtitle": str(obj),
            "opts": self.opts,
            "original": obj,
            "form": form,
            "adminform": admin_form,
            "errors": helpers.AdminErrorList(form, []),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, action.template, context)


class ServiceAdmin(RecordActionsMixin, ServiceAdminMixin, PortfolioAdmin):
    """The base of the admin of every record the write services keep.

    Such a record is never deleted here: a request is rejected, a tranche cancelled, money reversed, and each
    leaves its trace in the ledger."""

    def has_delete_permission(self, request, obj=None):
        return False

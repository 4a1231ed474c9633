"""Admin answers a malformed request with 400 or 404, never a server error.

Each guard closes a way a typed URL used to reach the database or a widget unchecked:
- a NUL byte anywhere in the path or a parameter: PostgreSQL refuses it mid-query, so admin refuses it
  first (400);
- a date-hierarchy drill-down at the end of the calendar (9999, 9999-12, 9999-12-31) or past it: Django
  computes the day after and overflows, so it becomes the changelist's own "invalid lookup" answer;
- an object or history id that is not an id, or names a record the user may not see: 404, never a
  redirect whose message tells that the record exists;
- initial values of an add page (`?project=abc`) that its form would refuse: dropped, since the widgets
  render them unchecked (an autocomplete queries the database with them, a date-time widget splits them).
"""

import copy
import functools

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

NUL = "\x00"


def _has_nul(request) -> bool:
    if NUL in request.path:
        return True
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    return False


def refuse_nul_bytes(view):
    """Answer 400 to a request carrying a NUL byte, before the view passes it to a query."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if _has_nul(request):
            raise BadRequest(_("The request contains a NUL character."))
        return view(request, *args, **kwargs)

    return guarded


class GuardedChangeList(ChangeList):
    def get_filters(self, request):
        # Django catches a date that does not exist, but not the overflow of the day, month or year after
        # 9999-12-31 (nor a year too large for a C int); both mean the same: a filter that cannot apply.
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


def stored(obj):
    """The record as it was read from the database, before a posted form changed it in memory.

    Decisions such as "a paid record is read-only" must follow what is stored: when a save that would
    mark it paid fails, the page must still show it as it really is, with the real message beside the
    field, not as already paid.
    """
    return getattr(obj, "_as_stored", obj)


class GuardedAdminMixin:
    """ModelAdmin mixin: the guards above, for every view the admin class serves."""

    @property
    def urls(self):
        # Wrapped here rather than in get_urls so that views added by other mixins (import, export,
        # history) are covered whatever their place in the class hierarchy.
        urls = self.get_urls()
        for pattern in urls:
            pattern.callback = refuse_nul_bytes(pattern.callback)
        return urls

    def get_changelist(self, request, **kwargs):
        return GuardedChangeList

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete view is the site's, not this admin's, and reaches the search directly.
        if NUL in search_term:
            raise BadRequest(_("The request contains a NUL character."))
        return super().get_search_results(request, queryset, search_term)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such record."))
        obj._as_stored = copy.copy(obj)
        return obj

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            # After a refused save the heading shows the stored record, not the refused values.
            context.update(original=stored(obj), subtitle=str(stored(obj)))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _pk_or_404(self, model, value):
        try:
            return model._meta.pk.to_python(unquote(value))
        except ValidationError as error:
            raise Http404(_("No such record.")) from error

    def history_view(self, request, object_id, extra_context=None):
        self._pk_or_404(self.model, object_id)
        # A superuser may read the history of a deleted record (simple-history finds it); anyone else
        # only the history of a record they can open.
        if not request.user.is_superuser:
            self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One past version, for reading: reverting would write around the write services.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        self._pk_or_404(self.model, object_id)
        version_id = self._pk_or_404(self.model.history.model, version_id)
        if not request.user.is_superuser:
            self.get_object(request, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        fields = self.get_form(request).base_fields
        kept = {}
        for name, value in initial.items():
            field = fields.get(name)
            if field is None or field.disabled:
                continue
            try:
                field.clean(value)
            except ValidationError:
                continue
            kept[name] = value
        return kept

"""The two-step flow of the workspace's money forms: what was typed is shown back (the amount, an FX
conversion, the per-investor split) and written only when confirmed, through the service, once."""

from django.core.exceptions import ValidationError
from django.shortcuts import render

from portfolio.forms import show_refusal

from .once import submit

FORM_TEMPLATE = "manage/_money_form.html"


def confirmed(request, form, *, preview, act, done: str, confirm_template: str, context: dict):
    """GET or an invalid post: the form. A valid post: the confirmation page with `preview(data)`; "edit"
    goes back to the filled-in form; "confirm" runs `act(data)` (which returns the URL to go to) once.

    `preview` raises a ValidationError keyed by field for what it cannot show (no FX rate, no commitments)."""
    context = {**context, "form": form}
    if request.method == "POST" and form.is_valid():
        if "confirm" in request.POST:
            response = submit(request, form, lambda: act(form.cleaned_data), done)
            if response:
                return response
        elif "edit" not in request.POST:
            try:
                context["preview"] = preview(form.cleaned_data)
            except ValidationError as error:
                show_refusal(form, error)
            else:
                return render(request, confirm_template, context)
    return render(request, FORM_TEMPLATE, context)

"""The portal's pages. Thin: the visibility rule is `portfolio.roles`, the figures the stored snapshot."""

import hashlib
import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portfolio.dates import BoundedDateFormField
from portfolio.models import Project
from portfolio.roles import funds_visible_to
from portfolio.selectors import fund_overview_list, latest_progress_snapshot

from . import figures, reads

# Primary keys are bigints; a longer number in the URL names nothing (and must not reach the database).
MAX_ID = 2**63 - 1
# How long a rendered fragment may stay unused in a worker's memory (its key changes with its content).
FIGURES_SECONDS = 600
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class IsoDateField(BoundedDateFormField):
    """YYYY-MM-DD in ASCII digits only: strptime would also read other scripts' digits ("٢٠٢٦")."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not ISO_DATE.fullmatch(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class AsOfForm(forms.Form):
    """The date whose figures the progress page shows (the latest snapshot on or before it)."""

    as_of = IsoDateField(
        label=_("Figures as of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give the date as YYYY-MM-DD.")},
    )


@login_required
def fund_list(request):
    today = timezone.localdate()
    funds = list(fund_overview_list(request.user, today))
    accounts = reads.own_capital_accounts(request.user, [fund.pk for fund in funds], today)
    for fund in funds:
        fund.accounts = accounts.get(fund.pk, [])
        for account in fund.accounts:
            account.figures = figures.account_figures(account)
        fund.legal_form_label = figures.legal_form_label(fund.legal_form)
    return render(request, "portfolio/fund_list.html", {"funds": funds})


def figures_html(fund, snapshot, rate, project_formats: dict, shown) -> str:
    """The page's figures, charts and films, rendered once per snapshot and language in each worker.

    Everything they show is in the key (the snapshot and when it was computed, the rate, the films' formats,
    when any snapshot of the history was last written, the language), so a recompute or an edit shows at
    once. Only a miss reads the month-end history itself (one query more)."""
    key = hashlib.sha256(
        repr(
            (
                fund.pk,
                fund.slug,
                snapshot and (snapshot.pk, snapshot.as_of, snapshot.computed_at),
                rate and (rate.pk, rate.date, rate.rate),
                sorted(project_formats.items()),
                reads.history_version(fund, shown),
                translation.get_language(),
            )
        ).encode()
    ).hexdigest()
    html = cache.get(f"portal:fund-figures:{key}")
    if html is None:
        metrics = snapshot.metrics if snapshot else {}
        stage_rows = figures.by_stage(metrics)
        history = reads.deployment_history(fund, shown)
        html = render_to_string(
            "portfolio/_fund_figures.html",
            {
                "fund": fund,
                "snapshot": snapshot,
                "headline": figures.headline(metrics, rate),
                "films": figures.films(metrics, project_formats),
                "stages": stage_rows,
                "chart_data": figures.chart_data(metrics, history, stage_rows),
            },
        )
        cache.set(f"portal:fund-figures:{key}", html, FIGURES_SECONDS)
    return mark_safe(html)  # noqa: S308  (our own template's output, escaped when rendered)


@login_required
def fund_detail(request, slug):
    # 404, not 403, for a fund the user may not see: its existence is not theirs to learn.
    fund = get_object_or_404(funds_visible_to(request.user), slug=slug)
    today = timezone.localdate()
    form = AsOfForm(request.GET if "as_of" in request.GET else None, initial={"as_of": today})
    as_of, status = today, 200
    if form.is_bound:
        if form.is_valid():
            as_of = form.cleaned_data["as_of"] or today
        else:
            status = 400  # the latest figures, with the reason beside the field
    # Every figure comes from the stored snapshot, as in the list and the API.
    snapshot = latest_progress_snapshot(fund, as_of)
    shown = snapshot.as_of if snapshot else as_of
    rate = reads.usd_rate(shown)
    context = {
        "fund": fund,
        "as_of": as_of,
        "today": today,
        "legal_form": figures.legal_form_label(fund.legal_form),
        "form": form,
        "snapshot": snapshot,
        "rate": rate,
        "figures_html": figures_html(fund, snapshot, rate, reads.project_formats(fund), shown),
    }
    return render(request, "portfolio/fund_detail.html", context, status=status)


@login_required
def film_detail(request, slug, film_id):
    if film_id > MAX_ID:
        raise Http404
    project = get_object_or_404(
        Project.objects.select_related("fund").filter(
            fund__in=funds_visible_to(request.user), fund__slug=slug
        ),
        pk=film_id,
    )
    fund = project.fund
    snapshot = latest_progress_snapshot(fund, timezone.localdate())
    rows = snapshot.metrics.get("projects", []) if snapshot else []
    row = next((row for row in rows if row["project_id"] == project.pk), None)
    rate = reads.usd_rate(snapshot.as_of if snapshot else timezone.localdate())
    tranches = reads.film_tranches(project)
    next_number = (row or {}).get("next_tranche", {}) or {}
    context = {
        "fund": fund,
        "project": project,
        "snapshot": snapshot,
        "row": row,
        "rate": rate,
        "headline": figures.film_headline(row, rate),
        "stage": figures.stage_label(row["stage"] if row else project.stage),
        "next_milestone": figures.next_milestone(row) if row else None,
        "timeline": figures.timeline(
            reads.film_stage_history(project), row["stage"] if row else project.stage
        ),
        "tranches": figures.tranche_rows(tranches, next_number.get("number"), rate),
    }
    return render(request, "portfolio/film_detail.html", context)

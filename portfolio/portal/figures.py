"""What the portal pages show, built from a stored snapshot: display strings in the reader's language.

Values are the snapshot's own (decimal strings from the JSON); this module only picks, labels (from the
metric schema) and formats them. Ratios and amounts are never recomputed here.
"""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portfolio import formats
from portfolio.metrics import schema
from portfolio.models import PIPELINE, Project, Stage
from portfolio.money import BASE_CURRENCY, format_money, quantize_money
from portfolio.selectors import metric_rows

# The progress page's headline figures, in the order an investor reads them.
HEADLINE = (
    "target_size",
    "committed_capital",
    "allocated",
    "disbursed",
    "deployment_pct",
    "deployment_pct_of_target",
    "available_to_allocate",
    "pace_ratio",
    "projected_full_deployment",
    "projects_active",
)
# The film page's headline figures: names of the snapshot's per-project row.
FILM_HEADLINE = (
    ("commitment", gettext_lazy("Fund commitment")),
    ("disbursed", gettext_lazy("Disbursed")),
    ("disbursed_pct", gettext_lazy("Disbursed of commitment")),
    ("receipts", gettext_lazy("Receipts")),
)
BAND_STATUS = {
    "below": gettext_lazy("below the band"),
    "within": gettext_lazy("within the band"),
    "above": gettext_lazy("above the band"),
}
# Legal forms are typed in admin; the usual AIFC forms are translated, anything else shows as typed.
LEGAL_FORMS = {
    text: text
    for text in (
        gettext_noop("Open-ended investment company (AIFC)"),
        gettext_noop("Closed-ended investment company (AIFC)"),
        gettext_noop("Private fund (AIFC)"),
        gettext_noop("Limited partnership (AIFC)"),
        gettext_noop("OEIC Ltd."),
    )
}


def legal_form_label(value: str) -> str:
    return _(LEGAL_FORMS[value]) if value in LEGAL_FORMS else value


def as_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


# Formatting goes through portfolio/money.py and portfolio/formats.py, which keep Babel's text per value,
# style and language: every request for a fund reads the same snapshot.
def money(value, currency: str = BASE_CURRENCY) -> str:
    return "—" if value in (None, "") else format_money(Decimal(str(value)), currency)


def pct(value, places: int = 1) -> str:
    return formats.format_pct(value, places)


def multiple(value, places: int = 2) -> str:
    return formats.format_multiple(value, places)


def day(value, style: str = "long") -> str:
    return "—" if value in (None, "") else formats.format_day(as_date(value), style)


def usd(amount, rate) -> str | None:
    """The USD equivalent of a KZT amount at the rate shown on the page (None without a rate)."""
    if amount in (None, "") or rate is None:
        return None
    return money(quantize_money(Decimal(str(amount)) / rate.rate), "USD")


def display(kind: str, value) -> str:
    if value in (None, ""):
        return "—"
    if kind == schema.MONEY:
        return money(value)
    if kind == schema.RATIO:
        return pct(value)
    if kind == schema.DATE:
        return day(as_date(value))
    return str(value)


def headline(metrics: dict, rate) -> list[dict]:
    """The headline figures: label and meaning from the schema, the value as the reader's language writes
    it, the USD equivalent of amounts, and a note where a figure needs its context."""
    notes = {
        "committed_capital": _("%(pct)s of target") % {"pct": pct(metrics.get("fundraising_pct"))},
        "allocated": _("%(pct)s of committed") % {"pct": pct(metrics.get("allocation_pct"))},
        "pace_ratio": _("Planned by now: %(amount)s")
        % {"amount": display(schema.MONEY, metrics.get("planned_disbursed"))},
    }
    band = metrics.get("projects_band") or {}
    if band:
        notes["projects_active"] = _("Band %(min)s–%(max)s: %(status)s") % {
            "min": band.get("min"),
            "max": band.get("max"),
            "status": BAND_STATUS.get(band.get("status"), "—"),
        }
    return [
        {
            "name": metric.name,
            "label": metric.label,
            "description": metric.description,
            "value": display(metric.kind, value),
            "usd": usd(value, rate) if metric.kind == schema.MONEY else None,
            "note": notes.get(metric.name),
        }
        for metric, value in metric_rows(metrics, HEADLINE)
    ]


def stage_label(value: str) -> str:
    return Stage(value).label if value in Stage.values else value


def stage_step(value: str) -> int:
    """The stage's place in the pipeline, 1 to 6 (0 for abandoned): the progress indicator's value."""
    return PIPELINE.index(value) + 1 if value in PIPELINE else 0


def next_milestone(row: dict) -> str:
    tranche = row.get("next_tranche")
    if tranche:
        values = {
            "number": tranche["number"],
            "amount": money(tranche["amount"]),
            "date": day(as_date(tranche["planned_date"])),
        }
        if tranche.get("trigger") == "stage" and tranche.get("trigger_stage"):
            values["stage"] = stage_label(tranche["trigger_stage"])
            return _("Tranche %(number)s (%(amount)s) when %(stage)s is reached, planned %(date)s") % values
        return _("Tranche %(number)s (%(amount)s) on %(date)s") % values
    if row.get("stage") == Stage.RELEASED:
        return _("Released")
    if row.get("stage") == Stage.ABANDONED:
        return _("Abandoned")
    return _("No tranche scheduled")


def percent_value(ratio) -> str:
    """A ratio as 0-100 with one place, for a <progress> element's value (HTML wants a plain number)."""
    if ratio in (None, ""):
        return "0"
    return str(min(max(Decimal(str(ratio)) * 100, Decimal(0)), Decimal(100)).quantize(Decimal("0.1")))


def films(metrics: dict, project_formats: dict[int, str]) -> list[dict]:
    """Every film of the snapshot with what the page lists of it."""
    format_labels = dict(Project.Format.choices)
    return [
        {
            "id": row["project_id"],
            "title": row["title"],
            "format": format_labels.get(project_formats.get(row["project_id"]), "—"),
            "stage": stage_label(row["stage"]),
            "stage_step": stage_step(row["stage"]),
            "abandoned": row["stage"] == Stage.ABANDONED,
            "commitment": money(row["commitment"]),
            "disbursed": money(row["disbursed"]),
            "disbursed_pct": pct(row.get("disbursed_pct")),
            "disbursed_of": _("%(disbursed)s of %(commitment)s")
            % {"disbursed": money(row["disbursed"]), "commitment": money(row["commitment"])},
            "disbursed_value": percent_value(row.get("disbursed_pct")),
            "next_milestone": next_milestone(row),
        }
        for row in metrics.get("projects", [])
    ]


def by_stage(metrics: dict) -> list[dict]:
    stages = metrics.get("by_stage") or {}
    return [
        {
            "stage": stage.label,
            "projects": stages[stage.value]["projects"],
            "allocated": stages[stage.value]["allocated"],
            "disbursed": stages[stage.value]["disbursed"],
            "allocated_display": money(stages[stage.value]["allocated"]),
            "disbursed_display": money(stages[stage.value]["disbursed"]),
        }
        for stage in Stage
        if stage.value in stages
    ]


def chart_data(metrics: dict, history: list[dict], stage_rows: list[dict]) -> dict:
    """What static/js/fund-progress.js draws, passed through json_script (amounts as decimal strings)."""
    projects = metrics.get("projects", [])
    return {
        "language": formats.language_of(),
        "currency": "₸",
        "deployment": {
            "labels": [day(row["as_of"], "short") for row in history],
            "disbursed": [row["disbursed"] for row in history],
            "planned": [row["planned_disbursed"] for row in history],
            "committed": [row["committed_capital"] for row in history],
        },
        "stages": {
            "labels": [str(row["stage"]) for row in stage_rows],
            "allocated": [str(row["allocated"]) for row in stage_rows],
            "disbursed": [str(row["disbursed"]) for row in stage_rows],
        },
        "films": {
            "labels": [row["title"] for row in projects],
            "committed": [str(row["commitment"]) for row in projects],
            "disbursed": [str(row["disbursed"]) for row in projects],
        },
        "text": {
            "disbursed": _("Disbursed"),
            "planned": _("Planned (linear)"),
            "committed": _("Committed capital"),
            "allocated": _("Allocated"),
            "film_commitment": _("Fund commitment"),
        },
    }


def film_headline(row: dict | None, rate) -> list[dict]:
    row = row or {}
    kinds = {"disbursed_pct": schema.RATIO}
    return [
        {
            "name": name,
            "label": label,
            "value": display(kinds.get(name, schema.MONEY), row.get(name)),
            "usd": None if name in kinds else usd(row.get(name), rate),
        }
        for name, label in FILM_HEADLINE
    ]


def timeline(history, current: str) -> list[dict]:
    """The pipeline's stages, each with the day the film last entered it, done, current or still to come;
    an abandoned film ends with the abandonment."""
    entered = {}
    for change in history:
        entered[change.stage] = change.date
    position = stage_step(current)
    steps = []
    for index, stage in enumerate(PIPELINE, start=1):
        if current == Stage.ABANDONED:
            state = "done" if stage in entered else "skipped"
        else:
            state = "done" if index < position else "current" if index == position else "upcoming"
        steps.append({"stage": stage.label, "date": day(entered.get(stage)), "state": state})
    if current == Stage.ABANDONED:
        steps.append(
            {
                "stage": Stage.ABANDONED.label,
                "date": day(entered.get(Stage.ABANDONED)),
                "state": "current",
            }
        )
    return steps


def tranche_trigger(tranche) -> str:
    if tranche.trigger == "stage" and tranche.trigger_stage:
        return _("When %(stage)s is reached") % {"stage": stage_label(tranche.trigger_stage)}
    return _("On %(date)s") % {"date": day(tranche.trigger_date)}


def tranche_rows(tranches, next_number, rate) -> list[dict]:
    return [
        {
            "number": tranche.number,
            "amount": money(tranche.amount),
            "usd": usd(tranche.amount, rate),
            "trigger": tranche_trigger(tranche),
            "planned": day(tranche.planned_date),
            "status": tranche.get_status_display(),
            "paid": tranche.status == "paid",
            "paid_on": day(tranche.paid_on) if tranche.status == "paid" else "",
            "is_next": tranche.number == next_number,
        }
        for tranche in tranches
    ]


# The investor's own figures on the "My funds" page, from their capital account.
ACCOUNT_FIGURES = ("commitment", "paid_in", "unfunded", "distributed", "nav_share", "tvpi")


def account_figures(account) -> list[dict]:
    return [
        {
            "name": name,
            "label": schema.INVESTOR[name].label,
            "value": multiple(getattr(account, name))
            if schema.INVESTOR[name].kind == schema.RATIO
            else money(getattr(account, name)),
        }
        for name in ACCOUNT_FIGURES
    ]

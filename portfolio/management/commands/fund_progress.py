import datetime
import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.metrics import compute_fund_progress
from portfolio.models import Fund
from portfolio.money import format_money

MONEY_KEYS = [
    "target_size",
    "committed_capital",
    "allocated",
    "disbursed",
    "undisbursed_allocations",
    "available_to_allocate",
    "paid_in",
    "unfunded",
    "distributed",
    "receipts",
    "nav",
    "planned_disbursed",
    "cash_needed_next_90_days",
]
RATIO_KEYS = [
    "fundraising_pct",
    "allocation_pct",
    "deployment_pct",
    "deployment_pct_of_target",
    "period_elapsed_pct",
    "pace_ratio",
    "max_project_share",
]
MULTIPLE_KEYS = ["dpi", "rvpi", "tvpi", "net_irr"]


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("Give the date as YYYY-MM-DD, not %(value)r.") % {"value": value}) from error


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


class Command(BaseCommand):
    help = _("Print every progress metric of a fund, computed live, under the names of the domain.")

    def add_arguments(self, parser):
        parser.add_argument("fund_slug", help=_("The fund's slug, e.g. tolqyn."))
        parser.add_argument("--as-of", type=_date, default=None, help=_("YYYY-MM-DD; today by default."))
        parser.add_argument("--json", action="store_true", help=_("One JSON object; decimals as strings."))

    def handle(self, *args, fund_slug, as_of, **options):
        fund = Fund.objects.filter(slug=fund_slug).first()
        if fund is None:
            raise CommandError(_("No fund with the slug %(slug)r.") % {"slug": fund_slug})
        metrics = compute_fund_progress(fund, as_of or timezone.localdate())
        if options["json"]:
            self.stdout.write(_dumps(metrics))
        else:
            self._table(fund, metrics)

    def _table(self, fund, m):
        write = self.stdout.write
        write(f"{fund.name} — {m['as_of']}")
        rows = [(key, format_money(m[key])) for key in MONEY_KEYS]
        rows += [(key, _pct(m[key])) for key in RATIO_KEYS]
        rows += [(key, "—" if m[key] is None else str(m[key])) for key in MULTIPLE_KEYS]
        band = m["projects_band"]
        rows += [
            ("projects_active", str(m["projects_active"])),
            ("projects_band", f"{band['min']}–{band['max']} ({band['status']})"),
            ("projected_full_deployment", str(m["projected_full_deployment"] or "—")),
            ("concentration_breaches", ", ".join(b["slug"] for b in m["concentration_breaches"]) or "—"),
        ]
        width = max(len(key) for key, _value in rows)
        for key, value in rows:
            write(f"  {key.ljust(width)}  {value}")
        write("\nby_stage")
        for stage, bucket in m["by_stage"].items():
            write(
                f"  {stage.ljust(16)} {bucket['projects']:>3}  {format_money(bucket['allocated']):>24}"
                f"  {format_money(bucket['disbursed']):>24}"
            )
        write(
            "\n"
            + _("%(projects)d projects and %(investors)d investors: use --json for their figures.")
            % {"projects": len(m["projects"]), "investors": len(m["investors"])}
        )


def _dumps(metrics: dict) -> str:
    return jsonlib.dumps(metrics, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)

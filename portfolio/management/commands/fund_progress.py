import datetime
import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.metrics import schema
from portfolio.models import Fund
from portfolio.money import format_money
from portfolio.services.progress import progress_live


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("Give the date as YYYY-MM-DD, not %(value)r.") % {"value": value}) from error


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
        progress = progress_live(fund, as_of or timezone.localdate())
        if options["json"]:
            self.stdout.write(_dumps(in_schema_order(progress.metrics, progress.accounts)))
        else:
            self._table(fund, progress.metrics, len(progress.accounts))

    def _table(self, fund, m, investors: int):
        write = self.stdout.write
        write(f"{fund.name} — {m['as_of']}")
        # Every scalar metric of the schema on a line; the per-stage buckets get a block of their own below.
        rows = [
            (metric.name, _FORMAT[metric.kind](m[metric.name]))
            for metric in schema.FUND_METRICS
            if metric.kind != schema.STAGES
        ]
        width = max(len(key) for key, _value in rows)
        for key, value in rows:
            write(f"  {key.ljust(width)}  {value}")
        for metric in schema.FUND_METRICS:
            if metric.kind == schema.STAGES:
                self._stages(metric.name, m[metric.name])
        write(
            "\n"
            + _("%(projects)d projects and %(investors)d investors: use --json for their figures.")
            % {"projects": len(m["projects"]), "investors": investors}
        )

    def _stages(self, name: str, buckets: dict):
        write = self.stdout.write
        write(f"\n{name}")
        for stage, bucket in buckets.items():
            write(
                f"  {stage.ljust(16)} {bucket['projects']:>3}  {format_money(bucket['allocated']):>24}"
                f"  {format_money(bucket['disbursed']):>24}"
            )


def in_schema_order(metrics: dict, accounts: list[dict]) -> dict:
    """The JSON object: whose and when, every fund metric of the schema, the projects, and the capital
    accounts with every investor metric of the schema (a metric the engine does not compute is an error)."""
    return {
        **{key: metrics[key] for key in ("fund", "as_of", "currency")},
        **{metric.name: metrics[metric.name] for metric in schema.FUND_METRICS},
        "projects": metrics["projects"],
        "investors": [
            {
                "investor_id": account["investor_id"],
                "investor": account["investor"],
                **{metric.name: account[metric.name] for metric in schema.INVESTOR_METRICS},
            }
            for account in accounts
        ],
    }


def _or_dash(value) -> str:
    return "—" if value is None else str(value)


def _band(band: dict) -> str:
    return f"{band['min']}–{band['max']} ({band['status']})"


def _breaches(breaches: list) -> str:
    return ", ".join(breach["slug"] for breach in breaches) or "—"


# How the table writes each kind of the schema; ratios and multiples as plain decimals, money as ₸.
_FORMAT = {
    schema.MONEY: format_money,
    schema.RATIO: _or_dash,
    schema.COUNT: _or_dash,
    schema.DATE: _or_dash,
    schema.BAND: _band,
    schema.LIST: _breaches,
}


def _dumps(metrics: dict) -> str:
    return jsonlib.dumps(metrics, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)

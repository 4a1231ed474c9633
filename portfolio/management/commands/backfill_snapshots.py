import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from portfolio.models import Fund
from portfolio.services.progress import progress_targets_refresh

from .fund_progress import _date


class Command(BaseCommand):
    help = _("Compute and store a progress snapshot of a fund for every day of a period (for the charts).")

    def add_arguments(self, parser):
        parser.add_argument("fund_slug", help=_("The fund's slug, e.g. tolqyn."))
        parser.add_argument(
            "--from", dest="start", type=_date, required=True, help=_("First date, YYYY-MM-DD.")
        )
        parser.add_argument(
            "--to", dest="end", type=_date, default=None, help=_("YYYY-MM-DD; today by default.")
        )
        parser.add_argument("--every", type=int, default=1, help=_("Days between snapshots (default 1)."))

    def handle(self, *args, fund_slug, start, end, every, **options):
        fund = Fund.objects.filter(slug=fund_slug).first()
        if fund is None:
            raise CommandError(_("No fund with the slug %(slug)r.") % {"slug": fund_slug})
        end = end or timezone.localdate()
        if start > end:
            raise CommandError(_("--from must not be after --to."))
        if every < 1:
            raise CommandError(_("--every must be at least 1."))
        days = [start + datetime.timedelta(days=n) for n in range(0, (end - start).days + 1, every)]
        # One set-based refresh for the whole period (the same queries for a day or for years of them).
        progress_targets_refresh(targets=[(fund.pk, day) for day in days])
        count = len(days)
        self.stdout.write(
            _("%(count)d snapshots of %(fund)s from %(start)s to %(end)s.")
            % {"count": count, "fund": fund.slug, "start": start, "end": end}
        )

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portfolio.demo import seed_demo


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not a lazy string: argparse needs a real str, translated when the help is shown.
        return _(
            "Load the demo funds, projects, money, FX rates and accounts. Running it again changes nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Seed even when DEBUG is off (the demo accounts share a published password)."),
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "DEBUG is off, so this looks like a production database: the demo would add accounts "
                    "with a published password. Run with --force if you really mean it."
                )
            )
        seed_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(_("Demo data is in place.")))

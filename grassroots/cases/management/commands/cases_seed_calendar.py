from django.core.management.base import BaseCommand

from grassroots import clock
from grassroots.worktime.calendar import seed_year, years_without_schedule


class Command(BaseCommand):
    help = (
        "Enter the official holiday schedule of the given years from chinese-calendar (local overrides are "
        "kept). Years the installed package does not know are reported; enter them in the admin instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="default: this year and next")

    def handle(self, *args, years, **options):
        wanted = years or [clock.today().year, clock.today().year + 1]
        for year in wanted:
            if seed_year(year):
                self.stdout.write(f"{year}: official schedule entered")
            else:
                self.stdout.write(
                    self.style.WARNING(f"{year}: not known to chinese-calendar; weekends only until entered")
                )
        missing = years_without_schedule(wanted)
        if missing:
            self.stdout.write(self.style.WARNING(f"years without an official schedule: {missing}"))

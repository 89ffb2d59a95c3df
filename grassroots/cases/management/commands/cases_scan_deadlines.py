from django.core.management.base import BaseCommand

from grassroots.cases.services import deadlines_scan


class Command(BaseCommand):
    help = (
        "Mark overdue cases, remind handlers near their deadline and tell supervisors of overdue cases. "
        "Run it from a timer (every few minutes); running it again sends nothing twice."
    )

    def handle(self, *args, **options):
        result = deadlines_scan()
        self.stdout.write(
            f"response overdue: {result.response_overdue}, handling reminders: {result.handling_warned}, "
            f"handling overdue: {result.handling_overdue}"
        )

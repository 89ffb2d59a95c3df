from django.core.management.base import BaseCommand

from grassroots.cases.models import Category, CategoryLimit
from grassroots.cases.seed import seed_categories


class Command(BaseCommand):
    help = "Add the default service types and their time limits that are missing (safe to run again)."

    def handle(self, *args, **options):
        added = seed_categories(Category, CategoryLimit)
        self.stdout.write(f"{added} service types added, {Category.objects.count()} in all.")

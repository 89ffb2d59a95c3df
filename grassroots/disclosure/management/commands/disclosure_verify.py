"""Check the hash chain of every published notice (or of one board): exits 1 and names each broken notice."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from grassroots.disclosure import selectors
from grassroots.disclosure.models import Notice


class Command(BaseCommand):
    help = "Verify the hash chains of disclosure notices; exit status 1 if any is broken."

    def add_arguments(self, parser):
        parser.add_argument("--board", type=int, help="only this board's notices")

    def handle(self, *args, board=None, **options):
        notices = Notice.objects.exclude(versions=None).distinct().order_by("pk")
        if board:
            notices = notices.filter(board_id=board)
        broken = checked = 0
        for notice in notices.iterator():
            report = selectors.verify_notice(notice)
            checked += 1
            if not report.ok:
                broken += 1
                self.stdout.write(f"notice {notice.pk}: " + "; ".join(report.problems))
        self.stdout.write(f"{checked} notices checked, {broken} broken")
        if broken:
            sys.exit(1)

"""manage.py demo_load: build the demo city (once), then print one login per role."""

from __future__ import annotations

import os
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from grassroots.demo.disclosure import clerk_hint
from grassroots.demo.logins import PASSWORD, login_rows
from grassroots.demo.steps import DEFAULT_SEED, SCALES, DemoError, load


class Command(BaseCommand):
    help = (
        "Build the synthetic demo city of Bayannur (areas, grids, grid workers, logins) from a fixed seed. "
        "Running it again does nothing; --reset rebuilds it. --scale city builds the seed city's 6,013 grids."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", choices=sorted(SCALES), help="small (the default on an empty database) or city"
        )
        parser.add_argument("--seed", type=int, help=f"default {DEFAULT_SEED}, or the seed the demo here has")
        parser.add_argument("--reset", action="store_true", help="delete the demo and build it again")
        parser.add_argument(
            "--until", metavar="STEP", help="stop after this step (city, grid_workers, logins, ...)"
        )
        # scripts/run serves on $HOST:$PORT.
        host, port = os.environ.get("HOST") or "127.0.0.1", os.environ.get("PORT") or "8000"
        parser.add_argument(
            "--base-url", default=f"http://{host}:{port}", help="printed in front of the login addresses"
        )

    def handle(self, *args, scale, seed, reset, until, base_url, **options):
        try:
            report = load(scale=scale, seed=seed, reset=reset, until=until)
        except DemoError as exc:
            raise CommandError(str(exc.message)) from exc
        for outcome in report.steps:
            counts = ", ".join(f"{k} {v:,}" for k, v in outcome.counts.items())
            if outcome.ran:
                self.stdout.write(f"{outcome.label}: {counts} ({outcome.seconds:.1f} s)")
            else:
                self.stdout.write(_("%(label)s: already loaded") % {"label": outcome.label})
        self.stdout.write("")
        self.stdout.write(
            _("Demo city (scale %(scale)s, seed %(seed)s). Everything but the real place names is synthetic.")
            % {"scale": report.scale, "seed": report.seed}
        )
        self.stdout.write(
            _("Log in with the username or the phone number, password %(password)s:") % {"password": PASSWORD}
        )
        header = ["URL", "角色 role", "用户名 username", "手机 phone", "密码 password", "区域 area"]
        rows = [
            [
                base_url.rstrip("/") + row.path,
                f"{row.login.role_zh} {row.login.role_en}",
                row.login.username,
                row.login.phone,
                PASSWORD,
                f"{row.area_name} {row.login.area_code}" if row.login.area_code else row.area_name,
            ]
            for row in login_rows()
            if row.exists
        ]
        self.stdout.write(_table([header, *rows]))
        hint = clerk_hint()
        if hint:
            username, villages = hint
            self.stdout.write(
                _(
                    "Village affairs disclosure: %(username)s (the same password) manages every village's board; "
                    "%(villages)s have a year of notices, objections and a correction."
                )
                % {"username": username, "villages": "、".join(villages)}
            )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)

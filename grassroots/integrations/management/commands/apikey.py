"""Issue, list and revoke API keys from the command line (the operator's way; the admin page is the other).

manage.py apikey issue --name "County case system" --area 150802 [--role county_staff] [--rate 120]
manage.py apikey list
manage.py apikey revoke grk_AbCdEf --reason "contract ended"
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from grassroots.accounts.models import Role
from grassroots.areas.models import Area
from grassroots.errors import DomainError

from ...models import KEY_ROLES, ApiKey
from ...services.keys import api_key_issue, api_key_revoke
from ...services.webhooks import KINDS, webhook_subscribe


class Command(BaseCommand):
    help = "Issue, list or revoke API keys of outside systems."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        issue = sub.add_parser("issue", help="issue a key; its secret is printed once")
        issue.add_argument("--name", required=True, help="the system that holds the key")
        issue.add_argument("--area", required=True, help="the area code the key reaches")
        issue.add_argument("--role", default=Role.COUNTY_STAFF, choices=[str(r) for r in KEY_ROLES])
        issue.add_argument("--rate", type=int, default=120, help="requests per minute")
        sub.add_parser("list", help="list the keys (never their secrets)")
        revoke = sub.add_parser("revoke", help="revoke the key with this prefix")
        revoke.add_argument("prefix")
        revoke.add_argument("--reason", default="")
        subscribe = sub.add_parser(
            "subscribe", help="subscribe an address to the key's events; prints the secret"
        )
        subscribe.add_argument("prefix")
        subscribe.add_argument("url")
        subscribe.add_argument("--events", default="case", help="comma-separated: case, notice, topic")

    def handle(self, *args, what, **options):
        try:
            getattr(self, f"_{what}")(**options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _issue(self, *, name, area, role, rate, **_):
        found = Area.objects.filter(code=area).first()
        if found is None:
            raise CommandError(f"There is no area with the code {area}.")
        key, raw = api_key_issue(actor=None, name=name, area=found, role=role, rate_per_minute=rate)
        self.stdout.write(f"Issued key {key.prefix}… to {key.name} on {key.area_code} as {key.role}.")
        self.stdout.write("Keep this secret now; it is not shown again:")
        self.stdout.write(raw)

    def _list(self, **_):
        for key in ApiKey.objects.order_by("issued_at"):
            state = "revoked" if key.revoked_at else "active"
            used = key.last_used_at.isoformat() if key.last_used_at else "never"
            self.stdout.write(f"{key.prefix}…\t{state}\t{key.area_code}\t{key.role}\t{used}\t{key.name}")

    def _one_key(self, prefix: str) -> ApiKey:
        keys = list(ApiKey.objects.filter(prefix__startswith=prefix.rstrip("…"), revoked_at__isnull=True))
        if len(keys) != 1:
            raise CommandError(f"{len(keys)} active keys start with {prefix}; give a longer prefix.")
        return keys[0]

    def _revoke(self, *, prefix, reason, **_):
        key = self._one_key(prefix)
        api_key_revoke(actor=None, key=key, reason=reason)
        self.stdout.write(f"Revoked {key.prefix}… ({key.name}).")

    def _subscribe(self, *, prefix, url, events, **_):
        kinds = {part.strip() for part in events.split(",") if part.strip()}
        if not kinds or kinds - set(KINDS):
            raise CommandError(f"--events takes {', '.join(KINDS)}, comma-separated.")
        subscription, secret = webhook_subscribe(
            actor=None, key=self._one_key(prefix), url=url,
            on_case="case" in kinds, on_notice="notice" in kinds, on_topic="topic" in kinds,
        )  # fmt: skip
        self.stdout.write(f"Subscription {subscription.pk}: {subscription.url} ({', '.join(sorted(kinds))}).")
        self.stdout.write("Keep this signing secret now; it is not shown again:")
        self.stdout.write(secret)

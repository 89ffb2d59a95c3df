"""Re-encrypt every encrypted column (residents, households, places, users, grid workers …) with the newest
key of FIELD_ENCRYPTION_KEYS. See docs/security.md, "Rotating keys"."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from grassroots import fieldcrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt all personal data with the newest key in FIELD_ENCRYPTION_KEYS. Prepend the new key, "
        "restart the app servers, run this, then remove the old key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, batch_size: int, database: str, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")

        def progress(label, done):
            if done % (batch_size * 50) == 0:
                self.stdout.write(f"  {label}: {done}")

        try:
            counts = fieldcrypt.reencrypt_all(batch_size=batch_size, progress=progress, using=database)
        except fieldcrypt.DecryptionError as exc:
            raise CommandError(
                f"{exc}. Every key that encrypted data must stay in FIELD_ENCRYPTION_KEYS until this "
                "command has finished."
            ) from exc
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS("All encrypted columns now use the newest key."))

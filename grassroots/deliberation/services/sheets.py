"""Photos of paper sign-in sheets (meetings and the counts of meetings held off the platform)."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from grassroots import clock
from grassroots.photos import prepare as prepare_photo


def store_photo(upload, *, folder: str) -> str:
    """Verify and re-encode a photo (no metadata survives) and write it when the transaction commits."""
    photo = prepare_photo(upload)
    name = f"deliberation/{folder}/{clock.today():%Y/%m}/{uuid.uuid4().hex}.{photo.extension}"
    transaction.on_commit(lambda: default_storage.save(name, ContentFile(photo.content)))
    return name

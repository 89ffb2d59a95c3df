"""Photos of paper sign-in sheets (meetings and the counts of meetings held off the platform)."""

from __future__ import annotations

from grassroots import photos


def store_photo(upload, *, folder: str) -> str:
    """Verify and re-encode a photo (no metadata survives) and write it at once under
    ``deliberation/<folder>`` (``meetings`` or ``tallies``); returns the name it is kept under."""
    return photos.store(photos.prepare(upload), folder=f"deliberation/{folder}", thumbnail=False).name

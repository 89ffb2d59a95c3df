"""The rows of a case's photos: the checked and re-encoded photos (``grassroots/photos.py``) recorded on
the case, its stage and event; the files are written before the rows, so a committed row has its file."""

from __future__ import annotations

from collections.abc import Sequence

from grassroots.photos import PreparedPhoto, store

from .models import Case, CaseEvent, CasePhoto


def attach(
    *,
    case: Case,
    photos: Sequence[PreparedPhoto],
    stage: str,
    actor=None,
    event: CaseEvent | None = None,
) -> list[CasePhoto]:
    """Write the photos' files, then create their rows (in the caller's transaction)."""
    rows = []
    for photo in photos:
        row = CasePhoto(
            case=case,
            event=event,
            stage=stage,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size=len(photo.content),
            sha256=photo.sha256,
            original_format=photo.original_format,
            gps_lon=photo.gps_lon,
            gps_lat=photo.gps_lat,
            taken_at=photo.taken_at,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            area_code=case.area_code,
        )
        rows.append((row, photo))
    for row, photo in rows:
        stored = store(photo, folder="cases")  # the names the storage kept
        row.image.name, row.thumbnail.name = stored.name, stored.thumbnail
    return CasePhoto.objects.bulk_create([row for row, _photo in rows])

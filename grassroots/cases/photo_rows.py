"""The rows of a case's photos: the checked and re-encoded photos (``grassroots/photos.py``) recorded on
the case, its stage and event; the files are written when the transaction commits."""

from __future__ import annotations

from collections.abc import Sequence

from grassroots.photos import PreparedPhoto, StoredPhoto, store

from .models import Case, CaseEvent, CasePhoto


def attach(
    *,
    case: Case,
    photos: Sequence[PreparedPhoto],
    stage: str,
    actor=None,
    event: CaseEvent | None = None,
) -> list[CasePhoto]:
    """Create the photo rows now and write their files when the surrounding transaction commits."""
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
        stored = _store(row, photo)
        row.image.name, row.thumbnail.name = stored.name, stored.thumbnail
    return CasePhoto.objects.bulk_create([row for row, _photo in rows])


def _store(row: CasePhoto, photo: PreparedPhoto) -> StoredPhoto:
    def renamed(kept: StoredPhoto) -> None:
        CasePhoto.objects.filter(pk=row.pk).update(image=kept.name, thumbnail=kept.thumbnail)
        row.image.name, row.thumbnail.name = kept.name, kept.thumbnail  # the rows handed back stay true

    return store(photo, folder="cases", renamed=renamed)

"""Every uploaded photo of every app: verify, read GPS and capture time, re-encode without metadata,
thumbnail, store under our own name.

Case photos, visit photos, sign-in sheets of meetings and tallies, and volunteer-team activity photos all come
in through this module; no app keeps an uploaded image as it was sent. :func:`prepare` does all the checking
and re-encoding in memory, before anything is written: a file that is not a JPEG, PNG, WebP or HEIC/HEIF
image, is larger than ``PHOTO_MAX_BYTES`` (15 MB) or has more than ``PHOTO_MAX_PIXELS`` pixels (no
decompression bombs: Pillow's own guard is set to the same limit and its warning is treated as an error) is
refused with :class:`PhotoError` (400), whose message says what to do. What is kept is a fresh JPEG (or
WebP, ``PHOTO_FORMAT``) of the pixels only: no EXIF (GPS, camera), XMP, ICC, text chunks or bytes appended
after the image survive, and the sender's file name and extension are never used.

:func:`store` names the files (``<folder>/<year>/<month>/<random>.jpg`` and ``…_t.jpg``) and writes them
through Django's default storage (filesystem, or S3 by configuration) at once, before the caller's
transaction commits: a committed row always has its file, whatever happens to the process after the commit.
A transaction that rolls back leaves its files behind with no row naming them; :func:`orphans_purge`
(``manage.py photos_purge_orphans``, daily) deletes those once ``PHOTOS_ORPHAN_AFTER_HOURS`` old, in the
folders the apps declared with :func:`folder_register`. Serving them back is ``grassroots/media.py``'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pillow_heif
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from grassroots import clock
from grassroots.errors import DomainError

pillow_heif.register_heif_opener()

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a 200-megapixel phone sensor bins to 50 MP photos; more is not a photo
MAX_PHOTOS = 9
MAX_SIDE = 2560
THUMB_SIDE = 320
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "HEIC", "MPO"}

# Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; we refuse above our own limit anyway.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoError(DomainError):
    """An upload refused as a photo (400); ``code`` says why: ``not_an_image``, ``photo_too_large``,
    ``photo_too_many_pixels``, ``too_many_photos``."""

    code = "bad_photo"
    status = 400


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass(frozen=True)
class PreparedPhoto:
    content: bytes
    thumbnail: bytes
    content_type: str
    extension: str
    width: int
    height: int
    original_format: str
    gps_lon: float | None
    gps_lat: float | None
    taken_at: dt.datetime | None
    sha256: str


def _read(upload) -> bytes:
    limit = _limit("PHOTO_MAX_BYTES", MAX_BYTES)
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise PhotoError(
            _("The photo %(name)s is %(size).1f MB; the limit is %(limit)d MB. Send a smaller photo.")
            % {"name": _name(upload), "size": size / 1048576, "limit": limit // 1048576},
            code="photo_too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > limit:
        raise PhotoError(
            _("The photo %(name)s is larger than %(limit)d MB. Send a smaller photo.")
            % {"name": _name(upload), "limit": limit // 1048576},
            code="photo_too_large",
        )
    if not data:
        raise PhotoError(
            _("The file %(name)s is empty. Send a JPEG, PNG, WebP or HEIC photo.") % {"name": _name(upload)},
            code="not_an_image",
        )
    return data


def _name(upload) -> str:
    return str(getattr(upload, "name", "") or _("(unnamed)"))


def _not_an_image(upload):
    return PhotoError(
        _("%(name)s is not a photo we can read. Send a JPEG, PNG, WebP or HEIC image.")
        % {"name": _name(upload)},
        code="not_an_image",
    )


def _ratio(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        numerator, denominator = value
        return float(numerator) / float(denominator)


def _gps(exif) -> tuple[float | None, float | None]:
    try:
        gps = exif.get_ifd(0x8825)
    except Exception:
        return None, None
    try:
        lat_ref, lat, lon_ref, lon = gps.get(1), gps.get(2), gps.get(3), gps.get(4)
        if not lat or not lon:
            return None, None
        to_deg = lambda dms: _ratio(dms[0]) + _ratio(dms[1]) / 60 + _ratio(dms[2]) / 3600  # noqa: E731
        y, x = to_deg(lat), to_deg(lon)
        if str(lat_ref).upper().startswith("S"):
            y = -y
        if str(lon_ref).upper().startswith("W"):
            x = -x
        if not (-90 <= y <= 90 and -180 <= x <= 180) or (x == 0 and y == 0):
            return None, None
        return round(x, 7), round(y, 7)
    except Exception:
        return None, None


def _taken_at(exif) -> dt.datetime | None:
    try:
        sub = exif.get_ifd(0x8769)
    except Exception:
        sub = {}
    raw = sub.get(36867) or sub.get(36868) or exif.get(306)
    if not raw:
        return None
    try:
        moment = dt.datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = sub.get(36881)  # OffsetTimeOriginal, e.g. "+08:00"
    if offset:
        try:
            sign = -1 if str(offset).startswith("-") else 1
            hours, minutes = str(offset).strip("+-\x00 ").split(":")
            tz = dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))
            return moment.replace(tzinfo=tz)
        except ValueError:
            pass
    return timezone.make_aware(moment)


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "WEBP":
        image.save(out, "WEBP", quality=82, method=4)
    else:
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def prepare(upload, *, max_side: int = MAX_SIDE) -> PreparedPhoto:
    """Check one uploaded file and return the cleaned photo, its longest side at most ``max_side`` pixels;
    raises :class:`PhotoError`."""
    data = _read(upload)
    max_pixels = _limit("PHOTO_MAX_PIXELS", MAX_PIXELS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            fmt = (probe.format or "").upper()
            width, height = probe.size
            if fmt not in ACCEPTED_FORMATS:
                raise _not_an_image(upload)
            if width * height > max_pixels or width <= 0 or height <= 0:
                raise PhotoError(
                    _(
                        "The photo %(name)s has %(pixels)d megapixels; the limit is %(limit)d. Send a smaller photo."
                    )
                    % {
                        "name": _name(upload),
                        "pixels": width * height // 1_000_000,
                        "limit": max_pixels // 1_000_000,
                    },
                    code="photo_too_many_pixels",
                )
            probe.verify()
            image: Image.Image = Image.open(io.BytesIO(data))
            exif = image.getexif()
            gps_lon, gps_lat = _gps(exif)
            taken_at = _taken_at(exif)
            image = ImageOps.exif_transpose(image)
            image.load()
        except PhotoError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(
                _("The photo %(name)s has too many pixels. Send a smaller photo.") % {"name": _name(upload)},
                code="photo_too_many_pixels",
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, EOFError):
            raise _not_an_image(upload) from None

    # Flatten onto white (transparent PNGs) and copy the pixels into a fresh image: no EXIF, XMP, ICC or
    # text chunks survive.
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out_format = str(getattr(settings, "PHOTO_FORMAT", "JPEG")).upper()
    content = _encode(clean, out_format)
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return PreparedPhoto(
        content=content,
        thumbnail=_encode(thumb, out_format),
        content_type="image/webp" if out_format == "WEBP" else "image/jpeg",
        extension="webp" if out_format == "WEBP" else "jpg",
        width=clean.width,
        height=clean.height,
        original_format=fmt,
        gps_lon=gps_lon,
        gps_lat=gps_lat,
        taken_at=taken_at,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def prepare_all(uploads: Iterable, *, limit: int = MAX_PHOTOS) -> list[PreparedPhoto]:
    """Prepare every upload, refusing more than ``limit`` photos; nothing is kept when one fails."""
    uploads = [u for u in uploads if u is not None]
    if len(uploads) > limit:
        raise PhotoError(
            _("At most %(limit)d photos at once; you sent %(count)d.")
            % {"limit": limit, "count": len(uploads)},
            code="too_many_photos",
        )
    return [prepare(u) for u in uploads]


@dataclass(frozen=True)
class StoredPhoto:
    """The storage names of a photo and its thumbnail, as written."""

    name: str
    thumbnail: str


_folders: set[str] = set()


def folder_register(folder: str) -> None:
    """Declare ``folder`` as one an app keeps photos in (from its ``AppConfig.ready()``): :func:`store` writes
    only into declared folders, and :func:`orphans_purge` looks there for files that no row names."""
    _folders.add(folder.strip("/"))


def folders() -> list[str]:
    return sorted(_folders)


def store(
    photo: PreparedPhoto,
    *,
    folder: str,
    thumbnail: bool = True,
    renamed: Callable[[StoredPhoto], None] | None = None,
) -> StoredPhoto:
    """Write the photo's files under ``folder`` now and return the names they were kept under.

    Written before the caller's transaction commits, so that a committed row naming them always has its
    files; should the transaction roll back, they are orphans until :func:`orphans_purge` deletes them. The
    names are ours (a random stem and the extension of the format we wrote), never the sender's. Should the
    storage keep a file under another name than asked, ``renamed`` is called with the names it kept (which
    are also those returned)."""
    folder = folder.strip("/")
    if folder not in _folders:
        raise ValueError(f"photos are not kept in {folder!r}: declare it with photos.folder_register")
    stem = f"{folder}/{clock.today():%Y/%m}/{uuid.uuid4().hex}"
    asked = StoredPhoto(
        name=f"{stem}.{photo.extension}", thumbnail=f"{stem}_t.{photo.extension}" if thumbnail else ""
    )
    kept = StoredPhoto(
        name=_write(asked.name, photo.content),
        thumbnail=_write(asked.thumbnail, photo.thumbnail) if thumbnail else "",
    )
    if kept != asked and renamed is not None:
        renamed(kept)
    return kept


def _write(name: str, content: bytes) -> str:
    return default_storage.save(name, ContentFile(content))


# --- files no row names -----------------------------------------------------------------------------------


@dataclass
class Purged:
    months: int = 0  # month folders looked through
    files: int = 0  # files found in them
    unnamed: int = 0  # of which no row names
    deleted: list[str] = field(default_factory=list)  # of which old enough: deleted


def _listdir(path: str) -> tuple[list[str], list[str]]:
    try:
        return default_storage.listdir(path)
    except (
        FileNotFoundError
    ):  # the filesystem's answer for a folder never written to (S3 answers empty lists)
        return [], []


def _month_folders(folder: str, since: dt.date | None) -> list[str]:
    """``<folder>/<year>/<month>`` folders of the store's naming, from the month of ``since`` on (all: None)."""
    found = []
    years, _files = _listdir(folder)
    for year in sorted(y for y in years if len(y) == 4 and y.isdigit()):
        months, _files = _listdir(f"{folder}/{year}")
        for month in sorted(m for m in months if len(m) == 2 and m.isdigit()):
            if since is None or (int(year), int(month)) >= (since.year, since.month):
                found.append(f"{folder}/{year}/{month}")
    return found


def _named(prefix: str) -> set[str]:
    """Every stored name starting with ``prefix`` that a file field of any model holds (each model's base
    manager: no default filter may hide a row)."""
    names: set[str] = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                rows = model._base_manager.filter(**{f"{model_field.attname}__startswith": prefix})
                names.update(rows.values_list(model_field.attname, flat=True))
    return names


def orphans_purge(*, older_than: dt.timedelta, since: dt.date | None, dry_run: bool = False) -> Purged:
    """Delete the files in the declared photo folders that no row names and that are older than
    ``older_than`` (written for a transaction that then rolled back), looking through the month folders from
    the month of ``since`` on (every month: None). A file younger than that is kept: its transaction may
    still be running. Through the default storage, so the same on the filesystem and on S3."""
    purged = Purged()
    cutoff = clock.now() - older_than
    for folder in folders():
        for month in _month_folders(folder, since):
            purged.months += 1
            _dirs, files = _listdir(month)
            stored = {f"{month}/{name}" for name in files}
            purged.files += len(stored)
            unnamed = sorted(stored - _named(f"{month}/"))
            purged.unnamed += len(unnamed)
            for name in unnamed:
                if default_storage.get_modified_time(name) < cutoff:
                    if not dry_run:
                        default_storage.delete(name)
                    purged.deleted.append(name)
    return purged

"""Photos: real images only, size and pixel limits, GPS and capture time read, every byte of metadata
stripped in the re-encoded photo and its thumbnail."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib

import pytest
from PIL import Image

from grassroots import photos
from grassroots.photos import PhotoError
from tests.cases.conftest import jpeg_bytes, upload


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (41.0, 0.0, 18.0)
    gps[3], gps[4] = "E", (107.0, 0.0, 18.0)
    exif.get_ifd(0x8769)[36867] = "2026:03:02 10:15:00"
    return exif


def encode(fmt: str, mode="RGB", size=(80, 60), **params) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 30, 128) if mode == "RGBA" else (10, 200, 30)).save(out, fmt, **params)
    return out.getvalue()


def test_gps_and_capture_time_are_read_then_all_metadata_is_stripped():
    prepared = photos.prepare(upload(jpeg_bytes(exif=exif_with_gps())))
    assert prepared.gps_lon == pytest.approx(107.005) and prepared.gps_lat == pytest.approx(41.005)
    assert prepared.taken_at.replace(tzinfo=None) == dt.datetime(2026, 3, 2, 10, 15)
    for content in (prepared.content, prepared.thumbnail):
        cleaned = Image.open(io.BytesIO(content))
        assert cleaned.format == "JPEG"
        assert len(cleaned.getexif()) == 0
        assert b"PhoneMaker" not in content and b"Exif" not in content
    assert prepared.content_type == "image/jpeg" and len(prepared.sha256) == 64


@pytest.mark.parametrize(
    ("fmt", "mode", "name"),
    [
        ("PNG", "RGBA", "a.png"),
        ("WEBP", "RGB", "a.webp"),
        ("HEIF", "RGB", "a.heic"),
        ("JPEG", "RGB", "a.jpg"),
    ],
)
def test_phone_formats_are_accepted_and_re_encoded(fmt, mode, name):
    prepared = photos.prepare(upload(encode(fmt, mode), name=name))
    assert prepared.original_format in {fmt, "HEIC"}
    assert Image.open(io.BytesIO(prepared.content)).mode == "RGB"
    assert (prepared.width, prepared.height) == (80, 60)


def test_large_photos_are_scaled_down_and_thumbnailed():
    prepared = photos.prepare(upload(encode("JPEG", size=(4000, 3000))))
    assert max(prepared.width, prepared.height) == photos.MAX_SIDE
    assert max(Image.open(io.BytesIO(prepared.thumbnail)).size) == photos.THUMB_SIDE


def test_webp_output_by_configuration(settings):
    settings.PHOTO_FORMAT = "WEBP"
    prepared = photos.prepare(upload(jpeg_bytes()))
    assert prepared.content_type == "image/webp" and Image.open(io.BytesIO(prepared.content)).format == "WEBP"


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas (a decompression bomb's first bytes)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 10))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(10000, 7000), (50000, 50000)])
def test_decompression_bombs_are_refused(size):
    with pytest.raises(PhotoError) as caught:
        photos.prepare(upload(png_claiming(*size), name="bomb.png"))
    assert caught.value.code == "photo_too_many_pixels"


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + b"\0" * 40,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        jpeg_bytes()[:60],
        b"",
        encode("GIF"),
    ],
)
def test_anything_else_is_refused_with_a_clear_message(data):
    with pytest.raises(PhotoError) as caught:
        photos.prepare(upload(data, name="thing.bin"))
    assert caught.value.code == "not_an_image"
    assert "thing.bin" in str(caught.value) and "JPEG" in str(caught.value)


def test_size_limit(settings):
    settings.PHOTO_MAX_BYTES = 2048
    with pytest.raises(PhotoError) as caught:
        photos.prepare(upload(encode("PNG", size=(400, 400)) + b"\0" * 3000, name="big.png"))
    assert caught.value.code == "photo_too_large" and "big.png" in str(caught.value)


# --- stored at once; files no row names -------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_photo_is_written_at_once_and_only_into_a_declared_folder(media):
    prepared = photos.prepare(upload(jpeg_bytes()))
    stored = photos.store(prepared, folder="people/visits", thumbnail=False)
    assert (media / stored.name).read_bytes() == prepared.content and stored.thumbnail == ""
    assert {"cases", "people/visits", "workforce/activities", "deliberation/meetings"} <= set(
        photos.folders()
    )
    with pytest.raises(ValueError, match="folder_register"):
        photos.store(prepared, folder="elsewhere")


@pytest.mark.django_db
def test_the_purge_deletes_old_files_no_row_names_in_the_months_it_looks_at(media):
    from django.core.files.storage import default_storage

    from grassroots import clock

    prepared = photos.prepare(upload(jpeg_bytes()))
    march = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(march):
        old_sheet = photos.store(prepared, folder="deliberation/meetings", thumbnail=False).name
    with clock.frozen(march - dt.timedelta(days=50)):  # January
        older = photos.store(prepared, folder="cases").name
    (media / "cases" / "notes.txt").write_text("not of the store's layout: never looked at")
    assert old_sheet.startswith("deliberation/meetings/2026/03/") and older.startswith("cases/2026/01/")
    # the files' own times are now (the test's); the purge runs as if two days had passed
    later = clock.now() + dt.timedelta(days=2)
    with clock.frozen(later):
        young = photos.orphans_purge(older_than=dt.timedelta(days=3), since=None)
        assert young.unnamed == 3 and young.deleted == []
        looked = photos.orphans_purge(
            older_than=dt.timedelta(hours=24), since=dt.date(2026, 3, 1), dry_run=True
        )
        assert looked.deleted == [old_sheet] and default_storage.exists(old_sheet)
        everything = photos.orphans_purge(older_than=dt.timedelta(hours=24), since=None)
    assert sorted(everything.deleted) == sorted([old_sheet, older, older.replace(".jpg", "_t.jpg")])
    assert not default_storage.exists(old_sheet) and not default_storage.exists(older)
    assert (media / "cases" / "notes.txt").exists()

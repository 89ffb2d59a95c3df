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

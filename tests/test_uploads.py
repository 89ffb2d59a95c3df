"""Uploads are stored as we write them, never as sent (issue 12, item 4).

Every photo of every app goes through ``grassroots/photos.py`` (re-encoded, metadata stripped, our own name and
extension, size and pixel limits answered with a translated 400); every stored file is served by
``grassroots/media.py`` (type from our extension only, ``nosniff``, private files only to those who may see
their owner). The volunteer-team activity photo was the upload kept as sent: a PNG with HTML appended, named
``evil.html``, was stored under that name; GPS tags stayed; a 25,000 × 25,000 PNG answered 500.
"""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from PIL import Image

from grassroots import clock, media
from grassroots.accounts.models import Role
from grassroots.people.models import Visit
from grassroots.workforce.models import GroupActivity
from grassroots.workforce.services import groups
from tests.cases.conftest import jpeg_bytes
from tests.factories import grid, user_with
from tests.people.factories import GRID as PEOPLE_GRID
from tests.people.factories import household
from tests.test_photos import exif_with_gps, png_claiming

pytestmark = pytest.mark.django_db

VILLAGE = "150825100200"
G1 = f"{VILLAGE}001"
OTHER_VILLAGE = "150826100200"
API = "/api/v1/workforce"
HTML = b"<html><body><script>alert(document.domain)</script></body></html>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png_with_html() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "PNG")
    return out.getvalue() + HTML


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def team():
    grid(G1, (107.0, 41.0, 107.01, 41.01))
    grid(f"{OTHER_VILLAGE}001", (108.0, 41.0, 108.01, 41.01))
    staff = user_with(Role.VILLAGE_STAFF, VILLAGE)
    group = groups.group_create(actor=None, kind="team", name="志愿服务队", area_code=VILLAGE, members=["甲"])
    return staff, group


def post_activity(client, group, photo, **headers):
    return client.post(
        f"{API}/groups/{group.pk}/activities",
        {"description": "清扫", "hours": "2", "photo": photo},
        **headers,
    )


def read(response) -> bytes:
    return b"".join(response.streaming_content)


# --- the activity photo: stored as we write it ----------------------------------------------------------------


def test_a_png_with_html_named_evil_html_is_kept_as_our_jpeg_and_served_as_an_image(
    team, django_capture_on_commit_callbacks
):
    staff, group = team
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_activity(client, group, SimpleUploadedFile("evil.html", png_with_html(), "text/html"))
    assert response.status_code == 201, response.content
    name = GroupActivity.objects.get().photo.name
    assert name.startswith("workforce/activities/") and name.endswith(".jpg") and "evil" not in name
    kept = default_storage.open(name).read()
    assert HTML not in kept and b"<html" not in kept and Image.open(io.BytesIO(kept)).format == "JPEG"

    served = client.get(response.json()["photo_url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg" and served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert read(served) == kept


def test_gps_tags_are_gone_after_upload(team, django_capture_on_commit_callbacks):
    staff, group = team
    sent = jpeg_bytes(exif=exif_with_gps())
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(0x8825)  # the photo as sent carries GPS
    with django_capture_on_commit_callbacks(execute=True):
        response = post_activity(client_for(staff), group, SimpleUploadedFile("p.jpg", sent, "image/jpeg"))
    assert response.status_code == 201, response.content
    kept = default_storage.open(GroupActivity.objects.get().photo.name).read()
    exif = Image.open(io.BytesIO(kept)).getexif()
    assert len(exif) == 0 and not exif.get_ifd(0x8825)
    assert b"Exif" not in kept and b"PhoneMaker" not in kept


@pytest.mark.parametrize(
    ("language", "words"), [("zh-hans", "像素"), ("en", "pixels")], ids=["chinese", "english"]
)
def test_a_decompression_bomb_is_a_400_with_a_message_and_nothing_is_stored(
    team, _media, django_capture_on_commit_callbacks, language, words
):
    staff, group = team
    bomb = SimpleUploadedFile("bomb.png", png_claiming(25_000, 25_000), "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_activity(client_for(staff), group, bomb, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    body = response.json()
    assert (
        body["code"] == "photo_too_many_pixels" and words in body["message"] and "bomb.png" in body["message"]
    )
    assert not GroupActivity.objects.exists() and stored_files(_media) == []


def test_a_decompression_bomb_on_a_page_form_is_shown_on_the_form(
    client, _media, django_capture_on_commit_callbacks
):
    worker = user_with(Role.GRID_WORKER, PEOPLE_GRID)
    home = household()
    client.force_login(worker)
    bomb = SimpleUploadedFile("bomb.png", png_claiming(25_000, 25_000), "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            f"/people/households/{home.pk}/visits/new/",
            {"visited_on": clock.today().isoformat(), "found": "门前积水", "photos": [bomb]},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert page.status_code in (200, 400)
    assert "bomb.png" in page.content.decode() and "pixels" in page.content.decode()
    assert not Visit.objects.exists() and stored_files(_media) == []


# --- private media ------------------------------------------------------------------------------------------


def test_an_activity_photo_is_refused_to_whoever_may_not_see_the_team(
    team, django_capture_on_commit_callbacks
):
    staff, group = team
    with django_capture_on_commit_callbacks(execute=True):
        url = post_activity(
            client_for(staff), group, SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")
        ).json()["photo_url"]
    assert client_for(staff).get(url).status_code == 200
    assert client_for(user_with(Role.VILLAGE_STAFF, OTHER_VILLAGE)).get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_media_of_no_registered_folder_and_paths_out_of_media_are_not_found(team, _media):
    staff, _group = team
    (_media / "disclosure").mkdir()
    (_media / "disclosure" / "evil.html").write_bytes(HTML)
    client = client_for(staff)
    assert client.get("/media/disclosure/evil.html").status_code == 404
    assert client.get("/media/workforce/activities/../../disclosure/evil.html").status_code == 404


def test_the_type_comes_from_our_extension_only_and_anything_else_is_an_opaque_download(_media):
    default_storage.save("x/evil.html", io.BytesIO(HTML))
    default_storage.save("x/photo.jpg", io.BytesIO(jpeg_bytes()))
    assert media.content_type_of("x/photo.jpg") == "image/jpeg"
    assert (
        media.content_type_of("x/evil.html") == media.content_type_of("x/jpg") == "application/octet-stream"
    )
    opaque = media.file_response("x/evil.html")
    assert (
        opaque["Content-Type"] == "application/octet-stream" and opaque["X-Content-Type-Options"] == "nosniff"
    )
    assert opaque["Content-Disposition"].startswith("attachment")
    image = media.file_response("x/photo.jpg")
    assert image["Content-Type"] == "image/jpeg"
    assert not image.get("Content-Disposition", "").startswith("attachment")


# --- every stored file is accounted for ----------------------------------------------------------------------

# Every file field of every model, with the one place that writes it. Photos: grassroots/photos.py (our name,
# ``.jpg``/``.webp``); anything else: our own random name ending ``.bin``, never served as a page.
STORED_FILES = {
    ("cases", "CasePhoto", "image"): "grassroots.photos via cases.photo_rows.attach",
    ("cases", "CasePhoto", "thumbnail"): "grassroots.photos via cases.photo_rows.attach",
    ("people", "VisitPhoto", "image"): "grassroots.photos via people.services.work.visit_record",
    ("workforce", "GroupActivity", "photo"): "grassroots.photos via workforce.services.groups",
    ("deliberation", "Meeting", "sign_in_sheet"): "grassroots.photos via deliberation.services._store_photo",
    ("deliberation", "Tally", "sign_in_sheet"): "grassroots.photos via deliberation.services._store_photo",
    ("disclosure", "Attachment", "file"): "disclosure.services.attachment_add: <random>.bin, not served",
}


def test_every_file_field_is_written_through_a_listed_place():
    found = {
        (model._meta.app_label, model.__name__, field.name)
        for model in apps.get_models()
        if model.__module__.startswith("grassroots.")
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert found == set(STORED_FILES), (
        "a file field that is not listed here: route its uploads through grassroots/photos.py (or give "
        "other files our own name ending .bin) and list it with that place"
    )

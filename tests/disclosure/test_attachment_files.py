"""A notice's attachment is kept under our own name (issue 12, item 4): the sender's name is its label only,
the file ends ``.bin`` and is never served back from our origin as a page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from grassroots import clock
from grassroots.disclosure import services

from .conftest import at

pytestmark = pytest.mark.django_db


def test_an_attachment_named_evil_html_is_kept_as_bin_and_not_served(town, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with clock.frozen(at("2026-03-03")):
        notice = services.notice_create(
            actor=town.staff, board=town.board, kind="text", title="公告", body="正文"
        )
        kept = services.attachment_add(
            actor=town.staff,
            notice=notice,
            file=SimpleUploadedFile("evil.html", b"<html><script>alert(1)</script></html>", "text/html"),
        )
    assert kept.name == "evil.html"
    assert kept.file.name.startswith("disclosure/") and kept.file.name.endswith(".bin")
    assert "evil" not in kept.file.name
    client = Client()
    client.force_login(town.staff)
    assert client.get(f"/media/{kept.file.name}").status_code == 404

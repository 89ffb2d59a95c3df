"""Case photos are private media (issue 12, item 4): ``MEDIA_URL/cases/…`` answers whoever may see the case —
the reporter, the handler, staff in scope — with the image typed from our extension and ``nosniff``, and
nobody else (another resident, staff of another county, an anonymous caller: 404)."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.cases.models import CasePhoto

from .conftest import jpeg_bytes, upload
from .test_api import client_for, submit

pytestmark = pytest.mark.django_db


def test_a_case_photo_is_served_to_those_who_see_the_case_and_refused_to_others(
    city, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        created = submit(client_for(city.resident), photos=[upload(jpeg_bytes(), name="evil.html")])
    assert created.status_code == 201, created.content
    photo = created.json()["photos"][0]
    row = CasePhoto.objects.get()
    assert row.image.name.endswith(".jpg") and "evil" not in row.image.name
    for url in (photo["url"], photo["thumbnail_url"]):
        for reader in (city.resident, city.grid_worker, city.county):
            answer = client_for(reader).get(url)
            assert answer.status_code == 200, (reader, url)
            assert answer["Content-Type"] == "image/jpeg" and answer["X-Content-Type-Options"] == "nosniff"
            assert "no-store" in answer["Cache-Control"]
        for stranger in (city.other_resident, city.outsider):
            assert client_for(stranger).get(url).status_code == 404, (stranger, url)
        assert Client().get(url).status_code == 404

"""Case photos are private media (issue 12, item 4): ``MEDIA_URL/cases/…`` answers whoever may see the case —
the reporter, the handler, staff in scope — with the image typed from our extension and ``nosniff``, and
nobody else (another resident, staff of another county, an anonymous caller: 404)."""

from __future__ import annotations

import datetime as dt
import urllib.request

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


@pytest.fixture
def s3_storage(settings):
    """Django's default storage on a local S3-compatible server (moto's, in this process), bucket private."""
    boto3 = pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # moto keeps its buckets per process, not per server: start from none
    urllib.request.urlopen(
        urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST"), timeout=10
    ).close()
    options = {
        "bucket_name": "grassroots-media",
        "endpoint_url": f"http://{host}:{port}",
        "region_name": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
    }
    bucket = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket.create_bucket(Bucket=options["bucket_name"])
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "grassroots.object_storage.AppServedS3Storage", "OPTIONS": options},
    }
    try:
        yield bucket
    finally:
        server.stop()


def test_a_case_photo_on_s3_is_linked_and_served_through_the_site_to_those_who_see_the_case(
    city, s3_storage, django_capture_on_commit_callbacks
):
    # given media on S3: django-storages alone links a photo straight to the bucket (a presigned address
    # outside the site, past media.py's scope check)
    with django_capture_on_commit_callbacks(execute=True):
        created = submit(client_for(city.resident), photos=[upload(jpeg_bytes())])
    assert created.status_code == 201, created.content
    row = CasePhoto.objects.get()
    kept = {o["Key"] for o in s3_storage.list_objects_v2(Bucket="grassroots-media")["Contents"]}
    assert kept == {row.image.name, row.thumbnail.name}
    photo = created.json()["photos"][0]
    # then the addresses are the site's own, and the bytes come from the bucket to those who may see them
    assert photo["url"] == "/media/" + row.image.name
    assert photo["thumbnail_url"] == "/media/" + row.thumbnail.name
    stored = s3_storage.get_object(Bucket="grassroots-media", Key=row.image.name)["Body"].read()
    answer = client_for(city.grid_worker).get(photo["url"])
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    assert b"".join(answer.streaming_content) == stored
    page = client_for(city.resident).get(f"/cases/{row.case_id}/")
    assert page.status_code == 200 and f'src="/media/{row.thumbnail.name}"' in page.content.decode()
    for stranger in (city.other_resident, city.outsider):
        assert client_for(stranger).get(photo["url"]).status_code == 404
    assert Client().get(photo["url"]).status_code == 404


def test_on_s3_a_rolled_back_reports_photo_is_purged_a_day_later_and_a_committed_ones_kept(city, s3_storage):
    from django.db import transaction

    from grassroots import clock, photos

    def keys() -> set[str]:
        return {o["Key"] for o in s3_storage.list_objects_v2(Bucket="grassroots-media").get("Contents", [])}

    # given a report rolled back after its photo reached the bucket, and one that committed
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(client_for(city.resident), photos=[upload(jpeg_bytes())])
        raise RuntimeError
    orphans = keys()
    assert len(orphans) == 2 and not CasePhoto.objects.exists()
    assert submit(client_for(city.resident), photos=[upload(jpeg_bytes())]).status_code == 201
    row = CasePhoto.objects.get()
    assert keys() == orphans | {row.image.name, row.thumbnail.name}
    # when the purge runs through the default storage a day later
    with clock.frozen(clock.now() + dt.timedelta(hours=25)):
        purged = photos.orphans_purge(older_than=dt.timedelta(hours=24), since=None)
    # then the orphans are gone from the bucket and the committed report's files stay
    assert sorted(purged.deleted) == sorted(orphans)
    assert keys() == {row.image.name, row.thumbnail.name}

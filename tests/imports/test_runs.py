"""The two steps of every import page (imports.services, imports.views.RunPages), shown here through the
areas' import / export page with real tree workbooks: only the uploader confirms, once, within a day; a run is
found only under its own area; a stale preview expires (on confirmation and by the hourly job) and its file
is dropped; a stored file that was altered is refused."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.areas.models import Area
from grassroots.imports import services
from grassroots.imports.models import ImportRun
from tests.areas.test_import_export import GOOD_GROUPS, GOOD_ROWS, xlsx
from tests.factories import area, user_with

pytestmark = pytest.mark.django_db

COUNTY = "150825"
TOWN = "150825100"


@pytest.fixture
def admin(client):
    area(COUNTY, "乌拉特后旗")
    user = user_with(Role.ADMINISTRATOR, COUNTY)
    client.force_login(user)
    return user


def _preview(client) -> ImportRun:
    client.post(
        reverse("areas:io_preview", args=[COUNTY, "tree"]), {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)}
    )
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PREVIEWED
    return run


def test_someone_elses_preview_cannot_be_confirmed(client, admin):
    client.post(
        reverse("areas:io_preview", args=[COUNTY, "tree"]), {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)}
    )
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PREVIEWED
    other = user_with(Role.ADMINISTRATOR, COUNTY)
    client.force_login(other)
    assert (
        reverse("areas:io_confirm", args=[COUNTY, run.pk])
        not in client.get(reverse("areas:io_run", args=[COUNTY, run.pk])).content.decode()
    )
    assert client.post(reverse("areas:io_confirm", args=[COUNTY, run.pk])).status_code == 404
    assert not Area.objects.filter(code=TOWN).exists()


def test_an_upload_of_another_area_is_not_found(client, admin):
    client.post(
        reverse("areas:io_preview", args=[COUNTY, "tree"]), {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)}
    )
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PREVIEWED
    area("150826")
    client.force_login(user_with(Role.ADMINISTRATOR, "150826"))
    assert client.get(reverse("areas:io_run", args=["150826", run.pk])).status_code == 404
    assert client.get(reverse("areas:io_run", args=[COUNTY, run.pk])).status_code == 404


def test_a_preview_older_than_a_day_expires(client, admin):
    client.post(
        reverse("areas:io_preview", args=[COUNTY, "tree"]), {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)}
    )
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PREVIEWED
    ImportRun.objects.filter(pk=run.pk).update(created_at=clock.now() - dt.timedelta(days=2))
    response = client.post(reverse("areas:io_confirm", args=[COUNTY, run.pk]), follow=True)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.EXPIRED and run.content == b""
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert not Area.objects.filter(code=TOWN).exists()


def test_the_hourly_job_expires_stale_previews_and_drops_their_files_only(client, admin):
    for _ in range(2):
        client.post(
            reverse("areas:io_preview", args=[COUNTY, "tree"]), {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)}
        )
    stale, fresh = ImportRun.objects.order_by("id")
    ImportRun.objects.filter(pk=stale.pk).update(created_at=clock.now() - dt.timedelta(hours=25))
    call_command("import_runs_expire", stdout=io.StringIO())
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ImportRun.Status.EXPIRED and stale.content == b"" and stale.report["created"] == 9
    assert fresh.status == ImportRun.Status.PREVIEWED and fresh.content != b""


def test_a_confirmed_run_cannot_be_confirmed_again(client, admin):
    run = _preview(client)
    services.import_confirm(actor=admin, run=run)
    with pytest.raises(services.ImportRunError) as caught:
        services.import_confirm(actor=admin, run=run)
    assert caught.value.code == "import_not_pending" and caught.value.status == 409


def test_a_stored_file_that_was_altered_is_refused_and_nothing_is_imported(client, admin):
    run = _preview(client)
    ImportRun.objects.filter(pk=run.pk).update(content=bytes(run.content)[:-1] + b"x")
    with pytest.raises(services.ImportRunError) as caught:
        services.import_confirm(actor=admin, run=run)
    assert caught.value.code == "import_damaged"
    assert not Area.objects.filter(code=TOWN).exists()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED

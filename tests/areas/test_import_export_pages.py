"""The import / export page: upload, preview, confirm; downloads; who may use it."""

import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.accounts.models import AuditLog, Role
from grassroots.areas.models import Area
from grassroots.imports.models import ImportRun
from tests.factories import area, grid, user_with

from .test_import_export import GOOD_GROUPS, GOOD_ROWS, cell, feature, geojson, upload, xlsx

pytestmark = pytest.mark.django_db

COUNTY = "150825"
TOWN = "150825100"


@pytest.fixture
def admin(client):
    area(COUNTY, "乌拉特后旗")
    user = user_with(Role.ADMINISTRATOR, COUNTY)
    client.force_login(user)
    return user


def test_the_page_shows_the_forms_and_the_recent_uploads_in_a_fixed_number_of_queries(
    client, admin, django_assert_num_queries
):
    url = reverse("areas:io", args=[COUNTY])
    preview = reverse("areas:io_preview", args=[COUNTY, "tree"])
    client.post(preview, {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)})
    with CaptureQueriesContext(connection) as one_upload:
        client.get(url)
    queries = len(one_upload.captured_queries)  # now: every request empties the query log
    for _ in range(4):
        client.post(preview, {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)})
    # Session, user, grants, the area, its breadcrumbs, the uploads with their uploaders (one query), plus
    # whatever the base template needs: the same number for one upload as for five.
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert queries <= 8
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="file"' in body and "areas.xlsx" in body
    assert body.count("/io/uploads/") == 5


@pytest.mark.parametrize(
    ("role", "grant", "status"),
    [
        (Role.ADMINISTRATOR, COUNTY, 200),
        (Role.ADMINISTRATOR, "15", 200),
        (Role.ADMINISTRATOR, "150826", 404),
        (Role.ADMINISTRATOR, TOWN, 403),  # sees the county (above their town) but does not manage it
        (Role.COUNTY_STAFF, COUNTY, 403),
        (Role.GRID_WORKER, "150825100201001", 403),
    ],
)
def test_permission_matrix_of_the_page_and_the_downloads(client, role, grant, status):
    area(COUNTY)
    client.force_login(user_with(role, grant))
    areas_before = Area.objects.count()
    for name in ("areas:io", "areas:io_template", "areas:io_export_tree", "areas:io_export_boundaries"):
        assert client.get(reverse(name, args=[COUNTY])).status_code == status, name
    response = client.post(
        reverse("areas:io_preview", args=[COUNTY, "tree"]), {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)}
    )
    assert response.status_code == (302 if status == 200 else status)
    assert ImportRun.objects.exists() == (status == 200)
    assert Area.objects.count() == areas_before  # a preview never writes areas


def test_anonymous_visitors_are_sent_to_log_in(client):
    area(COUNTY)
    response = client.get(reverse("areas:io", args=[COUNTY]))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_preview_then_confirm_imports_the_previewed_file_once(client, admin):
    response = client.post(
        reverse("areas:io_preview", args=[COUNTY, "tree"]), {"file": xlsx(GOOD_ROWS, groups=GOOD_GROUPS)}
    )
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("areas:io_run", args=[COUNTY, run.pk])
    assert run.status == ImportRun.Status.PREVIEWED and run.report["created"] == 9
    assert not Area.objects.filter(code=TOWN).exists()  # a preview writes nothing
    page = client.get(response["Location"]).content.decode()
    assert reverse("areas:io_confirm", args=[COUNTY, run.pk]) in page

    done = client.post(reverse("areas:io_confirm", args=[COUNTY, run.pk]), follow=True)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.IMPORTED and run.content == b""
    assert Area.objects.filter(code=TOWN).exists()
    assert AuditLog.objects.filter(action="areas.tree_import", actor=admin).count() == 1
    assert reverse("areas:io_confirm", args=[COUNTY, run.pk]) not in done.content.decode()

    again = client.post(reverse("areas:io_confirm", args=[COUNTY, run.pk]), follow=True)
    assert AuditLog.objects.filter(action="areas.tree_import").count() == 1
    assert any(m.level_tag == "error" for m in again.context["messages"])


def test_a_file_with_bad_rows_shows_every_error_and_cannot_be_confirmed(client, admin):
    rows = [[TOWN, "镇", "镇"], ["15082510020", "短码", "村"], ["150825100201", "", "村"]]
    response = client.post(
        reverse("areas:io_preview", args=[COUNTY, "tree"]), {"file": xlsx(rows)}, follow=True
    )
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED and run.content == b""
    body = response.content.decode()
    assert "A 代码" in body and "B 名称" in body
    assert reverse("areas:io_confirm", args=[COUNTY, run.pk]) not in body
    response = client.post(reverse("areas:io_confirm", args=[COUNTY, run.pk]))
    assert not Area.objects.filter(code=TOWN).exists()


@pytest.mark.parametrize(
    ("kind", "data", "name", "says"),
    [
        ("tree", b"code,name\n1,2\n", "areas.csv", ".xlsx"),
        ("tree", b"code,name\n1,2\n", "areas.xlsx", "not an Excel workbook"),
        ("tree", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "old.xlsx", "97"),
        ("boundaries", b"PK\x03\x04zip", "grids.geojson", "GeoJSON"),
        ("boundaries", b'{"type": "Feature"}', "grids.geojson", "single Feature"),
        ("boundaries", b"{}", "grids.kml", ".geojson"),
    ],
)
def test_an_unusable_upload_is_refused_on_the_form_with_a_reason(client, admin, kind, data, name, says):
    response = client.post(
        reverse("areas:io_preview", args=[COUNTY, kind]),
        {"file": upload(data, name)},
        HTTP_ACCEPT_LANGUAGE="en",  # the test reads the English wording
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not ImportRun.objects.exists()


def test_too_large_an_upload_is_refused_by_the_form(client, admin, settings):
    settings.AREAS_TREE_IMPORT_MAX_BYTES = 100
    response = client.post(reverse("areas:io_preview", args=[COUNTY, "tree"]), {"file": xlsx(GOOD_ROWS)})
    assert response.status_code == 400 and "MB" in response.content.decode()


def test_boundaries_through_the_page_with_overlap_warnings(client, admin):
    area("150825100201")
    grid("150825100201001", cell(0))
    file = geojson(feature("150825100201002", cell(0.5), kind="rural"))
    response = client.post(
        reverse("areas:io_preview", args=[COUNTY, "boundaries"]), {"file": file}, follow=True
    )
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PREVIEWED
    assert "150825100201001" in response.content.decode()  # the warning names the overlapped grid
    client.post(reverse("areas:io_confirm", args=[COUNTY, run.pk]))
    assert Area.objects.filter(code="150825100201002").exists()


def test_downloads_are_attachments_that_read_back(client, admin):
    area("150825100201", "民主村")
    grid("150825100201001", cell(0))
    template = client.get(reverse("areas:io_template", args=[COUNTY]))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in template["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames == ["区划", "村民小组", "说明"]
    tree = client.get(reverse("areas:io_export_tree", args=[COUNTY]))
    sheet = openpyxl.load_workbook(io.BytesIO(tree.content))["区划"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        COUNTY,
        TOWN,
        "150825100201",
        "150825100201001",
    ]
    boundaries = json.loads(client.get(reverse("areas:io_export_boundaries", args=[COUNTY])).content)
    assert [f["properties"]["code"] for f in boundaries["features"]] == ["150825100201001"]
    assert AuditLog.objects.filter(action__in=["areas.tree_export", "areas.boundaries_export"]).count() == 2

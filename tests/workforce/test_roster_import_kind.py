"""The roster page's uploads are runs of the imports app's one mechanism, of their own kind: the workforce
registers the kind (tests/imports/test_kinds.py), and each page lists and opens only the runs of its own
kinds."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from grassroots.imports.models import ImportRun

from .conftest import VILLAGE
from .test_roster import GOOD, workbook

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_each_page_lists_and_opens_only_its_own_kind_of_run(world):
    staff = Client()
    staff.force_login(world.administrator)  # manages both the areas and the workforce of the village
    response = staff.post(
        f"/grids/roster/{VILLAGE}/",
        {"file": SimpleUploadedFile("名册.xlsx", workbook(GOOD), content_type=XLSX)},
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.kind == "roster" and run.get_kind_display() == "网格员名册（.xlsx）"
    assert (
        f"/grids/roster/{VILLAGE}/runs/{run.pk}/" in staff.get(f"/grids/roster/{VILLAGE}/").content.decode()
    )
    # the areas' import page neither lists the roster upload nor opens or confirms it
    assert "名册.xlsx" not in staff.get(f"/areas/{VILLAGE}/io/").content.decode()
    assert staff.get(f"/areas/{VILLAGE}/io/uploads/{run.pk}/").status_code == 404
    assert staff.post(f"/areas/{VILLAGE}/io/uploads/{run.pk}/confirm/").status_code == 404
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED

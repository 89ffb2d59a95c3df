"""The roster page's uploads are runs of the areas app's one import mechanism, of their own kind: the
workforce registers the kind, and each page lists and opens only the runs of its own kinds."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from grassroots import clock
from grassroots.areas import import_kinds
from grassroots.areas.models import ImportRun
from grassroots.workforce.services import roster

from .conftest import VILLAGE
from .test_roster import GOOD, workbook

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_kinds_are_registered_once_each_and_a_taken_name_is_refused():
    assert [name for name, _label in import_kinds.choices()][:2] == ["tree", "boundaries"]
    assert import_kinds.get("roster").importer is roster.roster_import_file
    roster.register_import_kind()  # a second ready() changes nothing
    assert [name for name, _label in import_kinds.choices()].count("roster") == 1
    other = import_kinds.ImportKind("roster", "x", roster.roster_import_file, roster.roster_max_bytes, bool)
    with pytest.raises(ValueError, match="already registered"):
        import_kinds.register(other)
    with pytest.raises(LookupError):
        import_kinds.get("nothing")


def test_a_run_of_an_unregistered_kind_does_not_validate(world):
    run = ImportRun(
        kind="nothing", status="previewed", area_code=VILLAGE, file_sha256="0" * 64, file_size=0,
        created_at=clock.now(),
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        run.full_clean(exclude=["actor", "report"])
    assert "kind" in caught.value.message_dict
    run.kind = "roster"
    run.full_clean(exclude=["actor", "report"])


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

"""A small city for case tests: one county with two townships, villages, grids with boundaries, a grid
worker assigned to grid G1, and one user per role."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grassroots.accounts.models import Role
from grassroots.cases.models import Case, Category
from grassroots.workforce.models import AssignmentRole
from tests.factories import UserFactory, grid, user_with
from tests.workforce.factories import GridWorkerFactory, assignment

COUNTY = "150825"
TOWNSHIP = "150825100"
VILLAGE = "150825100200"
G1 = "150825100200001"  # lon 107.00–107.01, lat 41.00–41.01
G2 = "150825100200002"  # lon 107.01–107.02
OTHER_COUNTY_GRID = "150826100200001"  # lon 108.00–108.01

INSIDE_G1 = (107.005, 41.005)
INSIDE_G2 = (107.015, 41.005)


@dataclass
class City:
    resident: object
    other_resident: object
    grid_worker: object
    other_grid_worker: object
    village: object
    township: object
    county: object
    supervisor: object
    leader: object
    department: object
    outsider: object
    worker_record: object
    litter: Category


def ensure_seed() -> None:
    """The categories and calendar that migration 0002 seeds (also when tests run with --nomigrations)."""
    from grassroots.cases.models import CalendarYear, CategoryLimit
    from grassroots.cases.seed import seed_categories
    from grassroots.worktime.calendar import seed_year

    if not Category.objects.filter(code="0101").exists():
        seed_categories(Category, CategoryLimit)
    if not CalendarYear.objects.filter(year=2026).exists():
        for year in (2024, 2025, 2026):
            seed_year(year)


@pytest.fixture
def city(db) -> City:
    ensure_seed()
    g1 = grid(G1, (107.00, 41.00, 107.01, 41.01))
    grid(G2, (107.01, 41.00, 107.02, 41.01))
    grid(OTHER_COUNTY_GRID, (108.00, 41.00, 108.01, 41.01))
    worker_user = user_with(Role.GRID_WORKER, G1, display_name="网格员甲")
    record = GridWorkerFactory(name="网格员甲", user=worker_user, area_code=G1)
    assignment(record, g1, AssignmentRole.WORKER, dt.date(2020, 1, 1))
    return City(
        resident=UserFactory(display_name="居民"),
        other_resident=UserFactory(display_name="别的居民"),
        grid_worker=worker_user,
        other_grid_worker=user_with(Role.GRID_WORKER, G2),
        village=user_with(Role.VILLAGE_STAFF, VILLAGE),
        township=user_with(Role.TOWNSHIP_STAFF, TOWNSHIP),
        county=user_with(Role.COUNTY_STAFF, COUNTY),
        supervisor=user_with(Role.SUPERVISOR, COUNTY),
        leader=user_with(Role.LEADER, COUNTY),
        department=user_with(Role.DEPARTMENT_HANDLER, COUNTY),
        outsider=user_with(Role.VILLAGE_STAFF, "150826100200"),
        worker_record=record,
        litter=Category.objects.get(code="0101"),
    )


def jpeg_bytes(size=(64, 48), color=(200, 30, 30), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)

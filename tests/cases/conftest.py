"""A small city for case tests, selected from the shared world (tests/world.py): one county's village with
two bounded grids and a grid in another county, a grid worker assigned to grid G1, and one user per role."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grassroots.cases.models import Case, Category
from tests import world
from tests.factories import UserFactory
from tests.world import COUNTY, G1, G2, OTHER_COUNTY_GRID, TOWNSHIP, VILLAGE

INSIDE_G1 = world.inside(G1)  # (107.005, 41.005)
INSIDE_G2 = world.inside(G2)  # (107.015, 41.005)

__all__ = ["COUNTY", "G1", "G2", "INSIDE_G1", "INSIDE_G2", "OTHER_COUNTY_GRID", "TOWNSHIP", "VILLAGE"]


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


# The categories and calendar that migration 0002 seeds (also when tests run with --nomigrations).
ensure_seed = world.seed_case_reference


@pytest.fixture
def city(db) -> City:
    ensure_seed()
    for code in (G1, G2, OTHER_COUNTY_GRID):
        world.place(code)
    worker_user, record = world.grid_worker(G1, name="网格员甲")
    return City(
        resident=UserFactory(display_name="居民"),
        other_resident=UserFactory(display_name="别的居民"),
        grid_worker=worker_user,
        other_grid_worker=world.role_user("grid_worker", G2),
        village=world.role_user("village_staff", G1),
        township=world.role_user("township_staff", G1),
        county=world.role_user("county_staff", G1),
        supervisor=world.role_user("supervisor", G1),
        leader=world.role_user("leader", G1),
        department=world.role_user("department_handler", G1),
        outsider=world.role_user("village_staff", OTHER_COUNTY_GRID),
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

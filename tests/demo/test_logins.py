import pytest
from django.contrib.auth import authenticate

from grassroots.accounts.models import Role, RoleGrant, User
from grassroots.demo.logins import LOGINS, PASSWORD, SAISHANG_GRID
from grassroots.workforce.models import AssignmentRole

pytestmark = pytest.mark.django_db


def test_one_login_per_role_with_sensible_areas(demo_city):
    grants = {(g.role, g.area_code): g.user for g in RoleGrant.objects.select_related("user")}
    assert {role for role, _ in grants} == set(Role.values)
    expected = {
        Role.RESIDENT: SAISHANG_GRID,
        Role.GRID_WORKER: SAISHANG_GRID,
        Role.VILLAGE_STAFF: "150825100001",
        Role.TOWNSHIP_STAFF: "150825100",
        Role.COUNTY_STAFF: "150825",
        Role.LEADER: "1508",
        Role.ADMINISTRATOR: "1508",
    }
    for role, code in expected.items():
        assert (role, code) in grants
    for user in User.objects.all():
        assert user.is_synthetic
        assert user.is_staff == (user.username in ("admin", "administrator"))
        assert user.is_superuser == (user.username == "admin")
    assert User.objects.count() == len(LOGINS)


def test_demo_logins_work_by_username_and_by_phone(demo_city, rf):
    request = rf.post("/accounts/login/")
    assert authenticate(request, username="township", password=PASSWORD).username == "township"
    assert authenticate(request, username="17000000001", password=PASSWORD).username == "resident"


def test_grid_worker_login_is_the_full_time_worker_of_its_grid(demo_city):
    user = User.objects.get(username="gridworker")
    worker = user.grid_worker
    assert worker.phone == user.phone == "17000000002"
    assert user.display_name == worker.name
    assert worker.assignments.filter(area_code=SAISHANG_GRID, role=AssignmentRole.WORKER).exists()

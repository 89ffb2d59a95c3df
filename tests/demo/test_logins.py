import pytest
from django.contrib.auth import authenticate

from grassroots.accounts.models import Role, RoleGrant, User
from grassroots.demo.logins import (
    LOGINS,
    PARTY_MEMBER_USERNAME,
    PASSWORD,
    SAISHANG_GRID,
    TUANLI_GRID,
    login_rows,
)
from grassroots.workforce.models import AssignmentRole, WorkerKind

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


def test_one_login_for_each_kind_of_grid_worker_linked_to_a_worker_of_that_kind(demo_city):
    expected = {
        "gridworker": (WorkerKind.FULL_TIME, SAISHANG_GRID),
        "parttime": (WorkerKind.PART_TIME, TUANLI_GRID),
        "redworker": (WorkerKind.RED, SAISHANG_GRID),
    }
    for username, (kind, grid_code) in expected.items():
        user = User.objects.get(username=username)
        assert user.grants.get().role == Role.GRID_WORKER and user.grants.get().area_code == grid_code
        worker = user.grid_worker
        assert worker.kind == kind and worker.phone == user.phone
        assert worker.assignments.filter(
            area_code=grid_code, role=AssignmentRole.WORKER, ended_on__isnull=True
        ).exists()


def test_the_party_member_login_is_a_resident_of_the_demo_grid(demo_city):
    user = User.objects.get(username=PARTY_MEMBER_USERNAME)
    grant = user.grants.get()
    assert (grant.role, grant.area_code) == (Role.RESIDENT, SAISHANG_GRID)


def test_the_printed_logins_name_every_kind(demo_city):
    rows = {row.login.username: row for row in login_rows()}
    for username in ("gridworker", "parttime", "redworker", PARTY_MEMBER_USERNAME):
        assert rows[username].exists
    roles = {row.login.role_en for row in rows.values()}
    assert {"full-time grid worker", "part-time grid worker", "red grid worker"} <= roles
    assert any("party member" in r for r in roles)

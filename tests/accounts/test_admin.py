"""The Django admin: scoped for area administrators, writes through the services, personal data masked."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots import fieldcrypt
from grassroots.accounts.models import AuditLog, Role, RoleGrant, User
from grassroots.areas.models import Area, Grid
from grassroots.workforce.models import Assignment, AssignmentRole, GridWorker
from tests.factories import UserFactory, grid, user_with
from tests.workforce.factories import GridWorkerFactory, assignment

pytestmark = pytest.mark.django_db

TOWN, OTHER = "150825100", "150825200"


@pytest.fixture
def tree():
    grid(f"{TOWN}001001", (107.0, 41.0, 107.01, 41.01))
    grid(f"{OTHER}201001", (108.0, 42.0, 108.1, 42.1))


@pytest.fixture
def town_admin(client, tree):
    user = user_with(Role.ADMINISTRATOR, TOWN, is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def superuser(client, tree):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def _pk(code):
    return Area.objects.get(code=code).pk


def test_superuser_sees_every_area(client, superuser):
    body = client.get("/admin/areas/area/").content.decode()
    assert f"{TOWN}001001" in body and f"{OTHER}201001" in body


def test_area_administrator_sees_only_their_areas_and_grids(client, town_admin):
    areas = client.get("/admin/areas/area/").content.decode()
    assert f"{TOWN}001001" in areas and f"{OTHER}201001" not in areas
    grids = client.get("/admin/areas/grid/").content.decode()
    assert f"{TOWN}001001" in grids and f"{OTHER}201001" not in grids
    assert client.get(f"/admin/areas/area/{_pk(TOWN)}/change/").status_code == 200
    # a row of another town does not exist for them
    assert client.get(f"/admin/areas/area/{_pk(OTHER)}/change/").status_code == 404


def test_area_search_by_code_prefix(client, superuser):
    body = client.get("/admin/areas/area/", {"q": "150825100"}).content.decode()
    assert f"{TOWN}001001" in body and f"{OTHER}201001" not in body


@pytest.mark.parametrize("role", [Role.TOWNSHIP_STAFF, Role.LEADER, Role.GRID_WORKER])
def test_staff_without_the_administrator_role_get_no_admin_models(client, tree, role):
    client.force_login(user_with(role, TOWN, is_staff=True))
    assert client.get("/admin/areas/area/").status_code == 403
    assert client.get("/admin/accounts/rolegrant/").status_code == 403
    assert client.get("/admin/workforce/gridworker/").status_code == 403


def test_user_list_masks_phones_and_is_scoped(client, town_admin):
    inside = user_with(Role.GRID_WORKER, f"{TOWN}001001", username="inside")
    User.objects.filter(pk=inside.pk).update(phone="13912345678")
    user_with(Role.GRID_WORKER, f"{OTHER}201001", username="outside")
    body = client.get("/admin/accounts/user/").content.decode()
    assert "inside" in body and "outside" not in body
    assert "139****5678" in body and "13912345678" not in body


def test_admin_sets_a_phone_through_the_service(client, town_admin):
    user = user_with(Role.GRID_WORKER, f"{TOWN}001001", username="li")
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = {
        "username": "li",
        "display_name": "李",
        "new_phone": "139 1234 5678",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    assert page.status_code == 200
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.phone == "13912345678"
    assert user.phone_hash == fieldcrypt.keyed_hash("13912345678")
    record = AuditLog.objects.get(action="user.phone_set")
    assert record.detail == {"from": "", "to": "139****5678"}
    assert "13912345678" not in str(record.detail)


def test_phone_used_by_another_account_is_refused_on_the_form(client, superuser):
    other = user_with(Role.RESIDENT, TOWN, username="other")
    User.objects.filter(pk=other.pk).update(phone_hash=fieldcrypt.keyed_hash("13912345678"))
    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "new", "new_phone": "13912345678", "usable_password": "false"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Another account already uses this mobile number." in response.content.decode()
    assert not User.objects.filter(username="new").exists()


def test_area_administrator_adds_a_user_with_a_first_grant_in_scope(client, town_admin):
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "zhao",
            "display_name": "赵",
            "new_phone": "13800001111",
            "usable_password": "true",
            "password1": "Grassroots-2026-x",
            "password2": "Grassroots-2026-x",
            "role": Role.GRID_WORKER,
            "area_code": f"{TOWN}001001",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="zhao")
    assert user.check_password("Grassroots-2026-x")
    assert user.phone_hash == fieldcrypt.keyed_hash("13800001111")
    grant = RoleGrant.objects.get(user=user)
    assert (grant.role, grant.area_code, grant.granted_by) == (Role.GRID_WORKER, f"{TOWN}001001", town_admin)


def test_area_administrator_cannot_add_a_user_with_a_grant_outside_scope(client, town_admin):
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "qian",
            "usable_password": "false",
            "role": Role.GRID_WORKER,
            "area_code": f"{OTHER}201001",
        },
    )
    assert response.status_code == 302  # back to the form with a message
    assert not User.objects.filter(username="qian").exists()
    assert not RoleGrant.objects.filter(area_code=f"{OTHER}201001").exists()


def test_role_grant_admin_sets_area_code_and_audits(client, town_admin):
    subject = user_with(Role.RESIDENT, f"{TOWN}001001", username="sun")
    response = client.post(
        "/admin/accounts/rolegrant/add/",
        {"user": subject.pk, "role": Role.VILLAGE_STAFF, "area": _pk(f"{TOWN}001")},
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=subject, role=Role.VILLAGE_STAFF)
    assert grant.area_code == f"{TOWN}001" and grant.granted_by == town_admin
    assert AuditLog.objects.filter(action="role.grant", area_code=f"{TOWN}001").exists()


def test_role_grant_outside_scope_is_refused_and_nothing_changes(client, town_admin):
    subject = user_with(Role.RESIDENT, f"{TOWN}001001", username="sun")
    before = RoleGrant.objects.count()
    client.post(
        "/admin/accounts/rolegrant/add/",
        {"user": subject.pk, "role": Role.ADMINISTRATOR, "area": _pk(OTHER)},
    )
    assert RoleGrant.objects.count() == before
    assert not AuditLog.objects.filter(action="role.grant").exists()


def test_revoking_a_grant_goes_through_the_service(client, superuser):
    subject = user_with(Role.RESIDENT, f"{TOWN}001001", username="sun")
    grant = RoleGrant.objects.get(user=subject)
    response = client.post(f"/admin/accounts/rolegrant/{grant.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert AuditLog.objects.filter(action="role.revoke").exists()


def test_audit_log_is_read_only_in_the_admin(client, superuser):
    from grassroots.accounts.services import audit_record

    record = audit_record(actor=superuser, action="test.read", area_code=TOWN)
    assert client.get("/admin/accounts/auditlog/").status_code == 200
    assert client.get("/admin/accounts/auditlog/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditlog/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/admin/accounts/auditlog/{record.pk}/change/").content.decode()
    assert 'name="action"' not in page  # shown, not editable


def test_grid_admin_shows_boundary_and_bbox_read_only(client, superuser):
    g = Grid.objects.get(area__code=f"{TOWN}001001")
    body = client.get(f"/admin/areas/grid/{g.pk}/change/").content.decode()
    assert "&quot;Polygon&quot;" in body or '"Polygon"' in body
    assert "107.000000, 41.000000 — 107.010000, 41.010000" in body
    assert 'name="boundary"' not in body and 'name="min_lon"' not in body


def _area_form(code, name, kind):
    return {"code": code, "name": name, "kind": kind, "names-TOTAL_FORMS": "0", "names-INITIAL_FORMS": "0"}


def test_new_area_is_created_under_its_parent_through_the_service(client, superuser):
    response = client.post("/admin/areas/area/add/", _area_form("150825300", "新乡", "township"))
    assert response.status_code == 302
    created = Area.objects.get(code="150825300")
    assert (created.level, created.parent.code) == (4, "150825")
    assert AuditLog.objects.filter(action="area.create", area_code="150825300").exists()


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("150899100", "town"),  # its county does not exist
        ("150825300", "village"),  # a village is not a township-level kind
        (f"{TOWN}001002", "grid"),  # grids have their own form
    ],
)
def test_a_wrong_new_area_is_refused_and_nothing_is_written(client, superuser, code, kind):
    before = Area.objects.count()
    response = client.post("/admin/areas/area/add/", _area_form(code, "错", kind), follow=True)
    assert Area.objects.count() == before
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_area_correction_goes_through_the_service(client, town_admin):
    town = Area.objects.get(code=TOWN)
    form = {
        "name": "巴音宝力格镇",
        "kind": "town",
        "valid_from": "",
        "names-TOTAL_FORMS": "0",
        "names-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/areas/area/{town.pk}/change/", form)
    assert response.status_code == 302
    town.refresh_from_db()
    assert town.name == "巴音宝力格镇"
    assert AuditLog.objects.get(action="area.update").detail["name"][1] == "巴音宝力格镇"


def test_area_administrator_cannot_create_an_area_outside_scope(client, town_admin):
    client.post("/admin/areas/area/add/", _area_form("150825300", "新乡", "township"))
    assert not Area.objects.filter(code="150825300").exists()


def test_grid_is_added_in_its_village_through_the_service(client, town_admin):
    response = client.post(
        "/admin/areas/grid/add/",
        {"village_code": f"{TOWN}001", "kind": "community", "target_households": "300", "name": ""},
    )
    assert response.status_code == 302
    created = Grid.objects.get(area__code=f"{TOWN}001002")  # the next free number
    assert (created.kind, created.target_households, created.sequence) == ("community", 300, 2)
    assert AuditLog.objects.filter(action="grid.create").exists()


def test_grid_change_sets_households_and_village_groups_through_the_service(client, town_admin):
    from grassroots.areas.models import VillageGroup

    g = Grid.objects.get(area__code=f"{TOWN}001001")
    group = VillageGroup.objects.create(village=g.area.parent, number=1, name="一组")
    response = client.post(
        f"/admin/areas/grid/{g.pk}/change/",
        {
            "name": g.area.name,
            "kind": g.kind,
            "sequence": "1",
            "target_households": "12",
            "village_groups": [group.pk],
        },
    )
    assert response.status_code == 302
    g.refresh_from_db()
    assert g.target_households == 12
    assert list(g.village_groups.all()) == [group]
    assert g.boundary is not None  # untouched
    assert AuditLog.objects.filter(action="grid.update").exists()


def test_workforce_admin_masks_phones_and_ends_assignments_through_the_service(client, town_admin):
    g = Grid.objects.get(area__code=f"{TOWN}001001")
    worker = GridWorkerFactory(name="周", phone="13712345678", area_code=g.area.code)
    GridWorkerFactory(name="吴外", area_code=f"{OTHER}201001")
    a = assignment(worker, g, AssignmentRole.WORKER, dt.date(2025, 1, 1))
    workers = client.get("/admin/workforce/gridworker/").content.decode()
    assert "137****5678" in workers and "13712345678" not in workers
    assert "吴外" not in workers
    response = client.post(f"/admin/workforce/assignment/{a.pk}/change/", {"ended_on": "2025-06-01"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.ended_on == dt.date(2025, 6, 1)
    assert AuditLog.objects.filter(action__startswith="assignment.").exists()


def test_workforce_admin_adds_a_worker_through_the_service(client, town_admin):
    response = client.post(
        "/admin/workforce/gridworker/add/",
        {
            "name": "郑",
            "kind": "full_time",
            "area_code": f"{TOWN}001001",
            "new_phone": "13600001111",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    worker = GridWorker.objects.get(name="郑")
    assert worker.phone_hash == fieldcrypt.keyed_hash("13600001111")
    assert not Assignment.objects.filter(worker=worker).exists()

"""Action inputs of workforce that name another object — the case a patrol finding points at, the grid worker a
roster row's phone names, a party organisation, member or check-in, the members who took part in an activity —
looked up in the actor's scope: in scope works; a foreign value is refused (400 naming the field, or 404 where
the path's own object is concerned) and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from grassroots import clock, fieldcrypt
from grassroots.accounts.models import Role
from grassroots.cases import services as cases
from grassroots.workforce.models import Assignment, GridWorker, PatrolFinding, WorkerKind
from grassroots.workforce.services import groups, patrols, roster
from tests.cases.conftest import ensure_seed
from tests.factories import grid, user_with
from tests.workforce.factories import assignment

from .conftest import G1, VILLAGE
from .test_roster import workbook

pytestmark = pytest.mark.django_db
API = "/api/v1/workforce"
FOREIGN_COUNTY_GRID = "150826100200001"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- the case a finding points at ------------------------------------------------------------------------------


def _case_at(actor, code):
    ensure_seed()
    return cases.case_enter(
        actor=actor,
        source="phone",
        category="0101",
        description="垃圾",
        area_code=code,
        reporter_name="来电人",
    )


def test_a_finding_names_a_case_its_writer_can_see_and_no_other(world):
    grid(FOREIGN_COUNTY_GRID)
    own = _case_at(world.village_staff, G1)  # in the grid worker's grid: they see it
    foreign = _case_at(user_with(Role.VILLAGE_STAFF, FOREIGN_COUNTY_GRID[:12]), FOREIGN_COUNTY_GRID)
    patrol = patrols.patrol_start(actor=world.worker_user, worker=world.worker)
    worker = client_for(world.worker_user)
    url = f"{API}/patrols/{patrol.pk}/findings"
    for case_id in (foreign.pk, 999999):
        refused = worker.post(
            url, {"description": "垃圾", "case_id": case_id}, content_type="application/json"
        )
        assert refused.status_code == 400, refused.content
        assert (
            refused.json()["code"] == "unknown_reference" and refused.json()["detail"]["field"] == "case_id"
        )
    assert not PatrolFinding.objects.exists()
    done = worker.post(url, {"description": "垃圾", "case_id": own.pk}, content_type="application/json")
    assert done.status_code == 201 and PatrolFinding.objects.get().case_id == own.pk


# --- the grid worker a roster row's phone names ---------------------------------------------------------------


def test_a_roster_row_never_takes_over_a_grid_worker_of_another_area(world):
    grid(FOREIGN_COUNTY_GRID)
    elsewhere = GridWorker.objects.create(
        name="外县网格员",
        kind=WorkerKind.FULL_TIME,
        area_code=FOREIGN_COUNTY_GRID,
        phone="13800009999",
        phone_hash=fieldcrypt.keyed_hash("13800009999"),
    )
    row = ["外县网格员", "13800009999", "专职", "否", G1, G1, "网格员", "2026-01-05", ""]
    result = roster.roster_import(actor=world.village_staff, data=workbook([row]))
    assert result.errors == [] and result.workers_created == 1
    # the worker of the other county got no assignment here; a record of this village was made instead
    assert not Assignment.objects.filter(worker=elsewhere).exists()
    here = GridWorker.objects.exclude(pk=elsewhere.pk).get(name="外县网格员")
    assert here.area_code == G1 and Assignment.objects.get(worker=here).area_code == G1
    # a worker of the importer's own area with that phone is the one the row names
    again = roster.roster_import(actor=world.village_staff, data=workbook([row]))
    assert again.workers_created == 0 and again.unchanged_rows == 1


# --- party organisations, members, check-ins -----------------------------------------------------------------------


def test_party_inputs_name_organisations_and_members_in_scope_only(world):
    outside = client_for(world.outside_staff)
    staff = client_for(world.village_staff)
    # a parent or a branch of another village is not found for its staff
    parent = {"name": "新支部", "kind": "branch", "area_code": G1, "parent_id": world.branch.parent_id}
    assert (
        outside.post(f"{API}/party/organisations", parent, content_type="application/json").status_code == 404
    )
    member = {"name": "新党员", "organisation_id": world.branch.pk, "home_grid_code": G1}
    assert outside.post(f"{API}/party/members", member, content_type="application/json").status_code == 404
    assert staff.post(f"{API}/party/members", member, content_type="application/json").status_code == 201
    # a check-in for another member: only the member themself or a manager of their branch
    check_in = {"pledge": "周末巡逻", "member_id": world.member.pk}
    for who in (world.outside_staff, world.resident, world.worker_user):
        response = client_for(who).post(f"{API}/check-ins", check_in, content_type="application/json")
        assert response.status_code == 404, who
    with clock.frozen(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)):
        assert staff.post(f"{API}/check-ins", check_in, content_type="application/json").status_code == 201


# --- the members who took part in an activity -------------------------------------------------------------------


def test_an_activity_names_members_of_its_own_group_only(world):
    team = groups.group_create(
        actor=world.village_staff, kind="team", name="志愿队", area_code=VILLAGE, members=["甲", "乙"]
    )
    other = groups.group_create(
        actor=world.village_staff, kind="team", name="另一队", area_code=VILLAGE, members=["丙"]
    )
    staff = client_for(world.village_staff)
    url = f"{API}/groups/{team.pk}/activities"
    form = {"description": "清扫", "hours": "2", "held_on": "2026-05-01"}
    refused = staff.post(url, {**form, "participant_ids": [other.members.get().pk]})
    assert refused.status_code == 400 and refused.json()["code"] == "bad_participant"
    assert not team.activities.exists()
    ok = staff.post(url, {**form, "participant_ids": [m.pk for m in team.members.all()]})
    assert ok.status_code == 201, ok.content
    assert client_for(world.outside_staff).post(url, form).status_code == 404


# --- the areas workforce actions name -------------------------------------------------------------------------------


def test_areas_named_by_workforce_actions_are_looked_up_in_scope(world):
    from .conftest import OTHER_GRID, OTHER_VILLAGE

    red = GridWorker.objects.create(name="红网格员", kind=WorkerKind.RED, area_code=G1)
    staff = client_for(world.village_staff)

    def post(url, body, expected, how="json"):
        if how == "json":
            response = staff.post(url, body, content_type="application/json")
        else:
            response = staff.post(url, body)
        assert response.status_code == expected, (url, body, response.content)
        return response

    # outside the village: not found, nothing written
    post(f"{API}/party/organisations", {"name": "外支部", "kind": "branch", "area_code": OTHER_GRID}, 404)
    post(f"{API}/groups", {"kind": "team", "name": "外队", "area_code": OTHER_VILLAGE}, 404)
    assert staff.put(
        f"{API}/workers/{red.pk}/duties", {"area_code": OTHER_GRID, "duties": ["patrol"]},
        content_type="application/json",
    ).status_code == 404  # fmt: skip
    post(f"{API}/roster/import", {"file": _roster_file(), "area": OTHER_VILLAGE}, 404, how="multipart")
    assert staff.get(f"{API}/roster/export", {"area": OTHER_VILLAGE}).status_code == 404
    # inside it: taken
    post(f"{API}/party/organisations", {"name": "新支部", "kind": "branch", "area_code": G1}, 201)
    post(f"{API}/groups", {"kind": "team", "name": "新队", "area_code": VILLAGE}, 201)
    assert (
        staff.put(
            f"{API}/workers/{red.pk}/duties",
            {"area_code": G1, "duties": ["patrol"]},
            content_type="application/json",
        ).status_code
        == 200
    )
    post(
        f"{API}/roster/import",
        {"file": _roster_file(), "area": VILLAGE, "dry_run": True},
        200,
        how="multipart",
    )
    assert staff.get(f"{API}/roster/export", {"area": VILLAGE}).status_code == 200


def _roster_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    row = ["张专", "13800000001", "专职", "否", G1, G1, "网格长", "2026-01-05", ""]
    return SimpleUploadedFile("roster.xlsx", workbook([row]))


def test_a_patrol_is_counted_in_a_grid_the_worker_serves_today_only(world):
    from .conftest import G2

    assignment(world.worker, grid(G1), "worker", dt.date(2020, 1, 1))
    worker = client_for(world.worker_user)
    refused = worker.post(f"{API}/patrols", {"grid_code": G2}, content_type="application/json")
    assert refused.status_code == 400 and G2 in refused.json()["message"]
    started = worker.post(f"{API}/patrols", {"grid_code": G1}, content_type="application/json")
    assert started.status_code == 201 and started.json()["area_code"] == G1

"""A resident reaches their grid workers (issue 14, item 7): the workers of the resident's own grid with a
tap-to-call work phone, unless the worker chose to hide it; everyone else (other grids' residents, staff,
the grid page, lists) sees the phone masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.accounts.models import AuditLog, Role
from grassroots.errors import NotPermitted
from grassroots.workforce import selectors
from grassroots.workforce.models import AssignmentRole, WorkerKind
from grassroots.workforce.services import worker_phone_setting_set
from tests.factories import grid, user_with

from .conftest import G1, G2, VILLAGE
from .factories import GridWorkerFactory, assignment

pytestmark = pytest.mark.django_db

FULL = "17100000001"
RED = "17100000002"
OTHER = "17100000003"


@pytest.fixture
def grids(world):
    g1, g2 = grid(G1), grid(G2)
    start = dt.date(2024, 1, 1)
    full = world.worker  # a full-time worker with a login
    full.name, full.phone = "全职甲", FULL
    full.save()
    red = GridWorkerFactory(name="红色乙", phone=RED, kind=WorkerKind.RED, is_party_member=True)
    other = GridWorkerFactory(name="别格丙", phone=OTHER, area_code=G2)
    ended = GridWorkerFactory(name="离任丁", phone="17100000004")
    assignment(full, g1, AssignmentRole.WORKER, start)
    assignment(red, g1, AssignmentRole.WORKER, start)
    assignment(other, g2, AssignmentRole.WORKER, start)
    assignment(ended, g1, AssignmentRole.WORKER, start, dt.date(2024, 6, 1))
    world.full, world.red, world.other = full, red, other
    return world


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_resident_gets_their_grids_current_workers_with_whole_phones(grids):
    [mine] = selectors.grid_workers_for_resident(grids.resident)
    assert mine.code == G1
    assert [(w.name, w.phone) for w in mine.workers] == [("全职甲", FULL), ("红色乙", RED)]
    assert mine.workers[0].tel_href == f"tel:{FULL}"


def test_only_a_resident_grant_on_a_grid_counts(grids):
    assert selectors.grid_workers_for_resident(grids.village_staff) == []
    assert selectors.grid_workers_for_resident(grids.worker_user) == []
    village_resident = user_with(Role.RESIDENT, VILLAGE)  # registered on the village, no grid
    assert selectors.grid_workers_for_resident(village_resident) == []
    [theirs] = selectors.grid_workers_for_resident(user_with(Role.RESIDENT, G2))
    assert [w.phone for w in theirs.workers] == [OTHER]


def test_the_page_shows_tap_to_call_links_only_to_the_grids_residents(grids):
    html = _client(grids.resident).get(reverse("workforce:my_grid_workers")).content.decode()
    assert f'href="tel:{FULL}"' in html and f'href="tel:{RED}"' in html
    assert OTHER not in html and "离任丁" not in html
    assert 'data-nav="my-grid-workers"' in html
    # another grid's resident: its own workers only
    html = _client(user_with(Role.RESIDENT, G2)).get(reverse("workforce:my_grid_workers")).content.decode()
    assert f"tel:{OTHER}" in html and FULL not in html and RED not in html
    # staff get no header link, the page lists nothing, and the grid page keeps the phones masked
    staff = _client(grids.village_staff)
    html = staff.get(reverse("workforce:my_grid_workers")).content.decode()
    assert 'data-nav="my-grid-workers"' not in html and FULL not in html
    grid_page = staff.get(reverse("workforce:grid", args=[G1])).content.decode()
    assert FULL not in grid_page and "171****0001" in grid_page
    resident_grid_page = _client(grids.resident).get(reverse("workforce:grid", args=[G1])).content.decode()
    assert FULL not in resident_grid_page


def test_a_worker_hides_their_phone_and_the_residents_no_longer_see_it(grids):
    worker = _client(grids.worker_user)
    patrols = worker.get(reverse("workforce:patrol_list")).content.decode()
    assert 'id="phone-setting"' in patrols
    response = worker.post(reverse("workforce:my_phone_setting"), {"hidden": "on"})
    assert response.status_code == 302
    grids.full.refresh_from_db()
    assert grids.full.phone_hidden_from_residents is True
    assert AuditLog.objects.filter(action="worker.phone_hidden", target_id=str(grids.full.pk)).exists()
    html = _client(grids.resident).get(reverse("workforce:my_grid_workers")).content.decode()
    assert FULL not in html and "tel:" + RED in html
    assert "phone not shown at the worker" in html
    [mine] = selectors.grid_workers_for_resident(grids.resident)
    assert mine.workers[0].phone == "" and mine.workers[0].phone_hidden
    # and shows it again
    worker.post(reverse("workforce:my_phone_setting"), {})
    grids.full.refresh_from_db()
    assert grids.full.phone_hidden_from_residents is False


def test_only_the_worker_changes_the_setting(grids):
    for actor in (grids.village_staff, grids.administrator, grids.other_worker_user):
        with pytest.raises(NotPermitted):
            worker_phone_setting_set(actor=actor, worker=grids.full, hidden=True)
    grids.full.refresh_from_db()
    assert grids.full.phone_hidden_from_residents is False
    # someone who is not a worker has no setting to change
    assert (
        _client(grids.resident).post(reverse("workforce:my_phone_setting"), {"hidden": "on"}).status_code
        == 404
    )


def test_the_include_reads_its_own_workers_through_the_tag(grids, rf):
    from django.template import Context, Template

    request = rf.get("/")
    html = Template("{% load workforce_contacts %}{% my_grid_workers %}").render(
        Context({"user": grids.resident, "request": request})
    )
    assert f"tel:{FULL}" in html and 'data-part="my-grid-workers"' in html


def test_two_queries_whatever_the_number_of_workers(grids, django_assert_num_queries):
    for n in range(5):
        w = GridWorkerFactory(name=f"红色{n}", kind=WorkerKind.RED)
        assignment(w, grid(G1), AssignmentRole.WORKER, dt.date(2024, 1, 1))
    grids.resident.refresh_from_db()  # grants are read once per user object
    with django_assert_num_queries(3):  # the grants, the grid names, the assignments with their workers
        [mine] = selectors.grid_workers_for_resident(grids.resident)
    assert len(mine.workers) == 7

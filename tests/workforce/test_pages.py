"""The pages: check-in request, confirmation and hours ending in the grid's figures; patrol pages with the
track for supervisors only; the workload ranking for supervisors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.workforce import extensions
from grassroots.workforce.models import CheckIn, Patrol, PatrolFinding
from grassroots.workforce.services import party, patrols
from grassroots.workforce.services.patrols import Position

from .conftest import G1, VILLAGE

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_check_in_pages_end_in_the_grid_figures(world):
    member, staff = client_for(world.member_user), client_for(world.village_staff)
    with clock.frozen(NOW):
        member.post("/grids/check-in/", {"pledge": "周末巡逻"})
        check_in = CheckIn.objects.get()
        assert "周末巡逻" in staff.get("/grids/check-ins/").content.decode()
        # a resident cannot confirm: the check-in is not theirs to see
        assert client_for(world.resident).post(f"/grids/check-ins/{check_in.pk}/confirm/").status_code == 404
        staff.post(f"/grids/check-ins/{check_in.pk}/confirm/")
        member.post(f"/grids/check-ins/{check_in.pk}/services/", {"hours": "3", "description": "巡逻"})
        assert 'id="grid-figures"' in staff.get(f"/grids/{G1}/").content.decode()
        page = staff.get(f"/grids/{G1}/figures/").content.decode()
    assert 'class="service-hours">3' in page
    assert client_for(world.resident).get("/grids/check-in/").status_code == 404
    assert client_for(world.outside_staff).get(f"/grids/{G1}/figures/").status_code == 404


def test_patrol_pages(world):
    worker = client_for(world.worker_user)
    with clock.frozen(NOW):
        response = worker.post("/grids/patrols/")
        patrol = Patrol.objects.get()
        assert response.url == f"/grids/patrols/{patrol.pk}/"
        page = worker.get(response.url).content.decode()
        assert f"?patrol={patrol.pk}" in page and 'id="track"' not in page
        patrols.patrol_positions_add(actor=None, patrol=patrol, positions=[Position(NOW, 111.1, 40.1)])
        worker.post(f"/grids/patrols/{patrol.pk}/findings/", {"description": "垃圾堆"})
        worker.post(f"/grids/patrols/{patrol.pk}/end/")
    assert PatrolFinding.objects.get().description == "垃圾堆"
    assert Patrol.objects.get().ended_at is not None
    assert (
        "111.10000" in client_for(world.township_staff).get(f"/grids/patrols/{patrol.pk}/").content.decode()
    )
    assert client_for(world.other_worker_user).get(f"/grids/patrols/{patrol.pk}/").status_code == 404


def test_workload_page_for_supervisors(world):
    body = client_for(world.township_staff).get(f"/grids/workload/{VILLAGE}/").content.decode()
    assert "李巡" in body and "赵巡" in body
    assert client_for(world.worker_user).get(f"/grids/workload/{VILLAGE}/").status_code == 404


def test_worker_page_and_the_workload_hook(world):
    # given a provider registered the way the cases app would register one
    def cases_figures(worker_ids, year):
        return {world.worker.pk: {"cases_closed": 4}}

    extensions.workload_provider_register(cases_figures)
    try:
        body = client_for(world.township_staff).get(f"/grids/workers/{world.worker.pk}/").content.decode()
        assert "cases_closed" in body and "worker-figures" in body
        ranked = client_for(world.township_staff).get(f"/grids/workload/{VILLAGE}/").content.decode()
        assert 'data-figure="cases_closed"' in ranked
    finally:
        extensions.workload_providers.remove(cases_figures)
    # a resident of the grid sees no worker page; the worker sees theirs without the workload
    assert client_for(world.resident).get(f"/grids/workers/{world.worker.pk}/").status_code == 404
    assert (
        "worker-figures"
        not in client_for(world.worker_user).get(f"/grids/workers/{world.worker.pk}/").content.decode()
    )


def test_admin_lists_patrols_and_check_ins_in_scope_read_only(world):
    # given an administrator of the banner with staff access, and a patrol and a check-in in the village
    with clock.frozen(NOW):
        patrols.patrol_start(actor=None, worker=world.worker)
    party.check_in_request(actor=None, member=world.member, pledge="巡逻", year=2026)
    world.administrator.is_staff = True
    world.administrator.save()
    admin = client_for(world.administrator)
    assert "李巡" in admin.get("/admin/workforce/patrol/").content.decode()
    assert "王党员" in admin.get("/admin/workforce/checkin/").content.decode()
    assert admin.get("/admin/workforce/patrol/add/").status_code == 403


@pytest.mark.parametrize(
    ("who", "lands_on"),
    [
        ("township_staff", "/grids/workload/150825100/"),
        ("supervisor", "/grids/workload/150825/"),
        ("worker_user", "/grids/patrols/"),
        ("resident", "/grids/check-in/"),
    ],
)
def test_the_header_link_leads_each_role_to_its_workforce_page(client, world, who, lands_on):
    user = getattr(world, who)
    client.force_login(user)
    assert client.get("/grids/").url == lands_on
    page = client.get(reverse("areas:browser"), follow=True).content.decode()
    assert ('href="/grids/"' in page) is (who != "resident")

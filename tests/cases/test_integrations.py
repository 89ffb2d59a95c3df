"""Cases fills the hooks of the register (people) and workforce: a need found on a visit becomes one case,
the household and person pages list their cases in scope, the workload counts cases, and a case reported
from a patrol becomes one of its findings."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from grassroots import clock, fieldcrypt
from grassroots.accounts.models import Role
from grassroots.cases import integrations, services
from grassroots.cases.models import Case, Source
from grassroots.people import extensions
from grassroots.people import services as people_services
from grassroots.workforce import extensions as workforce_extensions
from grassroots.workforce import selectors as workforce_selectors
from grassroots.workforce.models import AssignmentRole, PatrolFinding
from grassroots.workforce.services.patrols import patrol_end, patrol_start
from tests.cases.conftest import jpeg_bytes, upload
from tests.factories import grid, user_with
from tests.people.factories import household, resident
from tests.workforce.factories import GridWorkerFactory, assignment

pytestmark = pytest.mark.django_db

GRID = "150825100201001"
BOUNDS = (107.0, 41.0, 107.01, 41.01)
INSIDE = (107.005, 41.005)
FAR_TOWNSHIP = "150826101"


def _worker_in_grid():
    """A grid worker login with its workforce record, responsible for GRID."""
    g = grid(GRID, BOUNDS)
    user = user_with(Role.GRID_WORKER, GRID)
    worker = GridWorkerFactory(user=user, area_code=GRID, name="网格员乙")
    assignment(worker, g, AssignmentRole.WORKER, dt.date(2020, 1, 1))
    return user, worker


def _visit_with_need(actor, hh, need="老人独居，申请临时救助"):
    return people_services.visit_record(
        actor=actor, household=hh, visited_on=clock.today(), found="老人独居", need=need, open_case=True
    )


def test_the_hooks_are_installed_once_by_the_app():
    # given the app registry is ready, when the hooks are installed again
    integrations.install()
    # then each hook is registered exactly once
    assert extensions.need_handlers.count(integrations.visit_need_to_case) == 1
    assert extensions.household_panels.count(integrations.household_cases_panel) == 1
    assert extensions.resident_panels.count(integrations.resident_cases_panel) == 1
    assert workforce_extensions.workload_providers.count(integrations.worker_case_figures) == 1


def test_a_need_found_on_a_visit_becomes_exactly_one_case_routed_to_the_grid():
    # given a household in a grid with a responsible grid worker
    user, _worker = _worker_in_grid()
    hh = household(GRID)
    # when the worker records a visit with a need and asks for a case
    visit = _visit_with_need(user, hh)
    # then one case exists, entered as a household visit in the household's grid, reported by the worker
    case = Case.objects.get()
    assert visit.case_reference == case.reference
    assert case.source == Source.VISIT and case.area_code == GRID
    assert case.reporter == user and case.assignee_user == user
    assert case.category.code == "1001"
    assert "老人独居，申请临时救助" in case.description and hh.address in case.description


def test_a_visit_without_asking_for_a_case_makes_none():
    user, _worker = _worker_in_grid()
    hh = household(GRID)
    people_services.visit_record(actor=user, household=hh, visited_on=clock.today(), found="x", need="y")
    assert Case.objects.count() == 0


def test_when_the_case_cannot_be_entered_the_visit_is_not_recorded_either():
    # given every visit category switched off and the fallbacks gone
    user, _worker = _worker_in_grid()
    hh = household(GRID)
    from grassroots.cases.models import Category

    Category.objects.filter(code__in=integrations.VISIT_CATEGORY_CODES).update(is_active=False)
    # when the worker asks for a case, then the refusal names what to do and nothing is stored
    with pytest.raises(services.ReportInvalid):
        _visit_with_need(user, hh)
    assert Case.objects.count() == 0 and hh.visits.count() == 0


def test_the_case_shows_on_the_household_and_person_pages_in_scope_and_not_outside(client):
    # given a case opened from a visit to a household with a member
    user, _worker = _worker_in_grid()
    hh = household(GRID)
    person = resident(hh, name="李四")
    _visit_with_need(user, hh)
    case = Case.objects.get()
    detail = reverse("cases:detail", args=[case.pk])
    # when township staff in scope open the household and the person pages, then both link the case
    staff = user_with(Role.TOWNSHIP_STAFF, GRID[:9])
    client.force_login(staff)
    for url in (reverse("people:household", args=[hh.pk]), reverse("people:resident", args=[person.pk])):
        page = client.get(url).content.decode()
        assert detail in page and case.reference in page
    # and staff of another township get a 404 for the pages and no row from the panels
    outsider = user_with(Role.TOWNSHIP_STAFF, FAR_TOWNSHIP)
    client.force_login(outsider)
    assert client.get(reverse("people:household", args=[hh.pk])).status_code == 404
    request = RequestFactory().get("/")
    request.user = outsider
    assert integrations.household_cases_panel(request=request, household=hh).rows == []
    assert integrations.resident_cases_panel(request=request, resident=person).rows == []
    request.user = staff
    assert [r.url for r in integrations.resident_cases_panel(request=request, resident=person).rows] == [
        detail
    ]


def test_the_workload_counts_cases_reported_handled_and_closed(django_assert_max_num_queries):
    # given a worker who opened a case from a visit and resolved another on the spot
    user, worker = _worker_in_grid()
    _visit_with_need(user, household(GRID))
    services.case_resolve_on_the_spot(
        actor=user,
        category="0101",
        description="路边垃圾",
        note="已清理",
        lon=INSIDE[0],
        lat=INSIDE[1],
        before_photos=[upload(jpeg_bytes())],
        after_photos=[upload(jpeg_bytes(color=(30, 200, 30)))],
    )
    other = GridWorkerFactory(area_code=GRID, name="网格员丙")
    supervisor = user_with(Role.TOWNSHIP_STAFF, GRID[:9])
    # when a supervisor opens the workload
    rows = {
        r["worker"].pk: r for r in workforce_selectors.worker_workload(user=supervisor, area_code=GRID[:9])
    }
    # then the worker's row carries the case figures and the worker without a login none
    assert rows[worker.pk]["extra"] == {
        "cases_reported": 2,
        "cases_handled": 1,
        "cases_closed": 1,
        "cases_closed_on_time": 1,
    }
    # and the score weighs what they did: 3 × 1 handled + 2 × 1 closed on time + 1 × 1 visit, no patrols
    assert rows[worker.pk]["visits"] == 1 and rows[worker.pk]["score"] == 6
    assert "extra" not in rows[other.pk]
    # and the figures take a fixed number of queries however many workers there are
    with django_assert_max_num_queries(4):
        integrations.worker_case_figures([worker.pk, other.pk], clock.today().year)
    assert integrations.grid_case_figures(area_code=GRID[:9], year=clock.today().year) == {
        GRID: {"cases_reported": 2, "cases_closed": 1}
    }


def _report_form(**kw):
    return {
        "category": "0101",
        "kind": "problem",
        "urgency": "",
        "description": "巡查发现垃圾堆放",
        "lon": str(INSIDE[0]),
        "lat": str(INSIDE[1]),
        "accuracy_m": "10",
        "crs": "wgs84",
        "address": "",
        "idempotency_key": "p-1",
        **kw,
    }


def test_a_case_reported_from_a_patrol_becomes_a_finding_with_the_case_id(client):
    # given a grid worker on an open patrol
    user, worker = _worker_in_grid()
    patrol = patrol_start(actor=user, worker=worker)
    client.force_login(user)
    # when they report from the patrol page's link
    url = workforce_selectors.report_case_url(patrol)
    assert url.endswith(f"?patrol={patrol.pk}")
    response = client.post(url, _report_form())
    # then the case exists, recorded as a patrol finding, and the patrol has one finding carrying its id
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.source == Source.PATROL
    finding = PatrolFinding.objects.get(patrol=patrol)
    assert finding.case_id == case.pk and finding.description == "巡查发现垃圾堆放"
    # and a retried submission adds neither a case nor a finding
    client.post(url, _report_form())
    assert Case.objects.count() == 1 and PatrolFinding.objects.count() == 1


def test_someone_elses_patrol_is_refused_and_nothing_is_stored(client):
    _user, worker = _worker_in_grid()
    patrol = patrol_start(actor=None, worker=worker)
    other = user_with(Role.GRID_WORKER, GRID)
    client.force_login(other)
    response = client.post(workforce_selectors.report_case_url(patrol), _report_form())
    assert response.status_code == 200 and "巡查" in response.content.decode()
    assert Case.objects.count() == 0 and PatrolFinding.objects.count() == 0


def test_an_ended_patrol_files_an_ordinary_report(client):
    user, worker = _worker_in_grid()
    patrol = patrol_start(actor=user, worker=worker)
    patrol_end(actor=user, patrol=patrol)
    client.force_login(user)
    assert client.post(workforce_selectors.report_case_url(patrol), _report_form()).status_code == 302
    assert Case.objects.get().source == Source.MOBILE_WEB and PatrolFinding.objects.count() == 0


def test_the_api_files_a_report_on_patrol_with_the_source_patrol(client):
    user, worker = _worker_in_grid()
    patrol = patrol_start(actor=user, worker=worker)
    client.force_login(user)
    form = {"category": "0101", "description": "巡查发现井盖缺失", "lon": INSIDE[0], "lat": INSIDE[1]}
    response = client.post("/api/v1/cases/", data={**form, "patrol_id": patrol.pk})
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "patrol"
    assert PatrolFinding.objects.get(patrol=patrol).case_id == response.json()["id"]
    # without a patrol the API's own channel stays
    assert client.post("/api/v1/cases/", data=form).json()["source"] == "api"


def test_the_service_refuses_a_patrol_that_is_not_the_reporters_own(db):
    _user, worker = _worker_in_grid()
    patrol = patrol_start(actor=None, worker=worker)
    other = user_with(Role.GRID_WORKER, GRID)
    with pytest.raises(services.ReportInvalid) as refused:
        services.case_report(
            actor=other, category="0101", description="x", lon=INSIDE[0], lat=INSIDE[1], patrol=patrol
        )
    assert refused.value.detail == {"patrol": "not open or not yours"}
    assert not Case.objects.exists()


def test_the_queue_filters_patrol_findings_by_their_chinese_name(client):
    user, worker = _worker_in_grid()
    patrol = patrol_start(actor=user, worker=worker)
    found = integrations.case_report_on_patrol(
        actor=user, patrol_id=patrol.pk, category="0101", description="巡查发现", lon=INSIDE[0], lat=INSIDE[1]
    )
    services.case_report(actor=user, category="0101", description="随手拍", lon=INSIDE[0], lat=INSIDE[1])
    client.force_login(user)
    page = client.get(reverse("cases:queue"), {"source": "patrol"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert '<option value="patrol" selected>巡查发现</option>' in html
    assert re.findall(r'name="case" value="(\d+)"', html) == [str(found.pk)]


def test_the_person_page_lists_what_they_reported_but_never_an_anonymous_report():
    # given a resident with a phone, a call taken by the village desk and a report from their own login
    g = grid(GRID, BOUNDS)
    hh = household(GRID)
    person = resident(hh, name="王五", phone="13912340001")
    desk = user_with(Role.VILLAGE_STAFF, GRID[:12])
    called = services.case_enter(
        actor=desk,
        source=Source.PHONE,
        category="0206",
        description="路灯不亮",
        area_code=GRID,
        reporter_name="王五",
        reporter_phone="139-1234-0001",
    )
    own_login = user_with(
        Role.RESIDENT, GRID, phone="13912340001", phone_hash=fieldcrypt.keyed_hash("13912340001")
    )
    online = services.case_report(
        actor=own_login, category="0101", description="垃圾没人清运", lon=INSIDE[0], lat=INSIDE[1]
    )
    hidden = services.case_report(
        actor=own_login,
        category="0101",
        description="匿名反映",
        lon=INSIDE[0],
        lat=INSIDE[1],
        anonymous=True,
    )
    assert g.area.code == GRID
    request = RequestFactory().get("/")
    # when staff whose scope holds the grid open the person's and the household's panels
    request.user = user_with(Role.TOWNSHIP_STAFF, GRID[:9])
    for panel in (
        integrations.resident_cases_panel(request=request, resident=person),
        integrations.household_cases_panel(request=request, household=hh),
    ):
        urls = [r.url for r in panel.rows]
        # then both reports are listed, newest first, and the anonymous one is not
        assert urls == [reverse("cases:detail", args=[c.pk]) for c in (online, called)]
        assert reverse("cases:detail", args=[hidden.pk]) not in urls
        assert all("由本人反映" in r.note for r in panel.rows)
    # and staff of another township get no row
    request.user = user_with(Role.TOWNSHIP_STAFF, FAR_TOWNSHIP)
    assert integrations.resident_cases_panel(request=request, resident=person).rows == []

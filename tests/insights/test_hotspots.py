"""Hotspots (未诉先办): the three methods find what they say on the page and nothing else, each user sees the
hotspots of their scope only, and one tap turns a hotspot into a proactive case (through the intake pipeline,
once however often it is pressed) or a patrol task for the grid's worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.accounts.scoping import OutOfScope
from grassroots.areas.codes import Level
from grassroots.cases.models import Case, CaseEvent, Category, EventAction, Source, State
from grassroots.errors import NotPermitted
from grassroots.geo import metres_per_degree
from grassroots.insights import selectors, services
from grassroots.insights.selectors import hotspots as hotspot_selectors
from grassroots.insights.services import facts_rebuild
from grassroots.workforce.models import PatrolTask
from tests.cases.conftest import COUNTY, G1, G2, OTHER_COUNTY_GRID, VILLAGE

# metres per degree at latitude 41 (for placing reports a known distance apart)
EAST = 1 / (111_320 * 0.7547)
NORTH = 1 / 110_574


@pytest.fixture
def client():
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _case(origin: str, *, days_ago: int = 1, lon=None, lat=None, code="0101", **fields) -> Case:
    reported = timezone.now() - dt.timedelta(days=days_ago)
    return Case.objects.create(
        **{
            "kind": "problem",
            "source": Source.MOBILE_WEB,
            "category": Category.objects.get(code=code),
            "description": "x",
            "origin_code": origin,
            "area_code": origin,
            "level": Level.GRID,
            "reported_at": reported,
            "response_due_at": reported + dt.timedelta(hours=8),
            "lon": lon,
            "lat": lat,
            **fields,
        }
    )


def _near(n: int, *, origin=G1, base=(107.005, 41.005), step_m=30, code="0101", days_ago=1) -> list[Case]:
    """``n`` reports in a row ``step_m`` apart eastwards."""
    return [
        _case(origin, lon=base[0] + i * step_m * EAST, lat=base[1], code=code, days_ago=days_ago)
        for i in range(n)
    ]


def _kinds(found):
    return sorted((h.kind, h.category_code, len(h.case_ids)) for h in found)


def test_reports_of_one_type_close_together_make_a_cluster_and_others_do_not(city):
    # given four litter reports 30 m apart, a fifth 2 km away, two of another type beside them, one too old
    cluster = _near(4)
    _near(1, base=(107.005, 41.005 + 2000 * NORTH))
    _near(2, code="0201")
    _near(1, days_ago=45)
    # when
    found = selectors.hotspots_for(
        user=city.county, area_code=COUNTY, method=selectors.HotspotMethod(), today=clock.today()
    )
    # then one cluster of the four, with its centre and spread
    clusters = [h for h in found if h.kind == selectors.HotspotKind.CLUSTER]
    assert [sorted(h.case_ids) for h in clusters] == [sorted(c.pk for c in cluster)]
    (hot,) = clusters
    assert hot.area_code == G1 and hot.category_code == "0101" and round(hot.spread_m) == 45
    assert {c.pk for c in hot.cases} == {c.pk for c in cluster}


def test_the_radius_and_the_minimum_are_the_parameters_stated(city):
    _near(3, step_m=150)  # 150 m apart: neighbours at 200 m, not at 100 m
    wide = selectors.hotspots_for(
        user=city.county, area_code=COUNTY, method=selectors.HotspotMethod(), today=clock.today()
    )
    narrow = selectors.hotspots_for(
        user=city.county, area_code=COUNTY, method=selectors.HotspotMethod(radius_m=100), today=clock.today()
    )
    more = selectors.hotspots_for(
        user=city.county, area_code=COUNTY, method=selectors.HotspotMethod(min_reports=4), today=clock.today()
    )
    assert [h.kind for h in wide] == ["cluster"]
    assert narrow == [] and more == []


def test_a_grid_far_above_its_norm_and_reopened_cases_are_hotspots(city):
    # given G2: one report a month for the year before, five in the last 30 days (no points); G1: a case
    # reopened twice in the window
    for month in range(1, 13):
        _case(G2, days_ago=15 + 30 * month, code="0201")
    recent = [_case(G2, days_ago=d, code="0201") for d in (1, 3, 5, 7, 9)]
    reopened = _case(G1, reopen_count=2)
    for days in (2, 1):
        CaseEvent.objects.create(
            case=reopened,
            action=EventAction.REOPEN,
            area_code=G1,
            at=timezone.now() - dt.timedelta(days=days),
        )
    facts_rebuild()
    # when
    found = selectors.hotspots_for(
        user=city.county, area_code=COUNTY, method=selectors.HotspotMethod(), today=clock.today()
    )
    # then
    dense = [h for h in found if h.kind == "density"]
    assert [(h.area_code, h.count, round(h.norm, 2), sorted(h.case_ids)) for h in dense] == [
        (G2, 5, 1.0, sorted(c.pk for c in recent))
    ]
    again = [h for h in found if h.kind == "reopened"]
    assert [(h.area_code, h.count, h.case_ids) for h in again] == [(G1, 2, [reopened.pk])]


def test_each_user_sees_the_hotspots_of_their_scope_only(city):
    _near(3)
    _near(3, origin=OTHER_COUNTY_GRID, base=(108.005, 41.005))
    method = selectors.HotspotMethod()
    assert (
        len(selectors.hotspots_for(user=city.county, area_code=COUNTY, method=method, today=clock.today()))
        == 1
    )
    assert (
        len(selectors.hotspots_for(user=city.grid_worker, area_code=G1, method=method, today=clock.today()))
        == 1
    )
    # the other grid's worker, asked about an area above theirs, sees none of G1's cases
    assert (
        selectors.hotspots_for(
            user=city.other_grid_worker, area_code=VILLAGE, method=method, today=clock.today()
        )
        == []
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("county", 200),
        ("leader", 200),
        ("village", 200),
        ("grid_worker", 404),
        ("outsider", 404),
        ("department", 403),
        ("resident", 403),
    ],
)
def test_the_page_by_role_and_area(city, client, who, status):
    client.force_login(getattr(city, who))
    assert client.get(reverse("insights:hotspots", args=[VILLAGE])).status_code == status


def test_the_page_states_the_method_lists_the_cases_and_offers_both_steps(city, client):
    cases = _near(3)
    client.force_login(city.township)
    page = client.get(reverse("insights:hotspots", args=[VILLAGE]) + "?radius_m=250&days=20")
    text = page.content.decode()
    assert "DBSCAN" in text and "within 250 m" in text and "last 20 days" in text
    assert all(c.reference in text for c in cases)
    assert 'value="case"' in text and 'value="patrol"' in text
    # a leader reads but does not act
    client.force_login(city.leader)
    text = client.get(reverse("insights:hotspots", args=[VILLAGE])).content.decode()
    assert "DBSCAN" in text and 'value="case"' not in text


def test_parameters_out_of_bounds_are_refused_on_the_page(city, client):
    client.force_login(city.county)
    page = client.get(reverse("insights:hotspots", args=[COUNTY]) + "?radius_m=5")
    assert page.status_code == 200
    assert "greater than or equal to 50" in page.content.decode()


def test_a_double_tap_opens_one_proactive_case_through_intake(city, client):
    cases = _near(3)
    client.force_login(city.township)
    form = {
        "act": "case",
        "kind": "cluster",
        "category": cases[0].category_id,
        "cases": ",".join(str(c.pk) for c in cases),
    }
    first = client.post(reverse("insights:hotspot_act", args=[VILLAGE]), form)
    second = client.post(reverse("insights:hotspot_act", args=[VILLAGE]), form)
    proactive = Case.objects.filter(source=Source.PROACTIVE)
    assert proactive.count() == 1
    case = proactive.get()
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    # routed from the cases' centre like any report, its first event written, the cases named
    assert case.origin_code == G1 and case.state == State.REPORTED and case.entered_by == city.township
    assert case.events.filter(action=EventAction.REPORT).count() == 1
    assert all(c.reference in case.description for c in cases)
    # the proactive case is no report: the hotspot keeps its three cases, and names the case opened for it
    (hot,) = selectors.hotspots_for(
        user=city.county, area_code=COUNTY, method=selectors.HotspotMethod(), today=clock.today()
    )
    assert sorted(hot.case_ids) == sorted(c.pk for c in cases) and hot.proactive_case == case


def test_a_hotspot_becomes_a_patrol_task_for_the_grids_worker_once(city, client):
    cases = _near(3)
    client.force_login(city.township)
    form = {
        "act": "patrol",
        "kind": "cluster",
        "category": cases[0].category_id,
        "cases": ",".join(str(c.pk) for c in cases),
    }
    client.post(reverse("insights:hotspot_act", args=[VILLAGE]), form)
    client.post(reverse("insights:hotspot_act", args=[VILLAGE]), form)
    task = PatrolTask.objects.get()
    assert task.area_code == G1 and task.worker == city.worker_record and task.done_at is None
    assert task.due_on == clock.today() + dt.timedelta(days=services.PATROL_TASK_DAYS)
    # the worker sees it on their patrol page and marks it done
    client.force_login(city.grid_worker)
    assert cases[0].reference in client.get(reverse("workforce:patrol_list")).content.decode()
    client.post(reverse("workforce:patrol_task_done", args=[task.pk]), {"note": "bins moved"})
    task.refresh_from_db()
    assert task.done_at is not None and task.done_note == "bins moved"


def test_acting_on_cases_outside_the_scope_or_without_the_role_writes_nothing(city):
    mine = _near(2)
    theirs = _near(1, origin=OTHER_COUNTY_GRID, base=(108.005, 41.005))
    ids = [c.pk for c in mine + theirs]
    with pytest.raises(OutOfScope):
        services.hotspot_open_case(
            actor=city.county, area_code=COUNTY, kind="cluster", category_id=mine[0].category_id, case_ids=ids
        )
    with pytest.raises(NotPermitted):
        services.hotspot_open_case(
            actor=city.leader,
            area_code=COUNTY,
            kind="cluster",
            category_id=mine[0].category_id,
            case_ids=[c.pk for c in mine],
        )
    with pytest.raises(NotPermitted):
        services.hotspot_set_patrol_task(
            actor=city.grid_worker,
            area_code=G1,
            kind="cluster",
            category_id=mine[0].category_id,
            case_ids=[c.pk for c in mine],
        )
    assert not Case.objects.filter(source=Source.PROACTIVE).exists()
    assert not PatrolTask.objects.exists()


def _brute_force(points, radius_m, min_reports):
    """DBSCAN by its definition, every pair measured (for the property below)."""
    import math

    kx, ky = metres_per_degree(sum(p[2] for p in points) / len(points))
    xy = [(p[1] * kx, p[2] * ky) for p in points]
    near = [[j for j in range(len(xy)) if math.dist(xy[i], xy[j]) <= radius_m] for i in range(len(xy))]
    core = [len(n) >= min_reports for n in near]
    label: dict[int, int] = {}
    for i in range(len(xy)):
        if core[i] and i not in label:
            label[i], todo = i, [i]
            while todo:
                k = todo.pop()
                for j in near[k]:
                    if core[j] and j not in label:
                        label[j] = i
                        todo.append(j)
    for i in range(len(xy)):
        if not core[i]:
            reach = [label[j] for j in near[i] if core[j]]
            if reach:
                label[i] = min(reach, key=lambda c: min(j for j in near[i] if core[j] and label[j] == c))
    groups: dict[int, set[int]] = {}
    for i, c in label.items():
        groups.setdefault(c, set()).add(i)
    return sorted(tuple(sorted(g)) for g in groups.values() if any(core[i] for i in g))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=40),
    st.sampled_from([50, 120, 200]),
    st.integers(2, 5),
)
def test_the_clusters_are_dbscans_by_its_definition(offsets, radius_m, min_reports):
    # points on a 25 m lattice near 41° N: many at the edge of the radius
    points = [(i, 107.0 + x * 25 * EAST, 41.0 + y * 25 * NORTH) for i, (x, y) in enumerate(offsets)]
    found = hotspot_selectors._clusters(points, radius_m=radius_m, min_reports=min_reports)
    cores_and_members = sorted(tuple(sorted(g)) for g in found)
    assert cores_and_members == _brute_force(points, radius_m, min_reports)


def test_an_areas_clusters_are_kept_until_a_case_changes(city, monkeypatch):
    # given three litter reports 30 m apart, their hotspot found once
    cases = _near(3)
    computed = []
    clusters = hotspot_selectors._clusters
    monkeypatch.setattr(
        hotspot_selectors, "_clusters", lambda *a, **k: computed.append(1) or clusters(*a, **k)
    )
    method = selectors.HotspotMethod()

    def found():
        return selectors.hotspots_for(user=city.county, area_code=COUNTY, method=method, today=clock.today())

    assert _kinds(found()) == [("cluster", "0101", 3)]
    assert computed == [1]
    # when nothing changes, the same answer is read again without clustering
    assert _kinds(found()) == [("cluster", "0101", 3)]
    assert computed == [1]
    # when a case of it is cancelled through the workflow (a timeline row), the answer is computed again
    from grassroots.cases import services as case_services

    case_services.case_cancel(
        actor=city.county, case=cases[0], expected_version=cases[0].version, reason="重复上报"
    )
    assert found() == []
    assert computed == [1, 1]
    # and a new report nearby is seen at once
    _near(2, base=(107.005 + 90 * EAST, 41.005))
    assert _kinds(found()) == [("cluster", "0101", 4)]


def test_an_answer_kept_for_an_area_is_not_given_to_someone_who_sees_only_part_of_it(city):
    # given the village's hotspots, computed for its county's staff
    _near(3)
    method = selectors.HotspotMethod()
    assert len(
        selectors.hotspots_for(user=city.county, area_code=VILLAGE, method=method, today=clock.today())
    )
    # then another grid's worker, asking the selector about the village, finds none of G1's cases
    assert (
        selectors.hotspots_for(
            user=city.other_grid_worker, area_code=VILLAGE, method=method, today=clock.today()
        )
        == []
    )

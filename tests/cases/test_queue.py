"""The staff queue: scoped to the user's area, filters, paging, traffic lights, bulk dispatch, and a pinned
query count so that no N+1 creeps in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots import clock
from grassroots.cases import selectors, services
from grassroots.cases.models import Case, Source, State

from .conftest import G1, INSIDE_G1, INSIDE_G2, OTHER_COUNTY_GRID, VILLAGE, reload


def _report(city, *, actor=None, where=INSIDE_G1, category="0101", description="垃圾"):
    return services.case_report(
        actor=actor or city.resident, category=category, description=description, lon=where[0], lat=where[1]
    )


def _listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="case" value="(\d+)"', html)]


@pytest.fixture
def mixed(city):
    """Cases in G1 and G2 of the village, one in another county, in several states and categories."""
    a = _report(city, description="G1 垃圾")
    b = _report(city, where=INSIDE_G2, category="0901", description="G2 纠纷")
    b = services.case_accept(actor=city.village, case=b, expected_version=b.version)
    c = services.case_enter(
        actor=city.village, source=Source.PHONE, category="0206", description="路灯不亮", area_code=VILLAGE
    )
    outside = services.case_report(
        actor=city.other_resident, category="0101", description="外县", lon=108.005, lat=41.005
    )
    assert outside.area_code == OTHER_COUNTY_GRID
    return {"a": a, "b": b, "c": c, "outside": outside}


def test_queue_holds_only_cases_of_the_users_area(client, city, mixed):
    client.force_login(city.village)
    listed = _listed(client.get(reverse("cases:queue")).content.decode())
    assert set(listed) == {mixed["a"].pk, mixed["b"].pk, mixed["c"].pk}
    # a grid worker's queue is their grid
    client.force_login(city.grid_worker)
    assert set(_listed(client.get(reverse("cases:queue")).content.decode())) == {mixed["a"].pk}
    # the other county's staff see only theirs
    client.force_login(city.outsider)
    assert set(_listed(client.get(reverse("cases:queue")).content.decode())) == {mixed["outside"].pk}


@pytest.mark.parametrize("who", ["resident", "department"])
def test_users_without_a_scope_have_no_queue(client, city, who):
    client.force_login(getattr(city, who))
    assert client.get(reverse("cases:queue")).status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "reported"}, {"a", "c"}),
        ({"state": "accepted"}, {"b"}),
        ({"state": "open"}, {"a", "b", "c"}),
        ({"state": "closed"}, set()),
        ({"category": "09"}, {"b"}),  # a top class includes its subclasses
        ({"category": "0206"}, {"c"}),
        ({"level": "5"}, {"c"}),
        ({"level": "6"}, {"a", "b"}),
        ({"source": "phone"}, {"c"}),
        ({"source": "mobile_web"}, {"a", "b"}),
    ],
)
def test_queue_filters(client, city, mixed, params, expected):
    client.force_login(city.village)
    listed = _listed(client.get(reverse("cases:queue"), params).content.decode())
    assert set(listed) == {mixed[k].pk for k in expected}


def test_queue_filters_by_period_and_overdue(client, city):
    # given a case reported long ago (its response deadline passed) and one reported now
    old_moment = timezone.make_aware(dt.datetime(2025, 3, 3, 10, 0))
    with clock.frozen(old_moment):
        old = _report(city, description="旧的")
    new = _report(city, description="新的")
    client.force_login(city.village)
    url = reverse("cases:queue")
    assert _listed(client.get(url, {"since": "2025-03-01", "until": "2025-03-31"}).content.decode()) == [
        old.pk
    ]
    assert _listed(client.get(url, {"since": "2025-04-01"}).content.decode()) == [new.pk]
    assert _listed(client.get(url, {"overdue": "on"}).content.decode()) == [old.pk]
    # and the overdue case shows a red light
    html = client.get(url, {"overdue": "on"}).content.decode()
    assert "light-red" in html


def test_bad_filter_values_show_the_whole_queue_not_an_error(client, city, mixed):
    client.force_login(city.village)
    response = client.get(reverse("cases:queue"), {"level": "x", "since": "yesterday", "state": "nonsense"})
    assert response.status_code == 200


def test_queue_pages(client, city, settings):
    for n in range(selectors.QUEUE_PAGE_SIZE + 3):
        _report(city, description=f"第{n}件")
    client.force_login(city.village)
    first = _listed(client.get(reverse("cases:queue")).content.decode())
    second = _listed(client.get(reverse("cases:queue"), {"page": 2}).content.decode())
    assert len(first) == selectors.QUEUE_PAGE_SIZE and len(second) == 3
    assert not set(first) & set(second)
    # newest first
    assert first == sorted(first, reverse=True)


def test_queue_query_count_is_pinned(client, city, django_assert_num_queries):
    # given a full page of cases, some with photos and urges
    for n in range(selectors.QUEUE_PAGE_SIZE + 5):
        case = _report(city, description=f"第{n}件")
        if n % 3 == 0:
            services.case_urge(actor=city.supervisor, case=case, expected_version=case.version, card="red")
    client.force_login(city.village)
    client.get(reverse("cases:queue"))  # warm the routing index and the session
    # when the queue page is rendered, the count does not grow with the rows:
    # session, user, grants, count, the page's ids, its rows, the user's saved views, unread count (the
    # service types of the filter and the working calendar come from the process's copy, cases/reference.py)
    with django_assert_num_queries(8):
        response = client.get(reverse("cases:queue"), {"state": "open"})
    assert len(_listed(response.content.decode())) == selectors.QUEUE_PAGE_SIZE


def test_bulk_dispatch(client, city, mixed):
    # given two accepted cases in G1
    a = services.case_accept(actor=city.village, case=mixed["a"], expected_version=mixed["a"].version)
    d = _report(city, description="再一件")
    d = services.case_accept(actor=city.village, case=d, expected_version=d.version)
    client.force_login(city.village)
    target = f"grid_worker:{city.worker_record.pk}"
    # the handler list offers the grid's worker for both
    targets = client.get(reverse("cases:bulk_targets"), {"case": [a.pk, d.pk]}).content.decode()
    assert f'value="{target}"' in targets
    # when both are dispatched at once
    response = client.post(
        reverse("cases:bulk_dispatch"),
        {"case": [a.pk, d.pk], f"version_{a.pk}": a.version, f"version_{d.pk}": d.version, "target": target},
    )
    assert response.status_code == 302
    for case in (a, d):
        case = reload(case)
        assert case.state == State.DISPATCHED and case.assignee_user == city.grid_worker


def test_bulk_dispatch_skips_what_changed_or_cannot_be_dispatched(client, city, mixed):
    a = services.case_accept(actor=city.village, case=mixed["a"], expected_version=mixed["a"].version)
    stale_version = a.version
    a = services.case_urge(
        actor=city.supervisor, case=a, expected_version=a.version
    )  # someone acted meanwhile
    reported = _report(city, description="未受理")
    client.force_login(city.village)
    target = f"grid_worker:{city.worker_record.pk}"
    client.post(
        reverse("cases:bulk_dispatch"),
        {
            "case": [a.pk, reported.pk, mixed["outside"].pk],
            f"version_{a.pk}": stale_version,
            f"version_{reported.pk}": reported.version,
            f"version_{mixed['outside'].pk}": mixed["outside"].version,
            "target": target,
        },
    )
    assert reload(a).state == State.ACCEPTED
    assert reload(reported).state == State.REPORTED
    assert reload(mixed["outside"]).state == State.REPORTED
    assert Case.objects.filter(state=State.DISPATCHED).count() == 0


def test_bulk_targets_are_those_common_to_the_ticked_cases(client, city, mixed):
    client.force_login(city.village)
    # a case in G1 (its worker) and one at village level (the village's grids' workers): the G1 worker serves both
    html = client.get(
        reverse("cases:bulk_targets"), {"case": [mixed["a"].pk, mixed["c"].pk]}
    ).content.decode()
    assert f"grid_worker:{city.worker_record.pk}" in html
    # another county's case is not even looked at
    html = client.get(reverse("cases:bulk_targets"), {"case": [mixed["outside"].pk]}).content.decode()
    assert "grid_worker" not in html


def test_case_queue_selector_is_scoped_for_a_superuser_too(city, mixed):
    from tests.factories import UserFactory

    boss = UserFactory(is_superuser=True)
    assert selectors.case_queue_for(user=boss).count() == 4
    assert selectors.case_queue_for(user=boss, filters=selectors.QueueFilters(area=G1)).count() == 1


def test_my_reports_and_my_tasks_query_counts_are_pinned(client, city, django_assert_num_queries):
    for n in range(12):
        _report(city, description=f"第{n}件")
    client.force_login(city.resident)
    client.get(reverse("cases:mine"))
    # session, user, grants, count, page, unread count
    with django_assert_num_queries(6):
        assert client.get(reverse("cases:mine")).status_code == 200
    client.force_login(city.grid_worker)
    client.get(reverse("cases:tasks"))
    # session, user, grants, the tasks, unread count (the working calendar comes from the process's copy)
    with django_assert_num_queries(5):
        response = client.get(reverse("cases:tasks"))
    assert response.content.decode().count('class="card case-card"') == 12

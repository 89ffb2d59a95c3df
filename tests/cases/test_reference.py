"""The process's copy of the service types, their limits and the working calendar (cases/reference.py):
an administrator's change takes effect at once in the process that made it and, through the shared
version row, in every other process; and a submission through the API answers from what it wrote."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.test import Client

from grassroots import clock
from grassroots.cases import reference, services
from grassroots.cases.models import Case, Category, CategoryLimit, ReferenceVersion, WorkingDay
from grassroots.worktime import calendar

from .conftest import INSIDE_G1, jpeg_bytes, upload


def report(city, **fields):
    data = {"category": "0101", "description": "垃圾", "lon": INSIDE_G1[0], "lat": INSIDE_G1[1], **fields}
    return services.case_report(actor=city.resident, **data)


def test_a_service_type_switched_off_in_the_admin_refuses_the_next_report(city):
    report(city)  # the copy is loaded
    litter = Category.objects.get(code="0101")
    litter.is_active = False
    litter.save()
    with pytest.raises(services.ReportInvalid):
        report(city)


def test_a_new_limit_sets_the_next_deadline(city):
    with clock.frozen(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)):
        first = report(city)
        CategoryLimit.objects.create(
            category=city.litter, urgency="normal", response_amount=3, response_unit="clock_hours",
            handling_amount=5, handling_unit="days",
        )  # fmt: skip
        second = report(city)
    assert first.response_due_at != second.response_due_at
    assert second.response_due_at == second.reported_at + dt.timedelta(hours=3)


def test_a_working_day_entered_in_the_admin_counts_at_once(city):
    monday = dt.date(2026, 3, 2)
    assert calendar.Calendar().is_working_day(monday)
    WorkingDay.objects.create(date=monday, is_working=False, note="本地休息", is_local=True)
    assert not calendar.Calendar().is_working_day(monday)


def test_another_process_change_is_seen_after_the_check_interval(city, settings):
    ReferenceVersion.objects.update_or_create(pk=1, defaults={"version": 7})
    settings.CASES_REFERENCE_CHECK_SECONDS = 3600
    reference.reset()
    assert reference.category("0101") is not None
    # another process switches the type off and bumps the shared version (its signal, not ours)
    Category.objects.filter(code="0101").update(is_active=False)
    ReferenceVersion.objects.filter(pk=1).update(version=F("version") + 1)
    assert reference.category("0101") is not None  # this process has not looked yet
    settings.CASES_REFERENCE_CHECK_SECONDS = 0
    assert reference.category("0101") is None


def test_the_copy_hands_out_copies(city):
    reference.category("0101").name = "改坏了"
    assert reference.category("0101").name == Category.objects.get(code="0101").name


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_submission_answers_from_what_it_wrote_as_a_detail_read_would(
    city, _media, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(city.resident)
    with django_capture_on_commit_callbacks(execute=True):
        fresh = client.post(
            "/api/v1/cases/",
            data={
                "category": "0101",
                "description": "垃圾",
                "lon": INSIDE_G1[0],
                "lat": INSIDE_G1[1],
                "photos": [upload(jpeg_bytes())],
            },
            headers={"Idempotency-Key": "same-answer"},
        )
    assert fresh.status_code == 201, fresh.content
    body = fresh.json()
    read = client.get(f"/api/v1/cases/{body['id']}").json()
    assert body == read
    assert [e["action"] for e in body["timeline"]] == ["report"] and len(body["photos"]) == 1


def test_a_submission_query_count_is_pinned(city, _media, django_assert_num_queries):
    client = Client()
    client.force_login(city.resident)

    def submit(key):
        data = {"category": "0101", "description": "垃圾", "lon": INSIDE_G1[0], "lat": INSIDE_G1[1]}
        return client.post("/api/v1/cases/", data=data, headers={"Idempotency-Key": key})

    assert submit("warm").status_code == 201  # the session, the routing index, the reference copy
    # session, user, the key's earlier case, boundary version, the dates of force, savepoint, the grid's
    # workers with their logins, savepoint, case, release, timeline event, the figures' refresh task (the
    # database queue writes it in the same transaction), savepoint, delivery preferences,
    # notification, release, release, the caller's grants (for the answer's actions); and to tell whoever may
    # take it up: the grants over the grid with each holder's login and all their grants (one query: the
    # table's check reads nothing more), the grid's name; and the receiving area's name, which the routing
    # explanation and the reporter's first timeline line give
    with django_assert_num_queries(21):
        assert submit("pinned").status_code == 201
    assert Case.objects.count() == 2

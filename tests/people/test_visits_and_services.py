import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.errors import Conflict
from grassroots.people import extensions, selectors, services
from grassroots.people.codes import Attention, KeyGroup
from grassroots.people.errors import PeopleError
from grassroots.people.models import ProxyServiceStep, Visit
from grassroots.photos import PhotoError
from tests.factories import user_with

from .factories import GRID, GRID_2, household, resident, writer

pytestmark = pytest.mark.django_db


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (3000, 2000), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (40.0, 45.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_visits_due_lists_overdue_key_group_households_of_the_worker_first():
    worker = user_with(Role.GRID_WORKER, GRID)
    a, b, c = household(address="甲1号"), household(address="乙2号"), household(GRID_2, address="丙3号")
    for hh, attention in ((a, Attention.CLOSE), (b, Attention.GENERAL), (c, Attention.CLOSE)):
        services.label_set(
            actor=writer(), resident=resident(hh), kind=KeyGroup.ELDERLY_ALONE, attention=attention
        )
    today = clock.today()
    services.visit_record(actor=worker, household=b, visited_on=today - dt.timedelta(days=100), found="走访")
    due = list(selectors.visits_due_for(user=worker))
    assert [h.address for h in due] == [
        "乙2号",
        "甲1号",
    ]  # b overdue since 10 days, a due today; c is not theirs
    services.visit_record(actor=worker, household=b, visited_on=today, found="再走访")
    assert [h.address for h in selectors.visits_due_for(user=worker)] == ["甲1号"]


def test_a_visit_keeps_its_photos_without_metadata_and_scaled_down(django_capture_on_commit_callbacks):
    worker = user_with(Role.GRID_WORKER, GRID)
    hh = household()
    photo = SimpleUploadedFile("门口.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.visit_record(
            actor=worker, household=hh, visited_on=clock.today(), found="门前积水", photos=[photo]
        )
    stored = Image.open(visit.photos.get().image.open("rb"))
    assert max(stored.size) == 1600
    assert not stored.getexif()


def test_a_file_that_is_not_a_photo_is_refused_and_no_visit_is_written():
    hh = household()
    with pytest.raises(PhotoError) as exc:
        services.visit_record(
            actor=writer(),
            household=hh,
            visited_on=clock.today(),
            found="x",
            photos=[SimpleUploadedFile("a.jpg", b"not an image")],
        )
    assert exc.value.code == "not_an_image"
    assert not Visit.objects.exists()


def test_a_visit_in_the_future_is_refused():
    with pytest.raises(PeopleError):
        services.visit_record(
            actor=writer(), household=household(), visited_on=clock.today() + dt.timedelta(days=1), found="x"
        )


def test_a_need_becomes_a_case_through_the_installed_handler_in_the_same_transaction(monkeypatch):
    hh = household()
    calls = []

    def handler(*, visit, actor):
        calls.append(visit.need)
        return "SJ-2026-0001"

    monkeypatch.setattr(extensions, "need_handlers", [handler])
    visit = services.visit_record(
        actor=writer(),
        household=hh,
        visited_on=clock.today(),
        found="屋顶漏雨",
        need="需要修缮房屋",
        open_case=True,
    )
    assert calls == ["需要修缮房屋"] and visit.case_reference == "SJ-2026-0001"

    def failing(*, visit, actor):
        raise PeopleError("case system refused")

    monkeypatch.setattr(extensions, "need_handlers", [failing])
    with pytest.raises(PeopleError):
        services.visit_record(
            actor=writer(), household=hh, visited_on=clock.today(), found="x", need="y", open_case=True
        )
    assert Visit.objects.count() == 1


def test_without_a_case_handler_the_need_waits_on_the_visit(client, monkeypatch):
    monkeypatch.setattr(extensions, "need_handlers", [])  # the cases app installs one when it is present
    hh = household()
    worker = user_with(Role.GRID_WORKER, GRID)
    client.force_login(worker)
    response = client.post(
        reverse("people:visit_new", args=[hh.pk]),
        {
            "visited_on": clock.today().isoformat(),
            "found": "老人独居",
            "need": "申请临时救助",
            "open_case": "on",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.need, visit.case_reference) == ("申请临时救助", "")
    page = client.get(reverse("people:household", args=[hh.pk])).content.decode()
    assert "申请临时救助" in page


def test_proxy_service_walks_its_table_and_records_every_step():
    worker = user_with(Role.GRID_WORKER, GRID)
    person = resident()
    service = services.service_request(actor=worker, resident=person, item="办理老年优待证")
    assert services.service_actions_for(service) == ["start", "cancel"]
    service = services.service_act(actor=worker, service=service, action="start", version=1)
    with pytest.raises(PeopleError) as exc:
        services.service_act(actor=worker, service=service, action="complete", note="")
    assert exc.value.code == "note_required"
    with pytest.raises(Conflict):
        services.service_act(actor=worker, service=service, action="complete", note="已办好", version=1)
    service = services.service_act(
        actor=worker, service=service, action="complete", note="证件已送到家", version=2
    )
    assert service.status == "done" and service.completed_at is not None
    with pytest.raises(PeopleError) as exc:
        services.service_act(actor=worker, service=service, action="cancel", note="x")
    assert exc.value.code == "bad_transition"
    steps = list(
        ProxyServiceStep.objects.filter(service=service).values_list("action", "from_status", "to_status")
    )
    assert steps == [
        ("request", "", "requested"),
        ("start", "requested", "in_progress"),
        ("complete", "in_progress", "done"),
    ]


def test_proxy_service_over_the_api(client):
    worker = user_with(Role.GRID_WORKER, GRID)
    person = resident()
    client.force_login(worker)
    created = client.post(
        f"/api/v1/people/residents/{person.pk}/services",
        json.dumps({"item": "代缴医保"}),
        content_type="application/json",
    )
    assert created.status_code == 201
    sid = created.json()["id"]
    body = client.post(
        f"/api/v1/people/services/{sid}/actions",
        json.dumps({"action": "start", "version": 1}),
        content_type="application/json",
    ).json()
    assert body["status"] == "in_progress" and body["actions"] == ["progress", "complete", "cancel"]
    stale = client.post(
        f"/api/v1/people/services/{sid}/actions",
        json.dumps({"action": "complete", "note": "办完", "version": 1}),
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"


def test_list_queries_are_pinned(client, django_assert_num_queries):
    worker = user_with(Role.GRID_WORKER, GRID)
    for i in range(8):
        hh = household(address=f"幸福路{i}号")
        services.label_set(
            actor=writer(), resident=resident(hh, name=f"王{i}"), kind=KeyGroup.DISABLED, attention=1
        )
    client.force_login(worker)
    client.get("/api/v1/people/households")  # warm the session and the grants
    # session, user, grants (scoping), the page of households with their counts
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/people/households").json()["items"]) == 8
    # ... and the residents with their labels (one prefetch)
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/people/residents").json()["items"]) == 8
    # the grid page: whatever the site frame costs, more households cost no more queries
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("people:area", args=[GRID])).status_code == 200
        return len(captured)

    few = page_queries()
    for i in range(8):
        resident(household(address=f"团结路{i}号"), name=f"李{i}")
    assert page_queries() == few


def test_a_visit_with_photos_over_the_api_and_the_photo_is_served_only_in_scope(
    client, django_capture_on_commit_callbacks
):
    worker = user_with(Role.GRID_WORKER, GRID)
    hh = household()
    client.force_login(worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/people/households/{hh.pk}/visits",
            {"visited_on": clock.today().isoformat(), "found": "门前有积水", "photos": [
                SimpleUploadedFile("a.jpg", _jpeg_with_gps(), content_type="image/jpeg")]},
        )  # fmt: skip
    assert response.status_code == 201, response.content
    photo_id = response.json()["photos"][0]["id"]
    assert client.get(reverse("people:visit_photo", args=[photo_id]))["Content-Type"] == "image/jpeg"
    client.force_login(user_with(Role.GRID_WORKER, GRID_2))
    assert client.get(reverse("people:visit_photo", args=[photo_id])).status_code == 404

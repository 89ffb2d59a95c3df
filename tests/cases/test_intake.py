"""Intake: every channel, routing to grid and worker, idempotency, and bad input that stores nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from django.utils.html import escape

from grassroots import clock
from grassroots.areas.models import Area
from grassroots.areas.routing import RoutingError
from grassroots.cases import services
from grassroots.cases.models import Case, CaseEvent, CasePhoto, PhotoStage, Source, State
from grassroots.errors import NotPermitted
from grassroots.notifications.models import Notification
from grassroots.photos import PhotoError

from .conftest import G1, G2, INSIDE_G1, INSIDE_G2, VILLAGE, jpeg_bytes, upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_report_is_routed_to_its_grid_and_responsible_worker(city):
    # given a resident standing inside grid G1
    # when they report litter there
    case = services.case_report(
        actor=city.resident,
        category="0101",
        description="垃圾没人清理",
        lon=INSIDE_G1[0],
        lat=INSIDE_G1[1],
        accuracy_m=12,
    )
    # then the case sits in G1 with G1's worker named, the routing explained, and a response deadline
    assert case.area_code == case.origin_code == G1
    assert case.level == 6
    assert case.routing_method == "inside"
    grid_name = Area.objects.get(code=G1).name
    assert case.routing_explanation_data == {"msgid": "inside grid %(name)s", "values": {"name": grid_name}}
    with translation.override("en"):
        assert case.shown_routing_explanation == f"inside grid {grid_name}"
    with translation.override("zh-hans"):
        assert case.shown_routing_explanation == f"位于网格 {grid_name} 内"
    assert case.assignee_user == city.grid_worker
    assert case.state == State.REPORTED and case.version == 1
    assert case.response_due_at > case.reported_at
    assert case.source == Source.MOBILE_WEB
    event = CaseEvent.objects.get(case=case)
    assert event.action == "report" and event.new_state == State.REPORTED
    # and the worker heard of it
    assert Notification.objects.filter(recipient=city.grid_worker, target_id=str(case.pk)).exists()


def test_a_case_routed_before_explanations_were_messages_shows_its_stored_words(city):
    # given a case kept before the routing explanation was stored as a message
    case = services.case_report(
        actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    Case.objects.filter(pk=case.pk).update(
        routing_explanation=f"位于网格 {G1} 内", routing_explanation_data={}
    )
    # then its page still shows the words it was kept with
    assert Case.objects.get(pk=case.pk).shown_routing_explanation == f"位于网格 {G1} 内"


def test_point_outside_every_grid_goes_to_an_inbox_never_dropped(city, settings):
    settings.ROUTING_NEAREST_METRES = 0
    case = services.case_report(
        actor=city.resident, category="0101", description="x", lon=107.5, lat=41.5, confirm_far=True
    )  # far from every grid: the reporter confirmed it (test_far_pins.py)
    assert case.area_code and len(case.area_code) < 15
    assert case.assignee_user is None


def test_retried_submission_returns_the_same_case(city):
    kwargs = {
        "actor": city.resident,
        "category": "0101",
        "description": "垃圾",
        "lon": INSIDE_G1[0],
        "lat": INSIDE_G1[1],
        "idempotency_key": "abc-123",
    }
    first = services.case_report(**kwargs)
    second = services.case_report(**kwargs)
    assert second.pk == first.pk
    assert second.replayed is True and first.replayed is False
    assert Case.objects.count() == 1
    # another reporter may use the same key for their own report
    other = services.case_report(**{**kwargs, "actor": city.other_resident})
    assert other.pk != first.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "9999"}, "category"),
        ({"category": ""}, "category"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"lon": 200}, "lon"),
        ({"lat": -91}, "lat"),
        ({"lon": None, "lat": None}, "location"),
        ({"lon": "abc"}, "lon"),
        ({"kind": "complaint"}, "kind"),
        ({"urgency": "asap"}, "urgency"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_stored(city, changes, field):
    kwargs = {
        "actor": city.resident,
        "category": "0101",
        "description": "垃圾",
        "lon": INSIDE_G1[0],
        "lat": INSIDE_G1[1],
    }
    kwargs.update(changes)
    with pytest.raises(services.ReportInvalid) as caught:
        services.case_report(**kwargs)
    assert field in caught.value.detail
    assert str(caught.value.message)
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_unknown_coordinate_system_is_refused_by_routing(city):
    with pytest.raises(RoutingError) as caught:
        services.case_report(
            actor=city.resident,
            category="0101",
            description="x",
            lon=INSIDE_G1[0],
            lat=INSIDE_G1[1],
            crs="mars",
        )
    assert caught.value.code == "bad_crs"
    assert Case.objects.count() == 0


def test_non_image_upload_is_refused_and_nothing_is_stored(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PhotoError) as caught:
        services.case_report(
            actor=city.resident,
            category="0101",
            description="x",
            lon=INSIDE_G1[0],
            lat=INSIDE_G1[1],
            photo_files=[upload(jpeg_bytes()), upload(b"%PDF-1.4 not a photo", name="doc.pdf")],
        )
    assert "doc.pdf" in str(caught.value)
    assert Case.objects.count() == 0 and CasePhoto.objects.count() == 0
    assert not default_storage.exists("cases")


def test_oversized_upload_is_refused(city, settings):
    settings.PHOTO_MAX_BYTES = 1000
    with pytest.raises(PhotoError) as caught:
        services.case_report(
            actor=city.resident,
            category="0101",
            description="x",
            lon=INSIDE_G1[0],
            lat=INSIDE_G1[1],
            photo_files=[upload(jpeg_bytes(size=(400, 400)) + b"\0" * 2000)],
        )
    assert caught.value.code == "photo_too_large"
    assert Case.objects.count() == 0


def test_script_in_description_is_stored_as_text_and_escaped_on_output(city):
    script = '<script>alert("x")</script>'
    case = services.case_report(
        actor=city.resident, category="0101", description=script, lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    assert Case.objects.get(pk=case.pk).description == script
    from django.template import Context, Template

    rendered = Template("{{ case.description }}").render(Context({"case": case}))
    assert "<script>" not in rendered and rendered == escape(script)


def test_a_committed_report_has_its_files_even_if_nothing_runs_after_the_commit(city):
    # the on-commit hooks of the test's transaction never run: as if the process died right after the commit
    case = services.case_report(
        actor=city.resident,
        category="0101",
        description="x",
        lon=INSIDE_G1[0],
        lat=INSIDE_G1[1],
        photo_files=[upload(jpeg_bytes()), upload(jpeg_bytes(color=(0, 0, 255)))],
    )
    photos = list(case.photos.all())
    assert len(photos) == 2 and {p.stage for p in photos} == {PhotoStage.REPORT}
    for photo in photos:
        assert default_storage.exists(photo.image.name) and default_storage.exists(photo.thumbnail.name)


def _stored(folder: str) -> set[str]:
    names = set()
    for year in default_storage.listdir(folder)[0]:
        for month in default_storage.listdir(f"{folder}/{year}")[0]:
            names |= {
                f"{folder}/{year}/{month}/{f}" for f in default_storage.listdir(f"{folder}/{year}/{month}")[1]
            }
    return names


def test_a_rolled_back_report_leaves_an_orphan_that_the_purge_deletes_and_a_committed_one_is_kept(city):
    class Boom(Exception):
        pass

    # given a report rolled back after its photo was written, and one that committed
    with pytest.raises(Boom), transaction.atomic():
        services.case_report(
            actor=city.resident,
            category="0101",
            description="x",
            lon=INSIDE_G1[0],
            lat=INSIDE_G1[1],
            photo_files=[upload(jpeg_bytes())],
        )
        raise Boom
    assert CasePhoto.objects.count() == 0
    orphans = _stored("cases")
    assert len(orphans) == 2  # the photo and its thumbnail, named by no row
    case = services.case_report(
        actor=city.resident,
        category="0101",
        description="y",
        lon=INSIDE_G1[0],
        lat=INSIDE_G1[1],
        photo_files=[upload(jpeg_bytes(color=(0, 0, 255)))],
    )
    [photo] = case.photos.all()
    kept = {photo.image.name, photo.thumbnail.name}
    assert _stored("cases") == orphans | kept
    # when the purge runs the same day, the orphans are kept (their transaction might still be running)
    out = StringIO()
    call_command("photos_purge_orphans", stdout=out)
    assert "0 older than 24 h deleted" in out.getvalue() and _stored("cases") == orphans | kept
    # then a day later they are deleted, and the committed report's files stay
    with clock.frozen(clock.now() + dt.timedelta(hours=25)):
        call_command("photos_purge_orphans", stdout=out)
    assert _stored("cases") == kept
    assert all(f"deleted {name}" in out.getvalue() for name in orphans)


def test_more_than_nine_photos_are_refused(city):
    with pytest.raises(PhotoError) as caught:
        services.case_report(
            actor=city.resident,
            category="0101",
            description="x",
            lon=INSIDE_G1[0],
            lat=INSIDE_G1[1],
            photo_files=[upload(jpeg_bytes()) for _ in range(10)],
        )
    assert caught.value.code == "too_many_photos"


def test_staff_enter_a_phone_call_without_a_point(city):
    case = services.case_enter(
        actor=city.village,
        source=Source.PHONE,
        category="0901",
        description="邻居噪音",
        area_code=VILLAGE,
        reporter_name="王女士",
        reporter_phone="13812345678",
    )
    assert case.area_code == VILLAGE and case.level == 5 and case.source == Source.PHONE
    assert case.reporter is None and case.entered_by == city.village
    assert case.reporter_phone_masked == "138****5678"
    assert case.reporter_phone_hash


def test_staff_may_not_enter_cases_outside_their_area(city):
    with pytest.raises(services.ReportInvalid):
        services.case_enter(
            actor=city.outsider,
            source=Source.HOTLINE,
            category="0101",
            description="x",
            lon=INSIDE_G1[0],
            lat=INSIDE_G1[1],
        )
    with pytest.raises(NotPermitted):
        services.case_enter(
            actor=city.resident, source=Source.PHONE, category="0101", description="x", area_code=G1
        )
    assert Case.objects.count() == 0


def test_grid_worker_resolves_on_the_spot_with_before_and_after_photos(
    city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_resolve_on_the_spot(
            actor=city.grid_worker,
            category="0101",
            description="路边垃圾",
            note="已清理",
            lon=INSIDE_G1[0],
            lat=INSIDE_G1[1],
            before_photos=[upload(jpeg_bytes())],
            after_photos=[upload(jpeg_bytes(color=(0, 200, 0)))],
        )
    assert case.state == State.CLOSED and case.closing_level == 6 and case.close_reason == "on_the_spot"
    assert sorted(case.photos.values_list("stage", flat=True)) == ["after", "before"]
    assert list(case.events.values_list("action", flat=True)) == ["report", "resolve_on_the_spot"]


def test_on_the_spot_outside_own_grid_or_without_photos_is_refused(city):
    with pytest.raises(services.ReportInvalid):
        services.case_resolve_on_the_spot(
            actor=city.grid_worker,
            category="0101",
            description="x",
            note="done",
            lon=INSIDE_G2[0],
            lat=INSIDE_G2[1],
            before_photos=[upload(jpeg_bytes())],
            after_photos=[upload(jpeg_bytes())],
        )
    with pytest.raises(services.ReportInvalid):
        services.case_resolve_on_the_spot(
            actor=city.grid_worker,
            category="0101",
            description="x",
            note="done",
            lon=INSIDE_G1[0],
            lat=INSIDE_G1[1],
            before_photos=[upload(jpeg_bytes())],
        )
    assert Case.objects.count() == 0
    assert G2  # the other grid exists in the fixture

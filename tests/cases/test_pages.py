"""The case pages: report, my reports, my tasks, on the spot, the case page with its actions, rating, the
inbox. Pages only parse and render; these tests check what a person sees and that every write goes
through the services (nothing stored on bad input, nothing changed on denial)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from grassroots.cases import services, workflow
from grassroots.cases.models import Case, CaseEvent, CasePhoto, Rating, Source, State
from grassroots.notifications.models import Notification
from grassroots.notifications.services import notify
from tests.planted_numbers import PLANTED, TEXT, leaks, masked_forms

from .conftest import G1, INSIDE_G1, INSIDE_G2, VILLAGE, jpeg_bytes, reload, upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _report(city, **kw):
    data = {
        "actor": city.resident,
        "category": "0101",
        "description": "楼下垃圾堆了三天",
        "lon": INSIDE_G1[0],
        "lat": INSIDE_G1[1],
        "accuracy_m": 8,
    }
    data.update(kw)
    return services.case_report(**data)


def _form(**kw):
    data = {
        "category": "0101",
        "kind": "problem",
        "urgency": "",
        "description": "楼下垃圾堆了三天",
        "lon": str(INSIDE_G1[0]),
        "lat": str(INSIDE_G1[1]),
        "accuracy_m": "12.5",
        "crs": "wgs84",
        "address": "3号楼东",
        "idempotency_key": "k-1",
    }
    data.update(kw)
    return data


def _rendered_actions(html: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', html))


# --- reporting ------------------------------------------------------------------------------------------------


def test_report_form_shows_camera_input_map_and_categories(client, city):
    # given a logged-in resident
    client.force_login(city.resident)
    # when they open the report page
    response = client.get(reverse("cases:report"))
    # then they get a camera-enabled multi-photo input, the map, the grouped service types
    html = response.content.decode()
    assert response.status_code == 200
    assert 'accept="image/*"' in html and 'capture="environment"' in html and "multiple" in html
    assert "data-report-map" in html and 'name="lon"' in html and 'name="accuracy_m"' in html
    assert "乱扔垃圾、暴露垃圾" in html and "<optgroup" in html
    assert "<script>" not in html.split("</head>")[1]  # no inline script: the CSP forbids it


def test_resident_reports_with_a_photo_and_sees_it_routed_to_the_grid_worker(
    client, city, django_capture_on_commit_callbacks
):
    client.force_login(city.resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:report"), {**_form(), "photos": [upload(jpeg_bytes())]})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert case.source == Source.MOBILE_WEB and case.area_code == G1 and case.accuracy_m == 12.5
    assert case.assignee_user == city.grid_worker and case.address == "3号楼东"
    assert case.photos.count() == 1
    page = client.get(response.url).content.decode()
    assert "网格员甲" in page and case.reference in page
    received = CaseEvent.objects.get(case=case, action="report")
    assert received.message and received.message in page  # told in words where it went


def test_retried_form_submission_makes_one_case(client, city):
    client.force_login(city.resident)
    first = client.post(reverse("cases:report"), _form(idempotency_key="same"))
    second = client.post(reverse("cases:report"), _form(idempotency_key="same"))
    assert first.url == second.url
    assert Case.objects.count() == 1


def test_the_forms_script_is_told_the_case_page_and_its_retry_makes_no_second_case(client, city):
    # the report form's script (cases.js) sends with a header and is answered in JSON, not redirected
    client.force_login(city.resident)
    sent = {"HTTP_X_GRASSROOTS_SEND": "1"}
    first = client.post(reverse("cases:report"), _form(idempotency_key="weak-signal"), **sent)
    again = client.post(reverse("cases:report"), _form(idempotency_key="weak-signal"), **sent)
    case = Case.objects.get()
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"location": reverse("cases:detail", kwargs={"pk": case.pk})}
    # and the thank-you message waits for the page the script opens
    page = client.get(first.json()["location"]).content.decode()
    assert case.reference in page and "已收到" in page


@pytest.mark.parametrize(
    ("changes", "files"),
    [
        ({"lon": "", "lat": ""}, []),
        ({"category": "9999"}, []),
        ({"description": ""}, []),
        ({"lat": "95"}, []),
        ({}, [("doc.pdf", b"%PDF-1.4 not an image", "application/pdf")]),
    ],
)
def test_bad_report_shows_a_clear_error_and_stores_nothing(client, city, changes, files):
    client.force_login(city.resident)
    data = _form(**changes)
    if files:
        data["photos"] = [upload(content, name=name, content_type=ctype) for name, content, ctype in files]
    response = client.post(reverse("cases:report"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert Case.objects.count() == 0 and CasePhoto.objects.count() == 0
    # a new attempt key, so that the corrected form is not taken for a replay of this one
    assert 'value="k-1"' not in html


def test_script_in_the_description_is_shown_as_text(client, city):
    case = _report(city, description='<script>alert("x")</script>')
    client.force_login(city.resident)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_duplicate_suggestions_while_reporting(client, city):
    # given a litter report 10 m away and an older-category report at the same spot
    near = _report(city, lon=INSIDE_G1[0] + 0.0001, lat=INSIDE_G1[1])
    _report(city, category="0901", description="邻里纠纷")
    client.force_login(city.other_resident)
    url = reverse("cases:duplicates")
    # when another resident picks litter at the same place
    html = client.get(
        url, {"category": "0101", "lon": INSIDE_G1[0], "lat": INSIDE_G1[1]}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()  # the test reads the English wording
    # then the litter report is suggested (with its distance), the other category is not, and the
    # other resident does not get a link into someone else's report
    assert "Litter, exposed rubbish" in html and "m" in html  # the service type's English name
    assert "Dispute between neighbours" not in html and "邻里纠纷" not in html
    assert reverse("cases:detail", args=[near.pk]) not in html
    # far away (another grid) nothing is suggested
    far = client.get(url, {"category": "0101", "lon": INSIDE_G2[0], "lat": INSIDE_G2[1]}).content.decode()
    assert "乱扔垃圾" not in far
    # nonsense parameters are ignored, not an error
    assert client.get(url, {"category": "0101", "lon": "x", "lat": "1"}).status_code == 200


def test_my_reports_lists_only_mine(client, city):
    mine = _report(city, description="我的报告")
    _report(city, actor=city.other_resident, description="别人的报告")
    client.force_login(city.resident)
    html = client.get(reverse("cases:mine")).content.decode()
    assert "我的报告" in html and "别人的报告" not in html
    assert reverse("cases:detail", args=[mine.pk]) in html


# --- the case page -----------------------------------------------------------------------------------------


def test_reporter_sees_plain_words_but_not_internal_notes(client, city):
    case = _report(city)
    case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
    case = services.case_urge(
        actor=city.supervisor, case=case, expected_version=case.version, card="yellow", note="内部督办意见"
    )
    client.force_login(city.resident)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "内部督办意见" not in html
    accepted = CaseEvent.objects.get(case=case, action="accept")
    assert accepted.message and accepted.message in html
    client.force_login(city.village)
    staff_html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "内部督办意见" in staff_html


def test_reporter_identity_is_hidden_from_handlers_outside_the_grid(client, city):
    case = _report(city)
    case = services.case_accept(actor=city.village, case=case, expected_version=case.version)
    target = services.dispatch_target_for_user(city.department, kind="department")
    case = services.case_dispatch(actor=city.village, case=case, expected_version=case.version, target=target)
    # the department handler sees the case (it is theirs) but not who reported it
    client.force_login(city.department)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert str(city.resident) not in html
    # staff of the grid's village do
    client.force_login(city.village)
    assert str(city.resident) in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_anonymous_report_hides_the_reporter_even_inside_the_grid(client, city):
    case = _report(city, anonymous=True)
    client.force_login(city.grid_worker)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert str(city.resident) not in html


@pytest.mark.parametrize(
    "who",
    ["resident", "grid_worker", "village", "township", "county", "supervisor", "leader", "other_grid_worker"],
)
def test_the_page_offers_exactly_the_actions_of_the_transition_table(client, city, who):
    # given a reported case and each kind of user who can see it
    case = _report(city)
    user = getattr(city, who)
    client.force_login(user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    if not workflow.can_see(user, case):
        assert response.status_code == 404
        return
    # then the action forms on the page are exactly what the table allows that user now
    expected = set(workflow.available_actions(user, case)) - {"rate"}
    assert _rendered_actions(response.content.decode()) == expected


def test_actions_follow_the_case_through_its_states(client, city):
    case = _report(city)
    client.force_login(city.grid_worker)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "accept" in _rendered_actions(html) and "handle" not in _rendered_actions(html)
    case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
    case = services.case_dispatch(
        actor=city.grid_worker,
        case=case,
        expected_version=case.version,
        target=services.dispatch_target_for_worker(city.worker_record),
    )
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert {"handle", "request_extension"} <= _rendered_actions(html)
    assert "accept" not in _rendered_actions(html)


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("resident", True),  # the reporter
        ("other_resident", False),
        ("grid_worker", True),
        ("other_grid_worker", False),  # the neighbouring grid
        ("village", True),
        ("township", True),
        ("county", True),
        ("supervisor", True),
        ("leader", True),
        ("department", False),  # not dispatched to them
        ("outsider", False),  # another county's village
    ],
)
def test_case_page_permission_matrix(client, city, who, visible):
    case = _report(city)
    client.force_login(getattr(city, who))
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == (200 if visible else 404)


def test_anonymous_visitor_is_sent_to_log_in(client, city):
    case = _report(city)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_taking_an_action_through_the_page(client, city):
    case = _report(city)
    client.force_login(city.grid_worker)
    url = reverse("cases:act", args=[case.pk, "accept"])
    response = client.post(url, {"expected_version": case.version, "note": "马上处理"})
    assert response.status_code == 302
    assert reload(case).state == State.ACCEPTED


def test_stale_version_gets_a_conflict_message_and_changes_nothing(client, city):
    case = _report(city)
    services.case_accept(actor=city.village, case=case, expected_version=case.version)
    client.force_login(city.grid_worker)
    response = client.post(
        reverse("cases:act", args=[case.pk, "cancel"]),
        {"expected_version": case.version, "note": "重复"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert reload(case).state == State.ACCEPTED and reload(case).version == case.version + 1
    assert '<li class="error">Someone else changed this case' in html


def test_denied_action_changes_nothing(client, city):
    case = _report(city)
    client.force_login(city.resident)
    before = reload(case)
    response = client.post(reverse("cases:act", args=[case.pk, "accept"]), {"expected_version": case.version})
    assert response.status_code == 403 and 'data-status="403"' in response.content.decode()  # the site's page
    after = reload(case)
    assert (after.state, after.version) == (before.state, before.version)
    assert CaseEvent.objects.filter(case=case).count() == 1
    # outside scope: 404, nothing changed
    client.force_login(city.outsider)
    assert (
        client.post(reverse("cases:act", args=[case.pk, "accept"]), {"expected_version": 1}).status_code
        == 404
    )
    assert reload(case).version == before.version


def test_dispatch_through_the_page_offers_only_handlers_of_the_area(client, city):
    case = _report(city)
    case = services.case_accept(actor=city.village, case=case, expected_version=case.version)
    client.force_login(city.village)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'value="grid_worker:{city.worker_record.pk}"' in html
    # a handler not offered for this case is refused
    bogus = client.post(
        reverse("cases:act", args=[case.pk, "dispatch"]),
        {"expected_version": case.version, "target": f"user:{city.outsider.pk}"},
    )
    assert bogus.status_code == 302 and reload(case).state == State.ACCEPTED
    client.post(
        reverse("cases:act", args=[case.pk, "dispatch"]),
        {"expected_version": case.version, "target": f"grid_worker:{city.worker_record.pk}"},
    )
    case = reload(case)
    assert case.state == State.DISPATCHED and case.assignee_user == city.grid_worker


def test_handle_with_after_photos_and_verify_through_the_page(
    client, city, django_capture_on_commit_callbacks
):
    case = _report(city)
    case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
    case = services.case_dispatch(
        actor=city.grid_worker,
        case=case,
        expected_version=case.version,
        target=services.dispatch_target_for_worker(city.worker_record),
    )
    client.force_login(city.grid_worker)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("cases:act", args=[case.pk, "handle"]),
            {
                "expected_version": case.version,
                "note": "已清理干净",
                "photos": [upload(jpeg_bytes(color=(0, 200, 0)))],
            },
        )
    case = reload(case)
    assert case.state == State.HANDLED and case.photos.filter(stage="after").count() == 1
    client.force_login(city.supervisor)
    client.post(reverse("cases:act", args=[case.pk, "verify_pass"]), {"expected_version": case.version})
    assert reload(case).state == State.CLOSED


def test_escalated_out_of_scope_returns_the_actor_to_their_list(client, city):
    case = _report(city)
    case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
    client.force_login(city.village)
    # from grid to village: still in the village's scope
    client.post(
        reverse("cases:act", args=[case.pk, "escalate"]),
        {"expected_version": case.version, "note": "需社区协调"},
    )
    case = reload(case)
    assert case.area_code == VILLAGE
    # the village escalates it further: the page would be outside nothing, the village still sees the origin
    response = client.post(
        reverse("cases:act", args=[case.pk, "escalate"]),
        {"expected_version": case.version, "note": "需镇里协调"},
    )
    assert reload(case).level == 4
    assert response.status_code == 302


def test_merge_into_a_duplicate_by_its_reference(client, city):
    master = _report(city)
    dupe = _report(city, actor=city.other_resident, lon=INSIDE_G1[0] + 0.0001)
    client.force_login(city.village)
    html = client.get(reverse("cases:detail", args=[dupe.pk])).content.decode()
    assert master.reference in html  # suggested as a possible duplicate
    client.post(
        reverse("cases:act", args=[dupe.pk, "merge"]),
        {"expected_version": dupe.version, "master": master.reference},
    )
    dupe = reload(dupe)
    assert dupe.state == State.CLOSED and dupe.merged_into_id == master.pk


def test_reporter_rates_and_can_reopen_when_not_solved(client, city):
    case = _report(city)
    for step in ("accept", "dispatch", "handle", "verify"):
        if step == "accept":
            case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
        elif step == "dispatch":
            case = services.case_dispatch(
                actor=city.grid_worker,
                case=case,
                expected_version=case.version,
                target=services.dispatch_target_for_worker(city.worker_record),
            )
        elif step == "handle":
            case = services.case_handle(
                actor=city.grid_worker, case=case, expected_version=case.version, note="好了"
            )
        else:
            case = services.case_verify(
                actor=city.supervisor, case=case, expected_version=case.version, passed=True
            )
    client.force_login(city.resident)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'name="rating"' in html and 'name="really_solved"' in html
    # someone else cannot rate it
    client.force_login(city.other_resident)
    assert client.post(reverse("cases:act", args=[case.pk, "rate"]), {}).status_code == 404
    client.force_login(city.resident)
    client.post(
        reverse("cases:act", args=[case.pk, "rate"]),
        {
            "expected_version": case.version,
            "rating": "unsatisfied",
            "really_solved": "no",
            "reopen_if_unsolved": "on",
        },
    )
    case = reload(case)
    assert case.state == State.ACCEPTED and case.reopen_count == 1
    rate_event = CaseEvent.objects.get(case=case, action="rate")
    assert rate_event.changes["detail"] == {
        "rating": Rating.UNSATISFIED, "really_solved": False, "round": 1, "channel": "reporter",
    }  # fmt: skip
    assert case.ratings.get().rating == Rating.UNSATISFIED  # the reopening keeps the rating


def test_rating_satisfied_keeps_the_case_closed(client, city):
    case = services.case_resolve_on_the_spot(
        actor=city.grid_worker,
        category="0101",
        description="x",
        note="done",
        lon=INSIDE_G1[0],
        lat=INSIDE_G1[1],
        before_photos=[upload(jpeg_bytes())],
        after_photos=[upload(jpeg_bytes())],
    )
    # the grid worker resolved it themself: a staff member does not rate their own work
    client.force_login(city.grid_worker)
    refused = client.post(
        reverse("cases:act", args=[case.pk, "rate"]),
        {"expected_version": case.version, "rating": "satisfied", "really_solved": "yes"},
        follow=True,
    )
    assert "不能对其评价" in refused.content.decode() and reload(case).rating == ""
    # a resident's report, handled by the grid worker and verified by the village, is rated by the resident
    case = _report(city)
    case = services.case_accept(actor=city.village, case=case, expected_version=case.version)
    case = services.case_dispatch(
        actor=city.village,
        case=case,
        expected_version=case.version,
        target=services.dispatch_target_for_worker(city.worker_record),
    )
    case = services.case_handle(actor=city.grid_worker, case=case, expected_version=case.version, note="好了")
    case = services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)
    client.force_login(city.resident)
    client.post(
        reverse("cases:act", args=[case.pk, "rate"]),
        {"expected_version": case.version, "rating": "satisfied", "really_solved": "yes"},
    )
    case = reload(case)
    assert case.state == State.CLOSED and case.rating == Rating.SATISFIED and case.really_solved is True


# --- grid worker ----------------------------------------------------------------------------------------------


def test_my_tasks_shows_assigned_open_cases_with_a_traffic_light(client, city):
    case = _report(city, description="分给网格员的")
    _report(city, actor=city.other_resident, lon=INSIDE_G2[0], lat=INSIDE_G2[1], description="别的网格")
    client.force_login(city.grid_worker)
    html = client.get(reverse("cases:tasks")).content.decode()
    assert "分给网格员的" in html and "别的网格" not in html
    assert re.search(r'class="light light-(green|yellow|red)"', html)
    assert reverse("cases:detail", args=[case.pk]) in html


def test_resolve_on_the_spot_through_the_page(client, city, django_capture_on_commit_callbacks):
    client.force_login(city.grid_worker)
    data = _form(note="已清走", description="路边垃圾")
    data["before_photos"] = [upload(jpeg_bytes())]
    data["after_photos"] = [upload(jpeg_bytes(color=(0, 200, 0)))]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:on_the_spot"), data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.state == State.CLOSED and case.source == Source.ON_THE_SPOT
    assert sorted(case.photos.values_list("stage", flat=True)) == ["after", "before"]


def test_residents_have_no_on_the_spot_page(client, city):
    client.force_login(city.resident)
    assert client.get(reverse("cases:on_the_spot")).status_code == 404


def test_staff_enter_a_phone_call(client, city):
    client.force_login(city.village)
    response = client.post(
        reverse("cases:enter"),
        {
            "source": "phone",
            "category": "0901",
            "kind": "problem",
            "description": "邻居噪音",
            "area_code": VILLAGE,
            "reporter_name": "王女士",
            "reporter_phone": "13812345678",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.source == Source.PHONE and case.area_code == VILLAGE
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "138****5678" in html and "13812345678" not in html


# --- inbox ----------------------------------------------------------------------------------------------------


def test_inbox_shows_my_notifications_and_the_unread_count_in_the_header(client, city):
    case = _report(city)  # tells the grid worker
    notify(recipients=[city.resident], title="别人的通知", body="x")
    client.force_login(city.grid_worker)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert case.reference in html and "别人的通知" not in html
    assert 'data-unread="1"' in html
    note = Notification.objects.get(recipient=city.grid_worker)
    response = client.post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert 'data-unread="0"' in client.get(reverse("cases:tasks")).content.decode()


def test_someone_elses_notification_cannot_be_opened(client, city):
    [note] = notify(recipients=[city.resident], title="t", body="b")
    client.force_login(city.other_resident)
    assert client.post(reverse("notifications:open", args=[note.pk])).status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_mark_all_read(client, city):
    notify(recipients=[city.resident], title="a")
    notify(recipients=[city.resident], title="b")
    client.force_login(city.resident)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=city.resident, read_at__isnull=True).exists()


def test_home_sends_each_user_to_their_list(client, city):
    client.force_login(city.village)
    assert client.get(reverse("cases:home")).url == reverse("cases:queue")
    client.force_login(city.department)
    assert client.get(reverse("cases:home")).url == reverse("cases:tasks")
    client.force_login(city.resident)
    assert client.get(reverse("cases:home")).url == reverse("cases:mine")


def test_case_from_a_household_visit_links_to_the_household_for_staff(client, city):
    from grassroots import clock
    from grassroots.people import services as people_services
    from tests.people.factories import household

    # given a visit in G1 whose need became a case
    hh = household(G1)
    visit = people_services.visit_record(
        actor=city.grid_worker,
        household=hh,
        visited_on=clock.today(),
        found="独居",
        need="申请救助",
        open_case=True,
    )
    case = Case.objects.get(source=Source.VISIT)
    assert visit.case_reference == case.reference
    link = reverse("people:household", args=[hh.pk])
    # the village staff (who may read the register there) get the link; the other grid's worker cannot see
    # the case at all, and the reporter-side view has no register link
    client.force_login(city.village)
    assert link in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    client.force_login(city.other_grid_worker)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


@pytest.mark.parametrize(
    ("who", "figures"),
    [("leader", True), ("supervisor", True), ("county", True), ("village", True), ("grid_worker", False),
     ("resident", False), ("department", False)],
)  # fmt: skip
def test_the_header_links_desk_roles_to_their_areas_figures(client, city, who, figures):
    from grassroots.accounts.scoping import scope_codes

    user = getattr(city, who)
    client.force_login(user)
    header = client.get(reverse("cases:mine")).content.decode().split("</header>")[0]
    if figures:
        code = scope_codes(user)[0]
        assert f'href="{reverse("cases:metrics", args=[code])}"' in header
        assert client.get(reverse("cases:metrics", args=[code])).status_code == 200
    else:
        assert "/cases/metrics/" not in header


def test_numbers_in_a_report_come_back_masked_to_those_who_handle_it(city, client):
    # given a report whose description and address carry numbers in every spelling
    case = _report(city, description=TEXT, address="幸福路 138.1234.0007 门口")
    # when the grid worker, the village staff and the reporter read it on its pages and in the API
    for user in (city.grid_worker, city.village, city.resident):
        client.force_login(user)
        for url in (
            reverse("cases:detail", args=[case.pk]),
            reverse("cases:queue"),
            reverse("cases:mine"),
            f"/api/v1/cases/{case.pk}",
            "/api/v1/cases/",
        ):
            response = client.get(url)
            if response.status_code != 200:
                continue
            rendered = response.content.decode()
            # then no number comes back whole
            assert not leaks(rendered), (user, url, leaks(rendered))
        assert len(masked_forms(client.get(reverse("cases:detail", args=[case.pk])).content.decode())) == len(
            PLANTED
        )
    assert Case.objects.get(pk=case.pk).description == TEXT

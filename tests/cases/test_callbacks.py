"""Callback surveys (回访): which closed cases are on the desk's callback list, each call recorded as an
append-only attempt, the reached call's rating counted in the figures with its channel, whoever handled the
case refused (saying why), the reporter's phone masked and revealed only through the audited reveal, the desk
told when a case enters its list, and the API's permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from grassroots import clock
from grassroots.accounts.models import AuditLog, Role
from grassroots.appendonly import AppendOnlyError
from grassroots.cases import callback_list, metrics, selectors, services
from grassroots.cases.models import (
    CallbackAttempt,
    CallbackOutcome,
    Case,
    CaseRating,
    Rating,
    RatingChannel,
    Source,
    State,
)
from grassroots.cases.services import callbacks
from grassroots.cases.workflow import ActionNotAllowed
from grassroots.errors import NotPermitted
from grassroots.notifications.models import Notification
from tests.factories import user_with

from .conftest import COUNTY, INSIDE_G1, VILLAGE, reload

MARCH = metrics.Period.month(2026, 3)
PHONE = "13812345678"


def at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 3, day, hour, 0))


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def handle_and_close(city, case: Case, day: int) -> Case:
    """Accepted and dispatched to the grid's worker, handled by them, verified by the village on ``day``."""
    with clock.frozen(at(day, 11)):
        case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
        case = services.case_dispatch(
            actor=city.grid_worker, case=case, expected_version=case.version,
            target=services.dispatch_target_for_worker(city.worker_record),
        )  # fmt: skip
        case = services.case_handle(
            actor=city.grid_worker, case=case, expected_version=case.version, note="修好了"
        )
    with clock.frozen(at(day, 16)):
        return services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)


def entered(city, *, source: str = Source.PHONE, phone: str = PHONE, day: int = 2) -> Case:
    """A call (or hotline ticket, walk-in, visit) taken by the village desk on ``day``."""
    with clock.frozen(at(day, 9)):
        return services.case_enter(
            actor=city.village, source=source, category="0101", description="路灯坏了",
            lon=INSIDE_G1[0], lat=INSIDE_G1[1], reporter_name="张三", reporter_phone=phone,
        )  # fmt: skip


def closed_call(city, *, source: str = Source.PHONE, phone: str = PHONE, day: int = 2) -> Case:
    return handle_and_close(city, entered(city, source=source, phone=phone, day=day), day)


def self_reported_closed(city, day: int = 2) -> Case:
    with clock.frozen(at(day, 9)):
        case = services.case_report(
            actor=city.resident, category="0101", description="垃圾", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
        )
    return handle_and_close(city, case, day)


def listed(user) -> set[int]:
    return set(selectors.callback_list_for(user=user).values_list("pk", flat=True))


def call(city, case, *, actor=None, reached=False, day=3, **extra) -> Case:
    with clock.frozen(at(day, 10)):
        return callbacks.callback_record(
            actor=actor or city.village,
            case=case,
            expected_version=reload(case).version,
            reached=reached,
            **extra,
        )


# --- who is on the list ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [Source.PHONE, Source.HOTLINE, Source.WALK_IN, Source.VISIT])
def test_a_closed_case_from_a_desk_channel_is_always_on_the_list_of_the_desks_in_scope(
    city, settings, source
):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"  # the sample does not apply to the desk channels
    case = closed_call(city, source=source)
    assert case.state == State.CLOSED
    for desk in (city.village, city.township, city.county, city.supervisor):
        assert listed(desk) == {case.pk}
    # not another county's desk, nor anyone who is not at a desk
    for other in (city.outsider, city.grid_worker, city.resident, city.leader, city.department):
        assert listed(other) == set()


def test_not_on_the_list_before_closure(city):
    case = entered(city)
    assert listed(city.village) == set()
    with clock.frozen(at(2, 11)):
        case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
        case = services.case_dispatch(
            actor=city.grid_worker, case=case, expected_version=case.version,
            target=services.dispatch_target_for_worker(city.worker_record),
        )  # fmt: skip
        case = services.case_handle(
            actor=city.grid_worker, case=case, expected_version=case.version, note="好了"
        )
    assert case.state == State.HANDLED and listed(city.village) == set()
    with pytest.raises(ActionNotAllowed):  # the workflow has no callback before closure either
        call(city, case)


def test_the_sample_of_self_reported_cases_is_the_share_chosen_by_the_hash_of_the_id(city, settings):
    # given the documented hash: bucket = (id × 2654435761 mod 2^32) mod 10 000, worked out by hand
    assert callback_list.sample_bucket(1) == 5761  # 2654435761 mod 10 000
    assert callback_list.sample_bucket(2) == 4226  # 5308871522 − 2^32 = 1013904226
    assert callback_list.sampled(2, Decimal("0.5")) and not callback_list.sampled(1, Decimal("0.5"))
    # when eight reports made by residents themselves are closed
    cases = [self_reported_closed(city, day=2 + i) for i in range(8)]
    ids = {c.pk for c in cases}
    # then the list holds exactly the sampled ones, as the function predicts, at any share
    for share, expected_all in (("0", False), ("1", True)):
        settings.CASES_CALLBACK_SAMPLE_SHARE = share
        assert listed(city.village) == (ids if expected_all else set())
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0.5"
    predicted = {pk for pk in ids if callback_list.sampled(pk, Decimal("0.5"))}
    assert listed(city.village) == predicted
    # and the database's bucket is the function's
    rows = callback_list.due(Case.objects.filter(pk__in=ids), share=Decimal(1)).values_list(
        "pk", "callback_bucket"
    )
    assert dict(rows) == {pk: callback_list.sample_bucket(pk) for pk in ids}


def test_cases_that_cannot_or_need_not_be_called_are_not_on_the_list(city, settings):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "1"
    no_phone = closed_call(city, phone="")  # a walk-in who left no number and has no login
    with clock.frozen(at(2, 9)):
        on_the_spot = services.case_resolve_on_the_spot(
            actor=city.grid_worker, category="0101", description="井盖松动", note="已固定",
            lon=INSIDE_G1[0], lat=INSIDE_G1[1],
            before_photos=[_photo()], after_photos=[_photo()],
        )  # fmt: skip
    with clock.frozen(at(2, 9)):
        anonymous = services.case_enter(
            actor=city.village, source=Source.HOTLINE, category="0101", description="路灯坏了",
            lon=INSIDE_G1[0], lat=INSIDE_G1[1], reporter_phone=PHONE, anonymous=True,
        )  # fmt: skip
    anonymous = handle_and_close(city, anonymous, 2)
    assert on_the_spot.state == anonymous.state == State.CLOSED
    assert listed(city.village) & {no_phone.pk, on_the_spot.pk, anonymous.pk} == set()


def _photo():
    from .conftest import jpeg_bytes, upload

    return upload(jpeg_bytes())


def test_a_reporter_who_rated_themself_leaves_the_list(city, settings):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "1"
    case = self_reported_closed(city)
    assert listed(city.village) == {case.pk}
    with clock.frozen(at(3)):
        services.case_rate(
            actor=city.resident,
            case=case,
            expected_version=case.version,
            rating=Rating.SATISFIED,
            really_solved=True,
        )
    assert listed(city.village) == set()


# --- the calls ----------------------------------------------------------------------------------------------------


def test_calls_not_reached_are_counted_and_the_case_leaves_after_the_last_allowed(city, settings):
    settings.CASES_CALLBACK_MAX_ATTEMPTS = 3
    case = closed_call(city)
    for n in (1, 2):
        updated = call(city, case, note="无人接听", day=2 + n)
        assert updated.written_attempt.outcome == CallbackOutcome.NOT_REACHED
        (row,) = selectors.callback_list_for(user=city.village)
        assert row.callback_tries == n
    rows = selectors.callback_rows_for(
        user=city.village, cases=selectors.callback_list_for(user=city.village)
    )
    assert [c.note for c in rows[0].round_calls] == ["无人接听", "无人接听"]
    assert [c.called_by_id for c in rows[0].round_calls] == [city.village.pk] * 2
    call(city, case, note="关机", day=5)
    # then three calls are kept, no rating was given, and the case has left the list
    assert CallbackAttempt.objects.filter(case=case).count() == 3
    assert CaseRating.objects.filter(case=case).count() == 0 and reload(case).rated_round == 0
    assert listed(city.village) == set()
    with pytest.raises(NotPermitted):
        call(city, case, day=6)


def test_a_reached_call_records_the_rating_and_really_solved_in_the_reporters_words(city):
    case = closed_call(city)
    call(city, case, note="没人接", day=3)
    updated = call(
        city,
        case,
        reached=True,
        rating=Rating.BASICALLY,
        really_solved=False,
        note="灯亮了但是晚上又灭",
        day=4,
    )
    attempt = updated.written_attempt
    assert attempt.outcome == CallbackOutcome.REACHED and attempt.called_by == city.village
    assert attempt.called_at == at(4, 10) and attempt.round == 1
    rating = attempt.rating
    assert (rating.channel, rating.rating, rating.really_solved) == (
        RatingChannel.CALLBACK,
        Rating.BASICALLY,
        False,
    )
    assert (
        rating.comment == "灯亮了但是晚上又灭"
        and rating.rated_by == city.village
        and rating.source == Source.PHONE
    )
    fresh = reload(case)
    assert fresh.state == State.CLOSED and fresh.rated_round == 1 and fresh.really_solved is False
    assert listed(city.village) == set()
    # the calls are records: never edited
    with pytest.raises(AppendOnlyError):
        attempt.save()
    with pytest.raises(AppendOnlyError):
        CallbackAttempt.objects.filter(case=case).update(note="改")
    # a second callback of the same round is refused: it is rated
    with pytest.raises(NotPermitted):
        call(city, case, reached=True, rating=Rating.SATISFIED, really_solved=True, day=5)


def test_an_unsolved_answer_can_reopen_the_case_and_its_next_closure_is_called_back_again(city):
    case = closed_call(city)
    updated = call(
        city, case, reached=True, rating=Rating.UNSATISFIED, really_solved=False, reopen_if_unsolved=True
    )
    assert updated.state == State.ACCEPTED and updated.round == 2
    again = reload(updated)
    with clock.frozen(at(5, 11)):
        again = services.case_dispatch(
            actor=city.grid_worker, case=again, expected_version=again.version,
            target=services.dispatch_target_for_worker(city.worker_record),
        )  # fmt: skip
        again = services.case_handle(
            actor=city.grid_worker, case=again, expected_version=again.version, note="再修"
        )
    with clock.frozen(at(5, 16)):
        services.case_verify(actor=city.village, case=again, expected_version=again.version, passed=True)
    assert listed(city.village) == {case.pk}
    call(city, case, reached=True, rating=Rating.SATISFIED, really_solved=True, day=6)
    assert list(CaseRating.objects.filter(case=case).values_list("round", "rating")) == [
        (1, Rating.UNSATISFIED),
        (2, Rating.SATISFIED),
    ]


def test_a_reached_call_needs_the_rating_and_the_answer(city):
    case = closed_call(city)
    with pytest.raises(callbacks.CallbackInvalid):
        call(city, case, reached=True, rating="", really_solved=True)
    with pytest.raises(callbacks.CallbackInvalid):
        call(city, case, reached=True, rating=Rating.SATISFIED, really_solved=None)
    assert CallbackAttempt.objects.count() == 0


def test_the_same_idempotency_key_records_one_call(city):
    case = closed_call(city)
    first = call(city, case, note="无人接听", idempotency_key="k-1")
    again = call(city, case, note="无人接听", idempotency_key="k-1")
    assert again.replayed and again.written_attempt.pk == first.written_attempt.pk
    assert CallbackAttempt.objects.count() == 1


# --- separation of duties -------------------------------------------------------------------------------------


def handled_by_the_village(city) -> Case:
    """A call taken by the village, escalated to it, handled by the village login, verified by the township."""
    case = entered(city)
    with clock.frozen(at(2, 11)):
        case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
        case = services.case_escalate(
            actor=city.grid_worker, case=case, expected_version=case.version, reason="上报"
        )
        case = services.case_dispatch(
            actor=city.village, case=case, expected_version=case.version, target=f"user:{city.village.pk}"
        )
        case = services.case_handle(
            actor=city.village, case=case, expected_version=case.version, note="已处理"
        )
        return services.case_verify(
            actor=city.township, case=case, expected_version=case.version, passed=True
        )


def test_whoever_handled_the_case_may_not_call_back_and_is_told_why(city):
    case = handled_by_the_village(city)
    assert case.state == State.CLOSED and case.pk in listed(city.village)
    with pytest.raises(NotPermitted) as refused:
        call(city, case, reached=True, rating=Rating.SATISFIED, really_solved=True)
    assert refused.value.code == "refused"
    assert "须由其他人回访上报人" in str(refused.value.message)  # in the default language: why
    with translation.override("en"):
        assert "You handled this case, so someone else must call the reporter back" in str(
            refused.value.message
        )
    # the API says the same, as {code, message}
    api = client_for(city.village).post(
        f"/api/v1/cases/{case.pk}/callbacks",
        {"expected_version": case.version, "reached": False},
        content_type="application/json",
    )
    assert api.status_code == 403 and api.json()["code"] == "refused"
    assert "须由其他人回访上报人" in api.json()["message"]
    assert CallbackAttempt.objects.count() == 0 and reload(case).version == case.version
    # the list says so instead of offering the form
    (row,) = selectors.callback_rows_for(
        user=city.village, cases=selectors.callback_list_for(user=city.village)
    )
    assert row.own_work
    # someone else at the desk calls back
    call(city, case, actor=city.township, reached=True, rating=Rating.SATISFIED, really_solved=True)
    assert CaseRating.objects.get(case=case).rated_by == city.township


# --- the figures ----------------------------------------------------------------------------------------------


def test_the_figures_count_callback_ratings_with_their_channel(city):
    # given four closed cases in March: two calls and a hotline ticket called back, one self-report rated
    # by its reporter, one walk-in never reached
    a = closed_call(city, source=Source.PHONE, day=2)
    b = closed_call(city, source=Source.HOTLINE, day=3)
    c = self_reported_closed(city, day=4)
    d = closed_call(city, source=Source.WALK_IN, day=5)
    call(city, a, reached=True, rating=Rating.SATISFIED, really_solved=True, day=10)
    call(city, b, reached=True, rating=Rating.UNSATISFIED, really_solved=False, day=11)
    with clock.frozen(at(12)):
        services.case_rate(
            actor=city.resident, case=c, expected_version=reload(c).version, rating=Rating.BASICALLY,
            really_solved=True,
        )  # fmt: skip
    call(city, d, day=13)
    call(city, d, day=14)
    # when the county's figures for March are computed
    figures = metrics.case_metrics(area_code=COUNTY, period=MARCH, basically_counts=True)
    # then by hand: 3 ratings (2 by callback): satisfied 1, basically 1, unsatisfied 1
    counts = figures.counts
    assert (counts.rated, counts.rated_by_callback) == (3, 2)
    assert (counts.satisfied, counts.basically, counts.unsatisfied) == (1, 1, 1)
    # 满意率 = (1 + 1) / 3 = 66.67 %; 实质性解决率 = 2 yes / 3 answered = 66.67 %
    assert figures["satisfaction"].percent == Decimal("66.67")
    assert (figures["solved"].numerator, figures["solved"].denominator) == (2, 3)
    assert figures["solved"].percent == Decimal("66.67")
    # and where each came from: callback · phone 1 satisfied, callback · hotline 1 unsatisfied, reporter · web 1
    by_channel = {
        (r.channel, r.source): (r.figures.counts.rated, r.figures["satisfaction"].percent)
        for r in metrics.ratings_by_channel(area_code=COUNTY, period=MARCH, basically_counts=True)
    }
    assert by_channel == {
        ("callback", "hotline"): (1, Decimal("0.00")),
        ("callback", "phone"): (1, Decimal("100.00")),
        ("reporter", "mobile_web"): (1, Decimal("100.00")),
    }
    # the API says the same
    body = client_for(city.county).get(f"/api/v1/cases/metrics/{COUNTY}?period=2026-03").json()
    assert body["figures"]["ratings"]["given"] == 3 and body["figures"]["ratings"]["by_callback"] == 2
    # and the page shows each channel's row
    page = client_for(city.county).get(f"/cases/metrics/{COUNTY}/?period=2026-03").content.decode()
    for row in ("callback:phone", "callback:hotline", "reporter:mobile_web"):
        assert f'data-channel="{row}"' in page


# --- telling the desk -------------------------------------------------------------------------------------------


def test_a_case_entering_the_list_tells_the_desk_that_closed_it_and_not_the_handler(city, settings):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    verifier = user_with(Role.VILLAGE_STAFF, VILLAGE)  # another desk of the village closes it
    with translation.override("en"):
        case = entered(city)
        with clock.frozen(at(2, 11)):
            case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
            case = services.case_dispatch(
                actor=city.grid_worker, case=case, expected_version=case.version,
                target=services.dispatch_target_for_worker(city.worker_record),
            )  # fmt: skip
            case = services.case_handle(
                actor=city.grid_worker, case=case, expected_version=case.version, note="好"
            )
            services.case_verify(actor=verifier, case=case, expected_version=case.version, passed=True)
        self_reported_closed(city)  # outside the sample: no callback, no one told

    def told(user) -> list[str]:
        with translation.override("en"):  # as the desk reads it in English
            titles = [n.shown_title for n in Notification.objects.filter(recipient=user)]
        return [t for t in titles if "call the reporter back" in t]

    # the village desk of the grid where it closed hears of it once; the handler and the desks above do not
    (title,) = told(city.village)
    assert case.reference in title
    assert told(city.grid_worker) == told(city.township) == told(city.county) == []


# --- the phone ----------------------------------------------------------------------------------------------------


def test_the_phone_is_masked_in_the_list_and_revealed_only_with_a_reason_and_an_audit_record(city):
    case = closed_call(city)
    (row,) = selectors.callback_rows_for(
        user=city.village, cases=selectors.callback_list_for(user=city.village)
    )
    assert row.phone_masked == "138****5678"
    page = client_for(city.village).get("/cases/callbacks/").content.decode()
    assert "138****5678" in page and PHONE not in page
    refused = client_for(city.village).post(f"/cases/{case.pk}/callbacks/reveal/", {"reason": ""})
    assert refused.status_code == 400 and PHONE not in refused.content.decode()
    assert not AuditLog.objects.filter(action="people.reveal").exists()
    shown = client_for(city.village).post(f"/cases/{case.pk}/callbacks/reveal/", {"reason": "回访拨号"})
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    assert shown["Cache-Control"] == "no-store, private"
    log = AuditLog.objects.get(action="people.reveal")
    assert (log.actor, log.target_type, log.target_id, log.reason) == (
        city.village,
        "cases.case",
        str(case.pk),
        "回访拨号",
    )
    # outside scope: not found
    assert (
        client_for(city.outsider)
        .post(f"/cases/{case.pk}/callbacks/reveal/", {"reason": "回访拨号"})
        .status_code
        == 404
    )


# --- pages and API ----------------------------------------------------------------------------------------------


def test_the_list_page_is_reached_from_the_navigation_and_records_a_call(city):
    case = closed_call(city)
    client = client_for(city.village)
    home = client.get("/cases/", follow=True).content.decode()
    assert 'href="/cases/callbacks/"' in home
    assert client_for(city.resident).get("/cases/callbacks/").status_code == 404
    assert 'href="/cases/callbacks/"' not in client_for(city.resident).get("/cases/mine/").content.decode()
    response = client.post(
        f"/cases/{case.pk}/callbacks/",
        {
            "expected_version": reload(case).version,
            "reached": "no",
            "note": "无人接听",
            "idempotency_key": "p-1",
        },
    )
    assert (
        response.status_code == 302 and CallbackAttempt.objects.get().outcome == CallbackOutcome.NOT_REACHED
    )


def test_the_list_query_count_is_pinned(city, django_assert_num_queries):
    for day in (2, 3, 4):
        case = closed_call(city, day=day)
        call(city, case, day=day + 5)
    client = client_for(city.village)
    client.get("/api/v1/cases/categories")  # warm the session
    with django_assert_num_queries(6):  # session, user, grants, count, page, the page's calls
        body = client.get("/api/v1/cases/callbacks?limit=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert all(len(item["calls"]) == 1 for item in body["items"])


def test_api_permission_matrix(city):
    case = closed_call(city)
    version = reload(case).version
    body = {"expected_version": version, "reached": False, "note": "无人接听"}
    url = f"/api/v1/cases/{case.pk}/callbacks"
    # the list: residents and grid workers are refused, another county's desk sees nothing of this one
    assert client_for(city.resident).get("/api/v1/cases/callbacks").status_code == 403
    assert client_for(city.grid_worker).get("/api/v1/cases/callbacks").status_code == 403
    assert client_for(city.outsider).get("/api/v1/cases/callbacks").json()["count"] == 0
    assert client_for(city.township).get("/api/v1/cases/callbacks").json()["count"] == 1
    # a call: not found outside scope or for someone who cannot see the case, refused for those who see it
    for user, status in (
        (city.other_resident, 404),
        (city.outsider, 404),
        (city.resident, 404),  # not their report
        (city.grid_worker, 403),  # the handler, and not at a desk
        (city.leader, 403),
    ):
        response = client_for(user).post(url, body, content_type="application/json")
        assert response.status_code == status, (user, response.content)
        assert set(response.json()) >= {"code", "message"}
    assert CallbackAttempt.objects.count() == 0 and reload(case).version == version
    # the desk records it; the same key again answers the same call
    desk = client_for(city.village)
    first = desk.post(url, body, content_type="application/json", headers={"Idempotency-Key": "a-1"})
    assert first.status_code == 201, first.content
    assert first.json()["call"]["outcome"] == "not_reached" and first.json()["version"] == version + 1
    again = desk.post(url, body, content_type="application/json", headers={"Idempotency-Key": "a-1"})
    assert again.status_code == 200 and again.json()["call"]["id"] == first.json()["call"]["id"]
    # a stale version conflicts
    assert desk.post(url, body, content_type="application/json").status_code == 409
    reached = {"expected_version": version + 1, "reached": True, "rating": "satisfied", "really_solved": True}
    done = desk.post(url, reached, content_type="application/json")
    assert done.status_code == 201 and done.json()["call"]["rating"] == "satisfied"
    assert CaseRating.objects.get(case=case).channel == RatingChannel.CALLBACK


def test_a_reporter_with_a_login_who_reported_by_phone_is_refused_on_the_api(city):
    """The reporter sees their case (so 403, not 404), but a callback is the desk's."""
    with clock.frozen(at(2, 9)):
        case = services.case_enter(
            actor=city.village, source=Source.PHONE, category="0101", description="路灯坏了",
            lon=INSIDE_G1[0], lat=INSIDE_G1[1], reporter=city.resident,
        )  # fmt: skip
    case = handle_and_close(city, case, 2)
    body = {"expected_version": case.version, "reached": True, "rating": "satisfied", "really_solved": True}
    response = client_for(city.resident).post(
        f"/api/v1/cases/{case.pk}/callbacks", body, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"]


def test_the_list_page_query_count_is_pinned(city, django_assert_num_queries):
    for day in (2, 3, 4):
        case = closed_call(city, day=day)
        call(city, case, day=day + 5)
    client = client_for(city.village)
    client.get("/cases/callbacks/")  # warm the session
    # session, user, grants, count, page, the page's calls, the header's unread inbox count
    with django_assert_num_queries(7):
        page = client.get("/cases/callbacks/")
    assert page.content.decode().count("data-callback=") == 3


def test_the_action_registry_serves_the_callback_as_every_action(city):
    """``POST /cases/{id}/actions/callback`` takes the same service: with a rating, the reporter was reached."""
    case = closed_call(city)
    url = f"/api/v1/cases/{case.pk}/actions/callback"
    desk = client_for(city.village)
    missed = desk.post(
        url, {"expected_version": case.version, "note": "无人接听"}, content_type="application/json"
    )
    assert missed.status_code == 200, missed.content
    body = {
        "expected_version": case.version + 1,
        "rating": "satisfied",
        "really_solved": True,
        "note": "满意",
    }
    assert desk.post(url, body, content_type="application/json").status_code == 200
    assert list(CallbackAttempt.objects.values_list("outcome", flat=True)) == ["not_reached", "reached"]
    assert CaseRating.objects.get(case=case).channel == RatingChannel.CALLBACK

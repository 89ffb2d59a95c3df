"""Case actions done on a phone without signal are sent from its outbox when the signal returns, perhaps more
than once: each is applied with the version it was based on; one that arrives twice is not applied twice; a
case someone else changed first is refused in words (JSON for the outbox), never applied over their change."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.cases import services
from grassroots.cases.errors import CaseConflict
from grassroots.cases.models import State
from grassroots.cases.services import registry

from .conftest import reload

pytestmark = pytest.mark.django_db

OUTBOX = {"HTTP_X_GRASSROOTS_OUTBOX": "1", "HTTP_X_GRASSROOTS_SEND": "1"}
INSIDE_G1 = (107.005, 41.005)


@pytest.fixture(autouse=True)
def _no_callback_sampling(settings):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"


def _task(city):
    case = services.case_report(
        actor=city.resident, category="0101", description="路灯不亮", lon=INSIDE_G1[0], lat=INSIDE_G1[1]
    )
    return services.case_take(actor=city.grid_worker, case=case, expected_version=case.version)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_queued_action_that_arrives_twice_is_applied_once(city):
    case = _task(city)
    values = registry.ActionInput(expected_version=case.version, text="修好了")
    handled, applied = registry.perform_queued("handle", actor=city.grid_worker, case=case, values=values)
    again, applied_again = registry.perform_queued("handle", actor=city.grid_worker, case=case, values=values)
    assert applied and not applied_again and again.version == handled.version
    assert handled.state == State.HANDLED and case.events.filter(action="handle").count() == 1


def test_a_queued_action_on_a_case_someone_else_changed_first_is_refused(city):
    case = _task(city)
    seen = case.version
    registry.perform(
        "urge", actor=city.supervisor, case=case, values=registry.ActionInput(expected_version=seen)
    )
    with pytest.raises(CaseConflict):
        registry.perform_queued(
            "handle",
            actor=city.grid_worker,
            case=case,
            values=registry.ActionInput(expected_version=seen, text="x"),
        )
    assert reload(case).state == State.DISPATCHED and not case.events.filter(action="handle").exists()


def test_the_outbox_is_answered_in_json_the_conflict_in_the_worker_s_language(city):
    case = _task(city)
    url = reverse("cases:act", kwargs={"pk": case.pk, "action": "handle"})
    sent = {"expected_version": case.version, "note": "已修好"}
    client = _client(city.grid_worker)
    for _ in range(2):  # the first answer lost on the way back: sent again
        answer = client.post(url, sent, **OUTBOX)
        assert answer.status_code == 200
        assert answer.json() == {"location": reverse("cases:detail", kwargs={"pk": case.pk})}
    assert case.events.filter(action="handle").count() == 1
    other = _task(city)
    stale = {"expected_version": other.version, "note": "已修好"}
    registry.perform(
        "urge", actor=city.supervisor, case=other, values=registry.ActionInput(expected_version=other.version)
    )
    refused = client.post(
        reverse("cases:act", kwargs={"pk": other.pk, "action": "handle"}),
        stale,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **OUTBOX,
    )
    assert refused.status_code == 409 and refused.json()["code"] == "case_conflict"
    assert "其他人" in refused.json()["message"]
    assert reload(other).state == State.DISPATCHED
    # a form without its note is refused in words, nothing applied
    empty = client.post(
        reverse("cases:act", kwargs={"pk": other.pk, "action": "handle"}),
        {"expected_version": reload(other).version},
        **OUTBOX,
    )
    assert empty.status_code == 400 and empty.json()["message"]  # the service says what is missing
    assert reload(other).state == State.DISPATCHED

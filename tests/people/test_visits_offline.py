"""A visit recorded without signal waits in the phone's outbox and may arrive more than once: its idempotency
key makes it one visit; the outbox is answered in JSON (the household's page, or what is wrong in words)."""

import pytest
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.people import services
from grassroots.people.models import Visit
from tests.factories import user_with

from .factories import GRID, household

pytestmark = pytest.mark.django_db

OUTBOX = {"HTTP_X_GRASSROOTS_OUTBOX": "1", "HTTP_X_GRASSROOTS_SEND": "1"}


def test_a_visit_sent_twice_with_its_key_is_recorded_once():
    worker = user_with(Role.GRID_WORKER, GRID)
    hh = household()
    first = services.visit_record(
        actor=worker, household=hh, visited_on=clock.today(), found="老人身体好", idempotency_key="k1"
    )
    again = services.visit_record(
        actor=worker, household=hh, visited_on=clock.today(), found="老人身体好", idempotency_key="k1"
    )
    assert again.pk == first.pk and Visit.objects.count() == 1
    # another key (or none) is another visit
    services.visit_record(
        actor=worker, household=hh, visited_on=clock.today(), found="再访", idempotency_key="k2"
    )
    services.visit_record(actor=worker, household=hh, visited_on=clock.today(), found="再访")
    assert Visit.objects.count() == 3


def test_the_outbox_is_answered_in_json_once_per_key_and_told_what_is_wrong():
    worker = user_with(Role.GRID_WORKER, GRID)
    hh = household()
    client = Client()
    client.force_login(worker)
    url = reverse("people:visit_new", kwargs={"pk": hh.pk})
    sent = {"visited_on": clock.today().isoformat(), "found": "门前积水", "idempotency_key": "abc"}
    for _ in range(2):
        answer = client.post(url, sent, **OUTBOX)
        assert answer.status_code == 200
        assert answer.json() == {"location": reverse("people:household", kwargs={"pk": hh.pk})}
    assert Visit.objects.filter(household=hh).count() == 1
    # a visit without what was found is refused in words, and nothing is written
    refused = client.post(url, {"visited_on": clock.today().isoformat(), "idempotency_key": "def"}, **OUTBOX)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid" and refused.json()["message"]
    assert Visit.objects.filter(household=hh).count() == 1


def test_the_visit_form_works_through_the_outbox_and_has_its_own_key():
    worker = user_with(Role.GRID_WORKER, GRID)
    hh = household()
    client = Client()
    client.force_login(worker)
    page = client.get(reverse("people:visit_new", kwargs={"pk": hh.pk})).content.decode()
    assert "data-outbox" in page and 'name="idempotency_key"' in page

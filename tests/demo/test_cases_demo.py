"""The cases demo step: a year of cases through the services — every state, level and channel, consistent
timelines, work in every demo login's list — and reset removes it all."""

from __future__ import annotations

import importlib
from collections import defaultdict

import pytest
from django.db.models import Max

from grassroots.accounts.models import User
from grassroots.areas.codes import Level
from grassroots.cases import selectors
from grassroots.cases.models import Case, CaseEvent, CaseRating, CloseReason, Source, State
from grassroots.demo.cases import CasesStep
from grassroots.demo.people import PeopleStep
from grassroots.demo.steps import SCALES, DemoContext
from grassroots.notifications.models import Notification
from grassroots.people.models import Resident

pytestmark = pytest.mark.django_db


@pytest.mark.long  # started first: see tests/conftest.py, pytest_collection_modifyitems
def test_a_year_of_cases_in_every_state_level_and_channel(demo_city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ctx = DemoContext(SCALES["small"], 2026)
    PeopleStep().run(ctx)  # the register: callers are often its residents
    counts = CasesStep().run(ctx)
    cases = Case.objects.filter(is_synthetic=True)
    assert counts["cases"] == cases.count() > 300
    assert set(cases.values_list("state", flat=True)) == set(State.values)
    # Objections to public notices come from the disclosure step, which runs later.
    # objections come from the disclosure demo, proactive cases from staff acting on a hotspot (insights)
    assert set(cases.values_list("source", flat=True)) == set(Source.values) - {
        Source.DISCLOSURE,
        Source.PROACTIVE,
    }
    assert {Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY} <= set(
        cases.values_list("level", flat=True)
    )
    assert {Level.GRID, Level.VILLAGE, Level.TOWNSHIP} <= set(
        cases.filter(state=State.CLOSED).values_list("closing_level", flat=True)
    )
    assert cases.exclude(rating="").exists() and cases.filter(reopen_count__gt=0).exists()
    assert cases.filter(merged_into__isnull=False).exists() and cases.filter(rework_count__gt=0).exists()
    # a year, not a day
    span = (
        cases.order_by("reported_at").last().reported_at - cases.order_by("reported_at").first().reported_at
    )
    assert span.days > 300
    # written through the services: every case's timeline ends at its version, and begins with the report
    last = dict(CaseEvent.objects.values("case").annotate(v=Max("version")).values_list("case", "v"))
    assert all(last[pk] == version for pk, version in cases.values_list("pk", "version"))
    assert CaseEvent.objects.filter(action="report").count() == cases.count()
    # verification is independent of handling: no closure is verified by whoever handled the case (replayed
    # from the timelines the way migration cases 0011 counts those from before the rule), no case is rated by
    # whoever handled or verified it, and every verified closure names its verifier
    duties = importlib.import_module("grassroots.cases.migrations.0011_case_separation_of_duties")
    history = defaultdict(list)
    for case_id, action, actor_id, changes in CaseEvent.objects.order_by("case_id", "at", "id").values_list(
        "case_id", "action", "actor_id", "changes"
    ):
        history[case_id].append((action, actor_id, changes))
    assert all(duties._replay(events)[2] == 0 for events in history.values())
    assert not cases.filter(self_verified_count__gt=0).exists()
    verified = cases.filter(state=State.CLOSED, close_reason=CloseReason.VERIFIED)
    assert verified.exists() and not verified.filter(verified_by=None).exists()
    for rating in CaseRating.objects.filter(case__in=cases).select_related("case"):
        assert rating.rated_by_id not in (rating.case.handled_by_id, rating.case.verified_by_id)
    # calls often come from registered residents, whose person pages then list what they reported
    callers = set(Resident.objects.exclude(phone_hash=None).values_list("phone_hash", flat=True))
    assert cases.filter(source__in=[Source.PHONE, Source.HOTLINE], reporter_phone_hash__in=callers).exists()
    # the demo logins find work in their own lists
    users = {u.username: u for u in User.objects.filter(username__in=["resident", "gridworker", "county"])}
    assert selectors.my_reports_for(user=users["resident"]).exists()
    assert selectors.my_tasks_for(user=users["gridworker"]).exists()
    assert selectors.case_queue_for(user=users["county"]).exists()
    # and reset takes it all away again
    CasesStep().reset(ctx)
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert not Notification.objects.filter(target_type="cases.case").exists()
    assert not User.objects.filter(username__startswith="demo-resident-").exists()

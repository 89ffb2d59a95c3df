"""Separation of duties: verification (核查) is independent of handling. Whoever a case is assigned to, or who
reported it handled, may not verify it (pass or fail), and whoever handled or verified it may not rate it —
declared as guards in the transition table, refused with the reason in words, by the services, the API and the
pages alike. The closures verified so before the rule are counted from the timelines and shown in the figures.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.cases import metrics, services, workflow
from grassroots.cases.models import Case, CaseEvent, CloseReason, State
from grassroots.errors import NotPermitted

from .conftest import COUNTY, INSIDE_G1, TOWNSHIP, VILLAGE, reload

REASON = "核查独立于处置"  # "verification is independent of handling", in the default language


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def reported(city, reporter=None) -> Case:
    return services.case_report(
        actor=reporter or city.resident,
        category="0101",
        description="垃圾",
        lon=INSIDE_G1[0],
        lat=INSIDE_G1[1],
    )


def handled_by_itself(city, desk) -> Case:
    """A desk login dispatches a case to itself and reports it handled (the issue's path)."""
    case = reported(city)
    case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
    case = services.case_escalate(
        actor=city.grid_worker, case=case, expected_version=case.version, reason="上报"
    )
    if desk == city.township:
        case = services.case_escalate(
            actor=city.village, case=case, expected_version=case.version, reason="上报"
        )
    case = services.case_dispatch(
        actor=desk, case=case, expected_version=case.version, target=f"user:{desk.pk}"
    )
    return services.case_handle(actor=desk, case=case, expected_version=case.version, note="已处理")


def test_the_table_declares_the_separation_as_guards():
    for action in (workflow.Action.VERIFY_PASS, workflow.Action.VERIFY_FAIL):
        (row,) = workflow.TRANSITIONS[(State.HANDLED, action)]
        assert row.guard is workflow._independent_verifier
    (rate,) = workflow.TRANSITIONS[(State.CLOSED, workflow.Action.RATE)]
    closed = Case(state=State.CLOSED, handled_by_id=7, reporter_id=7, rated_round=0)
    assert rate.guard(closed, type("Actor", (), {"pk": 7})()) is not None


@pytest.mark.parametrize("desk", ["village", "township"])
def test_a_desk_that_handled_a_case_itself_may_not_verify_it(city, desk):
    actor = getattr(city, desk)
    case = handled_by_itself(city, actor)
    assert case.handled_by == actor and case.assignee_user == actor
    assert not {"verify_pass", "verify_fail"} & set(workflow.available_actions(actor, case))
    for passed in (True, False):
        with pytest.raises(NotPermitted) as refused:
            services.case_verify(
                actor=actor, case=case, expected_version=case.version, passed=passed, note="好"
            )
        assert refused.value.code == "refused" and REASON in str(refused.value.message)
    fresh = reload(case)
    assert fresh.state == State.HANDLED and fresh.version == case.version and fresh.verified_by is None
    # someone else of the desk verifies it: the county staff, or the supervisor
    verifier = city.county if desk == "township" else city.township
    closed = services.case_verify(actor=verifier, case=case, expected_version=case.version, passed=True)
    assert closed.state == State.CLOSED and closed.verified_by == verifier


def test_reporting_it_handled_on_a_units_behalf_counts_as_handling(city):
    from grassroots.people.models import Place
    from tests.factories import area

    unit = Place.objects.create(kind="property_company", name="物业公司", area=area(VILLAGE), area_code=VILLAGE,
                                accepts_cases=True)  # fmt: skip
    case = reported(city)
    case = services.case_accept(actor=city.grid_worker, case=case, expected_version=case.version)
    case = services.case_escalate(
        actor=city.grid_worker, case=case, expected_version=case.version, reason="上报"
    )
    case = services.case_dispatch(
        actor=city.village, case=case, expected_version=case.version, target=f"unit:{unit.pk}"
    )
    assert case.assignee_user is None and case.assignee_name == "物业公司"
    case = services.case_handle(
        actor=city.village, case=case, expected_version=case.version, note="物业已处理"
    )
    with pytest.raises(NotPermitted):
        services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)
    assert services.case_verify(actor=city.supervisor, case=case, expected_version=case.version, passed=True).state == State.CLOSED  # fmt: skip


def test_the_dispatcher_of_someone_elses_work_verifies_it(city):
    case = reported(city)
    case = services.case_accept(actor=city.village, case=case, expected_version=case.version)
    case = services.case_dispatch(
        actor=city.village,
        case=case,
        expected_version=case.version,
        target=f"grid_worker:{city.worker_record.pk}",
    )
    case = services.case_handle(
        actor=city.grid_worker, case=case, expected_version=case.version, note="已清理"
    )
    assert {"verify_pass", "verify_fail"} <= set(workflow.available_actions(city.village, case))
    case = services.case_verify(
        actor=city.village, case=case, expected_version=case.version, passed=False, note="未完"
    )
    # the rework round: the same handler again, the same independent verifier
    case = services.case_handle(
        actor=city.grid_worker, case=case, expected_version=case.version, note="已返工"
    )
    closed = services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)
    assert closed.state == State.CLOSED and (closed.handled_by, closed.verified_by) == (
        city.grid_worker,
        city.village,
    )


def test_api_and_page_refuse_verifying_ones_own_work_and_say_why(city):
    case = handled_by_itself(city, city.village)
    api = client_for(city.village).post(
        f"/api/v1/cases/{case.pk}/actions/verify_pass",
        {"expected_version": case.version},
        content_type="application/json",
    )
    assert api.status_code == 403 and api.json()["code"] == "refused"
    assert REASON in api.json()["message"]
    assert "verify_pass" not in client_for(city.village).get(f"/api/v1/cases/{case.pk}").json()["actions"]
    page = client_for(city.village)
    html = page.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:act", args=[case.pk, "verify_pass"]) not in html
    followed = page.post(
        reverse("cases:act", args=[case.pk, "verify_pass"]), {"expected_version": case.version}, follow=True
    )
    assert REASON in followed.content.decode()
    assert reload(case).state == State.HANDLED


def test_staff_may_not_rate_a_case_they_handled_or_verified(city):
    # a grid worker reports on patrol and handles it; the village verifies it
    case = reported(city, reporter=city.grid_worker)
    case = services.case_accept(actor=city.village, case=case, expected_version=case.version)
    case = services.case_dispatch(
        actor=city.village,
        case=case,
        expected_version=case.version,
        target=f"grid_worker:{city.worker_record.pk}",
    )
    case = services.case_handle(
        actor=city.grid_worker, case=case, expected_version=case.version, note="已清理"
    )
    case = services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)
    assert "rate" not in workflow.available_actions(city.grid_worker, case)
    with pytest.raises(NotPermitted) as refused:
        services.case_rate(actor=city.grid_worker, case=case, expected_version=case.version, rating="satisfied",
                           really_solved=True)  # fmt: skip
    assert "不能对其评价" in str(refused.value.message)
    response = client_for(city.grid_worker).post(
        f"/api/v1/cases/{case.pk}/actions/rate",
        {"expected_version": case.version, "rating": "satisfied", "really_solved": True},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "refused"
    # the village staff member verified a case they reported: they may not rate it either
    own = reported(city, reporter=city.village)
    own = services.case_accept(actor=city.village, case=own, expected_version=own.version)
    own = services.case_dispatch(
        actor=city.village,
        case=own,
        expected_version=own.version,
        target=f"grid_worker:{city.worker_record.pk}",
    )
    own = services.case_handle(actor=city.grid_worker, case=own, expected_version=own.version, note="已清理")
    own = services.case_verify(actor=city.village, case=own, expected_version=own.version, passed=True)
    with pytest.raises(NotPermitted):
        services.case_rate(actor=city.village, case=own, expected_version=own.version, rating="satisfied",
                           really_solved=True)  # fmt: skip
    # a resident rates as ever
    theirs = handled_by_itself(city, city.village)
    theirs = services.case_verify(
        actor=city.township, case=theirs, expected_version=theirs.version, passed=True
    )
    rated = services.case_rate(actor=city.resident, case=theirs, expected_version=theirs.version, rating="satisfied",
                               really_solved=True)  # fmt: skip
    assert rated.rating == "satisfied"


def test_reopening_starts_a_round_handled_and_verified_afresh(city):
    case = handled_by_itself(city, city.village)
    case = services.case_verify(actor=city.township, case=case, expected_version=case.version, passed=True)
    case = services.case_reopen(actor=city.township, case=case, expected_version=case.version, reason="复发")
    assert (case.handled_by, case.verified_by, case.assignee_user) == (None, None, None)


# --- the closures verified by their handler before the rule ---------------------------------------------------------


def _self_verified_history(city) -> Case:
    """A closed case whose timeline shows the village login handling it and verifying it itself, as the
    workflow allowed before the rule (written as the old workflow wrote it)."""
    case = handled_by_itself(city, city.village)
    now = clock.now()
    CaseEvent.objects.create(
        case=case, action="verify_pass", old_state=State.HANDLED, new_state=State.CLOSED, version=case.version + 1,
        actor=city.village, actor_name=str(city.village), area_code=case.area_code, level=case.level, at=now,
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(
        state=State.CLOSED, close_reason=CloseReason.VERIFIED, closed_at=now, closing_level=case.level,
        closing_code=case.area_code, version=case.version + 1, handled_by=None,
    )  # fmt: skip
    return reload(case)


def test_the_migration_counts_self_verified_closures_from_the_timelines(city):
    migration = importlib.import_module("grassroots.cases.migrations.0011_case_separation_of_duties")
    old = _self_verified_history(city)
    fine = handled_by_itself(city, city.village)
    fine = services.case_verify(actor=city.township, case=fine, expected_version=fine.version, passed=True)
    Case.objects.filter(pk=fine.pk).update(handled_by=None, verified_by=None)
    migration.duties_from_history(django_apps)
    migration.duties_from_history(django_apps)  # idempotent
    old, fine = reload(old), reload(fine)
    assert (old.self_verified_count, old.handled_by, old.verified_by) == (1, city.village, city.village)
    assert (fine.self_verified_count, fine.handled_by, fine.verified_by) == (0, city.village, city.township)


def test_the_figures_show_the_self_verified_closures_on_the_page_and_the_api(city):
    migration = importlib.import_module("grassroots.cases.migrations.0011_case_separation_of_duties")
    _self_verified_history(city)
    fine = handled_by_itself(city, city.village)
    services.case_verify(actor=city.township, case=fine, expected_version=fine.version, passed=True)
    migration.duties_from_history(django_apps)
    period = str(clock.today().year)
    figures = metrics.case_metrics(area_code=COUNTY, period=metrics.Period.parse(period))
    assert (figures["self_verified"].numerator, figures["self_verified"].denominator) == (1, 2)
    api = client_for(city.county).get(f"/api/v1/cases/metrics/{COUNTY}", {"period": period}).json()
    rate = next(r for r in api["figures"]["rates"] if r["key"] == "self_verified")
    assert (rate["numerator"], rate["denominator"], rate["percent"]) == (1, 2, "50.00")
    html = (
        client_for(city.county)
        .get(reverse("cases:metrics", args=[COUNTY]), {"period": period})
        .content.decode()
    )
    assert 'data-metric="self_verified"' in html and "自处自核" in html
    # the township's breakdown shows where it happened
    township = metrics.case_metrics(area_code=TOWNSHIP, period=metrics.Period.parse(period))
    assert township["self_verified"].numerator == 1


def test_no_closure_can_be_self_verified_any_more(city):
    for desk in (city.village, city.township):
        case = handled_by_itself(city, desk)
        with pytest.raises(NotPermitted):
            services.case_verify(actor=desk, case=case, expected_version=case.version, passed=True)
    assert not Case.objects.filter(state=State.CLOSED).exists()

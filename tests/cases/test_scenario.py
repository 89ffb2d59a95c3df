"""The fourteen-case scenario: fourteen cases of one grid driven through the JSON API in March 2026 — closed on
time and late, escalated, reworked, overdue, anonymous, cancelled, merged, reopened — and every published
rate checked against figures worked out by hand from the published definitions (written out below, case by
case). The reopen path is the point: a rating that led to a reopening stays counted.

The calendar: Monday 2 March 2026 is a working day, as are the days up to Friday 6 and from Monday 9. Service
type 0101 (litter) answers within 1 working day (reported Monday → by Tuesday 3 at the close of the day) and is
handled within 2 working days of the first dispatch (dispatched Monday → by Wednesday 4; dispatched Thursday 5
→ by Monday 9). A reopened case keeps the handling deadline of its first dispatch.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from grassroots import clock
from grassroots.cases.models import Case

from .conftest import G1, INSIDE_G1, VILLAGE


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 3, day, hour, minute))


MONDAY_ACCEPTED, MONDAY_DISPATCHED = at(2, 9, 30), at(2, 10)
MONDAY_HANDLED, MONDAY_VERIFIED = at(2, 14), at(2, 16)


class Api:
    """One person's API client; every call happens at a stated moment."""

    def __init__(self, user):
        self.user = user
        self.client = Client()
        self.client.force_login(user)

    def report(self, when, **fields) -> int:
        data = {"category": "0101", "description": "垃圾堆放", "lon": INSIDE_G1[0], "lat": INSIDE_G1[1]}
        with clock.frozen(when):
            response = self.client.post("/api/v1/cases/", data={**data, **fields})
        assert response.status_code == 201, response.content
        return response.json()["id"]

    def act(self, when, case_id: int, action: str, **body) -> dict:
        with clock.frozen(when):
            version = self.client.get(f"/api/v1/cases/{case_id}").json()["version"]
            if action == "handle":
                response = self.client.post(
                    f"/api/v1/cases/{case_id}/actions/handle",
                    data={"expected_version": version, "note": body.get("note", "已处理")},
                )
            else:
                response = self.client.post(
                    f"/api/v1/cases/{case_id}/actions/{action}",
                    data={"expected_version": version, **body},
                    content_type="application/json",
                )
        assert response.status_code == 200, (action, response.content)
        return response.json()


@pytest.fixture
def scenario(city):
    resident, worker, village, department = (
        Api(city.resident),
        Api(city.grid_worker),
        Api(city.village),
        Api(city.department),
    )
    to_worker = {
        "target": {"kind": "grid_worker", "ref": str(city.worker_record.pk), "user_id": city.grid_worker.pk}
    }
    to_department = {"target": {"kind": "department", "user_id": city.department.pk}}

    def report(n: int, **fields) -> int:
        return resident.report(at(2, 9, n), description=f"第{n}件", **fields)

    def accept_dispatch(cid, accepted=MONDAY_ACCEPTED, dispatched=MONDAY_DISPATCHED):
        worker.act(accepted, cid, "accept")
        worker.act(dispatched, cid, "dispatch", **to_worker)

    def close(cid, handled=MONDAY_HANDLED, verified=MONDAY_VERIFIED):
        worker.act(handled, cid, "handle")
        village.act(verified, cid, "verify_pass")

    def rate(cid, when, rating, solved, **extra):
        resident.act(when, cid, "rate", rating=rating, really_solved=solved, **extra)

    c = {n: report(n, anonymous=(n == 7)) for n in range(1, 15)}
    # 1, 2: closed on time; satisfied and solved, basically satisfied and solved
    for n, rating in ((1, "satisfied"), (2, "basically")):
        accept_dispatch(c[n])
        close(c[n])
        rate(c[n], at(3, 10), rating, True)
    # 3: accepted late (Thursday), handled and closed late (Tuesday 10, due Monday 9); unsatisfied, not solved
    accept_dispatch(c[3], accepted=at(5, 10), dispatched=at(5, 10, 30))
    close(c[3], handled=at(10, 10), verified=at(10, 11))
    rate(c[3], at(11, 10), "unsatisfied", False)
    # 4: escalated to the village, handled by a department, closed at village level on time; not rated
    worker.act(at(2, 9, 30), c[4], "accept")
    worker.act(at(2, 9, 45), c[4], "escalate", reason="需社区协调")
    village.act(at(2, 10), c[4], "dispatch", **to_department)
    department.act(at(3, 10), c[4], "handle")
    village.act(at(3, 11), c[4], "verify_pass")
    # 5: reworked once, then closed on time; satisfied, solved
    accept_dispatch(c[5])
    worker.act(at(2, 14), c[5], "handle")
    village.act(at(2, 16), c[5], "verify_fail", reason="还有遗留")
    close(c[5], handled=at(3, 10), verified=at(3, 11))
    rate(c[5], at(4, 10), "satisfied", True)
    # 6: dispatched and never handled: overdue since Wednesday 4
    accept_dispatch(c[6])
    # 7: reported anonymously, closed on time; satisfied, solved
    accept_dispatch(c[7])
    close(c[7])
    rate(c[7], at(3, 10), "satisfied", True)
    # 8: accepted, then cancelled
    worker.act(at(2, 9, 30), c[8], "accept")
    village.act(at(2, 11), c[8], "cancel", reason="不属实")
    # 9: merged into 1 as a duplicate
    worker.act(at(2, 9, 40), c[9], "merge", master_id=c[1])
    # 10: closed on time, rated unsatisfied and not solved, reopened at once; dispatched again, handled and
    # closed on time (the first dispatch's deadline, Wednesday 4 at the close of the day); then satisfied
    accept_dispatch(c[10])
    close(c[10])
    rate(c[10], at(3, 10), "unsatisfied", False, reopen_if_unsolved=True, note="还是很脏")
    worker.act(at(3, 14), c[10], "dispatch", **to_worker)
    close(c[10], handled=at(4, 10), verified=at(4, 11))
    rate(c[10], at(5, 10), "satisfied", True)
    # 11: closed, rated basically satisfied but not solved; the reporter reopens it; open again
    accept_dispatch(c[11])
    close(c[11])
    rate(c[11], at(3, 10), "basically", False)
    resident.act(at(3, 11), c[11], "reopen", reason="没有解决")
    # 12: dispatched, then shelved
    accept_dispatch(c[12])
    village.act(at(2, 11), c[12], "shelve", reason="等待施工")
    # 13: never accepted
    # 14: handled on time, waiting for verification
    accept_dispatch(c[14])
    worker.act(at(2, 14), c[14], "handle")
    return c


# Worked out by hand from the definitions, case by case (13 cases count: 9 was merged into 1):
#   reported                 1 2 3 4 5 6 7 8 10 11 12 13 14                                       = 13
#   accepted in time         all accepted by Tuesday 3 at the close of the day but 3 (Thursday)
#                            and 13 (never):  1 2 4 5 6 7 8 10 11 12 14                           = 11
#   due to close             accepted, not cancelled (8), not shelved (12): 1 2 3 4 5 6 7 10 11 14 = 10
#   closed                   1 2 3 4 5 7 10                                                        = 7
#   closed on time           1 2 4 5 7 10 (3 closed Tuesday 10, due Monday 9)                      = 6
#   due to handle            dispatched, not shelved: 1 2 3 4 5 6 7 10 11 14                        = 10
#   handled                  1 2 3 4 5 7 10 11 14 (6 never)                                         = 9
#   handled on time          1 2 4 5 7 10 11 14                                                     = 8
#   failed verifications     5 once                                                                 = 1
#   closed at grid level     1 2 3 5 7 10 (4 at the village)                                        = 6
#   reopenings               10, 11                                                                 = 2
#   closures                 2 reopened + 7 closed now                                              = 9
#   verified by the handler  none: the village verifies the grid worker's and the department's work = 0
#   ratings given            1 S, 2 B, 3 U, 5 S, 7 S, 10 U (first closure), 10 S (second), 11 B     = 8
#                            satisfied 4, basically 2, unsatisfied 2; "really solved" yes: 1 2 5 7 10(2nd) = 5 of 8
EXPECTED = {
    # key: (numerator, denominator, percent)
    "closure": (7, 10, "70.00"),
    "on_time_closure": (6, 10, "60.00"),
    "on_time_handling": (8, 10, "80.00"),
    "rework": (1, 9, "11.11"),
    "satisfaction": (6, 8, "75.00"),  # (4 + 2) / 8; before ratings were records it showed 6/7 = 85.71 %
    "solved": (5, 8, "62.50"),
    "reopened": (2, 9, "22.22"),
    "response": (11, 13, "84.62"),
    "closed_at_grid": (6, 7, "85.71"),
    "closed_at_village": (7, 7, "100.00"),
    "self_verified": (0, 9, "0.00"),
}
# 8/10 × 60 + 7/10 × 30 + (1 − 1/9) × 10 = 48 + 21 + 8.888… = 77.888…
EXPECTED_SCORE = "77.89"


def test_the_fourteen_cases_give_the_hand_computed_figures_on_the_api_and_the_page(scenario, city):
    # given the fourteen cases as they stand at the end of March
    assert Case.objects.count() == 14
    assert Case.objects.get(pk=scenario[10]).ratings.count() == 2
    # when the village's figures for March are read through the API
    client = Client()
    client.force_login(city.village)
    with clock.frozen(at(31, 17)):
        body = client.get(f"/api/v1/cases/metrics/{VILLAGE}?period=2026-03&basically=true").json()
    # then every published rate is the hand-computed one
    rates = {r["key"]: (r["numerator"], r["denominator"], r["percent"]) for r in body["figures"]["rates"]}
    assert rates == EXPECTED
    assert body["figures"]["score"] == EXPECTED_SCORE
    assert body["figures"]["reported"] == 13
    assert body["figures"]["ratings"] == {
        "given": 8, "satisfied": 4, "basically": 2, "unsatisfied": 2, "by_callback": 0,
    }  # fmt: skip
    # the grid's figures are the village's (every case is in G1), and the ratings all came from the reporter
    grid = {r["key"]: r["percent"] for r in body["areas"][0]["figures"]["rates"]}
    assert body["areas"][0]["key"] == G1 and grid == {k: v[2] for k, v in EXPECTED.items()}
    assert [
        (r["channel"], r["source"], r["figures"]["ratings"]["given"]) for r in body["ratings_by_channel"]
    ] == [("reporter", "api", 8)]
    # and the metrics page shows the same figures, the counting rule, and a summary that agrees
    with clock.frozen(at(31, 17)):
        page = client.get(
            f"/cases/metrics/{VILLAGE}/?period=2026-03&basically=1", HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    for key, (numerator, denominator, percent) in EXPECTED.items():
        row = page.split(f'data-metric="{key}"', 1)[1].split("</tr>", 1)[0]
        assert f"{percent} %" in row and f"{numerator} / {denominator}" in row, key
    assert EXPECTED_SCORE in page.split('data-metric="score"', 1)[1].split("</tr>", 1)[0]
    # the summary's counts agree with the satisfaction rate's denominator
    assert "13 reported · 8 ratings given: 4 satisfied, 2 basically satisfied, 2 unsatisfied" in page
    assert "reopening a case never removes its rating" in page
    assert "Really solved rate (实质性解决率)" in page and "Closures reopened (重办率)" in page
    # April: none of these was reported or rated then
    april = client.get(f"/api/v1/cases/metrics/{VILLAGE}?period=2026-04").json()
    assert april["figures"]["reported"] == 0 and april["figures"]["ratings"]["given"] == 0

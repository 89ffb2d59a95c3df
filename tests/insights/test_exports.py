"""Excel exports: the queue as filtered, the metrics and dashboard tables, check-ins and workload — each the
page's own scoped read, formula-safe (a cell starting = + - @ is stored as text) and masked (names, phones and
numbers in free text), linked from its page."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from grassroots.areas.codes import Level
from grassroots.cases.metrics import Period, case_metrics
from grassroots.cases.models import Case, Category, Source, State
from grassroots.insights.services import facts_rebuild
from grassroots.workforce.services import party
from tests.cases.conftest import COUNTY, G1, OTHER_COUNTY_GRID, VILLAGE
from tests.workforce.conftest import VILLAGE as WF_VILLAGE
from tests.workforce.conftest import build_world


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _book(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "no-store"
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _case(origin: str, **fields) -> Case:
    reported = timezone.now() - dt.timedelta(days=2)
    return Case.objects.create(
        **{
            "kind": "problem",
            "source": Source.PHONE,
            "category": Category.objects.get(code="0101"),
            "description": "x",
            "origin_code": origin,
            "area_code": origin,
            "level": Level.GRID,
            "reported_at": reported,
            "response_due_at": reported + dt.timedelta(hours=8),
            **fields,
        }
    )


@pytest.fixture
def queue(city):
    return {
        "formula": _case(G1, description="=HYPERLINK(\"http://x\",\"点我\") 电话13812345678", reporter_name="张三丰",
                         reporter_phone="13812345678", address="@SUM(A1)"),
        "closed": _case(
            G1, state=State.CLOSED, description="closed one", closed_at=timezone.now(), closing_level=Level.GRID,
            closing_code=G1, close_reason="verified",
        ),
        "outside": _case(OTHER_COUNTY_GRID, description="other county"),
    }  # fmt: skip


def test_the_queue_export_is_the_filtered_scoped_queue_masked_and_formula_safe(city, queue):
    client = _client(city.county)
    page = client.get("/cases/queue/?state=open").content.decode()
    assert "/cases/queue/xlsx/?state=open" in page
    sheet = _book(client.get("/cases/queue/xlsx/?state=open")).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [queue["formula"].reference]  # open only, own county only
    cells = next(sheet.iter_rows(min_row=2, max_row=2))
    description, address = cells[9], cells[8]
    assert (
        description.data_type == "s"
        and description.quotePrefix
        and description.value.startswith("=HYPERLINK")
    )
    assert "138****5678" in description.value and "13812345678" not in description.value
    assert address.quotePrefix and address.value == "@SUM(A1)"
    assert rows[0][10] == "张*丰" and rows[0][11] == "138****5678"
    everything = [
        r[0]
        for r in _book(client.get("/cases/queue/xlsx/?state=any")).active.iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert sorted(everything) == sorted([queue["formula"].reference, queue["closed"].reference])


def test_the_queue_export_is_refused_to_whoever_has_no_queue(city, queue):
    assert _client(city.resident).get("/cases/queue/xlsx/").status_code == 404


def test_the_metrics_export_holds_the_pages_figures(city, queue):
    period = Period.parse(f"{timezone.localdate():%Y}")
    client = _client(city.county)
    assert (
        f"/cases/metrics/{COUNTY}/xlsx/"
        in client.get(f"/cases/metrics/{COUNTY}/?period={period.key}").content.decode()
    )
    book = _book(client.get(f"/cases/metrics/{COUNTY}/xlsx/?period={period.key}"))
    assert book.sheetnames == ["本区域", "下级区域", "服务类型", "职能部门", "定义"]
    live = case_metrics(area_code=COUNTY, period=period)
    own = list(book["本区域"].iter_rows(min_row=2, values_only=True))
    assert own[0][:3] == (COUNTY, own[0][1], live.counts.reported)
    assert _client(city.outsider).get(f"/cases/metrics/{COUNTY}/xlsx/").status_code in (403, 404)


def test_the_dashboard_export_holds_the_dashboards_tables(city, queue):
    facts_rebuild()
    period = Period.parse(f"{timezone.localdate():%Y}")
    client = _client(city.leader)
    assert (
        f"/insights/{COUNTY}/xlsx/" in client.get(f"/insights/{COUNTY}/?period={period.key}").content.decode()
    )
    book = _book(client.get(f"/insights/{COUNTY}/xlsx/?period={period.key}"))
    assert book.sheetnames == ["总览", "按月", "按周", "下级区域", "服务类型", "定义"]
    headline = list(book["总览"].iter_rows(min_row=2, values_only=True))
    assert (
        headline[0][0] == period.key
        and headline[0][2] == case_metrics(area_code=COUNTY, period=period).counts.reported
    )
    assert _client(city.outsider).get(f"/insights/{COUNTY}/xlsx/").status_code == 404
    assert _client(city.department).get(f"/insights/{VILLAGE}/xlsx/").status_code == 403


@pytest.mark.django_db
def test_check_ins_and_workload_exports_follow_their_pages():
    world = build_world()
    party.check_in_request(actor=world.member_user, member=world.member, pledge="=1+1 联系13812345678")
    staff = _client(world.village_staff)
    assert "/grids/check-ins/xlsx/" in staff.get("/grids/check-ins/").content.decode()
    rows = list(_book(staff.get("/grids/check-ins/xlsx/")).active.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == ["王党员"]
    assert rows[0][5].quotePrefix and "138****5678" in rows[0][5].value
    assert (
        list(_book(_client(world.outside_staff).get("/grids/check-ins/xlsx/")).active.iter_rows(min_row=2))
        == []
    )

    township = _client(world.township_staff)
    assert (
        f"/grids/workload/{WF_VILLAGE}/xlsx/"
        in township.get(f"/grids/workload/{WF_VILLAGE}/").content.decode()
    )
    names = {
        r[0]
        for r in _book(township.get(f"/grids/workload/{WF_VILLAGE}/xlsx/")).active.iter_rows(
            min_row=2, values_only=True
        )
    }
    assert names == {"李巡", "赵巡"}
    assert _client(world.worker_user).get(f"/grids/workload/{WF_VILLAGE}/xlsx/").status_code == 404

"""The 12345 hotline exchange: the daily sheet (Chinese headers, as the hotline exports it) → cases → the
outcome export, round trip; idempotency on the order number; the JSON endpoints with integrators' keys and
sessions, each seeing only its own area's orders; the return to the hotline."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from grassroots import clock
from grassroots.accounts.models import Role
from grassroots.areas.models import Area
from grassroots.cases import services
from grassroots.cases.models import Case, EventAction, HotlineOrder, HotlineSheetLayout, Source, State
from grassroots.cases.selectors import hotline as hotline_selectors
from grassroots.cases.services import callbacks, hotline
from grassroots.errors import NotPermitted
from grassroots.integrations.services.keys import api_key_issue
from tests.factories import area, user_with

from .conftest import COUNTY, G1, INSIDE_G1, TOWNSHIP, VILLAGE

HEADERS = ["序号", "工单编号", "来电时间", "来电人", "联系电话", "诉求内容", "诉求类型", "诉求性质", "事发地址",
           "承办单位", "办理时限", "受理坐席"]  # fmt: skip


def _at(day, hour=10, minute=0):
    return timezone.make_aware(dt.datetime(2026, 3, day, hour, minute))


def _sheet(rows: list[list], headers=HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "工单明细"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


ROWS = [
    [1, "BY20260302000118", "2026-03-02 08:41:16", "王女士", "138 1234 5678",
     "塞上社区3号楼下垃圾堆放多日无人清运，气味很大", "市容环境", "投诉", "巴音宝力格镇塞上社区3号楼",
     "塞上社区", "2026-03-05 17:30", "坐席07"],
    [2, "BY20260302000152", dt.datetime(2026, 3, 2, 9, 5), "李先生", "13987654321",
     "镇政府门前路灯不亮已经一周", "市政设施", "求助", "巴音宝力格镇政府门前",
     "巴音宝力格镇人民政府", dt.datetime(2026, 3, 9, 17, 30), "坐席03"],
    [3, "BY20260302000167", "2026/3/2 9:30", "", "", "咨询小区物业费收费标准", "物业管理", "咨询", "",
     "巴音宝力格镇", "", "坐席11"],
]  # fmt: skip


@pytest.fixture
def hotline_city(city, settings):
    settings.CASES_CALLBACK_SAMPLE_SHARE = "0"
    Area.objects.filter(code=TOWNSHIP).update(name="巴音宝力格镇")
    Area.objects.filter(code=VILLAGE).update(name="塞上社区")
    HotlineSheetLayout.objects.create(
        city_code="1508", category_words={"市容环境": "0101", "市政设施": "0101"}, default_category="0101"
    )
    return city


def _import(actor, data, *, dry_run=False, root=TOWNSHIP):
    with clock.frozen(_at(2, 12)):
        return hotline.hotline_import(actor=actor, data=data, root_code=root, dry_run=dry_run)


def test_daily_sheet_to_cases_to_outcome_export_round_trip(hotline_city):
    city = hotline_city
    data = _sheet(ROWS)

    # given the preview: exact counts, nothing written
    preview = _import(city.township, data, dry_run=True)
    assert preview.ok and (preview.created, preview.unchanged, preview.changed) == (3, 0, 0)
    assert not HotlineOrder.objects.exists() and not Case.objects.exists()
    assert [r.caller_phone_masked for r in preview.rows] == ["138****5678", "139****4321", ""]

    # when imported
    done = _import(city.township, data)
    assert done.written and done.created == 3
    orders = {o.number: o for o in HotlineOrder.objects.select_related("case")}
    first = orders["BY20260302000118"].case
    assert first.source == Source.HOTLINE and first.area_code == VILLAGE and first.kind == "problem"
    assert first.reported_at == _at(2, 8, 41).replace(second=16)
    assert orders["BY20260302000118"].due_at == _at(5, 17, 30)
    assert orders["BY20260302000152"].case.area_code == TOWNSHIP  # 人民政府 is the township's office
    assert orders["BY20260302000167"].case.kind == "request"
    # the phone is kept encrypted with its hash, never in clear in the table
    assert first.reporter_phone == "13812345678" and first.reporter_phone_hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [first.pk])
        assert "13812345678" not in cursor.fetchone()[0]

    # then the same sheet again makes nothing new
    again = _import(city.township, data)
    assert (again.created, again.unchanged, again.changed) == (0, 3, 0)
    assert Case.objects.count() == 3

    # and a changed row is reported, not applied and not duplicated
    edited = [list(r) for r in ROWS]
    edited[0][5] = "垃圾已经堆了一周了"
    changed = _import(city.township, _sheet(edited))
    assert (changed.created, changed.unchanged, changed.changed) == (0, 2, 1)
    assert [r.changed_fields for r in changed.rows if r.outcome == "changed"] == [["description"]]
    assert Case.objects.get(pk=first.pk).description.startswith("塞上社区3号楼下")

    # the first order is handled and rated through the callback; the third goes back to the hotline
    with clock.frozen(_at(2, 14)):
        case = services.case_accept(actor=city.village, case=first, expected_version=first.version)
        case = services.case_dispatch(
            actor=city.village, case=case, expected_version=case.version,
            target=services.dispatch_target_for_worker(city.worker_record),
        )  # fmt: skip
        case = services.case_handle(
            actor=city.grid_worker,
            case=case,
            expected_version=case.version,
            note="已联系环卫清运，来电人13812345678已知晓",
        )
    with clock.frozen(_at(3, 9)):
        case = services.case_verify(actor=city.village, case=case, expected_version=case.version, passed=True)
    with clock.frozen(_at(3, 10)):
        callbacks.callback_record(
            actor=city.township, case=case, expected_version=case.version, reached=True,
            rating="satisfied", really_solved=True,
        )  # fmt: skip
        third = orders["BY20260302000167"].case
        services.case_return_to_hotline(
            actor=city.township,
            case=third,
            expected_version=third.version,
            reason="属物业企业与业主合同事项，请转住建局",
        )

    # when the outcomes of the day are exported
    with clock.frozen(_at(3, 12)):
        data = hotline_selectors.outcome_workbook(
            user=city.township, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 2), by="received"
        )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:5] == ("工单编号", "平台编号", "办理状态", "承办区划", "承办人")
    by_number = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_number) == set(orders)
    closed = by_number["BY20260302000118"]
    assert closed["办理状态"] == "已办结" and closed["承办人"] == "网格员甲"
    assert closed["答复内容"] == "已联系环卫清运，来电人138****5678已知晓"  # numbers masked in what leaves
    assert closed["满意度"] == "满意" and closed["是否解决"] == "是"
    assert closed["办结时间"] == "2026-03-03 09:00" and closed["来电时间"] == "2026-03-02 08:41"
    returned = by_number["BY20260302000167"]
    assert returned["办理状态"] == "退回热线" and returned["答复内容"].startswith("属物业企业")
    assert returned["退回时间"] == "2026-03-03 10:00"
    assert by_number["BY20260302000152"]["办理状态"] == "待受理"


def test_a_sheet_with_a_bad_row_writes_nothing_and_names_the_cell(hotline_city):
    city = hotline_city
    rows = [list(r) for r in ROWS]
    rows[1][9] = "不存在的街道"
    rows[2][2] = "三月二日"
    result = _import(city.township, _sheet(rows))
    assert not result.ok and not result.written
    assert [(e.row, e.column) for e in result.errors] == [(3, "J 承办单位"), (4, "C 来电时间")]
    assert "不存在的街道" in result.errors[0].message
    assert not Case.objects.exists() and not HotlineOrder.objects.exists()


def test_a_city_layout_reads_its_own_headers_and_types(hotline_city):
    city = hotline_city
    hotline.layout_save(
        actor=user_with(Role.SUPERVISOR, "1508"), city_code="1508",
        columns={"number": "受理编号", "description": "反映内容", "area": "责任单位"},
        category_words={"环境卫生": "0102"}, default_category="", crs="wgs84",
    )  # fmt: skip
    headers = ["受理编号", "来电时间", "反映内容", "诉求类型", "责任单位"]
    good = _sheet([["A1", "2026-03-02 08:00", "楼道堆放杂物", "环境卫生", "塞上社区"]], headers)
    result = _import(city.township, good)
    assert result.created == 1
    assert HotlineOrder.objects.get(number="A1").case.category.code == "0102"
    # a type the layout does not map, with no service type for the others: the row is refused
    unknown = _sheet([["A2", "2026-03-02 08:00", "噪音扰民", "噪声污染", "塞上社区"]], headers)
    refused = _import(city.township, unknown)
    assert [e.column for e in refused.errors] == ["D 诉求类型"]


def test_only_staff_covering_the_city_set_its_layout(hotline_city):
    city = hotline_city
    with pytest.raises(NotPermitted):
        hotline.layout_save(
            actor=city.county,
            city_code="1508",
            columns={},
            category_words={},
            default_category="",
            crs="wgs84",
        )
    assert HotlineSheetLayout.objects.get(city_code="1508").default_category == "0101"


def test_an_import_outside_the_pages_area_is_refused_row_by_row(hotline_city):
    city = hotline_city
    area("150825200", "另一个镇")
    row = [1, "X1", "2026-03-02 08:00", "", "", "路面坑洼", "市容环境", "", "", "另一个镇", "", ""]
    result = _import(city.township, _sheet([row]))
    assert [e.column for e in result.errors] == ["J 承办单位"]
    assert not Case.objects.exists()


def test_return_to_the_hotline_is_only_for_hotline_orders(hotline_city):
    city = hotline_city
    with clock.frozen(_at(2)):
        case = services.case_enter(
            actor=city.village, source="phone", category="0101", description="路灯坏了",
            lon=INSIDE_G1[0], lat=INSIDE_G1[1],
        )  # fmt: skip
        with pytest.raises(NotPermitted):
            services.case_return_to_hotline(
                actor=city.village, case=case, expected_version=case.version, reason="不归我们"
            )
    assert Case.objects.get(pk=case.pk).state == State.REPORTED


# --- the JSON endpoints -------------------------------------------------------------------------------


ORDER = {
    "city_code": "1508",
    "number": "BY20260302000201",
    "received_at": "2026-03-02T08:15:00+08:00",
    "description": "塞上社区门口下水道堵塞，污水外溢",
    "caller_name": "赵先生",
    "caller_phone": "13600001111",
    "hotline_type": "市政设施",
    "kind": "投诉",
    "urgency": "较急",
    "address": "塞上社区东门",
    "area": "塞上社区",
    "due_at": "2026-03-03T17:30:00+08:00",
}


@pytest.fixture
def keys(hotline_city):
    _mine, mine_secret = api_key_issue(
        actor=None, name="12345热线对接", area=Area.objects.get(code=COUNTY), role=Role.COUNTY_STAFF
    )
    _other, other_secret = api_key_issue(
        actor=None, name="邻县12345对接", area=area("150826"), role=Role.COUNTY_STAFF
    )
    return mine_secret, other_secret


def _post(client, body, key):
    with clock.frozen(_at(2, 12)):
        return client.post(
            "/api/v1/hotline/orders", body, content_type="application/json", headers={"X-Api-Key": key}
        )


def _outcomes(client, key, **params):
    query = {"start": "2026-03-01", "end": "2026-03-31", **params}
    return client.get("/api/v1/hotline/outcomes", query, headers={"X-Api-Key": key})


def test_an_order_by_json_is_idempotent_on_its_number(client, keys):
    mine, _other = keys
    first = _post(client, ORDER, mine)
    assert first.status_code == 201, first.content
    assert first.json()["outcome"] == "created"
    case = Case.objects.get(pk=first.json()["case_id"])
    assert case.source == Source.HOTLINE and case.urgency == "urgent" and case.area_code == VILLAGE
    again = _post(client, ORDER, mine)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    # the same number in another spelling of the phone is the same order
    assert _post(client, {**ORDER, "caller_phone": "136-0000-1111"}, mine).json()["outcome"] == "unchanged"
    edited = _post(client, {**ORDER, "address": "塞上社区北门", "due_at": "2026-03-04T17:30:00+08:00"}, mine)
    assert edited.status_code == 200
    assert edited.json()["outcome"] == "changed"
    assert edited.json()["changed_fields"] == ["address", "due_at"]
    assert _post(client, {**ORDER, "urgency": ""}, mine).json()["changed_fields"] == ["urgency"]
    assert Case.objects.count() == 1 and Case.objects.get().address == "塞上社区东门"


def test_a_key_of_another_county_neither_files_nor_sees_these_orders(client, keys):
    mine, other = keys
    assert _post(client, ORDER, mine).status_code == 201
    # the same number from the other county: refused without a word of the order
    taken = _post(client, ORDER, other)
    assert taken.status_code == 409 and taken.json()["code"] == "order_elsewhere"
    assert "塞上" not in taken.content.decode()
    # a place in this county from the other county's key: outside its area
    elsewhere = _post(client, {**ORDER, "number": "BY2"}, other)
    assert elsewhere.status_code == 400
    assert Case.objects.count() == 1
    # the feed: the county's key sees its order, the other none, and asking for this area is a 404
    with clock.frozen(_at(3)):
        seen = _outcomes(client, mine)
        unseen = _outcomes(client, other)
        asked = _outcomes(client, other, area=COUNTY)
    assert [o["number"] for o in seen.json()["items"]] == [ORDER["number"]]
    assert unseen.status_code == 200 and unseen.json() == {"items": [], "next_offset": None}
    assert asked.status_code == 404


def test_the_feed_pages_by_period_and_tells_each_orders_outcome(client, keys, hotline_city):
    mine, _other = keys
    city = hotline_city
    for n in range(3):
        assert _post(client, {**ORDER, "number": f"N{n}"}, mine).status_code == 201
    returned = HotlineOrder.objects.get(number="N1").case
    with clock.frozen(_at(4)):
        services.case_return_to_hotline(
            actor=city.village, case=returned, expected_version=returned.version, reason="非本辖区事项"
        )
        page_one = _outcomes(client, mine, limit=2, by="received").json()
        page_two = _outcomes(client, mine, limit=2, offset=2, by="received").json()
        changed_on_4th = _outcomes(client, mine, start="2026-03-04", end="2026-03-04").json()
    assert [o["number"] for o in page_one["items"]] == ["N0", "N1"] and page_one["next_offset"] == 2
    assert [o["number"] for o in page_two["items"]] == ["N2"] and page_two["next_offset"] is None
    assert [o["number"] for o in changed_on_4th["items"]] == ["N1"]
    outcome = changed_on_4th["items"][0]
    assert outcome["status"] == "returned_to_hotline" and outcome["reply"] == "非本辖区事项"
    assert outcome["returned_at"].startswith("2026-03-04") and outcome["hotline_due_at"].startswith(
        "2026-03-03"
    )
    assert (
        page_one["items"][0]["status"] == "reported" and page_one["items"][0]["handler"] == ""
    )  # not dispatched


def test_the_feed_without_a_period_answers_today(client, keys):
    mine, _other = keys
    assert _post(client, ORDER, mine).status_code == 201
    with clock.frozen(_at(2, 18)):
        today = client.get("/api/v1/hotline/outcomes", headers={"X-Api-Key": mine}).json()
    with clock.frozen(_at(3, 9)):
        next_day = client.get("/api/v1/hotline/outcomes", headers={"X-Api-Key": mine}).json()
    assert [o["number"] for o in today["items"]] == [ORDER["number"]] and next_day["items"] == []


def test_the_feed_refuses_a_bad_period(client, keys):
    mine, _other = keys
    backwards = _outcomes(client, mine, start="2026-03-05", end="2026-03-01")
    assert backwards.status_code == 400 and backwards.json()["code"] == "bad_period"
    too_long = _outcomes(client, mine, start="2025-01-01", end="2026-03-01")
    assert too_long.status_code == 400


def test_a_session_user_sees_only_the_orders_of_their_area(client, keys, hotline_city):
    mine, _other = keys
    assert _post(client, ORDER, mine).status_code == 201
    other_township = user_with(Role.TOWNSHIP_STAFF, "150825200")
    for user, expected in ((hotline_city.village, [ORDER["number"]]), (other_township, [])):
        client.force_login(user)
        with clock.frozen(_at(3)):
            answer = client.get("/api/v1/hotline/outcomes", {"start": "2026-03-02", "end": "2026-03-02"})
        assert [o["number"] for o in answer.json()["items"]] == expected


def test_the_outcome_feed_reads_a_fixed_number_of_queries(client, keys, django_assert_max_num_queries):
    mine, _other = keys
    for n in range(6):
        _post(client, {**ORDER, "number": f"Q{n}"}, mine)
    with clock.frozen(_at(3)), django_assert_max_num_queries(12):
        answer = _outcomes(client, mine)
    assert len(answer.json()["items"]) == 6


# --- the pages -----------------------------------------------------------------------------------------


def test_the_desk_imports_a_sheet_on_the_page_and_exports_the_outcomes(client, hotline_city):
    city = hotline_city
    client.force_login(city.township)
    page = client.get("/cases/hotline/", follow=True)
    assert page.status_code == 200 and "12345" in page.content.decode()
    upload = io.BytesIO(_sheet(ROWS))
    upload.name = "12345工单0302.xlsx"
    with clock.frozen(_at(2, 12)):
        checked = client.post(f"/cases/hotline/{TOWNSHIP}/", {"file": upload})
        assert checked.status_code == 302
        run_page = client.get(checked["Location"])
        assert "138****5678" in run_page.content.decode() and "13812345678" not in run_page.content.decode()
        assert not Case.objects.exists()
        confirmed = client.post(checked["Location"] + "confirm/", follow=True)
    assert confirmed.status_code == 200 and Case.objects.count() == 3
    order = HotlineOrder.objects.get(number="BY20260302000118")
    client.force_login(city.village)
    detail = client.get(f"/cases/{order.case_id}/").content.decode()
    assert (
        "BY20260302000118" in detail and "退回12345热线：非本平台事项" in detail
    )  # the order number, the action
    client.force_login(city.township)
    with clock.frozen(_at(3)):
        export = client.get(
            f"/cases/hotline/{TOWNSHIP}/outcomes/",
            {"start": "2026-03-02", "end": "2026-03-02", "by": "received"},
        )
    assert export.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 4


def test_the_hotline_pages_answer_404_outside_the_scope_and_403_without_a_desk(client, hotline_city):
    city = hotline_city
    client.force_login(city.outsider)
    assert client.get(f"/cases/hotline/{TOWNSHIP}/").status_code == 404
    client.force_login(city.grid_worker)
    assert client.get(f"/cases/hotline/{G1}/").status_code == 403
    assert client.get("/cases/hotline/").status_code == 404
    client.force_login(city.county)
    layout = client.get("/cases/hotline/layout/1508/")
    assert layout.status_code == 200 and 'name="column_number"' not in layout.content.decode()
    assert client.post("/cases/hotline/layout/1508/", {"crs": "wgs84"}).status_code == 403


def test_the_city_staff_set_the_layout_on_its_page(client, hotline_city):
    client.force_login(user_with(Role.ADMINISTRATOR, "1508"))
    assert client.get("/cases/hotline/")["Location"] == "/cases/hotline/layout/1508/"  # the header's link
    client.force_login(user_with(Role.SUPERVISOR, "1508"))
    form = {f"column_{c.key}": c.zh for c in hotline.FIELDS} | {
        "column_number": "受理编号", "category_words": "环境卫生 = 0102\n市政设施＝0101", "default_category": "",
        "crs": "gcj02",
    }  # fmt: skip
    saved = client.post("/cases/hotline/layout/1508/", form)
    assert saved.status_code == 302
    layout = HotlineSheetLayout.objects.get(city_code="1508")
    assert layout.columns == {"number": "受理编号"} and layout.crs == "gcj02"
    assert layout.category_words == {"环境卫生": "0102", "市政设施": "0101"}
    bad = client.post("/cases/hotline/layout/1508/", form | {"category_words": "环境卫生 = 9999"})
    assert bad.status_code == 400 and "9999" in bad.content.decode()


def test_the_return_is_recorded_with_its_reason(hotline_city):
    city = hotline_city
    with clock.frozen(_at(2, 12)):
        hotline.hotline_import(actor=city.township, data=_sheet(ROWS[:1]), root_code=TOWNSHIP)
    case = HotlineOrder.objects.get().case
    with clock.frozen(_at(2, 13)):
        case = services.case_return_to_hotline(
            actor=city.village, case=case, expected_version=case.version, reason="属供热公司职责"
        )
    assert case.state == State.CANCELLED and case.cancel_reason == "属供热公司职责"
    assert case.events.filter(action=EventAction.RETURN_TO_HOTLINE, note="属供热公司职责").exists()
